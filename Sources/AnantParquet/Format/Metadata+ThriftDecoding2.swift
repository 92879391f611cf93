// Decoding of column, row-group, file and page metadata (continued).

extension ColumnMetaData {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var type: PhysicalType? = nil
        var encodings = [Encoding](), path = [String]()
        var codec: CompressionCodec? = nil
        var numValues: Int64? = nil, uncompressed: Int64? = nil, compressed: Int64? = nil, dataOffset: Int64? = nil
        var keyValues = [KeyValue]()
        var indexOffset: Int64? = nil, dictionaryOffset: Int64? = nil
        var statistics: Statistics? = nil
        var encodingStats = [PageEncodingStats]()
        var bloomOffset: Int64? = nil
        var bloomLength: Int32? = nil
        try r.readStruct { r, t, id throws(ParquetError) in
            switch id {
            case 1:
                guard let raw = try r.i32(t) else { return false }
                guard let physical = PhysicalType(rawValue: raw) else { throw ParquetError.corrupt("column metadata has an invalid physical type \(raw)") }
                type = physical
            case 2:
                guard t == ThriftType.list.rawValue else { return false }
                encodings = try r.readList(of: .i32) { r throws(ParquetError) in Encoding(rawValue: try r.readI32()) }
            case 3:
                guard t == ThriftType.list.rawValue else { return false }
                path = try r.readList(of: .binary) { r throws(ParquetError) in try r.readString() }
            case 4: codec = try r.i32(t).map(CompressionCodec.init(rawValue:)); return codec != nil
            case 5: numValues = try r.i64(t); return numValues != nil
            case 6: uncompressed = try r.i64(t); return uncompressed != nil
            case 7: compressed = try r.i64(t); return compressed != nil
            case 8:
                guard t == ThriftType.list.rawValue else { return false }
                keyValues = try r.readList(of: .structure) { r throws(ParquetError) in try KeyValue(thrift: &r) }
            case 9: dataOffset = try r.i64(t); return dataOffset != nil
            case 10: indexOffset = try r.i64(t); return indexOffset != nil
            case 11: dictionaryOffset = try r.i64(t); return dictionaryOffset != nil
            case 12:
                guard t == ThriftType.structure.rawValue else { return false }
                statistics = try Statistics(thrift: &r)
            case 13:
                guard t == ThriftType.list.rawValue else { return false }
                encodingStats = try r.readList(of: .structure) { r throws(ParquetError) in try PageEncodingStats(thrift: &r) }
            case 14: bloomOffset = try r.i64(t); return bloomOffset != nil
            case 15: bloomLength = try r.i32(t); return bloomLength != nil
            default: return false
            }
            return true
        }
        guard let type else { throw missing("type", in: "column") }
        guard let codec else { throw missing("codec", in: "column") }
        guard let numValues else { throw missing("num_values", in: "column") }
        guard let uncompressed, let compressed else { throw missing("total sizes", in: "column") }
        guard let dataOffset else { throw missing("data_page_offset", in: "column") }
        guard numValues >= 0, compressed >= 0, uncompressed >= 0 else {
            throw ParquetError.corrupt("column '\(path.joined(separator: "."))' has a negative value count or size")
        }
        self.init(type: type, encodings: encodings, pathInSchema: path, codec: codec, numValues: numValues,
                  totalUncompressedSize: uncompressed, totalCompressedSize: compressed, dataPageOffset: dataOffset)
        self.keyValueMetadata = keyValues
        self.indexPageOffset = indexOffset
        self.dictionaryPageOffset = dictionaryOffset
        self.statistics = statistics
        self.encodingStats = encodingStats
        self.bloomFilterOffset = bloomOffset
        self.bloomFilterLength = bloomLength
    }
}

extension KeyValue {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var key: String? = nil, value: String? = nil
        try r.readStruct { r, t, id throws(ParquetError) in
            switch id {
            case 1: key = try r.string(t); return key != nil
            case 2: value = try r.string(t); return value != nil
            default: return false
            }
        }
        guard let key else { throw missing("key", in: "key-value") }
        self.init(key: key, value: value)
    }
}

extension PageEncodingStats {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var pageType: Int32 = 0, encoding: Int32 = 0, count: Int32 = 0
        try r.readStruct { r, t, id throws(ParquetError) in
            switch id {
            case 1: if let v = try r.i32(t) { pageType = v; return true }
            case 2: if let v = try r.i32(t) { encoding = v; return true }
            case 3: if let v = try r.i32(t) { count = v; return true }
            default: break
            }
            return false
        }
        self.init(pageType: pageType, encoding: Encoding(rawValue: encoding), count: count)
    }
}

extension ColumnChunk {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        self.init(metaData: nil)
        var c = self
        try r.readStruct { r, t, id throws(ParquetError) in
            switch id {
            case 1: c.filePath = try r.string(t); return c.filePath != nil
            case 2: if let v = try r.i64(t) { c.fileOffset = v; return true }
            case 3:
                guard t == ThriftType.structure.rawValue else { return false }
                c.metaData = try ColumnMetaData(thrift: &r)
                return true
            case 4: c.offsetIndexOffset = try r.i64(t); return c.offsetIndexOffset != nil
            case 5: c.offsetIndexLength = try r.i32(t); return c.offsetIndexLength != nil
            case 6: c.columnIndexOffset = try r.i64(t); return c.columnIndexOffset != nil
            case 7: c.columnIndexLength = try r.i32(t); return c.columnIndexLength != nil
            case 8, 9: c.isEncrypted = true
            default: break
            }
            return false
        }
        self = c
    }
}

extension SortingColumn {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var index: Int32 = 0, descending = false, nullsFirst = false
        try r.readStruct { r, t, id throws(ParquetError) in
            switch id {
            case 1: if let v = try r.i32(t) { index = v; return true }
            case 2: if let v = r.bool(t) { descending = v; return true }
            case 3: if let v = r.bool(t) { nullsFirst = v; return true }
            default: break
            }
            return false
        }
        self.init(columnIndex: index, descending: descending, nullsFirst: nullsFirst)
    }
}

extension RowGroup {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        self.init(columns: [], totalByteSize: 0, numRows: -1)
        var g = self
        try r.readStruct { r, t, id throws(ParquetError) in
            switch id {
            case 1:
                guard t == ThriftType.list.rawValue else { return false }
                g.columns = try r.readList(of: .structure) { r throws(ParquetError) in try ColumnChunk(thrift: &r) }
            case 2: if let v = try r.i64(t) { g.totalByteSize = v } else { return false }
            case 3: if let v = try r.i64(t) { g.numRows = v } else { return false }
            case 4:
                guard t == ThriftType.list.rawValue else { return false }
                g.sortingColumns = try r.readList(of: .structure) { r throws(ParquetError) in try SortingColumn(thrift: &r) }
            case 5: g.fileOffset = try r.i64(t); return g.fileOffset != nil
            case 6: g.totalCompressedSize = try r.i64(t); return g.totalCompressedSize != nil
            case 7: g.ordinal = try r.i16(t); return g.ordinal != nil
            default: return false
            }
            return true
        }
        guard g.numRows >= 0 else { throw ParquetError.corrupt("a row group has a missing or negative row count (\(g.numRows))") }
        self = g
    }
}

extension FileMetaData {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        self.init(version: 0, schema: [], numRows: 0, rowGroups: [])
        var f = self
        var hasSchema = false
        try r.readStruct { r, t, id throws(ParquetError) in
            switch id {
            case 1: if let v = try r.i32(t) { f.version = v } else { return false }
            case 2:
                guard t == ThriftType.list.rawValue else { return false }
                f.schema = try r.readList(of: .structure) { r throws(ParquetError) in try SchemaElement(thrift: &r) }
                hasSchema = true
            case 3: if let v = try r.i64(t) { f.numRows = v } else { return false }
            case 4:
                guard t == ThriftType.list.rawValue else { return false }
                f.rowGroups = try r.readList(of: .structure) { r throws(ParquetError) in try RowGroup(thrift: &r) }
            case 5:
                guard t == ThriftType.list.rawValue else { return false }
                f.keyValueMetadata = try r.readList(of: .structure) { r throws(ParquetError) in try KeyValue(thrift: &r) }
            case 6: f.createdBy = try r.string(t); return f.createdBy != nil
            case 7:
                guard t == ThriftType.list.rawValue else { return false }
                f.columnOrders = try r.readList(of: .structure) { r throws(ParquetError) in try ColumnOrder(thrift: &r) }
            case 8: f.isEncrypted = true; return false
            default: return false
            }
            return true
        }
        guard hasSchema, !f.schema.isEmpty else { throw missing("schema", in: "file") }
        self = f
    }
}

extension ColumnOrder {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var order = ColumnOrder.unknown(id: 0)
        try r.readStruct { r, t, id throws(ParquetError) in
            switch id {
            case 1: order = .typeOrder
            case 2: order = .ieee754TotalOrder
            case 3: order = .int96TimestampOrder
            default: order = .unknown(id: id)
            }
            return false
        }
        self = order
    }
}
