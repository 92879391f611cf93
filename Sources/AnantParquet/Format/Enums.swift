/// The physical (storage) type of a Parquet leaf column.
public enum PhysicalType: Int32, Sendable, Hashable, CustomStringConvertible {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    case int96 = 3
    case float = 4
    case double = 5
    case byteArray = 6
    case fixedLenByteArray = 7

    public var description: String {
        ["BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"][Int(rawValue)]
    }

    /// Bytes per value for fixed-width types (nil for BYTE_ARRAY, FLBA and BOOLEAN).
    var fixedWidth: Int? {
        switch self {
        case .int32, .float: return 4
        case .int64, .double: return 8
        case .int96: return 12
        case .boolean, .byteArray, .fixedLenByteArray: return nil
        }
    }
}

/// Whether a schema node is required, optional or repeated.
public enum Repetition: Int32, Sendable, Hashable, CustomStringConvertible {
    case required = 0
    case optional = 1
    case repeated = 2

    public var description: String { ["REQUIRED", "OPTIONAL", "REPEATED"][Int(rawValue)] }
}

/// A value encoding. Unknown ids are kept (they are an error only when a page uses them).
public struct Encoding: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let plain = Encoding(rawValue: 0)
    public static let plainDictionary = Encoding(rawValue: 2)
    public static let rle = Encoding(rawValue: 3)
    public static let bitPacked = Encoding(rawValue: 4)
    public static let deltaBinaryPacked = Encoding(rawValue: 5)
    public static let deltaLengthByteArray = Encoding(rawValue: 6)
    public static let deltaByteArray = Encoding(rawValue: 7)
    public static let rleDictionary = Encoding(rawValue: 8)
    public static let byteStreamSplit = Encoding(rawValue: 9)

    public var description: String {
        switch rawValue {
        case 0: return "PLAIN"
        case 1: return "GROUP_VAR_INT"
        case 2: return "PLAIN_DICTIONARY"
        case 3: return "RLE"
        case 4: return "BIT_PACKED"
        case 5: return "DELTA_BINARY_PACKED"
        case 6: return "DELTA_LENGTH_BYTE_ARRAY"
        case 7: return "DELTA_BYTE_ARRAY"
        case 8: return "RLE_DICTIONARY"
        case 9: return "BYTE_STREAM_SPLIT"
        case 10: return "ALP"
        default: return "UNKNOWN(\(rawValue))"
        }
    }

    /// True for the two names of dictionary-index encoding.
    var isDictionary: Bool { self == .plainDictionary || self == .rleDictionary }
}

/// A page compression codec. Unknown ids are kept.
public struct CompressionCodec: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let uncompressed = CompressionCodec(rawValue: 0)
    public static let snappy = CompressionCodec(rawValue: 1)
    public static let gzip = CompressionCodec(rawValue: 2)
    public static let lzo = CompressionCodec(rawValue: 3)
    public static let brotli = CompressionCodec(rawValue: 4)
    /// Deprecated: Hadoop-framed LZ4 (or, from old parquet-cpp, a raw block). Read only.
    public static let lz4Hadoop = CompressionCodec(rawValue: 5)
    public static let zstd = CompressionCodec(rawValue: 6)
    public static let lz4Raw = CompressionCodec(rawValue: 7)

    public var description: String {
        switch rawValue {
        case 0: return "UNCOMPRESSED"
        case 1: return "SNAPPY"
        case 2: return "GZIP"
        case 3: return "LZO"
        case 4: return "BROTLI"
        case 5: return "LZ4"
        case 6: return "ZSTD"
        case 7: return "LZ4_RAW"
        default: return "UNKNOWN(\(rawValue))"
        }
    }
}

/// The type of a page.
public enum PageType: Int32, Sendable, Hashable, CustomStringConvertible {
    case dataPage = 0
    case indexPage = 1
    case dictionaryPage = 2
    case dataPageV2 = 3

    public var description: String { ["DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE", "DATA_PAGE_V2"][Int(rawValue)] }
}

/// The legacy type annotation (still written beside `LogicalType` for compatibility).
public struct ConvertedType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let utf8 = ConvertedType(rawValue: 0)
    public static let map = ConvertedType(rawValue: 1)
    public static let mapKeyValue = ConvertedType(rawValue: 2)
    public static let list = ConvertedType(rawValue: 3)
    public static let enumeration = ConvertedType(rawValue: 4)
    public static let decimal = ConvertedType(rawValue: 5)
    public static let date = ConvertedType(rawValue: 6)
    public static let timeMillis = ConvertedType(rawValue: 7)
    public static let timeMicros = ConvertedType(rawValue: 8)
    public static let timestampMillis = ConvertedType(rawValue: 9)
    public static let timestampMicros = ConvertedType(rawValue: 10)
    public static let uint8 = ConvertedType(rawValue: 11)
    public static let uint16 = ConvertedType(rawValue: 12)
    public static let uint32 = ConvertedType(rawValue: 13)
    public static let uint64 = ConvertedType(rawValue: 14)
    public static let int8 = ConvertedType(rawValue: 15)
    public static let int16 = ConvertedType(rawValue: 16)
    public static let int32 = ConvertedType(rawValue: 17)
    public static let int64 = ConvertedType(rawValue: 18)
    public static let json = ConvertedType(rawValue: 19)
    public static let bson = ConvertedType(rawValue: 20)
    public static let interval = ConvertedType(rawValue: 21)

    static let names = ["UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE", "TIME_MILLIS", "TIME_MICROS",
                        "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8",
                        "INT_16", "INT_32", "INT_64", "JSON", "BSON", "INTERVAL"]

    public var description: String {
        rawValue >= 0 && Int(rawValue) < ConvertedType.names.count ? ConvertedType.names[Int(rawValue)] : "UNKNOWN(\(rawValue))"
    }
}
