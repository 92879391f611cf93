/// The logical type of a column.
///
/// `json` columns are stored like `string` columns; each non-null value is one JSON text.
/// They hold values that have no flat type (lists, objects, or a mixture of kinds), so that
/// such properties survive a round trip through Parquet (as its JSON logical type) and CSV.
public enum DataType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case int32
    case int64
    case double
    case bool
    case string
    case json

    public var description: String { rawValue }

    /// True for the numeric types (`int32`, `int64`, `double`).
    public var isNumeric: Bool {
        switch self {
        case .int32, .int64, .double: return true
        case .bool, .string, .json: return false
        }
    }
}
