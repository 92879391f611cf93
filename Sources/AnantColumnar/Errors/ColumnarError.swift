/// The error thrown by `AnantColumnar`: a stable `code` and a message that says what was
/// wrong and how to fix it.
public struct ColumnarError: AnantError, InterruptibleError, Equatable {
    public static let interruptedCode = Code.cancelled

    /// A closed set of failure kinds, stable enough to match on.
    public enum Code: String, Sendable, CaseIterable {
        /// Columns of one batch have different lengths.
        case lengthMismatch
        /// A column's type is not the one its schema field declares.
        case typeMismatch
        /// Two fields of one schema share a name, or a name is empty.
        case invalidSchema
        /// A column name was asked for that the schema does not have.
        case unknownColumn
        /// JSON text could not be parsed.
        case invalidJSON
        /// A value cannot be represented in the requested type.
        case invalidValue
        /// CSV text could not be parsed.
        case invalidCSV
        /// The work was cancelled through its execution context.
        case cancelled
        /// The work ran past its execution context's deadline.
        case deadlineExceeded
        /// Writing a file durably failed (the message names the step and the system's reason).
        case io
        /// The disk is full (nothing partial was left behind).
        case noSpace
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened, in words a user can act on.
    public var message: String

    /// The error that caused this one, if any.
    public var underlying: (any Error & Sendable)?
    /// True when trying again may succeed.
    public var retryable: Bool

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil, retryable: Bool = false) {
        (self.code, self.message, self.underlying, self.retryable) = (code, message, underlying, retryable)
    }

    /// A context's interruption is already a `ColumnarError`.
    public init(interruption: ColumnarError) { self = interruption }
}
