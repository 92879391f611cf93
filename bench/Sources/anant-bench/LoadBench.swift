import AnantClient
import AnantColumnar
import AnantOperations
import AnantProto
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Many clients at once against a local cluster (bench/run load; a short run in the test
/// command): `--clients` clients, each on its own connection, mix point lookups of entity
/// records, small queries and analytics for `--seconds`, as fast as they are answered.
/// Reports throughput and exact p50/p99/p999 latencies per kind and overall, the errors
/// (which must be none), and each service's RSS and open file descriptors after a warm-up
/// and after the run (which must not grow without bound). Exits 1 on an error or growth.
struct LoadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Load a local cluster with many concurrent clients.")

    @Option(help: "The anant binary (the services are beside it).") var anant: String
    @Option(help: "Scratch folder for the cluster.") var work: String
    @Option(help: "A small hypergraph (HIF, CSV or Parquet) for queries and analytics.") var small: String
    @Option(help: "Concurrent clients.") var clients = 64
    @Option(help: "Seconds of load, after the warm-up.") var seconds = 30.0
    @Option(help: "Seconds of warm-up (not recorded).") var warmup = 2.0
    @Option(help: "Entity records to look up.") var records = 10_000
    @Option(help: "Shares of the mix: lookups, queries, analytics.") var mix = "70,20,10"
    @Option(help: "Compute workers.") var compute = 2
    @Option(help: "Seed of the clients' choices.") var seed: UInt64 = 1

    enum Kind: String, CaseIterable { case lookup, query, analytics }

    /// What one client measured.
    struct Tally: Sendable {
        var latencies: [Kind: [Double]] = [:]
        var errors: [String: Int] = [:]
    }

    func validate() throws {
        guard (1...4096).contains(clients) else { throw ValidationError("--clients must be 1 to 4096") }
        guard seconds > 0, warmup >= 0 else { throw ValidationError("--seconds must be above 0 and --warmup not negative") }
        guard shares.count == 3, shares.allSatisfy({ $0 >= 0 }), shares.reduce(0, +) > 0 else { throw ValidationError("--mix is three shares, like 70,20,10") }
    }

    var shares: [Int] { mix.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() async throws {
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let cluster = try Cluster(anant: anant, dir: "\(work)/cluster", compute: compute, storage: 2, replicas: 2, threads: nil)
        defer { try? cluster.down() }
        let admin = try cluster.client()
        _ = try await admin.importDataset(small, as: "small")
        try await Self.loadRecords(admin, count: records)
        await admin.close()

        // One connection per client; the warm-up is run, not recorded.
        var connections = [AnantClient]()
        for _ in 0..<clients { connections.append(try cluster.client()) }
        _ = await drive(connections, for: warmup, record: false)
        let before = Self.usage(cluster.services)
        let started = Timing.now()
        let tallies = await drive(connections, for: seconds, record: true)
        let elapsed = Timing.now() - started
        // Like for like: the clients still connected, as after the warm-up.
        let after = Self.usage(cluster.services)
        for connection in connections { await connection.close() }

        var all = [Double](), errors = [String: Int]()
        var record: [String: Any] = ["bench": "load", "tool": "anant", "clients": clients, "seconds": elapsed, "mix": mix, "compute": compute]
        for kind in Kind.allCases {
            let latencies = tallies.flatMap { $0.latencies[kind] ?? [] }.sorted()
            all += latencies
            record[kind.rawValue] = Self.summary(latencies, elapsed)
        }
        for tally in tallies { errors.merge(tally.errors, uniquingKeysWith: +) }
        all.sort()
        record["all"] = Self.summary(all, elapsed)
        record["errors"] = errors
        var growth = [String]()
        var services = [[String: Any]]()
        for service in cluster.services {
            guard let b = before[service.name], let a = after[service.name] else { continue }
            services.append(["name": service.name, "rss_mb_before": b.rss, "rss_mb_after": a.rss, "fds_before": b.fds, "fds_after": a.fds])
            // Bounded: the descriptors the warmed-up service held with the same clients,
            // memory within half again plus 64 MB (caches fill during the run).
            if a.fds > b.fds + 8 { growth.append("\(service.name): \(b.fds) → \(a.fds) open descriptors") }
            if a.rss > b.rss * 1.5 + 64 { growth.append("\(service.name): RSS \(b.rss) → \(a.rss) MB") }
        }
        record["services"] = services
        record["growth"] = growth
        Timing.emit(record)
        let requests = all.count, total = errors.values.reduce(0, +)
        FileHandle.standardError.write(Data(String(format: "load: %d clients, %.1f s: %d requests (%.0f/s), p50 %.2f ms, p99 %.2f ms, p999 %.2f ms; %d errors%@\n",
                                                   clients, elapsed, requests, Double(requests) / elapsed, Self.percentile(all, 0.5) * 1e3,
                                                   Self.percentile(all, 0.99) * 1e3, Self.percentile(all, 0.999) * 1e3, total,
                                                   growth.isEmpty ? "" : "; grew: " + growth.joined(separator: ", ")).utf8))
        if total > 0 || !growth.isEmpty || requests == 0 { throw ExitCode(1) }
    }

    /// Every client runs the mix until the time is up; what each measured.
    func drive(_ connections: [AnantClient], for duration: Double, record: Bool) async -> [Tally] {
        let end = Timing.now() + duration
        let shares = self.shares, seed = self.seed, records = self.records
        return await withTaskGroup(of: Tally.self) { group in
            for (index, client) in connections.enumerated() {
                group.addTask {
                    var random = SplitMix(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
                    var tally = Tally()
                    while Timing.now() < end {
                        let pick = Int(random.next() % UInt64(shares.reduce(0, +)))
                        let kind: Kind = pick < shares[0] ? .lookup : pick < shares[0] + shares[1] ? .query : .analytics
                        let start = Timing.now()
                        do {
                            try await Self.request(kind, client, &random, records: records)
                            if record { tally.latencies[kind, default: []].append(Timing.now() - start) }
                        } catch {
                            if record { tally.errors["\(kind.rawValue): \((error as? Status)?.code.name ?? "\(error)")", default: 0] += 1 }
                        }
                    }
                    return tally
                }
            }
            var tallies = [Tally]()
            for await tally in group { tallies.append(tally) }
            return tallies
        }
    }

    /// One request of a kind: a point lookup of a random record; a small query (a filter,
    /// or the top edges by size); an analysis (degrees, s = 2 components, top betweenness).
    static func request(_ kind: Kind, _ client: AnantClient, _ random: inout SplitMix, records: Int) async throws {
        switch kind {
        case .lookup:
            var request = Anant_V1_GetRecordsRequest()
            request.kind = "person"
            request.keys = ["p\(random.next() % UInt64(records))"]
            let answer: Anant_V1_GetRecordsResponse = try await client.metadata("GetRecords", request)
            guard answer.records.count == 1 else { throw Status(.internal, "a lookup found \(answer.records.count) records") }
        case .query:
            let spec = random.next() % 2 == 0
                ? QuerySpec(table: .incidences, groupBy: ["edge"], aggregations: ["count(*) as n"], sort: ["n desc", "edge"], limit: 10)
                : QuerySpec(table: .nodes, limit: 25)
            var rows = 0
            for try await batch in try client.query(spec, on: "small") { rows += batch.rowCount }
            guard rows > 0 else { throw Status(.internal, "a query answered no rows") }
        case .analytics:
            let operation: AnantOperations.Operation
            switch random.next() % 3 {
            case 0: operation = .degree(s: 1, maxSize: nil, nodes: [])
            case 1: operation = .components(s: 2, of: .edges, singletons: false)
            default: operation = .centrality(measure: .betweenness, s: 1, of: .nodes, raw: false, normalized: true, withoutSingletons: false, top: 5)
            }
            _ = try await client.run(operation, on: "small")
        }
    }

    /// Registers the kind `person` and writes `count` records in batches of 1,000.
    static func loadRecords(_ client: AnantClient, count: Int) async throws {
        var schema = Anant_V1_RecordSchema()
        schema.kind = "person"
        schema.fields = [("name", Anant_V1_FieldType.string), ("score", .double), ("group", .int64)].map { name, type in
            var field = Anant_V1_SchemaField()
            field.name = name
            field.type = type
            return field
        }
        var register = Anant_V1_RegisterSchemaRequest()
        register.schema = schema
        let _: Anant_V1_RegisterSchemaResponse = try await client.metadata("RegisterSchema", register)
        for start in stride(from: 0, to: count, by: 1000) {
            var batch = Anant_V1_ApplyBatchRequest()
            batch.kind = "person"
            batch.changes = (start..<min(count, start + 1000)).map { k in
                var change = Anant_V1_RecordChange()
                change.key = "p\(k)"
                change.upsertJson = "{\"name\":\"person \(k)\",\"score\":\(Double(k % 997) / 7),\"group\":\(k % 50)}"
                return change
            }
            let _: Anant_V1_ApplyBatchResponse = try await client.metadata("ApplyBatch", batch)
        }
    }

    static func summary(_ sorted: [Double], _ elapsed: Double) -> [String: Any] {
        ["requests": sorted.count, "per_s": Double(sorted.count) / elapsed, "p50_ms": percentile(sorted, 0.5) * 1e3,
         "p99_ms": percentile(sorted, 0.99) * 1e3, "p999_ms": percentile(sorted, 0.999) * 1e3, "max_ms": (sorted.last ?? 0) * 1e3]
    }

    /// The exact quantile of sorted values (nearest rank).
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }

    /// Each service's resident memory (MB) and open file descriptors.
    static func usage(_ services: [Cluster.Service]) -> [String: (rss: Double, fds: Int)] {
        var out = [String: (rss: Double, fds: Int)]()
        for service in services {
            let status = (try? String(contentsOfFile: "/proc/\(service.pid)/status", encoding: .utf8)) ?? ""
            let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
                .flatMap { Double($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(service.pid)/fd").count) ?? -1
            out[service.name] = (rss / 1024, fds)
        }
        return out
    }
}

/// A small seeded generator (SplitMix64): each client's choices repeat run to run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
