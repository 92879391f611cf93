// Page headers in and out of the Thrift compact protocol.

extension PageHeader {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var type: Int32? = nil, uncompressed: Int32? = nil, compressed: Int32? = nil, crc: Int32? = nil
        var data: DataPageHeader? = nil, dictionary: DictionaryPageHeader? = nil, dataV2: DataPageHeaderV2? = nil
        try r.readStruct { r, t, id throws(ParquetError) in
            switch id {
            case 1: type = try r.i32(t); return type != nil
            case 2: uncompressed = try r.i32(t); return uncompressed != nil
            case 3: compressed = try r.i32(t); return compressed != nil
            case 4: crc = try r.i32(t); return crc != nil
            case 5:
                guard t == ThriftType.structure.rawValue else { return false }
                data = try DataPageHeader(thrift: &r)
            case 7:
                guard t == ThriftType.structure.rawValue else { return false }
                dictionary = try DictionaryPageHeader(thrift: &r)
            case 8:
                guard t == ThriftType.structure.rawValue else { return false }
                dataV2 = try DataPageHeaderV2(thrift: &r)
            default: return false
            }
            return true
        }
        guard let type, let uncompressed, let compressed else { throw missing("type and sizes", in: "page header") }
        guard uncompressed >= 0, compressed >= 0 else {
            throw ParquetError.corrupt("a page header has a negative page size (\(compressed) compressed, \(uncompressed) uncompressed)")
        }
        self.init(type: type, uncompressedPageSize: uncompressed, compressedPageSize: compressed, crc: crc,
                  dataPageHeader: data, dictionaryPageHeader: dictionary, dataPageHeaderV2: dataV2)
    }

    func write(into w: inout ThriftCompactWriter) {
        w.writeStruct { w in
            w.field(1, i32: type)
            w.field(2, i32: uncompressedPageSize)
            w.field(3, i32: compressedPageSize)
            if let crc { w.field(4, i32: crc) }
            if let h = dataPageHeader {
                w.field(5) { w in
                    w.field(1, i32: h.numValues)
                    w.field(2, i32: h.encoding.rawValue)
                    w.field(3, i32: h.definitionLevelEncoding.rawValue)
                    w.field(4, i32: h.repetitionLevelEncoding.rawValue)
                    if let statistics = h.statistics {
                        w.field(5) { w in
                            var inner = ThriftCompactWriter()
                            statistics.write(into: &inner)
                            w.appendRawStructBody(inner.bytes)
                        }
                    }
                }
            }
            if let h = dictionaryPageHeader {
                w.field(7) { w in
                    w.field(1, i32: h.numValues)
                    w.field(2, i32: h.encoding.rawValue)
                    if let sorted = h.isSorted { w.field(3, bool: sorted) }
                }
            }
        }
    }
}

extension DataPageHeader {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var numValues: Int32? = nil, encoding: Int32? = nil, def: Int32 = 3, rep: Int32 = 3
        var statistics: Statistics? = nil
        try r.readStruct { r, t, id throws(ParquetError) in
            switch id {
            case 1: numValues = try r.i32(t); return numValues != nil
            case 2: encoding = try r.i32(t); return encoding != nil
            case 3: if let v = try r.i32(t) { def = v; return true }
            case 4: if let v = try r.i32(t) { rep = v; return true }
            case 5:
                guard t == ThriftType.structure.rawValue else { return false }
                statistics = try Statistics(thrift: &r)
                return true
            default: break
            }
            return false
        }
        guard let numValues, let encoding else { throw missing("num_values and encoding", in: "data page header") }
        guard numValues >= 0 else { throw ParquetError.corrupt("a data page header has a negative value count (\(numValues))") }
        self.init(numValues: numValues, encoding: Encoding(rawValue: encoding), definitionLevelEncoding: Encoding(rawValue: def),
                  repetitionLevelEncoding: Encoding(rawValue: rep), statistics: statistics)
    }
}

extension DataPageHeaderV2 {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var numValues: Int32? = nil, numNulls: Int32 = 0, numRows: Int32? = nil, encoding: Int32? = nil
        var defLength: Int32 = 0, repLength: Int32 = 0, compressed = true
        var statistics: Statistics? = nil
        try r.readStruct { r, t, id throws(ParquetError) in
            switch id {
            case 1: numValues = try r.i32(t); return numValues != nil
            case 2: if let v = try r.i32(t) { numNulls = v; return true }
            case 3: numRows = try r.i32(t); return numRows != nil
            case 4: encoding = try r.i32(t); return encoding != nil
            case 5: if let v = try r.i32(t) { defLength = v; return true }
            case 6: if let v = try r.i32(t) { repLength = v; return true }
            case 7: if let v = r.bool(t) { compressed = v; return true }
            case 8:
                guard t == ThriftType.structure.rawValue else { return false }
                statistics = try Statistics(thrift: &r)
                return true
            default: break
            }
            return false
        }
        guard let numValues, let numRows, let encoding else { throw missing("counts and encoding", in: "data page v2 header") }
        guard numValues >= 0, numRows >= 0, numNulls >= 0, defLength >= 0, repLength >= 0 else {
            throw ParquetError.corrupt("a data page v2 header has a negative count or level length")
        }
        self.init(numValues: numValues, numNulls: numNulls, numRows: numRows, encoding: Encoding(rawValue: encoding),
                  definitionLevelsByteLength: defLength, repetitionLevelsByteLength: repLength, isCompressed: compressed,
                  statistics: statistics)
    }
}

extension DictionaryPageHeader {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var numValues: Int32? = nil, encoding: Int32 = 0
        var sorted: Bool? = nil
        try r.readStruct { r, t, id throws(ParquetError) in
            switch id {
            case 1: numValues = try r.i32(t); return numValues != nil
            case 2:
                guard let v = try r.i32(t) else { return false }
                encoding = v
                return true
            case 3: sorted = r.bool(t); return sorted != nil
            default: return false
            }
        }
        guard let numValues else { throw missing("num_values", in: "dictionary page header") }
        guard numValues >= 0 else { throw ParquetError.corrupt("a dictionary page header has a negative value count (\(numValues))") }
        self.init(numValues: numValues, encoding: Encoding(rawValue: encoding), isSorted: sorted)
    }
}
