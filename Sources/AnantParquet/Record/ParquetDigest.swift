import AnantColumnar

/// The canonical value digest of a Parquet file, as defined in
/// `parquet-testing/MANIFEST.md`: per top-level column, SHA-256 over one canonical JSON
/// line per row; plus the row count. Two readers that decode a file the same way give the
/// same digest, whatever their in-memory types.
public struct ParquetDigest: Sendable, Hashable {
    /// One top-level column's summary.
    public struct ColumnDigest: Sendable, Hashable {
        public let name: String
        public let rows: Int
        public let nulls: Int
        /// Lowercase hex SHA-256 of the column's canonical lines.
        public let sha256: String
    }

    /// The sum of the row groups' row counts.
    public let rowCount: Int64
    public let columns: [ColumnDigest]

    /// SHA-256 over the column hashes, each followed by a newline.
    public var valuesDigest: String {
        var hash = SHA256()
        for column in columns { hash.update(Array((column.sha256 + "\n").utf8)) }
        return hash.hexDigest()
    }

    /// `{"num_rows": N, "<column>": "<sha256>", ...}`.
    public var json: JSONValue {
        var object = JSONObject([("num_rows", .int(rowCount))])
        for column in columns { object[column.name] = .string(column.sha256) }
        return .object(object)
    }

    /// Reads every column of the file and digests it.
    public init(_ reader: ParquetFileReader) throws(ParquetError) {
        let schema = reader.schema
        var data = [ColumnChunkData]()
        for leaf in schema.columns.indices { data.append(try reader.readColumn(leaf)) }
        let rows = Int(reader.rowCount)
        var digests = [ColumnDigest]()
        var assembler = RecordAssembler<CanonicalValue>(
            columns: data, maxDefinition: schema.columns.map(\.maxDefinitionLevel),
            leaf: { column, index in ParquetDigest.canonical(data[column].values, index, schema.columns[column]) },
            null: { .null },
            list: { .array($0) },
            structure: { names, values in .object(Array(zip(names, values))) },
            map: { entries in .array(entries.map { .array([$0.0, $0.1 ?? .null]) }) })
        for (field, node) in schema.fields.enumerated() {
            let plan = AssemblyPlan.field(field, of: schema)
            var hash = SHA256()
            var nulls = 0
            var line = [UInt8]()
            for _ in 0..<rows {
                let value = try assembler.next(plan)
                if case .null = value { nulls += 1 }
                line.removeAll(keepingCapacity: true)
                value.write(into: &line)
                line.append(0x0A)
                hash.update(line)
            }
            let leaves = schema.columns(ofField: field)
            try assembler.checkFinished(leaves.map(\.index), names: leaves.map(\.dottedPath))
            digests.append(ColumnDigest(name: node.name, rows: rows, nulls: nulls, sha256: hash.hexDigest()))
        }
        self.rowCount = reader.rowCount
        self.columns = digests
    }

    /// The canonical form of leaf value `index`.
    static func canonical(_ values: LeafValues, _ index: Int, _ column: ColumnDescriptor) -> CanonicalValue {
        var isDecimal = false
        if case .decimal? = column.logicalType { isDecimal = true }
        switch values {
        case .boolean(let v): return .bool(v[index])
        case .int32(let v): return .integer(String(v[index]))
        case .int64(let v): return .integer(String(v[index]))
        case .int96(let v): return .integer(String(describing: v[index].nanosecondsSinceEpoch))
        case .float(let v): return .string(String(v[index].bitPattern, radix: 16).leftPadded(to: 8))
        case .double(let v): return .string(String(v[index].bitPattern, radix: 16).leftPadded(to: 16))
        case .bytes(let v):
            let bytes = v.value(index)
            return isDecimal ? .integer(CanonicalValue.decimalDigits(bigEndian: bytes)) : .string(CanonicalValue.hex(bytes))
        }
    }
}
