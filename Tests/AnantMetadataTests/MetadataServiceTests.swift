import AnantColumnar
import AnantMetadata
import AnantProto
import AnantTestSupport
import AnantWire
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real `anant-metadata` process on 127.0.0.1: the catalog and registry over the wire,
/// and a chaos test that kills it with SIGKILL mid-stream of acknowledged writes.
@Suite(.serialized) struct MetadataServiceTests {
    static let binary = ServiceProcess.binary("anant-metadata")

    static func code(_ body: () async throws -> Void) async -> StatusCode {
        do {
            try await body()
            return .ok
        } catch let status as Status { return status.code } catch { return .unknown }
    }

    @Test func catalogAndRegistryOverTheWire() async throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let service = try ServiceProcess(Self.binary, ["--db", folder.appendingPathComponent("meta.db").path])
        let client = RPCClient(host: "127.0.0.1", port: service.rpcPort)
        let m = MetadataService.prefix
        var register = Anant_V1_RegisterWorkerRequest()
        register.role = .storage
        register.rpcAddress = "127.0.0.1:7000"
        register.httpAddress = "127.0.0.1:7001"
        let registered: Anant_V1_RegisterWorkerResponse = try await client.unary(m + "RegisterWorker", register)
        #expect(registered.heartbeatIntervalNanos == 2_000_000_000 && registered.worker.leaseExpiresUnixNanos > WireClock.unixNanos)
        var create = Anant_V1_CreateVersionRequest()
        create.dataset = "wire"
        let created: Anant_V1_CreateVersionResponse = try await client.unary(m + "CreateVersion", create)
        var publish = Anant_V1_PublishVersionRequest()
        publish.dataset = created.dataset
        publish.manifestJson = "{}"
        publish.placements = [CatalogTests.placement("wire", 1, shard: 0, workers: [registered.worker.workerID], address: "127.0.0.1:7000")]
        let published: Anant_V1_PublishVersionResponse = try await client.unary(m + "PublishVersion", publish)
        #expect(published.version.state == .published)
        var get = Anant_V1_GetVersionRequest()
        get.dataset.name = "wire"
        let got: Anant_V1_GetVersionResponse = try await client.unary(m + "GetVersion", get)
        #expect(got.version == published.version && got.placements == publish.placements)
        let workers: Anant_V1_ListWorkersResponse = try await client.unary(m + "ListWorkers", Anant_V1_ListWorkersRequest())
        #expect(workers.workers.map(\.workerID) == [registered.worker.workerID])
        // Errors carry their status; an unknown method is UNIMPLEMENTED.
        get.dataset.name = "../etc"
        #expect(await Self.code { let _: Anant_V1_GetVersionResponse = try await client.unary(m + "GetVersion", get) } == .invalidArgument)
        #expect(await Self.code { let _: Anant_V1_GetVersionResponse = try await client.unary(m + "Nope", get) } == .unimplemented)

        // The entity store: a schema, a batch, reads, a query, history, an evolution refused.
        var schema = Anant_V1_RegisterSchemaRequest()
        schema.schema.kind = "node"
        schema.schema.fields = [("name", Anant_V1_FieldType.string, true), ("score", .int32, false)].map { name, type, required in
            var f = Anant_V1_SchemaField()
            f.name = name
            f.type = type
            f.required = required
            return f
        }
        let registered1: Anant_V1_RegisterSchemaResponse = try await client.unary(m + "RegisterSchema", schema)
        #expect(registered1.schema.version == 1 && registered1.schema.fields.map(\.id) == [1, 2])
        var batch = Anant_V1_ApplyBatchRequest()
        batch.kind = "node"
        batch.changes = [("a", #"{"name":"alpha","score":3}"#), ("b", #"{"name":"beta"}"#)].map { key, json in
            var c = Anant_V1_RecordChange()
            c.key = key
            c.upsertJson = json
            return c
        }
        let applied: Anant_V1_ApplyBatchResponse = try await client.unary(m + "ApplyBatch", batch)
        var records = Anant_V1_GetRecordsRequest()
        records.kind = "node"
        records.keys = ["a", "zz"]
        let got1: Anant_V1_GetRecordsResponse = try await client.unary(m + "GetRecords", records)
        #expect(got1.records.map(\.valuesJson) == [#"{"name":"alpha","score":3}"#] && got1.records[0].version == applied.storeVersion)
        var query = Anant_V1_QueryRecordsRequest()
        query.kind = "node"
        query.filter = "score is null"
        let queried: Anant_V1_QueryRecordsResponse = try await client.unary(m + "QueryRecords", query)
        #expect(queried.records.map(\.key) == ["b"])
        var history = Anant_V1_GetRecordHistoryRequest()
        history.kind = "node"
        history.key = "a"
        let entries: Anant_V1_GetRecordHistoryResponse = try await client.unary(m + "GetRecordHistory", history)
        #expect(entries.entries.count == 1 && !entries.entries[0].deleted)
        schema.schema.fields[1].type = .bool
        #expect(await Self.code { let _: Anant_V1_RegisterSchemaResponse = try await client.unary(m + "RegisterSchema", schema) } == .failedPrecondition)
        batch.changes[0].upsertJson = #"{"name":7}"#
        #expect(await Self.code { let _: Anant_V1_ApplyBatchResponse = try await client.unary(m + "ApplyBatch", batch) } == .invalidArgument)
        await client.close()
        #expect(try service.stop() == 0)
    }

    @Test func aCorruptStoreStopsTheServiceWithAClearError() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("meta.db")
        try Data(repeating: 0x5A, count: 4096).write(to: db)
        let outcome = try Oracle.capture(Self.binary, ["--db", db.path, "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"], timeout: 30)
        #expect(outcome.status == 2 && outcome.stderrText.contains("not a readable SQLite database"), "\(outcome.stderrText)")
    }

    /// SIGKILL at seeded random points while four writers stream acknowledged writes (a
    /// new version, its publication with three placements, a batch of five entity
    /// upserts): after each restart, every acknowledged write is there and no transaction
    /// is half applied.
    @Test(.timeLimit(.minutes(10))) func killedMidStreamLosesNoAcknowledgedWrite() async throws {
        let kills = ProcessInfo.processInfo.environment["ANANT_CHAOS_KILLS"].flatMap(Int.init) ?? 20
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("meta.db").path
        var seed: UInt64 = 0xC4A05
        var acknowledgedCreates = Set<UInt64>(), acknowledgedPublishes = Set<UInt64>(), acknowledgedBatches = Set<String>()
        let m = MetadataService.prefix
        for round in 0..<kills {
            let service = try ServiceProcess(Self.binary, ["--db", db, "--heartbeat-seconds", "600"])
            let client = RPCClient(host: "127.0.0.1", port: service.rpcPort)
            // After a restart: everything acknowledged so far is there, whole.
            var list = Anant_V1_ListVersionsRequest()
            list.dataset = "chaos"
            if round > 0 {
                let versions: Anant_V1_ListVersionsResponse = try await client.unary(m + "ListVersions", list)
                let present = Set(versions.versions.map(\.dataset.version))
                #expect(acknowledgedCreates.isSubset(of: present), "round \(round): lost versions \(acknowledgedCreates.subtracting(present).sorted())")
                for version in versions.versions {
                    var get = Anant_V1_GetVersionRequest()
                    get.dataset = version.dataset
                    let got: Anant_V1_GetVersionResponse = try await client.unary(m + "GetVersion", get)
                    let whole = (got.version.state == .pending && got.placements.isEmpty)
                        || (got.version.state == .published && got.placements.count == 3 && got.placements.allSatisfy { $0.replicas.count == 1 })
                    #expect(whole, "round \(round): v\(version.dataset.version) is half applied: \(got.version.state), \(got.placements.count) shards")
                    if acknowledgedPublishes.contains(version.dataset.version) { #expect(got.version.state == .published) }
                }
            }
            if round == 0 {
                var schema = Anant_V1_RegisterSchemaRequest()
                schema.schema.kind = "chaos"
                var field = Anant_V1_SchemaField()
                field.name = "batch"
                field.type = .string
                field.required = true
                schema.schema.fields = [field]
                let _: Anant_V1_RegisterSchemaResponse = try await client.unary(m + "RegisterSchema", schema)
            } else {
                // Every acknowledged batch is there, and every batch there is whole.
                var query = Anant_V1_QueryRecordsRequest()
                query.kind = "chaos"
                let all: Anant_V1_QueryRecordsResponse = try await client.unary(m + "QueryRecords", query)
                var sizes = [String: Int]()
                for record in all.records { sizes[String(record.key.split(separator: "/")[0]), default: 0] += 1 }
                #expect(sizes.values.allSatisfy { $0 == 5 }, "round \(round): a batch is half applied: \(sizes.filter { $0.value != 5 })")
                #expect(acknowledgedBatches.isSubset(of: Set(sizes.keys)), "round \(round): lost batches")
            }
            var register = Anant_V1_RegisterWorkerRequest()
            register.role = .storage
            register.rpcAddress = "127.0.0.1:7000"
            register.httpAddress = "127.0.0.1:7001"
            let worker: Anant_V1_RegisterWorkerResponse = try await client.unary(m + "RegisterWorker", register)
            // Kill after a seeded number of acknowledged writes, with writes in flight.
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let killAfter = 1 + Int(seed >> 33) % 40
            let acks = Acks()
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        var n = 0
                        while true {
                            n += 1
                            var create = Anant_V1_CreateVersionRequest()
                            create.dataset = "chaos"
                            guard let created: Anant_V1_CreateVersionResponse = try? await client.unary(m + "CreateVersion", create, timeout: 10) else { return }
                            acks.created(created.dataset.version, killAt: killAfter, pid: service.pid)
                            var publish = Anant_V1_PublishVersionRequest()
                            publish.dataset = created.dataset
                            publish.manifestJson = #"{"round": \#(round)}"#
                            publish.placements = (0..<3).map { CatalogTests.placement("chaos", created.dataset.version, shard: $0, workers: [worker.worker.workerID], address: "127.0.0.1:7000") }
                            guard (try? await client.unary(m + "PublishVersion", publish, as: Anant_V1_PublishVersionResponse.self, timeout: 10)) != nil
                            else { return }
                            acks.published(created.dataset.version, killAt: killAfter, pid: service.pid)
                            let id = "r\(round)w\(writer)n\(n)"
                            var batch = Anant_V1_ApplyBatchRequest()
                            batch.kind = "chaos"
                            batch.changes = (0..<5).map { i in
                                var change = Anant_V1_RecordChange()
                                change.key = "\(id)/\(i)"
                                change.upsertJson = #"{"batch": "\#(id)"}"#
                                return change
                            }
                            guard (try? await client.unary(m + "ApplyBatch", batch, as: Anant_V1_ApplyBatchResponse.self, timeout: 10)) != nil
                            else { return }
                            acks.batch(id, killAt: killAfter, pid: service.pid)
                        }
                    }
                }
            }
            _ = try service.waitForExit()
            acknowledgedCreates.formUnion(acks.creates)
            acknowledgedPublishes.formUnion(acks.publishes)
            acknowledgedBatches.formUnion(acks.batches)
            await client.close()
        }
        print("chaos: \(kills) kills; \(acknowledgedCreates.count) versions, \(acknowledgedPublishes.count) publications and \(acknowledgedBatches.count) batches acknowledged, all present and whole")
        #expect(acknowledgedPublishes.count >= kills, "too few acknowledged writes to test anything")
    }
}

/// Acknowledged writes of one round; SIGKILL once `killAt` of them arrived.
final class Acks: Sendable {
    typealias State = (creates: Set<UInt64>, publishes: Set<UInt64>, batches: Set<String>, killed: Bool)
    private let state = Mutex<State>(([], [], [], false))
    var creates: Set<UInt64> { state.withLock { $0.creates } }
    var publishes: Set<UInt64> { state.withLock { $0.publishes } }
    var batches: Set<String> { state.withLock { $0.batches } }

    func created(_ version: UInt64, killAt: Int, pid: Int32) { record(killAt: killAt, pid: pid) { $0.creates.insert(version) } }
    func published(_ version: UInt64, killAt: Int, pid: Int32) { record(killAt: killAt, pid: pid) { $0.publishes.insert(version) } }
    func batch(_ id: String, killAt: Int, pid: Int32) { record(killAt: killAt, pid: pid) { $0.batches.insert(id) } }

    private func record(killAt: Int, pid: Int32, _ add: (inout State) -> Void) {
        let kill = state.withLock { state -> Bool in
            add(&state)
            guard !state.killed, state.creates.count + state.publishes.count + state.batches.count >= killAt else { return false }
            state.killed = true
            return true
        }
        if kill { Glibc.kill(pid, SIGKILL) }
    }
}
