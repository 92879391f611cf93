import AnantColumnar
import AnantMetadata
import AnantProto
import AnantTestSupport
import AnantWire
import Foundation
import GRDB
import Synchronization
import Testing

/// The catalog and the worker registry, embedded: versions and their life, placement,
/// leases on an injected clock, durability across a reopen, and refused files.
@Suite struct CatalogTests {
    static func store(_ folder: URL, leases: MetadataStore.LeasePolicy = .init()) throws -> MetadataStore {
        try MetadataStore(path: folder.appendingPathComponent("meta.db").path, leases: leases)
    }

    /// A placement of `shard` on `workers`, each at `address` (where the test registered it).
    static func placement(_ dataset: String, _ version: UInt64, shard: UInt32, workers: [String], address: String = "127.0.0.1:9000") -> Anant_V1_ShardPlacement {
        var p = Anant_V1_ShardPlacement()
        p.shard.dataset = dataset
        p.shard.version = version
        p.shard.table = .incidences
        p.shard.shard = shard
        p.shard.path = "incidences/part-0000\(shard).parquet"
        p.shard.rows = 100 + UInt64(shard)
        p.shard.bytes = 1000 + UInt64(shard)
        p.shard.sha256 = String(repeating: "a\(shard % 10)", count: 32)
        p.replicas = workers.map { id in
            var r = Anant_V1_StorageReplica()
            r.workerID = id
            r.address = address
            return r
        }
        return p
    }

    static func code(_ body: () throws -> Void) -> StatusCode {
        do {
            try body()
            return .ok
        } catch let status as Status { return status.code } catch { return .unknown }
    }

    @Test func versionsArePendingThenPublishedAndImmutable() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Self.store(folder)
        let (worker, _) = try store.register(role: .storage, rpcAddress: "127.0.0.1:9000", httpAddress: "127.0.0.1:9001")
        let v1 = try store.createVersion(of: "papers")
        let v2 = try store.createVersion(of: "papers")
        #expect(v1.version == 1 && v2.version == 2)
        // Nothing published yet: version 0 (the latest) is NOT_FOUND.
        var latest = Anant_V1_DatasetRef()
        latest.name = "papers"
        #expect(Self.code { _ = try store.version(latest) } == .notFound)
        let placements = (0..<3).map { Self.placement("papers", 1, shard: $0, workers: [worker.workerID]) }
        let published = try store.publish(v1, manifest: #"{"format": 1}"#, placements: placements)
        #expect(published.state == .published && !published.published.isEmpty && published.manifestJson == #"{"format": 1}"#)
        let (got, gotPlacements) = try store.version(latest)
        #expect(got == published && gotPlacements == placements)
        // Immutable: a second publication is refused.
        #expect(Self.code { _ = try store.publish(v1, manifest: "{}", placements: []) } == .failedPrecondition)
        // Bad publications: another dataset's shard, a shard placed twice, no replica, a
        // replica that is not a live storage worker, a manifest that is not an object.
        let bad: [[Anant_V1_ShardPlacement]] = [
            [Self.placement("other", 2, shard: 0, workers: [worker.workerID])],
            [Self.placement("papers", 2, shard: 0, workers: [worker.workerID]), Self.placement("papers", 2, shard: 0, workers: [worker.workerID])],
            [Self.placement("papers", 2, shard: 0, workers: [])],
        ]
        for placements in bad { #expect(Self.code { _ = try store.publish(v2, manifest: "{}", placements: placements) } == .invalidArgument) }
        // Liveness goes by address (a service registered again keeps its shards).
        #expect(Self.code { _ = try store.publish(v2, manifest: "{}", placements: [Self.placement("papers", 2, shard: 0, workers: ["storage-gone"], address: "10.9.9.9:7000")]) }
            == .unavailable)
        #expect(Self.code { _ = try store.publish(v2, manifest: "{}", placements: [Self.placement("papers", 2, shard: 0, workers: [worker.workerID, "again"])]) }
            == .failedPrecondition, "two replicas at one address")
        #expect(Self.code { _ = try store.publish(v2, manifest: "[1]", placements: []) } == .invalidArgument)
        // A failed publication changed nothing: v2 is still pending with no shards.
        #expect(try store.version(v2).0.state == .pending && (try store.version(v2).1.isEmpty))
        let summaries = try store.datasets()
        #expect(summaries.count == 1 && summaries[0].latestVersion == 1 && summaries[0].versionCount == 2)
        // Delete v1: its placements come back, and version numbers are not reused.
        #expect(try store.deleteVersion(v1) == placements)
        #expect(Self.code { _ = try store.version(v1) } == .notFound)
        #expect(try store.createVersion(of: "papers").version == 3)
        #expect(try store.versions(of: "papers").map(\.dataset.version) == [2, 3])
        // Namespaces: the part of a name before its first '.'.
        _ = try store.createVersion(of: "lab.graphs")
        _ = try store.createVersion(of: "lab.papers")
        #expect(try store.datasets(namespace: "lab").map(\.name) == ["lab.graphs", "lab.papers"])
        #expect(try store.datasets(namespace: "default").map(\.name) == ["papers"])
        #expect(try store.datasets().map(\.namespace) == ["lab", "lab", "default"])
        // Unknown and hostile names.
        #expect(Self.code { _ = try store.versions(of: "nope") } == .notFound)
        for name in ["../x", "", "a/b", ".h", "a\u{0}"] { #expect(Self.code { _ = try store.createVersion(of: name) } == .invalidArgument) }
    }

    @Test func leasesRunOutAfterMissedBeats() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Self.store(folder, leases: .init(heartbeatNanos: 1_000, missedBeats: 3))
        let t0: UInt64 = 1_000_000
        let (storage, interval) = try store.register(role: .storage, rpcAddress: "10.0.0.1:7000", httpAddress: "10.0.0.1:7001", now: t0)
        let (compute, _) = try store.register(role: .compute, rpcAddress: "10.0.0.2:7000", httpAddress: "10.0.0.2:7001", now: t0)
        #expect(interval == 1_000 && storage.leaseExpiresUnixNanos == t0 + 3_000 && storage.workerID.hasPrefix("storage-"))
        #expect(try store.workers(now: t0 + 1).count == 2)
        #expect(try store.workers(role: .compute, now: t0 + 1).map(\.workerID) == [compute.workerID])
        // The storage worker beats at t0 + 2,500; the compute worker misses three beats.
        var beat = Anant_V1_HeartbeatRequest()
        beat.workerID = storage.workerID
        beat.bytesUsed = 42
        #expect(try store.heartbeat(beat, now: t0 + 2_500) == t0 + 5_500)
        let live = try store.workers(now: t0 + 3_000)
        #expect(live.map(\.workerID) == [storage.workerID] && live[0].bytesUsed == 42)
        #expect(try store.workers(includeExpired: true, now: t0 + 3_000).count == 2)
        // A lost worker's heartbeat is NOT_FOUND: it registers again.
        beat.workerID = compute.workerID
        #expect(Self.code { _ = try store.heartbeat(beat, now: t0 + 3_000) } == .notFound)
        try store.deregister(storage.workerID)
        #expect(Self.code { try store.deregister(storage.workerID) } == .notFound)
        #expect(Self.code { _ = try store.register(role: .unspecified, rpcAddress: "a:1", httpAddress: "a:2") } == .invalidArgument)
        #expect(Self.code { _ = try store.register(role: .storage, rpcAddress: "no port", httpAddress: "a:2") } == .invalidArgument)
    }

    @Test func writesSurviveAReopen() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let store = try Self.store(folder)
            for _ in 0..<5 { _ = try store.createVersion(of: "kept") }
        }
        let store = try Self.store(folder)
        #expect(try store.versions(of: "kept").map(\.dataset.version) == [1, 2, 3, 4, 5])
        // WAL mode and full synchronous commits.
        let pool = try DatabaseQueue(path: folder.appendingPathComponent("meta.db").path)
        #expect(try pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
    }

    /// Reads on many threads (more than keep a reader of their own) see the writes made
    /// before them; a store let go leaves its log folded into the file (its readers close
    /// before its writer, which checkpoints), so the file alone holds every write.
    @Test func readsOnManyThreadsSeeTheWritesAndAClosedStoreLeavesNoLog() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("meta.db").path
        weak var released: MetadataStore?
        do {
            let store = try Self.store(folder)
            released = store
            let threads = MetadataStore.maximumReaders + 6
            let seen = Mutex([Int](repeating: -1, count: threads))
            let done = DispatchGroup()
            for k in 0..<threads {
                // Each thread writes a version, then reads them all (its own included).
                done.enter()
                Thread {
                    defer { done.leave() }
                    let count = (try? store.createVersion(of: "t\(k)")).flatMap { _ in try? store.versions(of: "t\(k)").count } ?? 0
                    seen.withLock { $0[k] = count }
                }.start()
            }
            #expect(done.wait(timeout: .now() + 120) == .success)
            #expect(seen.withLock { $0 } == [Int](repeating: 1, count: threads))
            #expect(try store.datasets().count == threads)
        }
        // A thread lets go of the store just after it signals it is done: the store closes
        // when the last one has (within 30 s).
        let deadline = Date().addingTimeInterval(30)
        while released != nil, Date() < deadline { usleep(1_000) }
        #expect(released == nil, "a thread still holds the store")
        let log = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(log == 0, "the log still holds \(log) bytes")
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        #expect(try Self.store(folder).datasets().count == MetadataStore.maximumReaders + 6)
    }

    @Test func corruptAndForeignFilesAreRefusedClearly() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Not SQLite at all.
        let junk = folder.appendingPathComponent("junk.db")
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 37) }).write(to: junk)
        let notDB = #expect(throws: Status.self) { _ = try MetadataStore(path: junk.path) }
        #expect(notDB?.code == .failedPrecondition && notDB?.message.contains("junk.db") == true)
        // SQLite, but another application's.
        let foreign = folder.appendingPathComponent("foreign.db")
        try DatabaseQueue(path: foreign.path).write { try $0.execute(sql: "CREATE TABLE songs (title TEXT)") }
        let other = #expect(throws: Status.self) { _ = try MetadataStore(path: foreign.path) }
        #expect(other?.code == .failedPrecondition && other?.message.contains("another application") == true)
        // A truncated store.
        let store = folder.appendingPathComponent("meta.db")
        do { _ = try MetadataStore(path: store.path).createVersion(of: "x") }
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.path + suffix) }
        let bytes = try Data(contentsOf: store)
        try bytes.prefix(100).write(to: store)
        let truncated = #expect(throws: Status.self) { _ = try MetadataStore(path: store.path).datasets() }
        #expect(truncated?.code == .failedPrecondition)
    }
}
