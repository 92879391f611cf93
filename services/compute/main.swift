import AnantCluster
import AnantColumnar
import AnantCompute
import AnantOperations
import AnantRuntime
import ArgumentParser
import Foundation
import NIOPosix

/// `anant-compute --metadata HOST:PORT`: a compute worker. It registers with the metadata
/// service, heartbeats, and runs the tasks the gateway sends (DESIGN.md §4; the method is
/// in proto/anant/v1/compute.proto).
@main
struct AnantComputeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anant-compute",
        abstract: "Run tasks of planned operations on dataset versions fetched from storage.",
        discussion: ServiceRunner.discussion(service: "compute"))

    @Option(name: .customLong("metadata"), help: "The metadata service's RPC address, HOST:PORT.")
    var metadata: HostPort

    @Option(name: .customLong("cache-mb"), help: "Memory for built hypergraphs of dataset versions, in MiB.")
    var cacheMiB = 2048

    @Option(name: .customLong("cache-dir"), help: "Where fetched shards are kept (default: a folder under the temporary directory).")
    var cacheDirectory: String?

    @OptionGroup var service: ServiceOptions

    func validate() throws {
        guard (16...1_048_576).contains(cacheMiB) else { throw ValidationError("--cache-mb must be 16 to 1048576") }
    }

    func run() async throws {
        let directory = cacheDirectory ?? "\(NSTemporaryDirectory())/anant-compute-\(ProcessInfo.processInfo.processIdentifier)"
        if service.checkConfig { return try ServiceRunner.checkConfig(service: "compute", options: service, folders: [("--cache-dir", directory)]) }
        let logger = ServiceRunner.logger(service: "compute", options: service)
        let clients = ServiceClients(token: try service.token() ?? "", maximumFrameBytes: service.server.maximumFrameBytes,
                                     tls: try service.clientTLS())
        let pool = NIOThreadPool(numberOfThreads: max(2, service.threads ?? ExecutionContext.processorCount))
        pool.start()
        let cache: VersionCache
        do { cache = try VersionCache(directory: directory, budgetBytes: cacheMiB << 20,
                                   buildThreads: service.threads ?? ExecutionContext.processorCount, clients: clients, pool: pool) } catch {
            logger.critical("cannot make the cache", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
        let compute = ComputeService(cache: cache, pool: pool)
        let metadata = self.metadata
        try await ServiceRunner.run(service: "compute", options: service, methods: compute.methods, logger: logger, status: { Status($0) }) { rpc, http in
            let lease = try await WorkerLease(role: .compute, metadata: try clients.client(metadata.description), rpcAddress: rpc.description,
                                              httpAddress: http.description, logger: logger) {
                WorkerLease.Load(tasksInFlight: UInt32(compute.tasksInFlight), bytesUsed: UInt64(cache.bytesHeld),
                                 bytesFree: UInt64(max(0, cache.budgetBytes - cache.bytesHeld)))
            }
            return ServiceRunner.Background(run: { await lease.heartbeats() }, finish: { await lease.withdraw() })
        }
        try? FileManager.default.removeItem(atPath: directory)
        try await pool.shutdownGracefully()
    }
}
