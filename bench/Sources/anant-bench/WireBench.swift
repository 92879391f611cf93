import AnantColumnar
import AnantParquet
import AnantProto
import AnantQuery
import AnantWire
import ArgumentParser
import Foundation

/// The wire against its floor: a real `anant-storage` (release) started on 127.0.0.1,
/// then small-request round trips on one connection (p50, p99), pipelined requests per
/// second on one connection, PutShard and GetShard throughput of the incidence table as
/// one shard, and a selective Scan through the service against the same read done locally.
struct WireBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wire", abstract: "Time the wire and the storage service.")

    @Option(help: "The anant-storage binary (release).") var storage: String
    @Option(help: "The incidence table (Parquet) stored as one shard.") var incidences: String
    @Option(help: "Sequential round trips timed.") var requests = 20_000
    @Option(help: "Pipelined requests timed.") var pipelined = 100_000
    @Option(help: "Requests in flight at once when pipelined (the server allows 64 per connection).") var window = 64
    @Option(help: "The scan's predicate (selective).") var predicate = "edge_id < 10000 and weight > 0.5"
    @OptionGroup var timing: TimingOptions

    /// `requests` Stat round trips on `client`'s connection, one at a time, from its event
    /// loop or from the shared pool: their p50 and p99 emitted as `tool`'s.
    private func roundTrips(_ client: RPCClient, onLoop: Bool, tool: String, caller: String) async throws {
        let requests = requests
        let calls = { @Sendable in
            try await Timing.latencies(count: requests) { _ in
                let _: Anant_V1_StatResponse = try await client.unary("anant.v1.Storage/Stat", Anant_V1_StatRequest())
            }
        }
        let latencies = onLoop ? try await client.onConnectionLoop(calls) : try await calls()
        for (bench, rank) in [("wire round trip p50", latencies.count / 2), ("wire round trip p99", latencies.count * 99 / 100)] {
            Timing.emit(["bench": bench, "tool": tool, "op": "Stat", "caller": caller, "median_s": latencies[rank], "requests": requests])
        }
    }

    func run() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("anant-wire-bench-\(getpid())").path
        try? FileManager.default.removeItem(atPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let service = try StartedService(binary: storage, arguments: ["--root", root, "--log-level", "warning"])
        defer { service.stop() }
        let client = RPCClient(host: "127.0.0.1", port: service.port)
        let stat = Anant_V1_StatRequest()

        // Round trips: one Stat at a time on one connection, from a task of the shared
        // pool and from a task on the connection's event loop (two thread crossings fewer).
        try await roundTrips(client, onLoop: false, tool: "anant (caller on the shared pool)", caller: "pool")
        try await roundTrips(client, onLoop: true, tool: "anant", caller: "connection loop")

        // The round trips from the connection's loop again, with busy polling off on both
        // sides (a service of its own, `--busy-poll-us 0`): what the wake-ups cost.
        do {
            let quietRoot = root + "-unpolled"
            let quiet = try StartedService(binary: storage, arguments: ["--root", quietRoot, "--log-level", "warning", "--busy-poll-us", "0"])
            defer {
                quiet.stop()
                try? FileManager.default.removeItem(atPath: quietRoot)
            }
            var configuration = RPCClientConfiguration()
            configuration.busyPoll = .zero
            let unpolled = RPCClient(host: "127.0.0.1", port: quiet.port, configuration: configuration)
            try await roundTrips(unpolled, onLoop: true, tool: "anant (no busy polling)", caller: "connection loop")
            await unpolled.close()
        }

        // Pipelined: `window` calls in flight on the one connection.
        let pipelineStats = try await measureAsync {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<pipelined {
                    if i >= window { try await group.next() }
                    group.addTask { let _: Anant_V1_StatResponse = try await client.unary("anant.v1.Storage/Stat", stat) }
                }
                try await group.waitForAll()
            }
        }
        let perRequest = (pipelineStats["median_s"] as! Double) / Double(pipelined)
        Timing.emit(["bench": "wire pipelined per request", "tool": "anant", "op": "Stat", "median_s": perRequest,
                     "requests_per_s": 1 / perRequest, "window": window])

        // PutShard and GetShard of the whole table as one shard.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: incidences)))
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update($0) }
        var descriptor = Anant_V1_ShardDescriptor()
        descriptor.dataset = "bench"
        descriptor.version = 1
        descriptor.table = .incidences
        descriptor.bytes = UInt64(bytes.count)
        descriptor.sha256 = hasher.hexDigest()
        let mb = Double(bytes.count) / 1e6
        var stored = descriptor
        let (putSeconds, _) = try await onceAsync {
            var header = Anant_V1_PutShardRequest()
            header.header.shard = descriptor
            let answer = try await client.clientStream("anant.v1.Storage/PutShard", try header.wireBytes()) { upload in
                var offset = 0
                while offset < bytes.count {
                    var item = Anant_V1_PutShardRequest()
                    item.chunk = Data(bytes[offset..<min(bytes.count, offset + (1 << 20))])
                    try await upload.send(item)
                    offset += 1 << 20
                }
            }
            stored = try Anant_V1_PutShardResponse(wire: answer).shard
        }
        Timing.emit(["bench": "wire put shard", "tool": "anant", "op": "PutShard", "median_s": putSeconds, "mb": mb, "mb_per_s": mb / putSeconds])
        var get = Anant_V1_GetShardRequest()
        get.shard = stored
        let getStats = try await measureAsync {
            var total = 0
            for try await payload in try await client.serverStream("anant.v1.Storage/GetShard", try get.wireBytes()) {
                total += try Anant_V1_GetShardResponse(wire: payload).chunk.count
            }
            guard total == bytes.count else { throw ValidationError("GetShard returned \(total) bytes, not \(bytes.count)") }
        }
        let getSeconds = getStats["median_s"] as! Double
        Timing.emit(["bench": "wire get shard", "tool": "anant", "op": "GetShard", "median_s": getSeconds, "mb": mb,
                     "mb_per_s": mb / getSeconds].merging(getStats) { a, _ in a })
        // The same bytes read from the file, in the same chunks: the local floor.
        let localRead = try timing.measure {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: incidences))
            defer { try? handle.close() }
            var total = 0
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { total += chunk.count }
            guard total == bytes.count else { throw ValidationError("short read") }
        }
        Timing.emit(["bench": "wire get shard", "tool": "local file read", "op": "read", "mb": mb].merging(localRead) { a, _ in a })

        // A selective scan through the service against the same query run locally.
        var scan = Anant_V1_ScanRequest()
        scan.shards = [stored]
        scan.predicate = predicate
        var remoteRows = 0
        let scanStats = try await measureAsync {
            var rows = 0
            for try await payload in try await client.serverStream("anant.v1.Storage/Scan", try scan.wireBytes()) {
                rows += try ArrowIPC.read(Array(try Anant_V1_ScanResponse(wire: payload).batch.arrowIpc)).batches.reduce(0) { $0 + $1.rowCount }
            }
            remoteRows = rows
        }
        Timing.emit(["bench": "wire scan", "tool": "anant", "op": "Scan", "predicate": predicate, "result_rows": remoteRows]
            .merging(scanStats) { a, _ in a })
        let filter = try Expr.parse(predicate)
        var localRows = 0
        let localStats = try timing.measure {
            localRows = try LazyFrame.scan(.parquet([incidences])).filter(filter).collect().rowCount
        }
        guard localRows == remoteRows else { throw ValidationError("the scan returned \(remoteRows) rows, locally \(localRows)") }
        Timing.emit(["bench": "wire scan", "tool": "anant local", "op": "LazyFrame", "predicate": predicate, "result_rows": localRows]
            .merging(localStats) { a, _ in a })
        await client.close()
    }

    func onceAsync<T>(_ work: () async throws -> T) async rethrows -> (Double, T) {
        let start = Timing.now()
        let result = try await work()
        return (Timing.now() - start, result)
    }

    func measureAsync(_ work: () async throws -> Void) async rethrows -> [String: Any] {
        for _ in 0..<timing.warmup { try await work() }
        var times = [Double]()
        for _ in 0..<max(1, timing.repeats) { times.append(try await onceAsync(work).0) }
        times.sort()
        return ["median_s": times[times.count / 2], "min_s": times[0], "times_s": times]
    }
}

/// A service process started for a benchmark: its RPC port from the ready line; stopped
/// with SIGTERM.
struct StartedService {
    let process: Process
    let port: Int

    init(binary: String, arguments: [String]) throws {
        let out = Pipe()
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + ["--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"]
        process.standardOutput = out
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let more = out.fileHandleForReading.availableData
            guard !more.isEmpty else { throw ValidationError("\(binary) exited before its ready line") }
            line.append(more)
        }
        guard let object = try JSONSerialization.jsonObject(with: line.prefix { $0 != 0x0A }) as? [String: Any],
              let rpc = object["rpc"] as? String, let port = Int(rpc.split(separator: ":").last ?? "")
        else { throw ValidationError("not a ready line: \(String(decoding: line, as: UTF8.self))") }
        self.port = port
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
