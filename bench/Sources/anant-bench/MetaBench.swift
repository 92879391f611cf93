import AnantColumnar
import AnantMetadata
import AnantProto
import AnantWire
import ArgumentParser
import Foundation

/// The entity metadata store at scale: `--entities` records of ten typed fields upserted
/// in batches, point lookups by key embedded and over the wire (a release
/// `anant-metadata` on 127.0.0.1 serving the same file), and a 1%-selective indexed
/// query; the records are exported to Parquet for the polars and DuckDB anchors.
struct MetaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "meta", abstract: "Time the entity metadata store.")

    @Option(help: "The anant-metadata binary (release).") var service: String
    @Option(help: "Records to upsert.") var entities = 1_000_000
    @Option(help: "Records per batch.") var batch = 10_000
    @Option(help: "Point lookups timed (each way).") var lookups = 20_000
    @Option(help: "Where to write the store and its Parquet export.") var workdir: String
    @OptionGroup var timing: TimingOptions

    func run() async throws {
        try? FileManager.default.removeItem(atPath: workdir)
        try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        let db = workdir + "/meta.db"
        let store = try MetadataStore(path: db)
        _ = try store.registerSchema(kind: "entity", fields: [
            EntityField("name", .string, required: true), EntityField("grp", .int64), EntityField("score", .double),
            EntityField("flag", .bool), EntityField("year", .int32), EntityField("tag", .string), EntityField("count", .int64),
            EntityField("weight", .float), EntityField("note", .string), EntityField("seen", .timestamp),
        ])
        var state: UInt64 = 7
        func next(_ n: UInt64) -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (state >> 33) % n
        }
        // Bulk upsert.
        let (upsertSeconds, _) = try Timing.once { () throws -> Void in
            var start = 0
            while start < entities {
                let changes = (start..<min(entities, start + batch)).map { i -> EntityChange in
                    .upsert(key: "e\(i)", values: JSONObject([
                        ("name", .string("entity \(i)")), ("grp", .int(Int64(next(100)))), ("score", .double(Double(next(1_000_000)) / 1e6)),
                        ("flag", .bool(next(2) == 0)), ("year", .int(Int64(1990 + next(35)))), ("tag", .string("t\(next(50))")),
                        ("count", .int(Int64(next(1 << 20)))), ("weight", .double(Double(next(1000)) / 8)), ("note", .string("note \(next(1000))")),
                        ("seen", .string("2026-12-0\(1 + next(9))T12:00:00Z")),
                    ]))
                }
                _ = try store.apply(kind: "entity", changes)
                start += batch
            }
        }
        Timing.emit(["bench": "meta bulk upsert", "tool": "anant", "op": "ApplyBatch", "median_s": upsertSeconds, "rows": entities,
                     "records_per_s": Double(entities) / upsertSeconds, "batch": batch])
        let (indexSeconds, _) = try Timing.once { try store.createIndex(kind: "entity", field: "grp") }
        Timing.emit(["bench": "meta create index", "tool": "anant", "op": "createIndex", "median_s": indexSeconds, "rows": entities])

        // Point lookups, embedded.
        let keys = (0..<lookups).map { _ in "e\(next(UInt64(entities)))" }
        var embedded = [Double]()
        for key in keys {
            let start = Timing.now()
            guard try store.record(kind: "entity", key: key) != nil else { throw ValidationError("no record \(key)") }
            embedded.append(Timing.now() - start)
        }
        embedded.sort()
        Timing.emit(["bench": "meta point lookup p50 embedded", "tool": "anant", "op": "record", "median_s": embedded[embedded.count / 2]])
        Timing.emit(["bench": "meta point lookup p99 embedded", "tool": "anant", "op": "record", "median_s": embedded[embedded.count * 99 / 100]])

        // Point lookups over the wire, from the service on the same file (stopped after them),
        // then again with busy polling off on both sides: what the wake-ups cost.
        try await wireLookups(db: db, keys: keys)
        try await unpolledLookups(db: db, keys: keys)

        // A 1%-selective indexed query.
        var rows = 0
        let query = EntityQuery(filter: .equals("grp", .int(7)))
        let stats = try timing.measure { rows = try store.query(kind: "entity", query).count }
        let plan = try store.explain(kind: "entity", query)
        Timing.emit(["bench": "meta indexed query 1%", "tool": "anant", "op": "grp = 7", "result_rows": rows, "plan": plan].merging(stats) { a, _ in a })
        _ = try store.export(kind: "entity", to: workdir + "/entity.parquet")
    }

    /// One GetRecords of each of `keys` (but the last 1,000) in turn: each call's latency.
    private static func lookups(_ client: RPCClient, _ keys: [String]) async throws -> [Double] {
        try await Timing.latencies(count: max(1, keys.count - 1000)) { i in
            var request = Anant_V1_GetRecordsRequest()
            request.kind = "entity"
            request.keys = [keys[i % keys.count]]
            let answer: Anant_V1_GetRecordsResponse = try await client.unary("anant.v1.Metadata/GetRecords", request)
            guard answer.records.count == 1 else { throw ValidationError("no record \(request.keys[0]) over the wire") }
        }
    }

    /// The lookups from a caller on the connection's loop with busy polling off on both
    /// sides (the service's `--busy-poll-us 0`, the client's `busyPoll` zero).
    private func unpolledLookups(db: String, keys: [String]) async throws {
        let server = try StartedService(binary: service, arguments: ["--db", db, "--log-level", "warning", "--busy-poll-us", "0"])
        defer { server.stop() }
        var configuration = RPCClientConfiguration()
        configuration.busyPoll = .zero
        let client = RPCClient(host: "127.0.0.1", port: server.port, configuration: configuration)
        let latencies = try await client.onConnectionLoop { try await Self.lookups(client, keys) }
        for (bench, rank) in [("meta point lookup p50 wire", latencies.count / 2), ("meta point lookup p99 wire", latencies.count * 99 / 100)] {
            Timing.emit(["bench": bench, "tool": "anant (no busy polling)", "op": "GetRecords", "median_s": latencies[rank]])
        }
        await client.close()
    }

    /// Lookups of `keys` over the wire: GetRecords from a caller on the connection's loop
    /// and from one on the shared pool, and the service's empty round trip.
    private func wireLookups(db: String, keys: [String]) async throws {
        let server = try StartedService(binary: service, arguments: ["--db", db, "--log-level", "warning"])
        defer { server.stop() }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        // Lookups from a task on the connection's event loop (`RPCClient.onConnectionLoop`)
        // and from a task of the shared pool.
        let lookups = { @Sendable in try await Self.lookups(client, keys) }
        // Each loop's CPU a call in both processes (a round trip here costs about what the
        // two spend, so these move less with the host than the latencies do).
        let servicePID = server.process.processIdentifier, clientPID = getpid()
        func cpu<T>(_ op: String, _ caller: String, _ loop: () async throws -> T) async rethrows -> T {
            let before = (Timing.cpuSeconds(pid: servicePID), Timing.cpuSeconds(pid: clientPID))
            let result = try await loop()
            let after = (Timing.cpuSeconds(pid: servicePID), Timing.cpuSeconds(pid: clientPID))
            let calls = Double(keys.count)
            for (side, start, end) in [("service", before.0, after.0), ("client", before.1, after.1)] {
                let user = (end.user - start.user) / calls, system = (end.system - start.system) / calls
                Timing.emit(["bench": "meta point lookup cpu a call", "tool": "anant \(side)\(caller)", "op": op, "median_s": user + system,
                             "user_s": user, "system_s": system, "calls": keys.count])
            }
            return result
        }
        let wire = try await cpu("GetRecords", "") { try await client.onConnectionLoop(lookups) }
        let fromPool = try await cpu("GetRecords", " (caller on the shared pool)") { try await lookups() }
        // The same service's round trip with no store work (ListWorkers of an empty
        // registry): what a lookup costs above the wire itself.
        let floor = try await cpu("ListWorkers", "") {
            try await client.onConnectionLoop {
                try await Timing.latencies(count: max(1, keys.count - 1000)) { _ in
                    let _: Anant_V1_ListWorkersResponse = try await client.unary("anant.v1.Metadata/ListWorkers", Anant_V1_ListWorkersRequest())
                }
            }
        }
        Timing.emit(["bench": "meta point lookup p50 wire", "tool": "anant ListWorkers (the service's round trip)", "op": "ListWorkers",
                     "median_s": floor[floor.count / 2]])
        Timing.emit(["bench": "meta point lookup p50 wire", "tool": "anant", "op": "GetRecords", "median_s": wire[wire.count / 2]])
        Timing.emit(["bench": "meta point lookup p99 wire", "tool": "anant", "op": "GetRecords", "median_s": wire[wire.count * 99 / 100]])
        Timing.emit(["bench": "meta point lookup p50 wire", "tool": "anant (caller on the shared pool)", "op": "GetRecords",
                     "median_s": fromPool[fromPool.count / 2]])
        Timing.emit(["bench": "meta point lookup p99 wire", "tool": "anant (caller on the shared pool)", "op": "GetRecords",
                     "median_s": fromPool[fromPool.count * 99 / 100]])
        await client.close()
    }
}
