import AnantColumnar

/// Writes Anant record batches as a Parquet file, one row group at a time.
///
/// Batches are held (not copied) until `rowGroupRows` rows are pending; then every complete
/// row group is encoded, a few row groups at a time with their columns in parallel, and
/// written in order. Beyond the caller's batches, memory stays bounded by the encoded
/// chunks of one window of row groups (as many as there are cores).
/// Types: int32 → INT32, int64 → INT64, double → DOUBLE, bool → BOOLEAN, string →
/// BYTE_ARRAY (STRING), json → BYTE_ARRAY (STRING, listed in the key-value metadata
/// `anant.json_columns` so that Anant reads it back as json; annotated JSON, polars would
/// read bytes instead of text); nullable fields are OPTIONAL, others
/// REQUIRED. A file target is written under a temporary name, synced and renamed by
/// `close()`; without `close()` nothing appears.
public final class ParquetFileWriter {
    public let schema: Schema
    public let options: ParquetWriteOptions
    private let sink: OutputSink
    /// Batches not yet fully written; the first `pendingStart` rows of the first are.
    private var pending: [RecordBatch] = []
    private var pendingStart = 0
    private var pendingRows = 0
    private var rowGroups: [RowGroup] = []
    private var closed = false

    /// A writer to the file at `path` (created atomically by `close()`).
    public init(path: String, schema: Schema, options: ParquetWriteOptions = ParquetWriteOptions()) throws(ParquetError) {
        self.schema = schema
        self.options = options
        self.sink = try OutputSink(path: path)
        try start()
    }

    /// A writer to memory (`bytes` after `close()`).
    public init(schema: Schema, options: ParquetWriteOptions = ParquetWriteOptions()) throws(ParquetError) {
        self.schema = schema
        self.options = options
        self.sink = OutputSink()
        try start()
    }

    /// The file's bytes, for an in-memory writer after `close()`.
    public var bytes: [UInt8] { sink.memory }

    private func start() throws(ParquetError) {
        guard options.rowGroupRows > 0, options.pageBytes > 0 else {
            throw ParquetError(.invalidArgument, "row group rows and page bytes must be positive")
        }
        try sink.write(Array("PAR1".utf8))
    }

    /// Appends the rows of `batch` (its schema must equal the writer's, nullability aside).
    public func write(_ batch: RecordBatch) throws(ParquetError) {
        guard !closed else { throw ParquetError(.invalidArgument, "the writer is closed") }
        guard batch.schema.names == schema.names, zip(batch.schema.fields, schema.fields).allSatisfy({ $0.type == $1.type }) else {
            throw ParquetError(.invalidArgument, "a batch with schema \(batch.schema) does not match the file's schema \(schema)")
        }
        for (field, column) in zip(schema.fields, batch.columns) where !field.nullable && column.nullCount > 0 {
            throw ParquetError(.invalidArgument, "column '\(field.name)' is not nullable but the batch holds \(column.nullCount) nulls")
        }
        if batch.rowCount == 0 { return }
        pending.append(batch)
        pendingRows += batch.rowCount
        var ready = [RowGroupRows]()
        while pendingRows >= options.rowGroupRows { ready.append(takeRows(options.rowGroupRows)) }
        try writeRowGroups(ready)
    }

    /// Writes the remaining rows and the footer; moves a file into place.
    @discardableResult
    public func close() throws(ParquetError) -> FileMetaData {
        guard !closed else { throw ParquetError(.invalidArgument, "the writer is already closed") }
        if pendingRows > 0 { try writeRowGroups([takeRows(pendingRows)]) }
        closed = true
        var metadata = FileMetaData(version: 1, schema: schemaElements(), numRows: rowGroups.reduce(0) { $0 + $1.numRows },
                                    rowGroups: rowGroups)
        metadata.keyValueMetadata = options.keyValueMetadata
        let jsonColumns = schema.fields.filter { $0.type == .json }.map { JSONValue.string($0.name) }
        if !jsonColumns.isEmpty {
            metadata.keyValueMetadata.append(KeyValue(key: ParquetFileWriter.jsonColumnsKey, value: JSONWriter().string(.array(jsonColumns))))
        }
        metadata.createdBy = options.createdBy
        metadata.columnOrders = schema.fields.map { _ in .typeOrder }
        let footer = metadata.serialized()
        var tail = footer
        let length = UInt32(footer.count)
        tail.append(contentsOf: [UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8),
                                 UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 24)])
        tail.append(contentsOf: Array("PAR1".utf8))
        try sink.write(tail)
        try sink.finish()
        return metadata
    }

    private func schemaElements() -> [SchemaElement] {
        var elements = [SchemaElement(name: "schema", numChildren: Int32(schema.count))]
        for field in schema.fields {
            var e = SchemaElement(name: field.name, type: ParquetFileWriter.physicalType(field.type),
                                  repetition: field.nullable ? .optional : .required)
            switch field.type {
            case .string, .json:
                e.logicalType = .string
                e.convertedType = .utf8
            default: break
            }
            elements.append(e)
        }
        return elements
    }

    /// The key-value metadata key listing the names of json columns (a JSON array).
    public static let jsonColumnsKey = "anant.json_columns"

    static func physicalType(_ type: DataType) -> PhysicalType {
        switch type {
        case .int32: return .int32
        case .int64: return .int64
        case .double: return .double
        case .bool: return .boolean
        case .string, .json: return .byteArray
        }
    }

    /// The rows of one row group: a range of one batch.
    private struct RowGroupRows {
        var batch: RecordBatch
        var rows: Range<Int>
    }

    /// Takes the first `count` pending rows; copies only when they span batches.
    private func takeRows(_ count: Int) -> RowGroupRows {
        var pieces = [RowGroupRows]()
        var needed = count
        while needed > 0 {
            let first = pending[0]
            let take = Swift.min(first.rowCount - pendingStart, needed)
            pieces.append(RowGroupRows(batch: first, rows: pendingStart..<pendingStart + take))
            needed -= take
            pendingStart += take
            if pendingStart == first.rowCount {
                pending.removeFirst()
                pendingStart = 0
            }
        }
        pendingRows -= count
        if pieces.count == 1 { return pieces[0] }
        return RowGroupRows(batch: RecordBatch.concatenating(pieces.map { $0.batch.slice($0.rows) }), rows: 0..<count)
    }

    /// Encodes row groups, a window of as many as there are cores at a time with every
    /// (row group, column) chunk a parallel task, and writes them in order.
    private func writeRowGroups(_ groups: [RowGroupRows]) throws(ParquetError) {
        let fields = schema.fields, options = self.options, context = options.context
        let window = Swift.max(1, context.threads)
        for first in stride(from: 0, to: groups.count, by: window) {
            try context.check(ParquetError.self)
            let batchGroups = UncheckedSendable(Array(groups[first..<Swift.min(first + window, groups.count)]))
            let encoded = try context.map(count: batchGroups.value.count * fields.count) { t throws(ParquetError) in
                let group = batchGroups.value[t / fields.count], c = t % fields.count
                let writer = ColumnChunkWriter(name: fields[c].name, physicalType: ParquetFileWriter.physicalType(fields[c].type),
                                               optional: fields[c].nullable, options: options)
                return try writer.encode(group.batch.columns[c], rows: group.rows)
            }
            for g in batchGroups.value.indices {
                try writeRowGroup(encoded[g * fields.count..<(g + 1) * fields.count], rows: batchGroups.value[g].rows.count)
            }
        }
    }

    /// Writes one encoded row group and records its metadata.
    private func writeRowGroup(_ encoded: ArraySlice<EncodedChunk>, rows: Int) throws(ParquetError) {
        var chunks = [ColumnChunk]()
        var totalUncompressed: Int64 = 0, totalCompressed: Int64 = 0
        let groupStart = sink.written
        for chunk in encoded {
            let start = sink.written
            var meta = chunk.metadata
            meta.dataPageOffset += start
            meta.dictionaryPageOffset = meta.dictionaryPageOffset.map { $0 + start }
            try sink.write(chunk.bytes)
            totalUncompressed += meta.totalUncompressedSize
            totalCompressed += meta.totalCompressedSize
            chunks.append(ColumnChunk(metaData: meta, fileOffset: meta.dictionaryPageOffset ?? meta.dataPageOffset))
        }
        var group2 = RowGroup(columns: chunks, totalByteSize: totalUncompressed, numRows: Int64(rows))
        group2.fileOffset = groupStart
        group2.totalCompressedSize = totalCompressed
        group2.ordinal = Int16(truncatingIfNeeded: rowGroups.count)
        rowGroups.append(group2)
    }
}
