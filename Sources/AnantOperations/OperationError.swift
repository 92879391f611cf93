import AnantColumnar

/// The error thrown by `AnantOperations`: an operation whose parameters cannot run (an
/// empty id list, an unknown measure), an input that is not there, or work stopped by its
/// execution context.
public typealias OperationError = AnantError<OperationErrorCode>

/// The codes of `OperationError`.
public enum OperationErrorCode: String, AnantErrorCode {
    /// A parameter outside what the operation accepts; the message says what to pass.
    case invalidArgument
    /// An input (file, dataset, version) that does not exist.
    case notFound
    /// The input does not suit the operation (a file where a folder is needed).
    case failedPrecondition
    /// The work was cancelled or ran past its deadline (the cause says which).
    case interrupted
}
