/// One typed column: the unit of storage that Parquet, queries and hypergraph properties
/// share.
public enum Column: Sendable, Hashable {
    case int32(Int32Column)
    case int64(Int64Column)
    case double(DoubleColumn)
    case bool(BoolColumn)
    case string(StringColumn)
    /// JSON texts, stored like strings.
    case json(StringColumn)

    /// The logical type of the values.
    public var dataType: DataType {
        switch self {
        case .int32: return .int32
        case .int64: return .int64
        case .double: return .double
        case .bool: return .bool
        case .string: return .string
        case .json: return .json
        }
    }

    /// The number of rows.
    public var count: Int {
        switch self {
        case .int32(let c): return c.count
        case .int64(let c): return c.count
        case .double(let c): return c.count
        case .bool(let c): return c.count
        case .string(let c), .json(let c): return c.count
        }
    }

    /// The number of null rows.
    public var nullCount: Int {
        switch self {
        case .int32(let c): return c.nullCount
        case .int64(let c): return c.nullCount
        case .double(let c): return c.nullCount
        case .bool(let c): return c.nullCount
        case .string(let c), .json(let c): return c.nullCount
        }
    }

    /// True if row `index` is null.
    public func isNull(_ index: Int) -> Bool {
        switch self {
        case .int32(let c): return c.isNull(index)
        case .int64(let c): return c.isNull(index)
        case .double(let c): return c.isNull(index)
        case .bool(let c): return c.isNull(index)
        case .string(let c), .json(let c): return c.isNull(index)
        }
    }

    /// Row `index`, boxed. JSON texts are parsed (a corrupt text reads as a string).
    public subscript(index: Int) -> ScalarValue {
        switch self {
        case .int32(let c): return c[index].map { .int(Int64($0)) } ?? .null
        case .int64(let c): return c[index].map { .int($0) } ?? .null
        case .double(let c): return c[index].map { .double($0) } ?? .null
        case .bool(let c): return c[index].map { .bool($0) } ?? .null
        case .string(let c): return c[index].map { .string($0) } ?? .null
        case .json(let c):
            guard let text = c[index] else { return .null }
            return (try? JSONParser.parse(text)).map { ScalarValue($0) } ?? .string(text)
        }
    }

    /// The rows at `indices`, in that order.
    public func gather(_ indices: [Int]) -> Column { gathering(indices) }

    /// The rows at `indices`, in that order.
    public func gather(_ indices: [Int32]) -> Column { gathering(indices) }

    /// The generic gather, specialised inside this module for each index collection the
    /// public entry points pass (a generic public entry point would run unspecialised,
    /// element by element through witness tables, when called from other modules).
    func gathering<C: Collection>(_ indices: C) -> Column where C.Element: BinaryInteger {
        switch self {
        case .int32(let c): return .int32(c.gathering(indices))
        case .int64(let c): return .int64(c.gathering(indices))
        case .double(let c): return .double(c.gathering(indices))
        case .bool(let c): return .bool(c.gathering(indices))
        case .string(let c): return .string(c.gathering(indices))
        case .json(let c): return .json(c.gathering(indices))
        }
    }

    /// The rows in `range`.
    public func slice(_ range: Range<Int>) -> Column {
        switch self {
        case .int32(let c): return .int32(c.slice(range))
        case .int64(let c): return .int64(c.slice(range))
        case .double(let c): return .double(c.slice(range))
        case .bool(let c): return .bool(c.slice(range))
        case .string(let c): return .string(c.slice(range))
        case .json(let c): return .json(c.slice(range))
        }
    }

    /// A column of `count` nulls of type `type`.
    public static func nulls(_ type: DataType, count: Int) -> Column {
        // A null fits every type, so this cannot throw.
        try! Column(type: type, values: Array(repeating: .null, count: count))
    }
}
