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
        publish.placements = [CatalogTests.placement("wire", 1, shard: 0, workers: [registered.worker.workerID])]
        let published: Anant_V1_PublishVersionResponse = try await client.unary(m + "PublishVersion", publish)
        #expect(published.version.state == .published)
        var get = Anant_V1_GetVersionRequest()
        get.dataset.name = "wire"
        let got: Anant_V1_GetVersionResponse = try await client.unary(m + "GetVersion", get)
        #expect(got.version == published.version && got.placements == publish.placements)
        let workers: Anant_V1_ListWorkersResponse = try await client.unary(m + "ListWorkers", Anant_V1_ListWorkersRequest())
        #expect(workers.workers.map(\.workerID) == [registered.worker.workerID])
        // Errors carry their status; the entity store is not served yet.
        get.dataset.name = "../etc"
        #expect(await Self.code { let _: Anant_V1_GetVersionResponse = try await client.unary(m + "GetVersion", get) } == .invalidArgument)
        #expect(await Self.code { let _: Anant_V1_PutRecordResponse = try await client.unary(m + "PutRecord", Anant_V1_PutRecordRequest()) }
            == .unimplemented)
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

    /// SIGKILL at seeded random points while four writers stream acknowledged writes
    /// (a new version, then its publication with three placements): after each restart,
    /// every acknowledged write is there and no transaction is half applied.
    @Test(.timeLimit(.minutes(10))) func killedMidStreamLosesNoAcknowledgedWrite() async throws {
        let kills = ProcessInfo.processInfo.environment["ANANT_CHAOS_KILLS"].flatMap(Int.init) ?? 20
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("meta.db").path
        var seed: UInt64 = 0xC4A05
        var acknowledgedCreates = Set<UInt64>(), acknowledgedPublishes = Set<UInt64>()
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
                for _ in 0..<4 {
                    group.addTask {
                        while true {
                            var create = Anant_V1_CreateVersionRequest()
                            create.dataset = "chaos"
                            guard let created: Anant_V1_CreateVersionResponse = try? await client.unary(m + "CreateVersion", create, timeout: 10) else { return }
                            acks.created(created.dataset.version, killAt: killAfter, pid: service.pid)
                            var publish = Anant_V1_PublishVersionRequest()
                            publish.dataset = created.dataset
                            publish.manifestJson = #"{"round": \#(round)}"#
                            publish.placements = (0..<3).map { CatalogTests.placement("chaos", created.dataset.version, shard: $0, workers: [worker.worker.workerID]) }
                            guard (try? await client.unary(m + "PublishVersion", publish, as: Anant_V1_PublishVersionResponse.self, timeout: 10)) != nil
                            else { return }
                            acks.published(created.dataset.version, killAt: killAfter, pid: service.pid)
                        }
                    }
                }
            }
            _ = try service.waitForExit()
            acknowledgedCreates.formUnion(acks.creates)
            acknowledgedPublishes.formUnion(acks.publishes)
            await client.close()
        }
        print("chaos: \(kills) kills; \(acknowledgedCreates.count) versions and \(acknowledgedPublishes.count) publications acknowledged, all present and whole")
        #expect(acknowledgedPublishes.count >= kills, "too few acknowledged writes to test anything")
    }
}

/// Acknowledged writes of one round; SIGKILL once `killAt` of them arrived.
final class Acks: Sendable {
    private let state = Mutex<(creates: Set<UInt64>, publishes: Set<UInt64>, killed: Bool)>(([], [], false))
    var creates: Set<UInt64> { state.withLock { $0.creates } }
    var publishes: Set<UInt64> { state.withLock { $0.publishes } }

    func created(_ version: UInt64, killAt: Int, pid: Int32) { record(killAt: killAt, pid: pid) { $0.creates.insert(version) } }
    func published(_ version: UInt64, killAt: Int, pid: Int32) { record(killAt: killAt, pid: pid) { $0.publishes.insert(version) } }

    private func record(killAt: Int, pid: Int32, _ add: (inout (creates: Set<UInt64>, publishes: Set<UInt64>, killed: Bool)) -> Void) {
        let kill = state.withLock { state -> Bool in
            add(&state)
            guard !state.killed, state.creates.count + state.publishes.count >= killAt else { return false }
            state.killed = true
            return true
        }
        if kill { Glibc.kill(pid, SIGKILL) }
    }
}
