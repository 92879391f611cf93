/// The error thrown by `AnantColumnar`: a stable `code` and a message that says what was
/// wrong and how to fix it.
public typealias ColumnarError = AnantError<ColumnarErrorCode>

/// The codes of `ColumnarError`.
public enum ColumnarErrorCode: String, AnantErrorCode {
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
    /// An Arrow IPC stream is malformed, or holds what Anant does not read (the message
    /// says which).
    case invalidArrow

    /// Interruptions are the context's own codes; `cancelled` stands for them.
    public static var interrupted: Self { .cancelled }
}
