import AnantColumnar
import AnantParquet
import AnantWire
import Foundation
import GRDB

/// Backups, restores and exports of a metadata store.
extension MetadataStore {
    /// Copies the store, online (writers may go on meanwhile), to `path` with SQLite's
    /// backup API: a consistent snapshot, itself a metadata store.
    ///
    /// - Throws: `FAILED_PRECONDITION` when `path` exists.
    public func backup(to path: String) throws(Status) {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw Status(.failedPrecondition, "\(path) exists: a backup never overwrites a file")
        }
        do {
            let destination = try DatabaseQueue(path: path)
            try pool.backup(to: destination)
            try destination.close()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw Self.status(error, opening: path)
        }
    }

    /// Replaces the store's content with a backup's (checked to be a metadata store first).
    /// Run it with the service stopped: readers of this store see the restored content
    /// (another store open on the file, in this process or another, keeps the schemas it
    /// decoded before).
    public func restore(from path: String) throws(Status) {
        guard FileManager.default.fileExists(atPath: path) else { throw Status(.notFound, "no backup at \(path)") }
        let source: MetadataStore
        do { source = try MetadataStore(path: path) } catch {
            throw Status(.failedPrecondition, "\(path) is not a metadata store backup: \(error.message)")
        }
        // The backup's schema rows may carry the same kind, version and store version as
        // rows of this store with other fields (the store version counter is restored too):
        // the decoded schemas go.
        defer { schemas.withLock { $0.removeAll() } }
        do { try source.pool.backup(to: pool) } catch { throw Self.status(error, opening: path) }
    }

    /// Writes a kind's records (current, or as of a store version) to a Parquet file
    /// (zstd): a `key` column, the `version` that wrote each record, then one typed column
    /// per field of the current schema (int32, int64, double, bool; strings for string,
    /// JSON and timestamp fields).
    ///
    /// - Returns: the number of records written.
    public func export(kind: String, asOf version: Int64? = nil, to path: String) throws(Status) -> Int {
        let batch = try table(kind: kind, asOf: version)
        do {
            let writer = try ParquetFileWriter(path: path, schema: batch.schema, options: ParquetWriteOptions(compression: .zstd(level: 3)))
            try writer.write(batch)
            _ = try writer.close()
        } catch {
            throw Status(error.code == .io && error.message.contains("disk is full") ? .resourceExhausted : .internal, "cannot write \(path): \(error.message)")
        }
        return batch.rowCount
    }

    /// A kind's records (current, or as of a store version) as a table: the key column
    /// (named `keyColumn`; strings, or with `integerKeys` Int64 when every key is an
    /// integer, so that it joins integer node and edge ids), `version`, then a typed column
    /// per field.
    public func table(kind: String, asOf version: Int64? = nil, keyColumn: String = "key", integerKeys: Bool = false) throws(Status) -> RecordBatch {
        let schema = try schema(kind: kind)
        let records = try query(kind: kind, EntityQuery(asOf: version))
        let numbers = integerKeys ? records.map { Int64($0.key) } : []
        let keys: AnantColumnar.Column = integerKeys && !records.isEmpty && numbers.allSatisfy({ $0 != nil })
            ? .int64(Int64Column(numbers.map { $0! })) : .string(StringColumn(records.map(\.key)))
        var named: [(String, AnantColumnar.Column)] = [(keyColumn, keys), ("version", .int64(Int64Column(records.map(\.version))))]
        for field in schema.fields {
            let values = records.map { $0.values[field.name] ?? .null }
            let column: AnantColumnar.Column
            switch field.type {
            case .bool: column = .bool(BoolColumn(optionals: values.map { if case .bool(let b) = $0 { b } else { nil } }))
            case .int32: column = .int32(Int32Column(optionals: values.map { if case .int(let n) = $0 { Int32(truncatingIfNeeded: n) } else { nil } }))
            case .int64: column = .int64(Int64Column(optionals: values.map { if case .int(let n) = $0 { n } else { nil } }))
            case .float, .double:
                column = .double(DoubleColumn(optionals: values.map { value -> Double? in
                    switch value {
                    case .double(let d): d
                    case .int(let n): Double(n)
                    default: nil
                    }
                }))
            case .string, .timestamp: column = .string(StringColumn(optionals: values.map { if case .string(let s) = $0 { s } else { nil } }))
            case .json: column = .string(StringColumn(optionals: values.map { $0 == .null ? nil : JSONWriter().string($0) }))
            }
            named.append((field.name, column))
        }
        do { return try RecordBatch(named) } catch {
            throw Status(.invalidArgument, "\(kind) cannot be a table: \(error.message) (a field named \(keyColumn) or version?)")
        }
    }
}
