import AnantColumnar
import AnantParquet

/// What `anant parquet inspect` shows: file metadata, schema leaves and every column chunk.
struct ParquetDescription {
    let reader: ParquetFileReader

    init(_ reader: ParquetFileReader) { self.reader = reader }

    var json: JSONValue {
        let m = reader.metadata
        let leaves: [JSONValue] = reader.schema.columns.map { c in
            .object(JSONObject([
                ("path", .string(c.dottedPath)), ("physical_type", .string(c.physicalType.description)),
                ("logical_type", c.logicalType.map { .string($0.description) } ?? .null),
                ("repetition", .string((c.element.repetition ?? .required).description)),
                ("max_definition_level", .int(Int64(c.maxDefinitionLevel))), ("max_repetition_level", .int(Int64(c.maxRepetitionLevel))),
            ]))
        }
        let groups: [JSONValue] = m.rowGroups.enumerated().map { g, group in
            .object(JSONObject([
                ("index", .int(Int64(g))), ("rows", .int(group.numRows)), ("total_byte_size", .int(group.totalByteSize)),
                ("columns", .array(zip(group.columns, reader.schema.columns).map { chunk, leaf in chunkJSON(chunk, leaf) })),
            ]))
        }
        return .object(JSONObject([
            ("num_rows", .int(reader.rowCount)), ("version", .int(Int64(m.version))),
            ("created_by", m.createdBy.map(JSONValue.string) ?? .null),
            ("key_value_metadata", .object(JSONObject(m.keyValueMetadata.map { ($0.key, $0.value.map { JSONValue.string(String($0.prefix(200))) } ?? .null) }))),
            ("schema", .array(leaves)), ("row_groups", .array(groups)),
        ]))
    }

    private func chunkJSON(_ chunk: ColumnChunk, _ leaf: ColumnDescriptor) -> JSONValue {
        guard let meta = chunk.metaData else {
            return .object(JSONObject([("path", .string(leaf.dottedPath)), ("encrypted", .bool(true))]))
        }
        var object = JSONObject([
            ("path", .string(leaf.dottedPath)), ("codec", .string(meta.codec.description)),
            ("encodings", .array(meta.encodings.map { .string($0.description) })), ("num_values", .int(meta.numValues)),
            ("compressed_bytes", .int(meta.totalCompressedSize)), ("uncompressed_bytes", .int(meta.totalUncompressedSize)),
            ("dictionary", .bool(meta.dictionaryPageOffset.map { $0 > 0 } ?? false)),
        ])
        if let stats = meta.statistics {
            object["statistics"] = .object(JSONObject([
                ("min", statistic(stats.minValue ?? stats.min, leaf)), ("max", statistic(stats.maxValue ?? stats.max, leaf)),
                ("null_count", stats.nullCount.map(JSONValue.int) ?? .null),
            ]))
        }
        return .object(object)
    }

    /// A statistics bound decoded for display by its physical type.
    private func statistic(_ bytes: [UInt8]?, _ leaf: ColumnDescriptor) -> JSONValue {
        guard let bytes else { return .null }
        func load<T>(_: T.Type) -> T? {
            bytes.count == MemoryLayout<T>.size ? bytes.withUnsafeBytes { $0.loadUnaligned(as: T.self) } : nil
        }
        switch leaf.physicalType {
        case .boolean: return bytes.first.map { .bool($0 != 0) } ?? .null
        case .int32: return load(Int32.self).map { .int(Int64($0)) } ?? .null
        case .int64: return load(Int64.self).map { .int($0) } ?? .null
        case .float: return load(Float.self).map { .double(Double($0)) } ?? .null
        case .double: return load(Double.self).map { .double($0) } ?? .null
        default:
            if let text = String(validating: bytes, as: UTF8.self) { return .string(text) }
            return .string(bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined())
        }
    }

    var text: String {
        let m = reader.metadata
        var out = "Parquet file, format version \(m.version), \(reader.rowCount) rows in \(m.rowGroups.count) row groups"
        if let createdBy = m.createdBy { out += ", written by \(createdBy)" }
        out += "\n\nSchema\n"
        for c in reader.schema.columns {
            let logical = c.logicalType.map { " \($0)" } ?? ""
            out += "  \(c.dottedPath): \((c.element.repetition ?? .required).description.lowercased()) \(c.physicalType)\(logical)  (max def \(c.maxDefinitionLevel), rep \(c.maxRepetitionLevel))\n"
        }
        let writer = JSONWriter()
        for (g, group) in m.rowGroups.enumerated() {
            out += "\nRow group \(g): \(group.numRows) rows, \(group.totalByteSize) bytes uncompressed\n"
            for (chunk, leaf) in zip(group.columns, reader.schema.columns) {
                guard let meta = chunk.metaData else {
                    out += "  \(leaf.dottedPath): encrypted\n"
                    continue
                }
                var line = "  \(leaf.dottedPath): \(meta.codec), \(meta.encodings.map(\.description).joined(separator: "+")), \(meta.totalCompressedSize) of \(meta.totalUncompressedSize) bytes"
                if let stats = meta.statistics {
                    line += ", min \(writer.string(statistic(stats.minValue ?? stats.min, leaf))) max \(writer.string(statistic(stats.maxValue ?? stats.max, leaf)))"
                    if let nulls = stats.nullCount { line += " nulls \(nulls)" }
                }
                out += line + "\n"
            }
        }
        if !m.keyValueMetadata.isEmpty {
            out += "\nKey-value metadata: " + m.keyValueMetadata.map(\.key).joined(separator: ", ") + "\n"
        }
        return out
    }
}
