import AnantColumnar
import AnantParquet
import AnantProto
import AnantQuery
import AnantTestSupport
import AnantWire
import Foundation
import Testing

/// A real `anant-storage` process on 127.0.0.1 (port 0), driven by the wire client.
@Suite(.serialized) struct StorageServiceTests {
    static let binary = ServiceProcess.binary("anant-storage")

    /// Runs `body` against a fresh service on a fresh root; then the service must stop
    /// with exit status 0 on SIGTERM.
    static func withStorage(_ body: (URL, ServiceProcess, RPCClient) async throws -> Void) async throws {
        let root = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let (service, client) = try start(root: root)
        try await body(root, service, client)
        await client.close()
        #expect(try service.stop() == 0)
    }

    static func start(root: URL, _ extra: [String] = []) throws -> (ServiceProcess, RPCClient) {
        let service = try ServiceProcess(binary, ["--root", root.path] + extra)
        return (service, RPCClient(host: "127.0.0.1", port: service.rpcPort))
    }

    @Test func putGetScanListDeleteRoundTrip() async throws {
        try await Self.withStorage { root, service, client in
            let shards = try (0..<3).map { try Shards.parquet(rows: 30_000 + 5_000 * $0, seed: UInt64($0)) }
            var stored = [Anant_V1_ShardDescriptor]()
            for (i, bytes) in shards.enumerated() {
                let answer = try await Shards.put(client, Shards.descriptor("papers", shard: UInt32(i), bytes: bytes), bytes)
                #expect(!answer.alreadyPresent && answer.shard.rows == UInt64(30_000 + 5_000 * i) && answer.shard.path == "incidences/part-0000\(i).parquet")
                stored.append(answer.shard)
            }
            // A put again is idempotent.
            #expect(try await Shards.put(client, stored[0], shards[0]).alreadyPresent)
            // Get: whole, and ranges (the first byte, a middle range, the last byte).
            let (whole, first) = try await Shards.get(client, stored[1])
            #expect(whole == shards[1] && first == stored[1])
            #expect(try await Shards.get(client, stored[1], offset: 0, length: 1).0 == Array(shards[1][0..<1]))
            #expect(try await Shards.get(client, stored[1], offset: 1000, length: UInt64(shards[1].count / 2)).0
                == Array(shards[1][1000..<1000 + shards[1].count / 2]))
            let tail = try await Shards.get(client, stored[1], offset: UInt64(shards[1].count - 1), length: 1).0
            #expect(tail == [shards[1].last!])
            let past = await #expect(throws: Status.self) { try await Shards.get(client, stored[1], offset: UInt64(shards[1].count + 1)) }
            #expect(past?.code == .outOfRange)
            // List and stat.
            var list = Anant_V1_ListShardsRequest()
            list.dataset = "papers"
            let listed: Anant_V1_ListShardsResponse = try await client.unary("anant.v1.Storage/ListShards", list)
            #expect(listed.shards == stored)
            let stat: Anant_V1_StatResponse = try await client.unary("anant.v1.Storage/Stat", Anant_V1_StatRequest())
            #expect(stat.shardCount == 3 && stat.bytesUsed == UInt64(shards.reduce(0) { $0 + $1.count }) && stat.bytesFree > 0)
            // Scans equal AnantQuery run locally on the same files.
            let folder = try TestData.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let paths = try shards.enumerated().map { i, bytes in
                let path = folder.appendingPathComponent("\(i).parquet").path
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                return path
            }
            for (predicate, columns, limit) in [("weight > 0.9 and tag != 't3'", ["edge", "weight", "tag"], nil), ("node < 40", [], UInt64(7)),
                                                ("", ["tag"], UInt64(40_000)), ("weight > 2", ["node"], nil)] as [(String, [String], UInt64?)] {
                let remote = try await Shards.scan(client, stored, columns: columns, predicate: predicate, limit: limit)
                var local = LazyFrame.scan(.parquet(paths))
                if !predicate.isEmpty { local = local.filter(try Expr.parse(predicate)) }
                if !columns.isEmpty { local = local.select(columns) }
                if let limit { local = local.limit(Int(limit)) }
                let expected = try local.collect()
                #expect(remote == expected, "scan \(predicate) \(columns) \(String(describing: limit))")
            }
            // Health, readiness and metrics on the HTTP port.
            #expect(try service.httpGet("/healthz").status == 200)
            #expect(try service.httpGet("/readyz").status == 200)
            #expect(try service.httpGet("/nope").status == 404)
            let metrics = try service.httpGet("/metrics").body
            for line in ["anant_rpc_requests_total{method=\"anant.v1.Storage/PutShard\",code=\"OK\"} 4",
                         "anant_rpc_errors_total{method=\"anant.v1.Storage/GetShard\",code=\"OUT_OF_RANGE\"} 1",
                         "anant_rpc_connections 1", "anant_rpc_in_flight 0"] {
                #expect(metrics.contains(line), "\(line) not in /metrics:\n\(metrics.prefix(3000))")
            }
            #expect(metrics.contains("anant_rpc_duration_seconds_bucket{method=\"anant.v1.Storage/Scan\""))
            // Delete the version: the shards are gone.
            var delete = Anant_V1_DeleteVersionRequest()
            delete.dataset = "papers"
            delete.version = 1
            let deleted: Anant_V1_DeleteVersionResponse = try await client.unary("anant.v1.Storage/DeleteVersion", delete)
            #expect(deleted.shardsDeleted == 3 && deleted.bytesFreed == stat.bytesUsed)
            let gone = await #expect(throws: Status.self) { try await Shards.get(client, stored[0]) }
            #expect(gone?.code == .notFound)
            let empty: Anant_V1_ListShardsResponse = try await client.unary("anant.v1.Storage/ListShards", list)
            #expect(empty.shards.isEmpty)
            let after: Anant_V1_StatResponse = try await client.unary("anant.v1.Storage/Stat", Anant_V1_StatRequest())
            #expect(after.shardCount == 0 && after.bytesUsed == 0)
        }
    }

    @Test func concurrentPutsOfOneShardStoreItOnce() async throws {
        try await Self.withStorage { root, service, client in
            let bytes = try Shards.parquet(rows: 40_000, seed: 9)
            let descriptor = Shards.descriptor("same", bytes: bytes)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 { group.addTask { try await Shards.put(client, descriptor, bytes, chunk: 64 << 10).alreadyPresent } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { !$0 }.count == 1 && outcomes.count == 6)
            // Counted once.
            let stat: Anant_V1_StatResponse = try await client.unary("anant.v1.Storage/Stat", Anant_V1_StatRequest())
            #expect(stat.shardCount == 1 && stat.bytesUsed == UInt64(bytes.count))
            // Other bytes under the same name: ALREADY_EXISTS.
            let other = try Shards.parquet(rows: 100, seed: 10)
            var clash = Shards.descriptor("same", bytes: other)
            clash.shard = 0
            let refused = await #expect(throws: Status.self) { try await Shards.put(client, clash, other) }
            #expect(refused?.code == .alreadyExists)
            // Exactly one file, no temporary left.
            let files = try FileManager.default.subpathsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".parquet") || $0.contains(".tmp-") }
            #expect(files == ["shards/same/1/incidences/0.\(descriptor.sha256).parquet"])
        }
    }

    @Test func badBytesAreRefusedAndCorruptShardsAreNeverServed() async throws {
        try await Self.withStorage { root, service, client in
            let bytes = try Shards.parquet(rows: 20_000, seed: 4)
            // A wrong checksum, a short upload, a long upload, not Parquet, wrong rows.
            var wrongSum = Shards.descriptor("d", bytes: bytes)
            wrongSum.sha256 = String(repeating: "ab", count: 32)
            #expect(await Self.code { try await Shards.put(client, wrongSum, bytes) } == .dataLoss)
            var short = Shards.descriptor("d", bytes: bytes)
            short.bytes += 10
            #expect(await Self.code { try await Shards.put(client, short, bytes) } == .dataLoss)
            var long = Shards.descriptor("d", bytes: bytes)
            long.bytes -= 10
            #expect(await Self.code { try await Shards.put(client, long, bytes) } == .dataLoss)
            let text = Array(String(repeating: "not parquet ", count: 1000).utf8)
            #expect(await Self.code { try await Shards.put(client, Shards.descriptor("d", bytes: text), text) } == .invalidArgument)
            var rows = Shards.descriptor("d", bytes: bytes)
            rows.rows = 7
            #expect(await Self.code { try await Shards.put(client, rows, bytes) } == .invalidArgument)
            let leftovers = try FileManager.default.subpathsOfDirectory(atPath: root.path).filter { $0.contains(".tmp-") || $0.hasSuffix(".parquet") }
            #expect(leftovers.isEmpty)
            // A stored shard flipped on disk: DATA_LOSS, never its bytes.
            let stored = try await Shards.put(client, Shards.descriptor("d", bytes: bytes), bytes).shard
            #expect(try await Shards.get(client, stored).0 == bytes)
            let file = root.appendingPathComponent("shards/d/1/incidences/0.\(stored.sha256).parquet").path
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file))
            try handle.seek(toOffset: 5000)
            let byte = try handle.read(upToCount: 1)![0]
            try handle.seek(toOffset: 5000)
            try handle.write(contentsOf: [byte ^ 0x40])
            try handle.close()
            #expect(await Self.code { _ = try await Shards.get(client, stored) } == .dataLoss)
            #expect(await Self.code { _ = try await Shards.scan(client, [stored]) } == .dataLoss)
        }
    }

    @Test func hostileNamesAreRefused() async throws {
        try await Self.withStorage { root, service, client in
            let bytes = try Shards.parquet(rows: 100, seed: 1)
            let names = ["../escape", "/etc", "a/b", "", ".hidden", "..", "-rf", String(repeating: "x", count: 200), "a\u{0}b", "ä", "a b", "a\\b"]
            for name in names {
                #expect(await Self.code { try await Shards.put(client, Shards.descriptor(name, bytes: bytes), bytes) } == .invalidArgument, "\(name)")
                #expect(await Self.code { _ = try await Shards.get(client, Shards.descriptor(name, bytes: bytes)) } == .invalidArgument, "\(name)")
                var delete = Anant_V1_DeleteVersionRequest()
                delete.dataset = name
                delete.version = 1
                #expect(await Self.code { let _: Anant_V1_DeleteVersionResponse = try await client.unary("anant.v1.Storage/DeleteVersion", delete) } == .invalidArgument)
            }
            var badPath = Shards.descriptor("ok", bytes: bytes)
            badPath.path = "../../../etc/passwd"
            var zeroVersion = Shards.descriptor("ok", bytes: bytes)
            zeroVersion.version = 0
            var noTable = Shards.descriptor("ok", bytes: bytes)
            noTable.table = .unspecified
            var badSum = Shards.descriptor("ok", bytes: bytes)
            badSum.sha256 = "../" + String(repeating: "a", count: 61)
            for descriptor in [badPath, zeroVersion, noTable, badSum] {
                #expect(await Self.code { try await Shards.put(client, descriptor, bytes) } == .invalidArgument, "\(descriptor)")
            }
            // Nothing was created anywhere, and the service still answers.
            let created = try FileManager.default.subpathsOfDirectory(atPath: root.appendingPathComponent("shards").path)
            #expect(created.isEmpty)
            let stat: Anant_V1_StatResponse = try await client.unary("anant.v1.Storage/Stat", Anant_V1_StatRequest())
            #expect(stat.shardCount == 0)
        }
    }

    @Test func killedMidPutLeavesNoShardAndTheRetrySucceeds() async throws {
        let root = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let (service, client) = try Self.start(root: root)
        let bytes = try Shards.parquet(rows: 400_000, seed: 5)
        let descriptor = Shards.descriptor("big", bytes: bytes)
        let chunks = (bytes.count + (64 << 10) - 1) / (64 << 10)
        // SIGKILL once half the chunks are sent and the server's temporary file exists.
        let killed = await #expect(throws: Status.self) {
            try await Shards.put(client, descriptor, bytes, chunk: 64 << 10) { index in
                guard index == chunks / 2 else { return }
                try await Self.waitUntil { Self.temporaries(root).count == 1 }
                kill(service.pid, SIGKILL)
            }
        }
        #expect(killed?.code == .unavailable)
        _ = try service.waitForExit()
        #expect(Self.temporaries(root).count == 1)
        // Restarted on the same port: the leftover is removed and reported; no shard is
        // visible; the first client reconnects by itself.
        let again = try ServiceProcess(Self.binary, ["--root", root.path], listen: service.rpcPort)
        let client2 = client
        #expect(Self.temporaries(root).isEmpty)
        #expect(again.log.contains("removed what interrupted puts left"))
        var list = Anant_V1_ListShardsRequest()
        list.dataset = "big"
        let listed: Anant_V1_ListShardsResponse = try await client2.unary("anant.v1.Storage/ListShards", list)
        #expect(listed.shards.isEmpty)
        #expect(await Self.code { _ = try await Shards.get(client2, descriptor) } == .notFound)
        // The retried put succeeds.
        let stored = try await Shards.put(client2, descriptor, bytes)
        #expect(!stored.alreadyPresent && stored.shard.rows == 400_000)
        #expect(try await Shards.get(client2, stored.shard).0 == bytes)
        await client.close()
        #expect(try again.stop() == 0)
    }

    @Test func sigtermDrainsAStreamInFlightThenExitsZero() async throws {
        let root = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let (service, client) = try Self.start(root: root, ["--log-format", "json"])
        let bytes = try Shards.parquet(rows: 400_000, seed: 6)
        let stored = try await Shards.put(client, Shards.descriptor("drain", bytes: bytes), bytes).shard
        var request = Anant_V1_GetShardRequest()
        request.shard = stored
        var received = [UInt8](), items = 0
        for try await payload in try await client.serverStream("anant.v1.Storage/GetShard", try request.wireBytes()) {
            received.append(contentsOf: try Anant_V1_GetShardResponse(wire: payload).chunk)
            items += 1
            // SIGTERM after the first item; then read slowly.
            if items == 1 { kill(service.pid, SIGTERM) }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(received == bytes && items > 2)
        #expect(try service.waitForExit() == 0)
        // The log is JSON, one object per line, and says it drained.
        let lines = service.log.split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(!lines.isEmpty && objects.count == lines.count)
        #expect(objects.contains { $0["message"] as? String == "draining" && $0["level"] as? String == "info" })
        await client.close()
    }

    @Test func aFullDiskIsResourceExhaustedWithNothingLeft() async throws {
        guard getuid() == 0 else {
            Issue.record("mounting a small tmpfs needs root; this test did not run")
            return
        }
        let root = try TestData.temporaryFolder()
        defer {
            _ = try? Oracle.capture("/bin/umount", [root.path])
            try? FileManager.default.removeItem(at: root)
        }
        let mount = try Oracle.capture("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", root.path])
        #expect(mount.status == 0, "\(mount.stderrText)")
        let (service, client) = try Self.start(root: root)
        // Two 1.6 MB shards: both fit the free space alone, not together.
        let shards = try [Shards.parquet(rows: 200_000, seed: 7), Shards.parquet(rows: 200_000, seed: 8)]
        #expect(shards.allSatisfy { $0.count > 1_500_000 && $0.count < 2_900_000 })
        let codes = await withTaskGroup(of: StatusCode.self) { group in
            for (i, bytes) in shards.enumerated() {
                group.addTask { await Self.code { _ = try await Shards.put(client, Shards.descriptor("full", shard: UInt32(i), bytes: bytes), bytes) } }
            }
            return await group.reduce(into: [StatusCode]()) { $0.append($1) }
        }
        #expect(codes.sorted { $0.rawValue < $1.rawValue } == [.ok, .resourceExhausted])
        #expect(Self.temporaries(root).isEmpty)
        let stat: Anant_V1_StatResponse = try await client.unary("anant.v1.Storage/Stat", Anant_V1_StatRequest())
        #expect(stat.shardCount == 1)
        await client.close()
        #expect(try service.stop() == 0)
    }

    @Test func aClusterTokenIsRequiredWhenConfigured() async throws {
        let root = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let tokenFile = root.appendingPathComponent("token").path
        try "s3cret-cluster-token-0123456789\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let service = try ServiceProcess(Self.binary, ["--root", root.appendingPathComponent("store").path, "--token-file", tokenFile])
        for (token, expected) in [("", StatusCode.unauthenticated), ("s3cret-cluster-token-012345678", .unauthenticated),
                                  ("s3cret-cluster-token-0123456789", .ok)] {
            var configuration = RPCClientConfiguration()
            configuration.token = token
            let client = RPCClient(host: "127.0.0.1", port: service.rpcPort, configuration: configuration)
            #expect(await Self.code { let _: Anant_V1_StatResponse = try await client.unary("anant.v1.Storage/Stat", Anant_V1_StatRequest()) } == expected)
            await client.close()
        }
        #expect(!service.log.contains("s3cret"), "the token must never be logged")
        #expect(try service.stop() == 0)
        // A token file that is missing or holds no token: the service does not start.
        for bad in [root.appendingPathComponent("missing").path, root.appendingPathComponent("short").path] {
            try? "short\n".write(toFile: root.appendingPathComponent("short").path, atomically: true, encoding: .utf8)
            let outcome = try Oracle.capture(Self.binary, ["--root", root.path, "--token-file", bad], timeout: 30)
            #expect(outcome.status == 64 && outcome.stderrText.contains("--token-file"), "\(outcome.stderrText)")
        }
    }

    // MARK: Helpers

    static func code(_ body: () async throws -> Void) async -> StatusCode {
        do {
            try await body()
            return .ok
        } catch let status as Status { return status.code } catch { return .unknown }
    }

    static func temporaries(_ root: URL) -> [String] {
        ((try? FileManager.default.subpathsOfDirectory(atPath: root.path)) ?? []).filter { $0.contains(".tmp-") }
    }

    static func waitUntil(_ condition: () -> Bool) async throws {
        let end = Date().addingTimeInterval(20)
        while !condition() {
            if Date() > end { throw Status(.deadlineExceeded, "the condition did not hold within 20 s") }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
    }
}
