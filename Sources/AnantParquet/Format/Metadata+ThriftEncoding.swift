// Encoding of the file metadata for the writer.

extension Statistics {
    func write(into w: inout ThriftCompactWriter) {
        w.writeStruct { w in
            if let max { w.field(1, binary: max) }
            if let min { w.field(2, binary: min) }
            if let nullCount { w.field(3, i64: nullCount) }
            if let distinctCount { w.field(4, i64: distinctCount) }
            if let maxValue { w.field(5, binary: maxValue) }
            if let minValue { w.field(6, binary: minValue) }
            if let isMaxValueExact { w.field(7, bool: isMaxValueExact) }
            if let isMinValueExact { w.field(8, bool: isMinValueExact) }
            if let nanCount { w.field(9, i64: nanCount) }
        }
    }
}

extension LogicalType {
    func write(into w: inout ThriftCompactWriter) {
        w.writeStruct { w in
            func empty(_ id: Int16) { w.field(id) { _ in } }
            switch self {
            case .string: empty(1)
            case .map: empty(2)
            case .list: empty(3)
            case .enumeration: empty(4)
            case .decimal(let scale, let precision):
                w.field(5) { w in
                    w.field(1, i32: scale)
                    w.field(2, i32: precision)
                }
            case .date: empty(6)
            case .time(let utc, let unit), .timestamp(let utc, let unit):
                let id: Int16
                if case .time = self { id = 7 } else { id = 8 }
                w.field(id) { w in
                    w.field(1, bool: utc)
                    w.field(2) { w in
                        switch unit {
                        case .millis: w.field(1) { _ in }
                        case .micros: w.field(2) { _ in }
                        case .nanos: w.field(3) { _ in }
                        }
                    }
                }
            case .integer(let bits, let signed):
                w.field(10) { w in
                    w.field(1, i8: bits)
                    w.field(2, bool: signed)
                }
            case .null: empty(11)
            case .json: empty(12)
            case .bson: empty(13)
            case .uuid: empty(14)
            case .float16: empty(15)
            case .variant: empty(16)
            case .geometry: empty(17)
            case .geography: empty(18)
            case .other(let id): empty(id)
            }
        }
    }
}

extension FileMetaData {
    /// The footer bytes (Thrift compact).
    func serialized() -> [UInt8] {
        var w = ThriftCompactWriter()
        w.writeStruct { w in
            w.field(1, i32: version)
            w.field(2, list: .structure, count: schema.count) { w, i in schema[i].write(into: &w) }
            w.field(3, i64: numRows)
            w.field(4, list: .structure, count: rowGroups.count) { w, i in rowGroups[i].write(into: &w) }
            if !keyValueMetadata.isEmpty {
                w.field(5, list: .structure, count: keyValueMetadata.count) { w, i in
                    let kv = keyValueMetadata[i]
                    w.writeStruct { w in
                        w.field(1, string: kv.key)
                        if let value = kv.value { w.field(2, string: value) }
                    }
                }
            }
            if let createdBy { w.field(6, string: createdBy) }
            if !columnOrders.isEmpty {
                w.field(7, list: .structure, count: columnOrders.count) { w, _ in
                    w.writeStruct { w in w.field(1) { _ in } }
                }
            }
        }
        return w.bytes
    }
}

extension SchemaElement {
    func write(into w: inout ThriftCompactWriter) {
        w.writeStruct { w in
            if let type { w.field(1, i32: type.rawValue) }
            if let typeLength { w.field(2, i32: typeLength) }
            if let repetition { w.field(3, i32: repetition.rawValue) }
            w.field(4, string: name)
            if let numChildren { w.field(5, i32: numChildren) }
            if let convertedType { w.field(6, i32: convertedType.rawValue) }
            if let scale { w.field(7, i32: scale) }
            if let precision { w.field(8, i32: precision) }
            if let fieldID { w.field(9, i32: fieldID) }
            if let logicalType {
                w.field(10) { w in
                    // The union is the struct itself: write its members in place.
                    var inner = ThriftCompactWriter()
                    logicalType.write(into: &inner)
                    w.appendRawStructBody(inner.bytes)
                }
            }
        }
    }
}

extension RowGroup {
    func write(into w: inout ThriftCompactWriter) {
        w.writeStruct { w in
            w.field(1, list: .structure, count: columns.count) { w, i in columns[i].write(into: &w) }
            w.field(2, i64: totalByteSize)
            w.field(3, i64: numRows)
            if let fileOffset { w.field(5, i64: fileOffset) }
            if let totalCompressedSize { w.field(6, i64: totalCompressedSize) }
            if let ordinal { w.field(7, i32: Int32(ordinal)) }
        }
    }
}

extension ColumnChunk {
    func write(into w: inout ThriftCompactWriter) {
        w.writeStruct { w in
            w.field(2, i64: fileOffset)
            if let m = metaData {
                w.field(3) { w in
                    w.field(1, i32: m.type.rawValue)
                    w.field(2, list: .i32, count: m.encodings.count) { w, i in w.writeZigzag(Int64(m.encodings[i].rawValue)) }
                    w.field(3, list: .binary, count: m.pathInSchema.count) { w, i in w.writeBinaryElement(Array(m.pathInSchema[i].utf8)) }
                    w.field(4, i32: m.codec.rawValue)
                    w.field(5, i64: m.numValues)
                    w.field(6, i64: m.totalUncompressedSize)
                    w.field(7, i64: m.totalCompressedSize)
                    w.field(9, i64: m.dataPageOffset)
                    if let d = m.dictionaryPageOffset { w.field(11, i64: d) }
                    if let s = m.statistics {
                        w.field(12) { w in
                            var inner = ThriftCompactWriter()
                            s.write(into: &inner)
                            w.appendRawStructBody(inner.bytes)
                        }
                    }
                    if !m.encodingStats.isEmpty {
                        w.field(13, list: .structure, count: m.encodingStats.count) { w, i in
                            let stat = m.encodingStats[i]
                            w.writeStruct { w in
                                w.field(1, i32: stat.pageType)
                                w.field(2, i32: stat.encoding.rawValue)
                                w.field(3, i32: stat.count)
                            }
                        }
                    }
                }
            }
        }
    }
}

extension ThriftCompactWriter {
    /// Appends the members of a struct serialized on its own (its bytes minus the stop
    /// byte, which the enclosing `field(_:structure:)` writes). Field ids restart at 0 in
    /// a nested struct, so the bytes are position independent.
    mutating func appendRawStructBody(_ serialized: [UInt8]) {
        appendBytes(serialized.dropLast())
    }
}
