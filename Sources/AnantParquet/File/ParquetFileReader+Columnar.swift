import AnantColumnar

/// Reading Parquet into Anant's columns.
///
/// A flat top-level field (one primitive leaf, not repeated) becomes a typed column:
/// BOOLEAN → bool; INT32 → int32 (unsigned 32-bit → int64); INT64 → int64; FLOAT, DOUBLE,
/// decimals and FLOAT16 → double; INT96 → int64 nanoseconds; BYTE_ARRAY → string (JSON
/// logical type → json); other FIXED_LEN_BYTE_ARRAY → string (UUIDs formatted, other
/// binary as hex). Nested fields (lists, maps, structs) become json columns of their
/// assembled values. Dates and timestamps keep their stored counts.
extension ParquetFileReader {
    /// The index of the top-level field named `name`.
    public func fieldIndex(named name: String) throws(ParquetError) -> Int {
        guard let index = schema.fields.firstIndex(where: { $0.name == name }) else {
            throw ParquetError(.invalidArgument, "the file has no column '\(name)' (columns: \(schema.fields.map(\.name).joined(separator: ", ")))")
        }
        return index
    }

    /// The leaf of a flat top-level field, or nil for nested fields.
    func flatLeaf(ofField field: Int) -> ColumnDescriptor? {
        let leaves = schema.columns(ofField: field)
        guard leaves.count == 1, leaves[0].path.count == 1, leaves[0].maxRepetitionLevel == 0 else { return nil }
        return leaves[0]
    }

    /// The Anant type a top-level field reads as.
    public func dataType(ofField field: Int) -> DataType {
        guard let leaf = flatLeaf(ofField: field) else { return .json }
        if leaf.physicalType == .byteArray, jsonColumnNames.contains(leaf.path[0]) { return .json }
        return FlatColumns.dataType(leaf)
    }

    /// Columns an Anant writer recorded as json (`ParquetFileWriter.jsonColumnsKey`).
    var jsonColumnNames: Set<String> {
        guard let text = metadata.keyValueMetadata.first(where: { $0.key == ParquetFileWriter.jsonColumnsKey })?.value,
              let names = try? JSONParser.parse(text).arrayValue else { return [] }
        return Set(names.compactMap(\.stringValue))
    }

    /// Anant's schema of the file (every field nullable unless the leaf is required).
    public var columnarSchema: Schema {
        let fields = schema.fields.indices.map { f in
            Field(schema.fields[f].name, dataType(ofField: f), nullable: flatLeaf(ofField: f)?.maxDefinitionLevel != 0)
        }
        return (try? Schema(fields)) ?? .empty
    }

    /// The row groups whose statistics admit rows matching `predicate` (all when nil).
    public func rowGroups(matching predicate: ParquetPredicate?) -> [Int] {
        let all = Array(metadata.rowGroups.indices)
        guard let predicate else { return all }
        return all.filter { StatisticsPruning(reader: self, rowGroup: $0).mayMatch(predicate) }
    }

    /// Reads the named top-level columns (all when nil) of row group `rowGroup`; with
    /// `parallel` false, on the calling thread only (for callers that already run one row
    /// group per core).
    public func readRowGroup(_ rowGroup: Int, columns names: [String]? = nil, parallel: Bool = true) throws(ParquetError) -> RecordBatch {
        let fields = try fieldIndices(names)
        return try batch(fields, try readFields(fields, rowGroups: [rowGroup], parallel: parallel), rows: Int(metadata.rowGroups[rowGroup].numRows))
    }

    /// The rows `rows` (ascending row numbers of row group `rowGroup`) of the named
    /// columns: flat fixed-width columns decode only those rows and leave pages holding
    /// none of them compressed; other columns decode whole and are gathered.
    public func readRowGroup(_ rowGroup: Int, columns names: [String], rows: [Int], parallel: Bool = true) throws(ParquetError) -> RecordBatch {
        let fields = try fieldIndices(names)
        return try batch(fields, try readFields(fields, rowGroup: rowGroup, rows: rows, parallel: parallel), rows: rows.count)
    }

    /// The columns a filter tests, of row group `rowGroup`. With one column and a pruning
    /// predicate on that column alone, only the data pages whose header statistics admit
    /// matching rows are decoded: the other pages' rows hold zeros and are listed in
    /// `skipped` (no row there can match; clear them from the filter's selection).
    public func readFilterColumns(_ names: [String], rowGroup: Int, pruning: ParquetPredicate?,
                                  parallel: Bool = true) throws(ParquetError) -> (batch: RecordBatch, skipped: [Range<Int>]) {
        let fields = try fieldIndices(names)
        let rows = Int(metadata.rowGroups[rowGroup].numRows)
        if fields.count == 1, let pruning, pruning.columns == Set(names),
           let (column, skipped) = try readFixedWidth(fields[0], rowGroup: rowGroup, .pagesMatching(pruning)) {
            return (try batch(fields, [column], rows: rows), skipped)
        }
        return (try batch(fields, try readFields(fields, rowGroups: [rowGroup], parallel: parallel), rows: rows), [])
    }

    /// After a streaming read of row group `rowGroup`: drops the pages of its column
    /// chunks from resident memory when the file is memory-mapped.
    public func releasePages(rowGroup: Int) {
        guard let mapped = source as? MappedFileSource else { return }
        for chunk in metadata.rowGroups[rowGroup].columns {
            guard let meta = chunk.metaData else { continue }
            let start = Int(meta.chunkStart)
            mapped.releasePages(start..<(start + Int(meta.totalCompressedSize)))
        }
    }

    /// The distinct values of column `name` in row group `rowGroup`, read from its
    /// dictionary page alone: nil unless the chunk's page encoding statistics show every
    /// data page dictionary-encoded (then no other value, and no value missing from it,
    /// can occur in the chunk; nulls aside). Equality filters use it to skip row groups
    /// that statistics cannot rule out. The second value is the bytes read.
    public func dictionary(rowGroup: Int, column name: String) throws(ParquetError) -> (values: Column, bytes: Int)? {
        let field = try fieldIndex(named: name)
        guard let leaf = flatLeaf(ofField: field), dataType(ofField: field) != .json else { return nil }
        let chunk = metadata.rowGroups[rowGroup].columns[leaf.index]
        guard let meta = chunk.metaData, !chunk.isEncrypted, meta.dictionaryPageOffset != nil else { return nil }
        let dataPages = meta.encodingStats.filter { $0.pageType == PageType.dataPage.rawValue || $0.pageType == PageType.dataPageV2.rawValue }
        guard !dataPages.isEmpty, dataPages.allSatisfy({ $0.encoding == .plainDictionary || $0.encoding == .rleDictionary }) else { return nil }
        let footerStart = self.footerStart, verify = options.verifyChecksums
        let values = try rethrowingParquetErrors {
            try source.withBytes { bytes in
                try ColumnChunkReader(file: bytes, dataEnd: footerStart, metadata: meta, descriptor: leaf, verifyChecksums: verify).readDictionary()
            }
        }
        guard let values else { return nil }
        var data = ColumnChunkData(physicalType: leaf.physicalType)
        data.values = values
        data.entryCount = values.count
        if leaf.maxDefinitionLevel > 0 { data.definitionLevels = [Int16](repeating: Int16(leaf.maxDefinitionLevel), count: values.count) }
        let column = try FlatColumns.column(data, leaf)
        return (column, Int(meta.dataPageOffset - meta.chunkStart))
    }

    /// The compressed bytes of the named columns' chunks in row group `rowGroup`: what
    /// reading them takes from storage.
    public func compressedBytes(rowGroup: Int, columns names: [String]) throws(ParquetError) -> Int {
        var total = 0
        for field in try fieldIndices(names) {
            for leaf in schema.columns(ofField: field) {
                total += Int(metadata.rowGroups[rowGroup].columns[leaf.index].metaData?.totalCompressedSize ?? 0)
            }
        }
        return total
    }

    /// Streams the named columns (all when nil) one row group at a time, keeping only rows
    /// matching `predicate` and skipping row groups its statistics rule out: memory stays
    /// bounded by one row group, whatever the file's size.
    public func batches(columns names: [String]? = nil, where predicate: ParquetPredicate? = nil) throws(ParquetError) -> ParquetBatchReader {
        let fields = try fieldIndices(names)
        var tested = [Int]()
        for name in predicate?.columns.sorted() ?? [] { tested.append(try fieldIndex(named: name)) }
        return ParquetBatchReader(reader: self, fields: fields, tested: tested, predicate: predicate, groups: rowGroups(matching: predicate))
    }

    /// One row group's batch for `ParquetBatchReader`.
    func readBatch(_ fields: [Int], _ tested: [Int], _ predicate: ParquetPredicate?, rowGroup: Int) throws(ParquetError) -> RecordBatch {
        guard let predicate else {
            return try batch(fields, try readFields(fields, rowGroups: [rowGroup]), rows: Int(metadata.rowGroups[rowGroup].numRows))
        }
        return try readMatching(fields, tested, predicate, rowGroup: rowGroup, parallelColumns: true)
    }

    /// Reads the named columns (all when nil) of every row group whose statistics admit
    /// `predicate`, keeping only matching rows. Row groups decode in parallel; flat
    /// fixed-width columns decode straight into their final storage. With a predicate, each
    /// row group decodes the predicate's columns first and the others only when some row
    /// matches.
    public func readTable(columns names: [String]? = nil, where predicate: ParquetPredicate? = nil) throws(ParquetError) -> RecordBatch {
        let fields = try fieldIndices(names)
        let groups = rowGroups(matching: predicate)
        guard let predicate else {
            let columns = try readFields(fields, rowGroups: groups)
            return try batch(fields, columns, rows: groups.reduce(0) { $0 + Int(metadata.rowGroups[$1].numRows) })
        }
        var testedFields = [Int]()
        for name in predicate.columns.sorted() { testedFields.append(try fieldIndex(named: name)) }
        let tested = testedFields
        let context = options.context
        let parallelColumns = groups.count < 2 * context.threads
        let reader = self
        let batches = try context.map(count: groups.count) { k throws(ParquetError) in
            try reader.readMatching(fields, tested, predicate, rowGroup: groups[k], parallelColumns: parallelColumns)
        }
        if batches.isEmpty { return try batch(fields, fields.map { .nulls(dataType(ofField: $0), count: 0) }, rows: 0) }
        return RecordBatch.concatenating(batches)
    }

    /// The rows of one row group that match `predicate`, with the columns `fields`.
    private func readMatching(_ fields: [Int], _ tested: [Int], _ predicate: ParquetPredicate, rowGroup: Int,
                              parallelColumns: Bool) throws(ParquetError) -> RecordBatch {
        let rows = Int(metadata.rowGroups[rowGroup].numRows)
        var decoded = [Int: Column]()
        let indices: [Int]
        if tested.count == 1, let (column, matching) = try readMatchingFixedWidth(tested[0], rowGroup: rowGroup, where: predicate) {
            // One fixed-width column tested: page by page, keeping only matching values.
            indices = matching
            decoded[tested[0]] = column
        } else {
            let (first, skipped) = try readFilterColumns(tested.map { schema.fields[$0].name }, rowGroup: rowGroup,
                                                         pruning: predicate, parallel: parallelColumns)
            var selection = try predicate.evaluate(first)
            for range in skipped { selection.clear(range) }
            indices = selection.setIndices()
            let all = indices.count == rows
            for (f, column) in zip(tested, first.columns) where fields.contains(f) { decoded[f] = all ? column : column.gather(indices) }
        }
        if indices.isEmpty { return try batch(fields, fields.map { .nulls(dataType(ofField: $0), count: 0) }, rows: 0) }
        // The other columns only now, just the matching rows where the encoding allows, and
        // in parallel when the row groups are too few to keep the cores busy.
        let rest = fields.filter { decoded[$0] == nil }
        let restColumns = indices.count == rows ? try readFields(rest, rowGroups: [rowGroup], parallel: parallelColumns)
                                                : try readFields(rest, rowGroup: rowGroup, rows: indices, parallel: parallelColumns)
        for (f, column) in zip(rest, restColumns) { decoded[f] = column }
        return try batch(fields, fields.map { decoded[$0]! }, rows: indices.count)
    }

    private func fieldIndices(_ names: [String]?) throws(ParquetError) -> [Int] {
        guard let names else { return Array(schema.fields.indices) }
        var out = [Int]()
        for name in names { out.append(try fieldIndex(named: name)) }
        return out
    }

    func batch(_ fields: [Int], _ columns: [Column], rows: Int) throws(ParquetError) -> RecordBatch {
        do {
            let schema = try Schema(fields.map { Field(self.schema.fields[$0].name, dataType(ofField: $0)) })
            return try RecordBatch(schema: schema, columns: columns, rowCount: rows)
        } catch {
            throw ParquetError(.invalidArgument, "the selected columns cannot form a batch: \(error.message)")
        }
    }

    /// Decodes one top-level field of one row group into a column, through the general
    /// page decoder (`readFields` takes fixed-width leaves straight into their arrays).
    func decodeField(_ field: Int, rowGroup: Int) throws(ParquetError) -> Column {
        let rows = Int(metadata.rowGroups[rowGroup].numRows)
        if let leaf = flatLeaf(ofField: field) {
            var data = ColumnChunkData(physicalType: leaf.physicalType)
            try readColumn(leaf.index, rowGroup: rowGroup, into: &data)
            guard data.entryCount == rows else {
                throw ParquetError.corrupt("column '\(leaf.dottedPath)' of row group \(rowGroup) holds \(data.entryCount) values for \(rows) rows")
            }
            let column = try FlatColumns.column(data, leaf)
            if case .string(let text) = column, dataType(ofField: field) == .json { return .json(text) }
            return column
        }
        return try nestedJSONColumn(field, rowGroup: rowGroup, rows: rows)
    }

    private func nestedJSONColumn(_ field: Int, rowGroup: Int, rows: Int) throws(ParquetError) -> Column {
        let leaves = schema.columns(ofField: field)
        var data = [ColumnChunkData](repeating: ColumnChunkData(physicalType: .boolean), count: schema.columns.count)
        for leaf in leaves {
            data[leaf.index] = ColumnChunkData(physicalType: leaf.physicalType)
            try readColumn(leaf.index, rowGroup: rowGroup, into: &data[leaf.index])
        }
        let descriptors = schema.columns
        var assembler = RecordAssembler<JSONValue>(
            columns: data, maxDefinition: descriptors.map(\.maxDefinitionLevel),
            leaf: { column, index in ValueRendering.json(data[column].values, index, descriptors[column]) },
            null: { .null },
            list: { .array($0) },
            structure: { names, values in .object(JSONObject(Array(zip(names, values)))) },
            map: { entries in .array(entries.map { .array([$0.0, $0.1 ?? .null]) }) })
        let plan = AssemblyPlan.field(field, of: schema)
        var column = StringColumn()
        let writer = JSONWriter(pythonNonFinite: true)
        for _ in 0..<rows {
            let value = try assembler.next(plan)
            if case .null = value { column.appendNull() } else { column.append(writer.string(value)) }
        }
        try assembler.checkFinished(leaves.map(\.index), names: leaves.map(\.dottedPath))
        return .json(column)
    }
}

/// The batches of a Parquet file, one per row group that may hold matching rows (see
/// `ParquetFileReader.batches`). Row groups with no matching row yield empty batches.
public struct ParquetBatchReader {
    let reader: ParquetFileReader
    let fields: [Int]
    let tested: [Int]
    let predicate: ParquetPredicate?
    let groups: [Int]
    private var position = 0

    init(reader: ParquetFileReader, fields: [Int], tested: [Int], predicate: ParquetPredicate?, groups: [Int]) {
        self.reader = reader
        self.fields = fields
        self.tested = tested
        self.predicate = predicate
        self.groups = groups
    }

    /// The schema of every batch.
    public var schema: Schema {
        (try? Schema(fields.map { Field(reader.schema.fields[$0].name, reader.dataType(ofField: $0)) })) ?? .empty
    }

    /// The next row group's matching rows, or nil after the last.
    public mutating func next() throws(ParquetError) -> RecordBatch? {
        guard position < groups.count else { return nil }
        defer { position += 1 }
        return try reader.readBatch(fields, tested, predicate, rowGroup: groups[position])
    }
}
