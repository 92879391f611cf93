import AnantColumnar
import AnantParquet

/// A result table written batch by batch to a `.parquet`, `.csv`, `.arrow` or `.arrows`
/// file, so that a table larger than memory never has to be whole: Parquet row groups,
/// CSV rows, Arrow IPC messages go to a temporary file as the batches come, and `close()`
/// moves it into place (`DurableFile`); a writer dropped unclosed leaves nothing.
public final class TableFileWriter {
    private enum Target {
        case parquet(ParquetFileWriter)
        case csv
        case arrowFile(ArrowIPC.FileEncoder)
        case arrowStream
    }

    private var target: Target
    private var file: DurableFile?
    private let schema: Schema
    private let path: String
    /// Rows written so far.
    public private(set) var rows = 0
    private var closed = false

    /// A writer of tables of `schema` to `path` (its extension names the format).
    /// `metadata` goes into the Parquet file's key-value metadata or the Arrow schema's
    /// custom metadata (CSV has none).
    public init(path: String, schema: Schema, codec: ParquetCompression = .zstd(level: 3), metadata: [(String, String)] = []) throws {
        let format = try HypergraphFiles.format(of: path)
        guard format != .hif else { throw OperationError(.invalidArgument, "cannot write a table to '\(path)': name it .csv, .parquet or .arrow") }
        try HypergraphFiles.checkFolder(of: path)
        self.schema = schema
        self.path = path
        switch format {
        case .parquet:
            do {
                var options = ParquetWriteOptions(compression: codec)
                options.keyValueMetadata = metadata.map { KeyValue(key: $0.0, value: $0.1) }
                target = .parquet(try ParquetFileWriter(path: path, schema: schema, options: options))
            } catch {
                throw ParquetError(error.code, "cannot write '\(path)': \(error.message)", underlying: error.underlying, retryable: error.retryable)
            }
            return
        case .csv:
            target = .csv
        default:
            target = path.lowercased().hasSuffix(".arrows") ? .arrowStream : .arrowFile(ArrowIPC.FileEncoder(schema, metadata: metadata))
        }
        file = try DurableFile(path: path)
        switch target {
        case .arrowFile(var encoder):
            try file!.write(encoder.start())
            target = .arrowFile(encoder)
        case .arrowStream:
            try file!.write(ArrowIPC.schemaMessage(schema, metadata: metadata))
        case .csv:
            try file!.write(CSVWriter.write(try RecordBatch(schema: schema, columns: schema.fields.map { .nulls($0.type, count: 0) })))
        case .parquet:
            break
        }
    }

    /// Appends the rows of `batch` (of the writer's schema).
    public func write(_ batch: RecordBatch) throws {
        guard !closed else { throw OperationError(.invalidArgument, "'\(path)' was already closed") }
        guard batch.schema == schema else {
            throw OperationError(.invalidArgument, "a batch of schema \(batch.schema) for '\(path)', written with schema \(schema)")
        }
        switch target {
        case .parquet(let writer):
            do { try writer.write(batch) } catch {
                throw ParquetError(error.code, "cannot write '\(path)': \(error.message)", underlying: error.underlying, retryable: error.retryable)
            }
        case .csv:
            try file!.write(CSVWriter.write(batch, header: false))
        case .arrowFile(var encoder):
            try file!.write(try encoder.append(batch))
            target = .arrowFile(encoder)
        case .arrowStream:
            try file!.write(try ArrowIPC.batchMessage(batch))
        }
        rows += batch.rowCount
    }

    /// Ends the file and moves it into place.
    public func close() throws {
        guard !closed else { throw OperationError(.invalidArgument, "'\(path)' was already closed") }
        closed = true
        switch target {
        case .parquet(let writer):
            do { _ = try writer.close() } catch {
                throw ParquetError(error.code, "cannot write '\(path)': \(error.message)", underlying: error.underlying, retryable: error.retryable)
            }
            return
        case .arrowFile(let encoder): try file!.write(encoder.finish())
        case .arrowStream: try file!.write(ArrowIPC.endOfStream)
        case .csv: break
        }
        guard let file = file.take() else { throw OperationError(.invalidArgument, "'\(path)' was already closed") }
        try file.commit()
        // A schema left by an earlier hypergraph written here would retype this table.
        if case .csv = target { HypergraphFiles.removeStaleSchema(of: path) }
    }
}
