/// The error thrown by `AnantColumnar`: a stable `code` and a message that says what was
/// wrong and how to fix it.
public struct ColumnarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A closed set of failure kinds, stable enough to match on.
    public enum Code: String, Sendable {
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
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened, in words a user can act on.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
