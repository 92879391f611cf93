/// The codes of one module's error: a closed set, stable enough to match on and to map to
/// a wire status.
public protocol AnantErrorCode: RawRepresentable, Sendable, Hashable, CaseIterable where RawValue == String {
    /// The code of work stopped by its execution context (cancelled, or past its deadline).
    static var interrupted: Self { get }
}

/// The error of an Anant module: a stable code, a message that says what happened and how
/// to fix it, an optional underlying cause, and whether trying again can succeed.
///
/// Each module names its own: `ColumnarError`, `ParquetError`, `HypergraphError`,
/// `QueryError`, `DatasetError`, `OperationError` are this type over the module's codes.
/// One function, `Status(_:)` in AnantOperations, maps any of them to a wire status
/// (`StatusCode`, message, retryable); a client maps the status back.
public struct AnantError<ErrorCode: AnantErrorCode>: Error, Sendable, Equatable, CustomStringConvertible, InterruptibleError {
    /// The module's codes (`HypergraphError.Code.unknownNode`, ...).
    public typealias Code = ErrorCode

    /// What kind of failure this is.
    public var code: Code
    /// What happened, in words a user can act on.
    public var message: String
    /// The error that caused this one, when there is one (a cancelled context's
    /// interruption, an I/O error, another module's error).
    public var underlying: (any Error & Sendable)?
    /// True when the same request may succeed if tried again (a held lock, a transient
    /// I/O failure); false when it would fail the same way.
    public var retryable: Bool

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil, retryable: Bool = false) {
        (self.code, self.message, self.underlying, self.retryable) = (code, message, underlying, retryable)
    }

    /// The error of work stopped by its execution context: `Code.interrupted`, with the
    /// context's `cancelled` or `deadlineExceeded` error as its cause (a `ColumnarError` is
    /// that error itself).
    public init(interruption: ColumnarError) {
        if let same = interruption as? Self {
            self = same
        } else {
            self.init(Code.interrupted, interruption.message, underlying: interruption)
        }
    }

    public var description: String { message }

    /// Errors are equal when their codes and messages are (causes are not compared).
    public static func == (a: Self, b: Self) -> Bool { a.code == b.code && a.message == b.message }
}
