import AnantColumnar
import AnantHypergraph
import AnantParquet
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a dataset version is written.
public struct DatasetWriteOptions: Sendable {
    public var compression: ParquetCompression
    /// Shards per table; nil: one per two million incidences (at least one).
    public var shards: Int?
    /// Rows per Parquet row group.
    public var rowGroupRows: Int
    /// Choose each column chunk's encoding from a sample (`ParquetWriteOptions.chooseEncodings`);
    /// false: dictionary first, PLAIN after the dictionary fills.
    public var chooseEncodings: Bool
    /// The threads the shards are written with, and when to stop (a stopped write leaves
    /// no version and no staging folder behind).
    public var context: ExecutionContext

    public init(compression: ParquetCompression = .zstd(level: 3), shards: Int? = nil, rowGroupRows: Int = 1 << 20,
                chooseEncodings: Bool = true, context: ExecutionContext = .default) {
        self.compression = compression
        self.chooseEncodings = chooseEncodings
        self.shards = shards
        self.rowGroupRows = rowGroupRows
        self.context = context
    }
}

extension Dataset {
    /// Writes `hypergraph` as a new version of the dataset at `root` (created when absent;
    /// its parent folder must exist), and publishes it.
    @discardableResult
    public static func write(_ hypergraph: Hypergraph, to root: String, options: DatasetWriteOptions = DatasetWriteOptions()) throws(DatasetError) -> Dataset {
        if let shards = options.shards, !(1...4096).contains(shards) {
            throw DatasetError(.invalidArgument, "the shard count must be between 1 and 4096 (got \(shards))")
        }
        var info = stat()
        if lstat(root, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR {
            throw DatasetError(.invalidArgument, "\(root) exists and is not a folder")
        }
        if FileIO.isDirectory(root), !isDataset(root), !FileIO.list(root).filter({ $0 != ".lock" }).isEmpty {
            throw DatasetError(.invalidArgument, "\(root) is a folder that is not an Anant dataset and not empty; choose a new or empty folder")
        }
        try FileIO.makeDirectory(root)
        let lock = try WriterLock(root)
        defer { lock.hold() }
        // What interrupted writers left (they no longer hold the lock, so they are gone).
        _ = removeLeftovers(root)

        let version = (versions(root).last ?? 0) + 1
        let name = versionName(version)
        let staging = "\(root)/.staging-\(name)-\(getpid())"
        FileIO.removeTree(staging)
        try FileIO.makeDirectory(staging)
        do {
            let shardCount = options.shards ?? max(1, (hypergraph.incidenceCount + 1_999_999) / 2_000_000)
            let sources: [(DatasetTable, RecordBatch)] = [
                (.incidences, hypergraph.incidenceTable()), (.edges, hypergraph.edgeTable()), (.nodes, hypergraph.nodeTable()),
            ]
            // Every (table, shard) file, written in parallel.
            var jobs = [(table: DatasetTable, shard: Int, rows: [Int])]()
            for (table, batch) in sources {
                try FileIO.makeDirectory("\(staging)/\(table.rawValue)")
                let placement = shards(of: try idColumn(batch, table), shards: shardCount)
                var counts = [Int](repeating: 0, count: shardCount)
                for shard in placement { counts[shard] += 1 }
                var rows = counts.map { count in
                    var list = [Int]()
                    list.reserveCapacity(count)
                    return list
                }
                for (row, shard) in placement.enumerated() { rows[shard].append(row) }
                for shard in 0..<shardCount { jobs.append((table, shard, rows[shard])) }
            }
            let tables = Dictionary(uniqueKeysWithValues: sources.map { ($0.0, $0.1) })
            let work = jobs
            let context = options.context
            let written = try context.map(count: work.count) { k throws(DatasetError) -> ShardEntry in
                let job = work[k]
                let batch = tables[job.table]!
                let part = job.rows.count == batch.rowCount ? batch : batch.gather(job.rows)
                let relative = "\(job.table.rawValue)/part-\(String(1_00000 + job.shard).dropFirst()).parquet"
                return try writeShard(part, to: "\(staging)/\(relative)", relative: "\(name)/\(relative)", options: options)
            }
            try context.check(DatasetError.self)
            var entries = [DatasetTable: TableEntry]()
            for (table, batch) in sources {
                let shards = zip(work, written).filter { $0.0.table == table }.map(\.1)
                entries[table] = TableEntry(schema: nonNullIDs(batch.schema, table), shards: shards)
            }
            let manifest = DatasetManifest(
                name: hypergraph.name ?? (root.split(separator: "/").last.map(String.init) ?? "hypergraph"), version: version,
                created: utcTimestamp(), codec: options.compression.name,
                nodeCount: hypergraph.nodeCount, edgeCount: hypergraph.edgeCount, incidenceCount: hypergraph.incidenceCount,
                hypergraph: hypergraph.facts, tables: entries)
            try FileIO.rename(staging, to: "\(root)/\(name)")
            try FileIO.makeDirectory("\(root)/_versions")
            let text = Array(JSONWriter(indent: 2).string(manifest.json).utf8) + [0x0A]
            try FileIO.writeAtomically(text, to: "\(root)/_versions/\(name).json")
            try FileIO.writeAtomically(text, to: "\(root)/\(manifestName)")
            for table in DatasetTable.allCases { try FileIO.relink("\(root)/\(table.rawValue)", to: "\(name)/\(table.rawValue)") }
            return Dataset(root: root, manifest: manifest)
        } catch {
            FileIO.removeTree(staging)
            throw error
        }
    }

    private static func idColumn(_ batch: RecordBatch, _ table: DatasetTable) throws(DatasetError) -> Column {
        guard let index = batch.schema.index(of: table.shardKey) else {
            throw DatasetError(.invalidArgument, "the \(table.rawValue) table has no '\(table.shardKey)' column")
        }
        return batch.columns[index]
    }

    /// Ids are never null: the manifest says so (the Parquet columns stay optional, as
    /// pyarrow writes them).
    private static func nonNullIDs(_ schema: Schema, _ table: DatasetTable) -> Schema {
        let ids: Set<String> = table == .incidences ? ["edge", "node"] : [table.shardKey]
        return (try? Schema(schema.fields.map { Field($0.name, $0.type, nullable: ids.contains($0.name) ? false : $0.nullable) })) ?? schema
    }

    private static func writeShard(_ batch: RecordBatch, to path: String, relative: String, options: DatasetWriteOptions) throws(DatasetError) -> ShardEntry {
        do {
            let writer = try ParquetFileWriter(path: path, schema: batch.schema,
                                               options: ParquetWriteOptions(compression: options.compression, rowGroupRows: options.rowGroupRows,
                                                                            chooseEncodings: options.chooseEncodings, context: options.context))
            try writer.write(batch)
            try writer.close()
        } catch {
            if error.code == .interrupted { throw DatasetError(.interrupted, error.message, underlying: error.underlying) }
            throw DatasetError(.io, "cannot write shard \(relative): \(error.message)", underlying: error)
        }
        guard let size = FileIO.size(path), let sum = FileIO.sha256(path) else {
            throw DatasetError(.io, "cannot read back shard \(relative)")
        }
        return ShardEntry(path: relative, rows: batch.rowCount, bytes: size, sha256: sum)
    }

    private static func utcTimestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    // MARK: Reading

    /// The hypergraph of this version. The node and edge tables are read whole (their
    /// ids and properties are part of the model); the incidence shards stream a row group
    /// at a time on every core, straight into the model's arrays, so memory stays bounded
    /// by the model plus a row group per core. A dataset whose shards are not laid out as
    /// Anant writes them is built from whole tables instead.
    public func hypergraph(context: ExecutionContext = .default) throws(DatasetError) -> Hypergraph {
        let weights = defaultWeights
        if let built = try streamed(weights, context: context) { return withFacts(built) }
        return withFacts(try wholeTables(weights, context: context))
    }

    /// The manifest's default weights (HyperNetX's 1 where absent).
    private var defaultWeights: DefaultWeights { Hypergraph.defaultWeights(in: manifest.hypergraph) }

    /// The hypergraph-level facts of the manifest applied to `h`.
    private func withFacts(_ h: Hypergraph) -> Hypergraph {
        var h = h
        h.apply(manifest.hypergraph)
        return h
    }

    private func readWhole(_ table: DatasetTable, context: ExecutionContext) throws(DatasetError) -> RecordBatch {
        let shards = manifest.tables[table]?.shards ?? []
        let dataset = self
        let parts = try context.map(count: shards.count) { k throws(DatasetError) -> RecordBatch in
            do throws(ParquetError) { return try ParquetFileReader(path: dataset.path(shards[k])).readTable() } catch {
                throw DatasetError(.corruptShard, "cannot read \(table.rawValue) shard \(shards[k].path): \(error.message)")
            }
        }
        guard !parts.isEmpty else { throw DatasetError(.corruptShard, "the \(table.rawValue) table of \(root) has no shard") }
        return parts.count == 1 ? parts[0] : RecordBatch.concatenating(parts)
    }

    private func streamed(_ weights: DefaultWeights, context: ExecutionContext) throws(DatasetError) -> Hypergraph? {
        let shards = manifest.tables[.incidences]?.shards ?? []
        var readers = [ParquetFileReader]()
        for shard in shards {
            do { readers.append(try ParquetFileReader(path: path(shard))) } catch {
                throw DatasetError(.corruptShard, "cannot read incidences shard \(shard.path): \(error.message)")
            }
        }
        guard let first = readers.first else { return nil }
        let schema = first.columnarSchema
        guard readers.allSatisfy({ $0.columnarSchema == schema }),
              let properties = try? Schema(schema.fields.filter { $0.name != "edge" && $0.name != "node" }) else { return nil }
        let paths = shards.map(\.path), opened = readers
        let source = IncidenceShards(
            count: readers.count,
            batches: { opened[$0].metadata.rowGroups.count },
            read: { shard, batch, columns in
                defer { opened[shard].releasePages(rowGroup: batch) }
                do throws(ParquetError) { return try opened[shard].readRowGroup(batch, columns: columns, parallel: false) } catch {
                    throw DatasetError(.corruptShard, "cannot read incidences shard \(paths[shard]): \(error.message)")
                }
            },
            properties: properties)
        do {
            return try Hypergraph(shards: source, nodeTable: try readWhole(.nodes, context: context), edgeTable: try readWhole(.edges, context: context),
                                  defaultWeights: weights, name: manifest.hypergraph["name"]?.stringValue, context: context)
        } catch let error as DatasetError {
            throw error
        } catch let error as HypergraphError where error.code == .interrupted {
            throw DatasetError(.interrupted, error.message, underlying: error.underlying)
        } catch {
            throw DatasetError(.corruptShard, "the tables of \(root) do not form a hypergraph: \((error as? HypergraphError)?.message ?? "\(error)")")
        }
    }

    private func wholeTables(_ weights: DefaultWeights, context: ExecutionContext) throws(DatasetError) -> Hypergraph {
        do {
            return try Hypergraph(incidences: try readWhole(.incidences, context: context), nodeTable: try readWhole(.nodes, context: context),
                                  edgeTable: try readWhole(.edges, context: context),
                                  defaultWeights: weights, name: manifest.hypergraph["name"]?.stringValue, context: context)
        } catch let error as DatasetError {
            throw error
        } catch let error as HypergraphError where error.code == .interrupted {
            throw DatasetError(.interrupted, error.message, underlying: error.underlying)
        } catch {
            throw DatasetError(.corruptShard, "the tables of \(root) do not form a hypergraph: \((error as? HypergraphError)?.message ?? "\(error)")")
        }
    }

    /// The hypergraph from whole tables (any row order): what `hypergraph()` falls back
    /// to, kept callable so that tests can compare the two builds.
    public func hypergraphFromWholeTables(context: ExecutionContext = .default) throws(DatasetError) -> Hypergraph {
        withFacts(try wholeTables(defaultWeights, context: context))
    }
}

extension ParquetCompression {
    /// The codec's name as the CLI and the manifest spell it (`init(name:)` reads it back).
    public var name: String {
        switch self {
        case .uncompressed: return "none"
        case .snappy: return "snappy"
        case .gzip(let level): return "gzip:\(level)"
        case .lz4: return "lz4"
        case .zstd(let level): return "zstd:\(level)"
        }
    }
}
