/// What every Anant module's error has: a stable code, a message that says what happened
/// and how to fix it, an optional underlying cause, and whether trying again can succeed.
///
/// Each module has one public error type conforming to this (`ColumnarError`,
/// `ParquetError`, `HypergraphError`, `QueryError`, `DatasetError`, ...). One function,
/// `Status(_:)` in AnantOperations, maps any of them to a wire status (`StatusCode`,
/// message, retryable); a client maps the status back.
public protocol AnantError: Error, Sendable, CustomStringConvertible {
    /// The module's closed set of failure kinds.
    associatedtype Code: RawRepresentable & Sendable & Hashable where Code.RawValue == String
    /// What kind of failure this is.
    var code: Code { get }
    /// What happened, in words a user can act on.
    var message: String { get }
    /// The error that caused this one, when there is one (a cancelled context's
    /// interruption, an I/O error, another module's error).
    var underlying: (any Error & Sendable)? { get }
    /// True when the same request may succeed if tried again (a held lock, a transient
    /// I/O failure); false when it would fail the same way.
    var retryable: Bool { get }
    /// The code of work stopped by its execution context (cancelled, or past its deadline).
    static var interruptedCode: Code { get }
    /// Creates an error.
    init(_ code: Code, _ message: String, underlying: (any Error & Sendable)?, retryable: Bool)
}

extension AnantError {
    public var description: String { message }

    /// The error of work stopped by its execution context: `interruptedCode`, with the
    /// context's `cancelled` or `deadlineExceeded` error as its cause.
    public init(interruption: ColumnarError) {
        self.init(Self.interruptedCode, interruption.message, underlying: interruption, retryable: false)
    }

    /// Errors are equal when their codes and messages are (causes are not compared).
    public static func == (a: Self, b: Self) -> Bool { a.code == b.code && a.message == b.message }
}
