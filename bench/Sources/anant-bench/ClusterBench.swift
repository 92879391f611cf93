import AnantClient
import AnantColumnar
import AnantDataset
import AnantOperations
import AnantProto
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The cluster against embedded Anant and Ray (bench/run cluster): `anant cluster up` to
/// all-ready; node degree over the big dataset through the gateway with 2 workers (cold:
/// the workers fetch and build; warm: cached) against embedded; the per-task overhead; the
/// peak RSS of every service; 1 against 2 one-thread workers on s-betweenness and on the
/// s = 2 line graph; and the gateway's own share of a job with 1 to 32 workers.
struct ClusterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cluster", abstract: "Time a local cluster.")

    @Option(help: "The release anant binary (the services are beside it).") var anant: String
    @Option(help: "Scratch folder for the clusters.") var work: String
    @Option(help: "The big incidence table (Parquet, columns edge and node) for node degree.") var incidences: String
    @Option(help: "The embedded dataset folder of the same table (made by anant import).") var dataset: String
    @Option(help: "An incidence table for s-betweenness (10,000 edges).") var betweenness: String
    @Option(help: "An incidence table for the s = 2 line graph (1,000,000 edges).") var lineGraph: String
    @Option(help: "A small hypergraph for the per-task overhead.") var small: String
    @Option(help: "An incidence table of 20,000 edges for s-betweenness with a worker killed (chaos).") var chaosGraph: String?
    @Option(help: "The embedded dataset folder of --chaos-graph.") var chaosDataset: String?
    @Option(help: "Worker counts of the scale simulation.") var scale = "1,2,4,8,16,32"
    @Option(help: "Jobs of the scale simulation (comma-separated: degree, betweenness).") var simulate = "degree,betweenness"
    @Option(help: "Skip these parts (comma-separated: up, degree, scaling, simulation, chaos).") var skip = ""
    @Option(help: "Jobs of the scaling part (comma-separated: betweenness, linegraph).") var scalingJobs = "betweenness,linegraph"
    @OptionGroup var timing: TimingOptions

    func validate() throws {
        guard Set(scalingJobs.split(separator: ",").map(String.init)).isSubset(of: ["betweenness", "linegraph"]) else {
            throw ValidationError("--scaling-jobs names betweenness and linegraph, not \(scalingJobs)")
        }
    }

    func run() async throws {
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let skipped = Set(skip.split(separator: ",").map(String.init))
        if !skipped.contains("up") { try clusterUp() }
        if !skipped.contains("degree") { try await degreeAndOverhead() }
        if !skipped.contains("scaling") { try await scaling() }
        if !skipped.contains("simulation") { try await simulation() }
        if !skipped.contains("chaos"), let chaosGraph, let chaosDataset { try await chaos(chaosGraph, chaosDataset) }
    }

    // MARK: Steps

    func clusterUp() throws {
        var times = [Double]()
        for k in 0..<max(1, timing.repeats) {
            let cluster = try Cluster(anant: anant, dir: "\(work)/up-\(k)", compute: 2, storage: 1, replicas: 1, threads: nil)
            times.append(cluster.upSeconds)
            try cluster.down()
        }
        times.sort()
        Timing.emit(["bench": "cluster", "tool": "anant", "op": "cluster_up", "median_s": times[times.count / 2], "min_s": times[0],
                     "times_s": times, "services": 4])
    }

    func degreeAndOverhead() async throws {
        let cluster = try Cluster(anant: anant, dir: "\(work)/degree", compute: 2, storage: 2, replicas: 2, threads: nil)
        defer { try? cluster.down() }
        let client = try cluster.client()
        let (importSeconds, version) = try await Self.time { try await client.importDataset(incidences, as: "big") }
        let rows = version.manifestJson.isEmpty ? 0 : ((try? DatasetManifest(json: try JSONParser.parse(version.manifestJson), source: "catalog"))?.incidenceCount ?? 0)
        Timing.emit(["bench": "cluster", "tool": "anant", "op": "import_gateway", "median_s": importSeconds, "rows": rows, "replicas": 2])

        let degree = AnantOperations.Operation.degree(s: 1, maxSize: nil, nodes: [])
        let (cold, first) = try await Self.time { try await client.run(degree, on: "big") }
        Timing.emit(["bench": "cluster", "tool": "anant", "op": "degree_gateway_cold", "median_s": cold, "rows": rows, "workers": 2,
                     "timings": Self.json(first.timings)])
        var warm = [Double](), last = first
        for _ in 0..<max(1, timing.repeats) {
            let (seconds, answer) = try await Self.time { try await client.run(degree, on: "big") }
            warm.append(seconds)
            last = answer
        }
        warm.sort()
        Timing.emit(["bench": "cluster", "tool": "anant", "op": "degree_gateway_warm", "median_s": warm[warm.count / 2], "min_s": warm[0],
                     "rows": rows, "workers": 2, "timings": Self.json(last.timings)])

        // Embedded, on the same data: from the dataset on disk, and on the hypergraph in memory.
        let opened = try Dataset.open(dataset)
        var embedded = [Double](), compute = [Double](), local = OperationResult()
        for _ in 0..<max(1, timing.repeats) {
            let (seconds, h) = try Timing.once { try opened.hypergraph(context: benchContext) }
            let (work, result) = try Timing.once { try LocalExecutor(context: benchContext).run(degree, on: h) }
            embedded.append(seconds + work)
            compute.append(work)
            local = result
        }
        embedded.sort()
        compute.sort()
        Timing.emit(["bench": "cluster", "tool": "anant", "op": "degree_embedded", "median_s": embedded[embedded.count / 2], "rows": rows])
        Timing.emit(["bench": "cluster", "tool": "anant", "op": "degree_embedded_in_memory", "median_s": compute[compute.count / 2], "rows": rows])
        Timing.emit(["bench": "cluster", "tool": "anant", "op": "degree_ratios", "cold_vs_embedded": cold / embedded[embedded.count / 2],
                     "warm_vs_embedded": warm[warm.count / 2] / embedded[embedded.count / 2],
                     "warm_vs_in_memory": warm[warm.count / 2] / compute[compute.count / 2],
                     "same_answer": local.table("degrees")?.rowCount == last.result.table("degrees")?.rowCount && local == last.result])

        // The per-task overhead: `info` on a small dataset, one request at a time (one
        // whole task through gateway and worker).
        _ = try await client.importDataset(small, as: "small")
        let info = AnantOperations.Operation.info(node: nil, edge: nil)
        _ = try await client.run(info, on: "small")
        var latencies = [Double](), fanOut = [Double]()
        for _ in 0..<300 {
            let (seconds, answer) = try await Self.time { try await client.run(info, on: "small") }
            latencies.append(seconds)
            fanOut.append(Double(answer.timings.fanOut) / 1e9)
        }
        latencies.sort()
        fanOut.sort()
        Timing.emit(["bench": "cluster", "tool": "anant", "op": "task_roundtrip", "median_s": latencies[latencies.count / 2],
                     "us_per_task": latencies[latencies.count / 2] * 1e6, "p99_us": latencies[latencies.count * 99 / 100] * 1e6,
                     "worker_roundtrip_us": fanOut[fanOut.count / 2] * 1e6])
        for service in cluster.services {
            Timing.emit(["bench": "cluster", "tool": "anant", "op": "peak_rss", "service": service.name, "peak_rss_mb": Self.peakRSS(service.pid)])
        }
        await client.close()
    }

    /// 1 against 2 one-thread workers. Both clusters are up at once, each idle but for
    /// the job of the moment, and their jobs alternate (1 worker then 2, then 2 then 1, ...): a
    /// drift in the machine's speed (a shared host's) falls on both alike instead of on
    /// whichever ran second.
    func scaling() async throws {
        var started = [Cluster](), clusters = [(workers: Int, client: AnantClient)]()
        defer { for cluster in started { try? cluster.down() } }
        for workers in [1, 2] {
            let cluster = try Cluster(anant: anant, dir: "\(work)/scaling-\(workers)", compute: workers, storage: 1, replicas: 1, threads: 1)
            started.append(cluster)
            let client = try cluster.client()
            clusters.append((workers, client))
            _ = try await client.importDataset(betweenness, as: "b")
            _ = try await client.importDataset(lineGraph, as: "l")
        }
        let jobs: [(String, String, AnantOperations.Operation)] = [
            ("betweenness_s1_e10000", "b", .centrality(measure: .betweenness, s: 1, of: .edges, raw: false, normalized: false, withoutSingletons: false, top: 10)),
            ("linegraph_s2_e1000000", "l", .lineGraph(s: 2, of: .edges)),
        ]
        let chosen = Set(scalingJobs.split(separator: ",").map(String.init))
        for (label, name, operation) in jobs where chosen.contains(String(label.prefix { $0 != "_" })) {
            var times = [Int: [Double]](), assemble = [Int: [Double]](), timings = [Int: Anant_V1_JobTimings]()
            for entry in clusters {
                _ = try await entry.client.run(.degree(s: 1, maxSize: nil, nodes: []), on: name)  // fetch and build on every worker
                _ = try await entry.client.run(operation, on: name)  // and warm the job's own path
            }
            for round in 0..<max(1, min(timing.repeats, 5)) {
                // Either cluster first, by turns: what a job leaves behind falls on both.
                for entry in round % 2 == 0 ? clusters : clusters.reversed() {
                    let (t, answer) = try await Self.time { try await entry.client.run(operation, on: name) }
                    times[entry.workers, default: []].append(t)
                    assemble[entry.workers, default: []].append(answer.assembleSeconds)
                    timings[entry.workers] = answer.timings
                }
            }
            var medians = [Int: Double]()
            for entry in clusters {
                let run = times[entry.workers]!, median = run.sorted()[run.count / 2]
                medians[entry.workers] = median
                Timing.emit(["bench": "cluster", "tool": "anant", "op": label, "workers": entry.workers, "threads_per_worker": 1,
                             "median_s": median, "times_s": run, "client_assemble_s": assemble[entry.workers]!,
                             "timings": Self.json(timings[entry.workers]!)])
            }
            // Also the ratio within each round (its two jobs run back to back).
            let rounds = zip(times[1]!, times[2]!).map { $0 / $1 }.sorted()
            Timing.emit(["bench": "cluster", "tool": "anant", "op": "\(label)_speedup", "speedup_2_vs_1": medians[1]! / medians[2]!,
                         "round_speedups": rounds, "alternated": true])
        }
        for entry in clusters { await entry.client.close() }
    }

    func simulation() async throws {
        let counts = scale.split(separator: ",").compactMap { Int($0) }.sorted()
        guard let largest = counts.last else { return }
        let cluster = try Cluster(anant: anant, dir: "\(work)/simulation", compute: 1, storage: 1, replicas: 1, threads: 1,
                                  cacheMiB: 4096)
        defer { try? cluster.down() }
        let client = try cluster.client()
        _ = try await client.importDataset(incidences, as: "big")
        _ = try await client.importDataset(betweenness, as: "b")
        var extra = [Process]()
        defer { for p in extra where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        var running = 1
        for count in counts where count <= largest {
            while running < count {
                extra.append(try cluster.addCompute(index: running + 1))
                running += 1
            }
            try await cluster.waitForWorkers(count, client: client)
            let jobs: [(String, String, AnantOperations.Operation)] = [
                ("degree_n10m", "big", .degree(s: 1, maxSize: nil, nodes: [])),
                ("betweenness_s1_e10000", "b", .centrality(measure: .betweenness, s: 1, of: .edges, raw: false, normalized: false, withoutSingletons: false, top: 10)),
            ]
            let chosen = Set(simulate.split(separator: ",").map(String.init))
            for (label, name, operation) in jobs where chosen.contains(String(label.prefix { $0 != "_" })) {
                _ = try await client.run(operation, on: name)  // every worker fetches and builds
                var answers = [AnantClient.Answer](), times = [Double]()
                for _ in 0..<max(1, min(timing.repeats, 3)) {
                    let (t, answer) = try await Self.time { try await client.run(operation, on: name) }
                    times.append(t)
                    answers.append(answer)
                }
                let median = answers.sorted { $0.timings.total < $1.timings.total }[answers.count / 2].timings
                // The gateway's coordination: everything but waiting on the workers and
                // moving the answer to the client (forwarding rows while tasks run,
                // encoding and sending after), which is reported beside it.
                let job = median.total + median.encode
                let delivery = median.forward + median.encode
                let own = Double(job - min(job, median.fanOut + delivery)) / Double(max(job, 1))
                Timing.emit(["bench": "cluster", "tool": "anant", "op": "simulation_\(label)", "workers": count, "tasks": Int(median.tasks),
                             "median_s": times.sorted()[times.count / 2], "gateway_share": own,
                             "answer_delivery_share": Double(delivery) / Double(max(job, 1)), "timings": Self.json(median)])
            }
        }
        for service in cluster.services {
            Timing.emit(["bench": "cluster", "tool": "anant", "op": "peak_rss_simulation", "service": service.name, "peak_rss_mb": Self.peakRSS(service.pid)])
        }
        await client.close()
    }

    /// Faults at full size: one of two compute workers (one thread each; storage R = 2)
    /// killed with SIGKILL in the middle of s-betweenness on a 20,000-edge hypergraph and
    /// of a group-by over the big incidence table. Each answer must equal the embedded
    /// one, and the job must have retried a task (the kill landed while it ran).
    func chaos(_ graph: String, _ graphDataset: String) async throws {
        var cluster = try Cluster(anant: anant, dir: "\(work)/chaos", compute: 2, storage: 2, replicas: 2, threads: 1)
        defer { try? cluster.down() }
        var extra = [Process]()
        defer { for p in extra where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let client = try cluster.client()
        _ = try await client.importDataset(graph, as: "c20k")
        _ = try await client.importDataset(incidences, as: "big")
        // Each kill waits until a worker has done this much CPU work on the job (in
        // seconds): well into the job, which takes about 90 s and 2 s.
        let jobs: [(String, String, String, AnantOperations.Operation, Double)] = [
            ("betweenness_e20000", "c20k", graphDataset,
             .centrality(measure: .betweenness, s: 1, of: .edges, raw: false, normalized: false, withoutSingletons: false, top: nil), 20),
            ("groupby_n10m", "big", dataset,
             .query(QuerySpec(groupBy: ["node"], aggregations: ["count(*) as n", "sum(edge) as s"], sort: ["s desc", "node"])), 0.3),
        ]
        for (k, (label, name, local, operation, busy)) in jobs.enumerated() {
            let (embeddedSeconds, expected) = try Timing.once { try LocalExecutor(context: benchContext).run(operation, on: try OperationInput(path: local)) }
            // Both workers fetch and build the version first, so that the kill lands in the work.
            _ = try await client.run(.degree(s: 1, maxSize: nil, nodes: []), on: name)
            let workers = cluster.services.filter { $0.name.hasPrefix("compute") }
            let start = Timing.now()
            async let running = client.run(operation, on: name)
            let victim = try await Self.busyWorker(workers, seconds: busy)
            kill(victim.pid, SIGKILL)
            let killedAfter = Timing.now() - start
            let answer = try await running
            let seconds = Timing.now() - start
            Timing.emit(["bench": "cluster", "tool": "anant", "op": "chaos_\(label)", "median_s": seconds, "embedded_s": embeddedSeconds,
                         "killed_after_s": killedAfter, "extra_attempts": Int(answer.timings.extraAttempts),
                         "kill_landed": answer.timings.extraAttempts > 0, "same_answer": answer.result == expected,
                         "rows": answer.result.tables.first?.table.rowCount ?? 0, "timings": Self.json(answer.timings)])
            if k + 1 < jobs.count {
                // A new worker in place of the lost one, and the lost one's lease expired.
                extra.append(try cluster.addCompute(index: 10 + k))
                cluster.services.removeAll { $0.pid == victim.pid }
                try await cluster.waitForWorkers(2, client: client, without: victim.rpc)
                let status = try await client.status()
                for w in status.workers where w.role == .compute && !cluster.services.contains(where: { $0.rpc == w.rpcAddress }) && w.rpcAddress != victim.rpc {
                    cluster.services.append(.init(name: "compute-extra", pid: extra.last!.processIdentifier, rpc: w.rpcAddress))
                }
            }
        }
        await client.close()
    }

    /// The first of `workers` to spend `seconds` of CPU time from now (on the job).
    static func busyWorker(_ workers: [Cluster.Service], seconds: Double, timeout: Double = 300) async throws -> Cluster.Service {
        let before = workers.map { cpuTicks($0.pid) }, ticks = max(2, Int(seconds * 100))  // USER_HZ
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            try await Task.sleep(nanoseconds: 20_000_000)
            let now = workers.map { cpuTicks($0.pid) }
            if let k = now.indices.first(where: { now[$0] >= before[$0] + ticks }) { return workers[k] }
        }
        throw ValidationError("no compute worker spent \(seconds) s of CPU time within \(timeout) s")
    }

    /// User plus system CPU ticks of a process.
    static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 12 ? (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0) : 0
    }

    // MARK: Helpers

    static func time<T>(_ work: () async throws -> T) async throws -> (Double, T) {
        let start = Timing.now()
        let result = try await work()
        return (Timing.now() - start, result)
    }

    static func json(_ t: Anant_V1_JobTimings) -> [String: Any] {
        ["total_ms": Double(t.total) / 1e6, "resolve_ms": Double(t.resolve) / 1e6, "plan_ms": Double(t.plan) / 1e6,
         "fan_out_ms": Double(t.fanOut) / 1e6, "merge_ms": Double(t.merge) / 1e6, "load_wait_ms": Double(t.loadWait) / 1e6,
         "encode_ms": Double(t.encode) / 1e6, "forward_ms": Double(t.forward) / 1e6, "extra_attempts": Int(t.extraAttempts),
         "tasks": Int(t.tasks), "workers": Int(t.workers)]
    }

    static func peakRSS(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0) / 1024
        }
        return 0
    }
}

/// A cluster started with `anant cluster up`.
struct Cluster {
    struct Service { var name: String; var pid: Int32; var rpc: String }

    let anant: String
    let dir: String
    let upSeconds: Double
    var services: [Service]
    let gateway: String
    let metadata: String
    let threads: Int?

    init(anant: String, dir: String, compute: Int, storage: Int, replicas: Int, threads: Int?, cacheMiB: Int? = nil) throws {
        self.anant = anant
        self.dir = dir
        self.threads = threads
        var arguments = ["cluster", "up", "--dir", dir, "--compute", String(compute), "--storage", String(storage), "--replicas", String(replicas)]
        if let threads { arguments += ["--threads", String(threads)] }
        let start = Timing.now()
        let status = try Self.run(anant, arguments)
        upSeconds = Timing.now() - start
        guard status == 0 else { throw ValidationError("cluster up failed in \(dir) (see \(dir)/logs)") }
        guard case .object(let o) = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/cluster.json")))),
              case .array(let list)? = o["services"], let gateway = o["gateway"]?.stringValue else { throw ValidationError("no cluster.json") }
        var found = [Service]()
        for case .object(let s) in list {
            guard case .int(let pid)? = s["pid"], let name = s["name"]?.stringValue, let rpc = s["rpc"]?.stringValue else { continue }
            found.append(Service(name: name, pid: Int32(pid), rpc: rpc))
        }
        services = found
        self.gateway = gateway
        metadata = services.first { $0.name == "metadata" }?.rpc ?? ""
        _ = cacheMiB
    }

    static func run(_ binary: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.standardError
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func client() throws -> AnantClient {
        let token = ((try? String(contentsOfFile: "\(dir)/admin.token", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return try AnantClient(address: gateway, token: token, maximumFrameBytes: 1 << 30)
    }

    /// Starts one more compute worker (a child of this process).
    func addCompute(index: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: (anant as NSString).deletingLastPathComponent + "/anant-compute")
        process.arguments = ["--metadata", metadata, "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--token-file", "\(dir)/cluster.token",
                             "--cache-dir", "\(dir)/compute-extra-\(index)", "--max-frame-mb", "1024"] + (threads.map { ["--threads", String($0)] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return process
    }

    /// Waits until `count` compute workers are live (and the one at `without` is not).
    func waitForWorkers(_ count: Int, client: AnantClient, without lost: String? = nil) async throws {
        let end = Date().addingTimeInterval(60)
        while Date() < end {
            let status = try await client.status()
            let now = UInt64(Date().timeIntervalSince1970 * 1e9)
            let live = status.workers.filter { $0.role == .compute && $0.leaseExpiresUnixNanos > now }
            if live.count >= count, !live.contains(where: { $0.rpcAddress == lost }) { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw ValidationError("\(count) compute workers were not live within 60 s")
    }

    func down() throws {
        _ = try Self.run(anant, ["cluster", "down", "--dir", dir])
    }
}
