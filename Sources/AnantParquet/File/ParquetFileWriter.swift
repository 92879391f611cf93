import AnantColumnar

/// Writes Anant record batches as a Parquet file, one row group at a time.
///
/// Memory stays bounded by one row group: batches are buffered until `rowGroupRows` rows
/// are pending, then the row group's columns are encoded (in parallel) and written.
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
    private var pending: [RecordBatch] = []
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
        while pendingRows >= options.rowGroupRows { try flushRowGroup(rows: options.rowGroupRows) }
    }

    /// Writes the remaining rows and the footer; moves a file into place.
    @discardableResult
    public func close() throws(ParquetError) -> FileMetaData {
        guard !closed else { throw ParquetError(.invalidArgument, "the writer is already closed") }
        if pendingRows > 0 { try flushRowGroup(rows: pendingRows) }
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

    /// Encodes the first `rows` pending rows as one row group and writes it.
    private func flushRowGroup(rows: Int) throws(ParquetError) {
        let combined = RecordBatch.concatenating(pending)
        let group = rows == combined.rowCount ? combined : combined.slice(0..<rows)
        let rest = rows == combined.rowCount ? nil : combined.slice(rows..<combined.rowCount)
        pending = rest.map { [$0] } ?? []
        pendingRows -= rows
        let fields = schema.fields, options = self.options
        var encoded = [Result<EncodedChunk, ParquetError>?](repeating: nil, count: fields.count)
        encoded.withUnsafeMutableBufferPointer { slots in
            let out = SharedBuffer(slots)
            let columns = UncheckedSendable(group.columns)
            let workers = Swift.max(1, Swift.min(fields.count, Parallel.processorCount))
            Parallel.run(tasks: workers) { worker in
                for c in stride(from: worker, to: fields.count, by: workers) {
                    let writer = ColumnChunkWriter(name: fields[c].name, physicalType: ParquetFileWriter.physicalType(fields[c].type),
                                                   optional: fields[c].nullable, options: options)
                    do throws(ParquetError) { out[c] = .success(try writer.encode(columns.value[c], rows: 0..<rows)) } catch { out[c] = .failure(error) }
                }
            }
        }
        var chunks = [ColumnChunk]()
        var totalUncompressed: Int64 = 0, totalCompressed: Int64 = 0
        let groupStart = sink.written
        for result in encoded {
            let chunk = try result!.get()
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
