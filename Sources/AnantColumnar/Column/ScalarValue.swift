/// One value of a column, boxed: the slow path for printing, JSON output and building
/// columns from heterogeneous inputs. Hot loops read the typed column buffers instead.
public enum ScalarValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    /// A value with no flat type (a list, an object), kept as JSON.
    case json(JSONValue)

    /// The scalar for a JSON value: flat JSON kinds map to flat scalars, arrays and
    /// objects to `.json`.
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .int(value)
        case .double(let value): self = .double(value)
        case .string(let value): self = .string(value)
        case .array, .object: self = .json(json)
        }
    }

    /// This value as JSON.
    public var jsonValue: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .int(value)
        case .double(let value): return .double(value)
        case .string(let value): return .string(value)
        case .json(let value): return value
        }
    }

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value as a Double when it is numeric.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// Text for tables and CSV cells: strings unquoted, JSON as compact JSON text, null as "".
    public var description: String {
        switch self {
        case .null: return ""
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return value.description
        case .string(let value): return value
        case .json(let value): return JSONWriter().string(value)
        }
    }
}
