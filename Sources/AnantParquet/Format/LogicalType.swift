/// The unit of a TIME or TIMESTAMP.
public enum TimeUnit: Sendable, Hashable, CustomStringConvertible {
    case millis, micros, nanos

    public var description: String {
        switch self {
        case .millis: return "MILLIS"
        case .micros: return "MICROS"
        case .nanos: return "NANOS"
        }
    }

    /// Units per second.
    public var perSecond: Int64 {
        switch self {
        case .millis: return 1_000
        case .micros: return 1_000_000
        case .nanos: return 1_000_000_000
        }
    }
}

/// The logical type annotation of a schema node (the Thrift `LogicalType` union).
public enum LogicalType: Sendable, Hashable, CustomStringConvertible {
    case string
    case map
    case list
    case enumeration
    case decimal(scale: Int32, precision: Int32)
    case date
    case time(adjustedToUTC: Bool, unit: TimeUnit)
    case timestamp(adjustedToUTC: Bool, unit: TimeUnit)
    case integer(bitWidth: Int8, signed: Bool)
    /// Always null (UNKNOWN / NullType).
    case null
    case json
    case bson
    case uuid
    case float16
    case variant
    case geometry
    case geography
    /// A union member this reader does not know: the column reads as its physical type.
    case other(id: Int16)

    public var description: String {
        switch self {
        case .string: return "STRING"
        case .map: return "MAP"
        case .list: return "LIST"
        case .enumeration: return "ENUM"
        case .decimal(let s, let p): return "DECIMAL(\(p),\(s))"
        case .date: return "DATE"
        case .time(let utc, let unit): return "TIME(\(unit)\(utc ? ",UTC" : ""))"
        case .timestamp(let utc, let unit): return "TIMESTAMP(\(unit)\(utc ? ",UTC" : ""))"
        case .integer(let bits, let signed): return "INTEGER(\(bits),\(signed ? "signed" : "unsigned"))"
        case .null: return "UNKNOWN"
        case .json: return "JSON"
        case .bson: return "BSON"
        case .uuid: return "UUID"
        case .float16: return "FLOAT16"
        case .variant: return "VARIANT"
        case .geometry: return "GEOMETRY"
        case .geography: return "GEOGRAPHY"
        case .other(let id): return "UNKNOWN_LOGICAL_TYPE(\(id))"
        }
    }
}

/// How min/max statistics of a column are ordered (FileMetaData.column_orders).
public enum ColumnOrder: Sendable, Hashable {
    case typeOrder
    case ieee754TotalOrder
    case int96TimestampOrder
    case unknown(id: Int16)
}
