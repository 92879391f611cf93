/// One node of the flattened schema (depth-first, pre-order; element 0 is the root).
public struct SchemaElement: Sendable, Hashable {
    public var type: PhysicalType?
    public var typeLength: Int32?
    public var repetition: Repetition?
    public var name: String
    public var numChildren: Int32?
    public var convertedType: ConvertedType?
    public var scale: Int32?
    public var precision: Int32?
    public var fieldID: Int32?
    public var logicalType: LogicalType?

    public init(name: String, type: PhysicalType? = nil, typeLength: Int32? = nil, repetition: Repetition? = nil,
                numChildren: Int32? = nil, convertedType: ConvertedType? = nil, scale: Int32? = nil,
                precision: Int32? = nil, fieldID: Int32? = nil, logicalType: LogicalType? = nil) {
        self.name = name
        self.type = type
        self.typeLength = typeLength
        self.repetition = repetition
        self.numChildren = numChildren
        self.convertedType = convertedType
        self.scale = scale
        self.precision = precision
        self.fieldID = fieldID
        self.logicalType = logicalType
    }
}

/// Statistics of a column chunk or page. Values are PLAIN-encoded without the length
/// prefix of BYTE_ARRAY.
public struct Statistics: Sendable, Hashable {
    /// Deprecated signed-order maximum.
    public var max: [UInt8]?
    /// Deprecated signed-order minimum.
    public var min: [UInt8]?
    public var nullCount: Int64?
    public var distinctCount: Int64?
    /// Maximum in the column order.
    public var maxValue: [UInt8]?
    /// Minimum in the column order.
    public var minValue: [UInt8]?
    public var isMaxValueExact: Bool?
    public var isMinValueExact: Bool?
    public var nanCount: Int64?

    public init() {}
}

/// A key-value pair of file or column metadata (the value may be absent).
public struct KeyValue: Sendable, Hashable {
    public var key: String
    public var value: String?

    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }
}

/// A column a row group is sorted by.
public struct SortingColumn: Sendable, Hashable {
    public var columnIndex: Int32
    public var descending: Bool
    public var nullsFirst: Bool
}

/// How many pages of a type and encoding a chunk has.
public struct PageEncodingStats: Sendable, Hashable {
    public var pageType: Int32
    public var encoding: Encoding
    public var count: Int32
}

/// The metadata of one column chunk.
public struct ColumnMetaData: Sendable, Hashable {
    public var type: PhysicalType
    public var encodings: [Encoding]
    public var pathInSchema: [String]
    public var codec: CompressionCodec
    /// Level entries, nulls and empty lists included.
    public var numValues: Int64
    public var totalUncompressedSize: Int64
    public var totalCompressedSize: Int64
    public var keyValueMetadata: [KeyValue]
    public var dataPageOffset: Int64
    public var indexPageOffset: Int64?
    public var dictionaryPageOffset: Int64?
    public var statistics: Statistics?
    public var encodingStats: [PageEncodingStats]
    public var bloomFilterOffset: Int64?
    public var bloomFilterLength: Int32?

    public init(type: PhysicalType, encodings: [Encoding], pathInSchema: [String], codec: CompressionCodec,
                numValues: Int64, totalUncompressedSize: Int64, totalCompressedSize: Int64, dataPageOffset: Int64) {
        self.type = type
        self.encodings = encodings
        self.pathInSchema = pathInSchema
        self.codec = codec
        self.numValues = numValues
        self.totalUncompressedSize = totalUncompressedSize
        self.totalCompressedSize = totalCompressedSize
        self.keyValueMetadata = []
        self.dataPageOffset = dataPageOffset
        self.encodingStats = []
    }

    /// Where the chunk's first page starts: the smaller of the dictionary and data page
    /// offsets that are real (0 means "none" for some writers).
    public var chunkStart: Int64 {
        [dictionaryPageOffset, dataPageOffset].compactMap { $0 }.filter { $0 >= 4 }.min() ?? dataPageOffset
    }
}

/// One column chunk of a row group.
public struct ColumnChunk: Sendable, Hashable {
    public var filePath: String?
    public var fileOffset: Int64
    public var metaData: ColumnMetaData?
    public var offsetIndexOffset: Int64?
    public var offsetIndexLength: Int32?
    public var columnIndexOffset: Int64?
    public var columnIndexLength: Int32?
    /// The chunk is encrypted (crypto_metadata or encrypted_column_metadata present).
    public var isEncrypted: Bool

    public init(metaData: ColumnMetaData?, fileOffset: Int64 = 0) {
        self.metaData = metaData
        self.fileOffset = fileOffset
        self.isEncrypted = false
    }
}

/// One row group.
public struct RowGroup: Sendable, Hashable {
    public var columns: [ColumnChunk]
    public var totalByteSize: Int64
    public var numRows: Int64
    public var sortingColumns: [SortingColumn]
    public var fileOffset: Int64?
    public var totalCompressedSize: Int64?
    public var ordinal: Int16?

    public init(columns: [ColumnChunk], totalByteSize: Int64, numRows: Int64) {
        self.columns = columns
        self.totalByteSize = totalByteSize
        self.numRows = numRows
        self.sortingColumns = []
    }
}

/// The footer: schema, row groups and file-level metadata.
public struct FileMetaData: Sendable, Hashable {
    public var version: Int32
    public var schema: [SchemaElement]
    /// As written; may be wrong in old files (the row groups' sum is the truth).
    public var numRows: Int64
    public var rowGroups: [RowGroup]
    public var keyValueMetadata: [KeyValue]
    public var createdBy: String?
    public var columnOrders: [ColumnOrder]
    /// FileMetaData.encryption_algorithm is set: a plaintext-footer encrypted file.
    public var isEncrypted: Bool

    public init(version: Int32, schema: [SchemaElement], numRows: Int64, rowGroups: [RowGroup]) {
        self.version = version
        self.schema = schema
        self.numRows = numRows
        self.rowGroups = rowGroups
        self.keyValueMetadata = []
        self.columnOrders = []
        self.isEncrypted = false
    }
}

/// The header of a data page (v1).
public struct DataPageHeader: Sendable, Hashable {
    public var numValues: Int32
    public var encoding: Encoding
    public var definitionLevelEncoding: Encoding
    public var repetitionLevelEncoding: Encoding
    public var statistics: Statistics?
}

/// The header of a data page (v2).
public struct DataPageHeaderV2: Sendable, Hashable {
    public var numValues: Int32
    public var numNulls: Int32
    public var numRows: Int32
    public var encoding: Encoding
    public var definitionLevelsByteLength: Int32
    public var repetitionLevelsByteLength: Int32
    public var isCompressed: Bool
    public var statistics: Statistics?
}

/// The header of a dictionary page.
public struct DictionaryPageHeader: Sendable, Hashable {
    public var numValues: Int32
    public var encoding: Encoding
    public var isSorted: Bool?
}

/// The header that precedes every page.
public struct PageHeader: Sendable, Hashable {
    /// The raw page type (unknown types are skipped by readers).
    public var type: Int32
    public var uncompressedPageSize: Int32
    public var compressedPageSize: Int32
    public var crc: Int32?
    public var dataPageHeader: DataPageHeader?
    public var dictionaryPageHeader: DictionaryPageHeader?
    public var dataPageHeaderV2: DataPageHeaderV2?

    public var pageType: PageType? { PageType(rawValue: type) }
}
