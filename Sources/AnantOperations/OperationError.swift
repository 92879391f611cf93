import AnantColumnar

/// The error thrown by `AnantOperations`: an operation whose parameters cannot run (an
/// empty id list, an unknown measure), an input that is not there, or work stopped by its
/// execution context.
public struct OperationError: AnantError, InterruptibleError, Equatable {
    public static let interruptedCode = Code.interrupted

    /// A closed set of failure kinds.
    public enum Code: String, Sendable, CaseIterable {
        /// A parameter outside what the operation accepts; the message says what to pass.
        case invalidArgument
        /// An input (file, dataset, version) that does not exist.
        case notFound
        /// The input does not suit the operation (a file where a folder is needed).
        case failedPrecondition
        /// The work was cancelled or ran past its deadline (the cause says which).
        case interrupted
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error & Sendable)?
    public var retryable: Bool

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil, retryable: Bool = false) {
        (self.code, self.message, self.underlying, self.retryable) = (code, message, underlying, retryable)
    }
}
