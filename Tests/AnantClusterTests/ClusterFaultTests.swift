import AnantClient
import AnantColumnar
import AnantOperations
import AnantProto
import AnantTestSupport
import AnantWire
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What the cluster promises under faults and hostile clients: lost workers and replicas,
/// deadlines, a restarted gateway, interrupted uploads, missing and wrong tokens.
@Suite(.serialized)
struct ClusterFaultTests {
    /// A 3,000-edge hypergraph (12,000 incidences) whose s-betweenness takes seconds on
    /// one-thread workers of a debug build: long enough to kill a worker in the middle.
    static func fixture(_ folder: String) throws -> String {
        let path = "\(folder)/g3k.csv"
        try ClusterEquivalenceTests.incidences(edges: 3_000, nodes: 1_500, size: 4, seed: 5).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The fixture imported as dataset `g3k` both in `folder` (embedded) and into `cluster`.
    static func imported(_ folder: String, _ cluster: LocalCluster) throws -> String {
        let file = try fixture(folder)
        #expect(try TestData.anant(["import", file, "g3k"], directory: folder).status == 0)
        #expect(try cluster.anant(["import", file, "g3k"]).status == 0)
        return file
    }

    /// Runs `anant ARGS` in the background; its outcome once it exits.
    final class Background: @unchecked Sendable {
        let process = Process()
        let out: String, err: String

        init(_ arguments: [String], directory: String) throws {
            out = "\(directory)/bg-\(UUID().uuidString).out"
            err = out + ".err"
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            _ = FileManager.default.createFile(atPath: err, contents: nil)
            process.executableURL = URL(fileURLWithPath: TestData.anantBinary)
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = FileHandle(forWritingAtPath: out)
            process.standardError = FileHandle(forWritingAtPath: err)
            try process.run()
        }

        func wait(timeout: Double) throws -> (status: Int32, stdout: Data, stderr: String) {
            let end = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < end { usleep(20_000) }
            if process.isRunning { process.terminate(); throw LocalCluster.Failure(description: "anant \(process.arguments!.joined(separator: " ")) timed out") }
            return (process.terminationStatus, FileManager.default.contents(atPath: out) ?? Data(),
                    (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
        }
    }

    /// The first compute worker whose CPU time grows (it started on the job), within `timeout`.
    static func busyWorker(_ cluster: LocalCluster, timeout: Double = 30) throws -> (pid: Int32, rpc: String, name: String) {
        let workers = cluster.services("compute")
        var before = workers.map { LocalCluster.cpuTicks($0.pid) }
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            usleep(50_000)
            let now = workers.map { LocalCluster.cpuTicks($0.pid) }
            if let k = now.indices.first(where: { now[$0] > before[$0] + 2 }) { return workers[k] }
            before = now
        }
        throw LocalCluster.Failure(description: "no compute worker started working within \(timeout) s")
    }

    @Test func aJobSurvivesALostComputeWorkerAndALostStorageReplica() throws {
        let cluster = try LocalCluster()
        defer { cluster.kill() }
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try Self.imported(folder, cluster)

        // s-betweenness, one worker killed in the middle: the other one takes its task over.
        let betweenness = ["centrality", "g3k", "--measure", "betweenness", "--s", "1", "--format", "json"]
        let embedded = try TestData.anant(betweenness, timeout: 600, directory: folder)
        #expect(embedded.status == 0)
        let job = try Background(betweenness + ["--cluster", cluster.dir], directory: folder)
        let victim = try Self.busyWorker(cluster)
        #expect(kill(victim.pid, SIGKILL) == 0)
        let answer = try job.wait(timeout: 600)
        #expect(answer.status == 0, "\(answer.stderr)")
        #expect(answer.stdout == embedded.stdout, "the answer after a lost worker differs from the embedded one")

        // With one worker left, the cluster still answers.
        let query = ["query", "g3k", "--group-by", "node", "--agg", "count(*) as n, sum(edge) as s", "--sort", "n desc, node", "--format", "json"]
        let expected = try TestData.anant(query, directory: folder)
        let grouped = try cluster.anant(query, directory: folder)
        #expect(grouped.status == 0 && grouped.stdout == expected.stdout, "\(grouped.stderrText)")

        // A storage replica lost (R = 2): a version no worker has fetched yet is read from
        // the other replica.
        #expect(try cluster.anant(["import", file, "fresh"]).status == 0)
        let storage = cluster.services("storage")
        #expect(kill(storage[0].pid, SIGKILL) == 0)
        let degrees = try cluster.anant(["degree", "fresh", "--format", "json"])
        let local = try TestData.anant(["degree", file, "--format", "json"])
        #expect(degrees.status == 0 && degrees.stdout == local.stdout, "\(degrees.stderrText)")
    }

    @Test func aGroupByLosesItsWorkerMidQuery() throws {
        let cluster = try LocalCluster()
        defer { cluster.kill() }
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = "\(folder)/large.csv"
        try ClusterEquivalenceTests.incidences(edges: 120_000, nodes: 60_000, size: 5, seed: 9).write(to: URL(fileURLWithPath: file))
        #expect(try TestData.anant(["import", file, "large"], directory: folder).status == 0)
        #expect(try cluster.anant(["import", file, "large"]).status == 0)
        let query = ["query", "large", "--group-by", "node", "--agg", "count(*) as n, sum(edge) as s", "--sort", "s desc, node", "--limit", "50", "--format", "json"]
        let expected = try TestData.anant(query, directory: folder)
        let job = try Background(query + ["--cluster", cluster.dir], directory: folder)
        let victim = try Self.busyWorker(cluster)
        kill(victim.pid, SIGKILL)
        let answer = try job.wait(timeout: 300)
        #expect(answer.status == 0 && answer.stdout == expected.stdout, "\(answer.stderr)")
    }

    /// An answer larger than the gateway's budget per request stops its job with
    /// RESOURCE_EXHAUSTED (the workers' tasks cancelled), and the gateway goes on serving:
    /// a smaller answer, then the same large one on a cluster without the budget.
    @Test func anAnswerOverTheRequestBudgetIsRefusedAndTheGatewayGoesOn() throws {
        let cluster = try LocalCluster(flags: ["--request-memory-mb", "1"])
        defer { cluster.kill() }
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try Self.imported(folder, cluster)
        let lineGraph = ["line-graph", "g3k", "--s", "1", "--format", "csv"]
        let embedded = try TestData.anant(lineGraph, directory: folder)
        // Over 50,000 pairs: more than 1.1 MiB of 64-bit columns (source, target, overlap).
        #expect(embedded.status == 0 && embedded.stdout.filter { $0 == 10 }.count > 50_000, "the fixture's line graph should be over the 1 MiB budget")
        let refused = try cluster.anant(lineGraph)
        #expect(refused.status != 0)
        #expect(refused.stderrText.contains("memory budget of 1.0 MiB"), "\(refused.stderrText)")
        let degree = ["degree", "g3k", "--format", "json"]
        let small = try cluster.anant(degree), expected = try TestData.anant(degree, directory: folder)
        #expect(small.status == 0 && small.stdout == expected.stdout, "\(small.stderrText)")
        try cluster.down()

        let unbounded = try LocalCluster()
        defer { unbounded.kill() }
        #expect(try unbounded.anant(["import", file, "g3k"]).status == 0)
        let whole = try unbounded.anant(lineGraph)
        #expect(whole.status == 0 && whole.stdout == embedded.stdout, "\(whole.stderrText)")
        try unbounded.down()
    }

    @Test func anExpiredDeadlineStopsTheWorkers() throws {
        let cluster = try LocalCluster()
        defer { cluster.kill() }
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try cluster.anant(["import", try Self.fixture(folder), "g3k"]).status == 0)
        // Warm the workers (fetch and build), so the deadline falls in the analysis.
        #expect(try cluster.anant(["degree", "g3k"]).status == 0)
        let late = try cluster.anant(["centrality", "g3k", "--measure", "betweenness", "--s", "1", "--timeout", "1"])
        #expect(late.status != 0)
        #expect(late.stderrText.lowercased().contains("deadline") || late.stderrText.contains("timed out") || late.stderrText.contains("time limit"),
                "\(late.stderrText)")
        // The workers go idle: their CPU time stops growing.
        let workers = cluster.services("compute")
        let end = Date().addingTimeInterval(15)
        var idle = false
        while Date() < end && !idle {
            let before = workers.map { LocalCluster.cpuTicks($0.pid) }
            usleep(500_000)
            let after = workers.map { LocalCluster.cpuTicks($0.pid) }
            idle = zip(before, after).allSatisfy { $1 - $0 <= 3 }
        }
        #expect(idle, "the compute workers kept working after the deadline")
        try cluster.down()
    }

    @Test func aRestartedGatewayIsRetriedByTheClient() async throws {
        let cluster = try LocalCluster(compute: 1, storage: 1, replicas: 1)
        defer { cluster.kill() }
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try Self.fixture(folder)
        let client = try cluster.client(retrySeconds: 60)
        _ = try await client.importDataset(file, as: "g3k")
        let before = try await client.run(.degree(s: 1, maxSize: nil, nodes: []), on: "g3k").result

        let gateway = cluster.services("gateway")[0]
        kill(gateway.pid, SIGKILL)
        let metadata = cluster.services("metadata")[0]
        // The call starts while the gateway is down and succeeds once it is back.
        async let after = client.run(.degree(s: 1, maxSize: nil, nodes: []), on: "g3k")
        let restarted = try ServiceProcess(ServiceProcess.binary("anant-gateway"), [
            "--metadata", metadata.rpc, "--tokens", "\(cluster.dir)/tokens", "--token-file", "\(cluster.dir)/cluster.token",
            "--scratch", "\(folder)/gateway",
        ], listen: Int(gateway.rpc.split(separator: ":").last!)!)
        defer { _ = try? restarted.stop() }
        #expect(try await after.result == before)
        await client.close()
    }

    @Test func anInterruptedUploadLeavesNoVersionAndNoShard() async throws {
        let cluster = try LocalCluster()
        defer { cluster.kill() }
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = "\(folder)/upload.csv"
        try ClusterEquivalenceTests.incidences(edges: 40_000, nodes: 20_000, size: 5, seed: 3).write(to: URL(fileURLWithPath: file))
        let client = try cluster.client()
        var generator = SystemRandomNumberGenerator()
        var published = 0
        for round in 0..<6 {
            let delay = UInt64.random(in: 1_000_000...1_500_000_000, using: &generator)
            let upload = Task { try await client.importDataset(file, as: "upload", shards: 3) }
            try? await Task.sleep(nanoseconds: delay)
            upload.cancel()
            if case .success = await upload.result { published += 1 }
            _ = round
        }
        // Whatever got through is a whole version (an upload cancelled after the gateway
        // published it is one too: the cancel came after the commit). After the gateway's
        // next cleanups nothing else is left: no pending version, no shard of another version.
        var configuration = RPCClientConfiguration()
        configuration.token = cluster.clusterToken
        let storage = try cluster.services("storage").map { try RPCClient(address: $0.rpc, configuration: configuration) }
        var state = ""
        let end = Date().addingTimeInterval(60)
        var settled = false
        while !settled && Date() < end {
            // (NOT_FOUND until an upload created the dataset.)
            let versions = (try? await client.versions("upload").versions) ?? []
            var shards = [UInt64: Int]()
            for rpc in storage {
                var request = Anant_V1_ListShardsRequest()
                request.dataset = "upload"
                let listed: Anant_V1_ListShardsResponse = try await rpc.unary("anant.v1.Storage/ListShards", request, timeout: 10)
                for shard in listed.shards { shards[shard.version, default: 0] += 1 }
            }
            let published = Set(versions.filter { $0.state == .published }.map(\.dataset.version))
            state = "catalog: \(versions.map { "v\($0.dataset.version) \($0.state)" }); storage shards by version: \(shards)"
            // Three shards per table, three tables, two replicas per published version.
            settled = published.count == versions.count && Set(shards.keys) == published && shards.values.allSatisfy { $0 == 18 }
            if !settled { try await Task.sleep(nanoseconds: 200_000_000) }
        }
        #expect(settled, "\(state)")
        let kept = (try? await client.versions("upload").versions.count) ?? 0
        #expect(kept >= published)
        for rpc in storage { await rpc.close() }
        await client.close()
    }

    @Test func tokensAndRolesAreEnforced() async throws {
        let cluster = try LocalCluster(compute: 1, storage: 1, replicas: 1)
        defer { cluster.kill() }
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try Self.fixture(folder)

        func code(_ body: () async throws -> Void) async -> StatusCode? {
            do { try await body(); return nil } catch { return (error as? Status)?.code }
        }
        let anonymous = try cluster.client(token: "", retrySeconds: 0)
        #expect(await code { _ = try await anonymous.datasets() } == .unauthenticated)
        let stranger = try cluster.client(token: "not-a-token-of-this-cluster", retrySeconds: 0)
        #expect(await code { _ = try await stranger.run(.info(node: nil, edge: nil), on: "g3k") } == .unauthenticated)
        let reader = try cluster.client(token: cluster.readerToken, retrySeconds: 0)
        #expect(await code { _ = try await reader.importDataset(file, as: "g3k") } == .permissionDenied)
        let admin = try cluster.client()
        _ = try await admin.importDataset(file, as: "g3k")
        #expect(await code { _ = try await reader.run(.info(node: nil, edge: nil), on: "g3k") } == nil)
        #expect(await code { _ = try await reader.remove("g3k") } == .permissionDenied)
        #expect(await code { _ = try await admin.run(.info(node: nil, edge: nil), on: "no-such-dataset") } == .notFound)
        #expect(await code { _ = try await admin.run(.degree(s: 0, maxSize: nil, nodes: []), on: "g3k") } == .invalidArgument)

        // The worker ports take the cluster token only.
        var configuration = RPCClientConfiguration()
        configuration.token = cluster.adminToken
        for (service, method) in [("compute", "anant.v1.Compute/RunTask"), ("storage", "anant.v1.Storage/Stat"), ("metadata", "anant.v1.Metadata/ListDatasets")] {
            let rpc = try RPCClient(address: cluster.services(service)[0].rpc, configuration: configuration)
            #expect(await code { _ = try await rpc.unary(method, [], timeout: 5) } == .unauthenticated, "\(service) took a client token")
            await rpc.close()
        }
        // The CLI without a token, and with a wrong one.
        let none = try TestData.anant(["info", "g3k", "--gateway", cluster.gateway])
        #expect(none.status != 0 && none.stderrText.contains("no client token"))
        try Data("wrong-token-wrong-token\n".utf8).write(to: URL(fileURLWithPath: "\(folder)/wrong.token"))
        let wrong = try TestData.anant(["info", "g3k", "--gateway", cluster.gateway, "--token-file", "\(folder)/wrong.token"])
        #expect(wrong.status != 0 && wrong.stderrText.contains("UNAUTHENTICATED"))
        for c in [anonymous, stranger, reader, admin] { await c.close() }
        try cluster.down()
    }
}
