import AnantCluster
import AnantColumnar
import AnantOperations
import AnantRuntime
import AnantStorage
import ArgumentParser

/// `anant-storage --root DIR`: the storage service. It owns the Parquet shards under its
/// root and serves them over the wire (DESIGN.md §4; methods in proto/anant/v1/storage.proto).
@main
struct AnantStorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anant-storage",
        abstract: "Serve the Parquet shards under a folder: put, get, scan, list, delete, stat.",
        discussion: ServiceRunner.discussion(service: "storage"))

    @Option(name: .customLong("root"), help: "The folder holding the shards (created if missing).")
    var root: String

    @Option(name: .customLong("metadata"), help: "The metadata service's RPC address, HOST:PORT: register there and heartbeat (default: stand alone).")
    var metadata: HostPort?

    @OptionGroup var service: ServiceOptions

    func validate() throws {
        guard !root.isEmpty else { throw ValidationError("--root names a folder") }
    }

    func run() async throws {
        if service.checkConfig { return try ServiceRunner.checkConfig(service: "storage", options: service, folders: [("--root", root)]) }
        let logger = ServiceRunner.logger(service: "storage", options: service)
        let store: ShardStore
        do { store = try ShardStore(root: root, logger: logger) } catch {
            logger.critical("cannot open the store", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
        let storage = StorageService(store: store, maximumFrameBytes: service.server.maximumFrameBytes)
        let metadata = self.metadata, token = try service.token() ?? ""
        try await ServiceRunner.run(service: "storage", options: service, methods: storage.methods, logger: logger, status: { Status($0) }) { rpc, http in
            guard let metadata else { return nil }
            let clients = ServiceClients(token: token, tls: try service.clientTLS())
            let lease = try await WorkerLease(role: .storage, metadata: try clients.client(metadata.description), rpcAddress: rpc.description,
                                              httpAddress: http.description, logger: logger) {
                let stat = storage.stat()
                return WorkerLease.Load(bytesUsed: stat.bytesUsed, bytesFree: stat.bytesFree)
            }
            return ServiceRunner.Background(run: { await lease.heartbeats() }, finish: { await lease.withdraw() })
        }
    }
}
