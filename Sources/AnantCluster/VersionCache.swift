import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantProto
import AnantWire
import Foundation
import NIOPosix
import Synchronization

/// Dataset versions fetched from storage and kept on this machine: each version's shards
/// as files under `directory` (a dataset folder per version, which `Dataset.open` reads
/// like any other) and, once an analysis needs it, its built hypergraph. Concurrent tasks
/// on one version share one fetch and one build. Versions are dropped, least recently used
/// first and never while a task holds them, when the estimated memory of the built
/// hypergraphs passes the budget.
public actor VersionCache {
    /// A dataset version: its name and published version.
    public struct Key: Hashable, Sendable, CustomStringConvertible {
        public var name: String
        public var version: UInt64

        public init(name: String, version: UInt64) {
            self.name = name
            self.version = version
        }

        public var description: String { "\(name)@\(version)" }
    }

    /// A version's fetch and build are tasks of their own, shared by every request on the
    /// version (an exception to "no unstructured tasks" in libraries): they belong to no
    /// single request, so one caller's cancel or deadline does not fail the others.
    private final class Entry {
        let files: Task<Dataset, any Error>
        var graph: Task<Hypergraph, any Error>?
        var users = 0
        var lastUse: UInt64 = 0
        /// The estimated memory of the built hypergraph (0 until built).
        var bytes = 0

        init(files: Task<Dataset, any Error>) { self.files = files }
    }

    public let directory: String
    public nonisolated let budgetBytes: Int
    /// The threads a build may use.
    public let buildThreads: Int
    private let clients: ServiceClients
    private let pool: NIOThreadPool
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    private let heldBytes = Atomic<Int>(0)
    /// The estimated bytes of the hypergraphs held now (what a worker reports with its
    /// heartbeats, and the gateway's status page shows).
    public nonisolated var bytesHeld: Int { heldBytes.load(ordering: .relaxed) }
    /// Shards fetched and hypergraphs built since start (for metrics and tests).
    public private(set) var fetches = 0
    public private(set) var builds = 0

    /// A cache under `directory` (created; emptied of what an earlier process left).
    public init(directory: String, budgetBytes: Int, buildThreads: Int = 1, clients: ServiceClients, pool: NIOThreadPool) throws(Status) {
        do {
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch { throw Status(.internal, "cannot create the cache folder \(directory): \(error)") }
        self.directory = directory
        self.budgetBytes = budgetBytes
        self.buildThreads = max(1, buildThreads)
        self.clients = clients
        self.pool = pool
    }

    /// The versions held, with whether each one's hypergraph is built.
    public var held: [(key: Key, built: Bool)] {
        entries.map { ($0.key, $0.value.bytes > 0) }.sorted { $0.key.description < $1.key.description }
    }

    /// Runs `body` with the version's dataset (its shards local), fetching them first when
    /// they are not; the version is not dropped while `body` runs.
    public func withDataset<T: Sendable>(_ key: Key, manifestJSON: String, placements: [Anant_V1_ShardPlacement],
                                         _ body: @Sendable (Dataset) async throws -> T) async throws -> T {
        let entry = acquire(key, manifestJSON: manifestJSON, placements: placements)
        defer { release(key, entry) }
        return try await body(try await entry.files.value)
    }

    /// Runs `body` with the version's hypergraph, built once from its local shards.
    public func withHypergraph<T: Sendable>(_ key: Key, manifestJSON: String, placements: [Anant_V1_ShardPlacement],
                                            _ body: @Sendable (Hypergraph) async throws -> T) async throws -> T {
        let entry = acquire(key, manifestJSON: manifestJSON, placements: placements)
        defer { release(key, entry) }
        if entry.graph == nil {
            let files = entry.files, pool = self.pool, threads = buildThreads
            entry.graph = Task {
                let dataset = try await files.value
                return try await pool.runIfActive { try dataset.hypergraph(context: ExecutionContext(threads: threads)) }
            }
        }
        let graph = entry.graph!
        let h: Hypergraph
        do { h = try await graph.value } catch {
            if entries[key] === entry { entries[key] = nil }
            throw error
        }
        if entry.bytes == 0 {
            builds += 1
            entry.bytes = Self.estimate(h)
            evict()
        }
        return try await body(h)
    }

    /// The memory a built hypergraph takes, roughly: its incidence arrays both ways, its
    /// ids and its property tables.
    static func estimate(_ h: Hypergraph) -> Int {
        h.incidenceCount * 16 + (h.nodeCount + h.edgeCount) * 48 + 1
    }

    private func acquire(_ key: Key, manifestJSON: String, placements: [Anant_V1_ShardPlacement]) -> Entry {
        clock += 1
        if let entry = entries[key] {
            entry.users += 1
            entry.lastUse = clock
            return entry
        }
        let root = "\(directory)/\(key.name)@\(key.version)"
        let clients = self.clients
        let entry = Entry(files: Task { try await Self.fetch(root: root, manifestJSON: manifestJSON, placements: placements, clients: clients) })
        fetches += 1
        entry.users = 1
        entry.lastUse = clock
        entries[key] = entry
        return entry
    }

    private func release(_ key: Key, _ entry: Entry) {
        entry.users -= 1
        // A failed fetch is not kept: the next task fetches again.
        let files = entry.files
        Task { [weak self] in
            if case .failure = await files.result { await self?.dropFailed(key, files) }
        }
        evict()
    }

    private func dropFailed(_ key: Key, _ files: Task<Dataset, any Error>) {
        if let entry = entries[key], entry.files == files { drop(key, entry) }
    }

    private func drop(_ key: Key, _ entry: Entry) {
        guard entries[key] === entry else { return }
        entries[key] = nil
        heldBytes.store(entries.values.reduce(0) { $0 + $1.bytes }, ordering: .relaxed)
        try? FileManager.default.removeItem(atPath: "\(directory)/\(key.name)@\(key.version)")
    }

    /// Drops idle versions, least recently used first, while over budget.
    private func evict() {
        var total = entries.values.reduce(0) { $0 + $1.bytes }
        for (key, entry) in entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }) where total > budgetBytes {
            guard entry.users == 0 else { continue }
            total -= entry.bytes
            drop(key, entry)
        }
        heldBytes.store(total, ordering: .relaxed)
    }

    /// Fetches every shard of the version into `root` and opens it as a dataset.
    static func fetch(root: String, manifestJSON: String, placements: [Anant_V1_ShardPlacement], clients: ServiceClients) async throws -> Dataset {
        try? FileManager.default.removeItem(atPath: root)
        let manifest = Array(manifestJSON.utf8)
        let parsed: DatasetManifest
        do { parsed = try DatasetManifest(json: try JSONParser.parse(manifest), source: "the task's manifest") } catch {
            throw Status(.invalidArgument, "the task's manifest does not parse: \(error)")
        }
        let files = try shardFiles(parsed, placements)
        // A few shards at a time: enough to keep the storage replicas busy.
        try await StorageCalls.forEach(files, atOnce: 4) { file in
            // A replica that stops sending without closing gives way to the next after 10 minutes.
            let bytes = try await StorageCalls.get(file.placement, clients: clients, timeout: 600)
            let path = "\(root)/\(file.path)"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        do {
            try Data(manifest).write(to: URL(fileURLWithPath: "\(root)/_manifest.json"))
            return try Dataset.open(root)
        } catch { throw Status(error) }
    }

    /// Every shard of a version's manifest, in manifest order, with its path in the
    /// dataset's folder and its placement (matched by table and shard index).
    ///
    /// - Throws: `INVALID_ARGUMENT` when a shard has no placement or a path leaves the folder.
    public static func shardFiles(_ manifest: DatasetManifest, _ placements: [Anant_V1_ShardPlacement]) throws(Status)
        -> [(path: String, placement: Anant_V1_ShardPlacement)] {
        var out = [(path: String, placement: Anant_V1_ShardPlacement)]()
        for table in DatasetTable.allCases {
            for (index, shard) in (manifest.tables[table]?.shards ?? []).enumerated() {
                guard let placement = placements.first(where: { $0.shard.table == table.proto && $0.shard.shard == UInt32(index) }) else {
                    throw Status(.invalidArgument, "shard \(index) of the \(table.rawValue) table has no placement")
                }
                try checkRelative(shard.path)
                out.append((shard.path, placement))
            }
        }
        guard out.count == placements.count else {
            throw Status(.invalidArgument, "\(placements.count) placements for the \(out.count) shards of the manifest")
        }
        return out
    }

    /// A shard path relative to a dataset's folder: no absolute path, no "..", no empty part.
    static func checkRelative(_ path: String) throws(Status) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.hasPrefix("/"), !parts.isEmpty,
              parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.allSatisfy { c in c.isLetter || c.isNumber || "-_.".contains(c) } })
        else { throw Status(.invalidArgument, "the shard path '\(path)' is not a relative path inside a dataset") }
    }
}
