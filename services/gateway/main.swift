import AnantCluster
import AnantColumnar
import AnantGateway
import AnantOperations
import AnantRuntime
import ArgumentParser
import Foundation
import NIOPosix

/// `anant-gateway --metadata HOST:PORT --tokens FILE`: the cluster's entry point. It
/// authenticates clients, plans operations, fans their tasks out to compute workers and
/// imports datasets onto storage (DESIGN.md §4; methods in proto/anant/v1/gateway.proto).
@main
struct AnantGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anant-gateway",
        abstract: "Serve clients: run operations across compute workers, import and export datasets, metadata.",
        discussion: ServiceRunner.discussion(service: "gateway") + """

        --tokens FILE holds the client tokens, hashed: one line per token, 'ROLE SHA256 [NAMESPACE]' \
        (ROLE reader, writer or admin). --token-file is the cluster token the gateway presents to the \
        other services.
        """)

    @Option(name: .customLong("metadata"), help: "The metadata service's RPC address, HOST:PORT.")
    var metadata: HostPort

    @Option(name: .customLong("tokens"), help: "The client tokens file (hashed tokens and their roles).")
    var tokens: String

    @Option(name: .customLong("replicas"), help: "Storage replicas per shard of an import.")
    var replicas = 1

    @Option(name: .customLong("cache-mb"), help: "Memory for the gateway's copies of dataset versions (merges need them), in MiB.")
    var cacheMiB = 2048

    @Option(name: .customLong("cleanup-seconds"), help: "How often to remove what failed imports left.")
    var cleanupSeconds = 300.0

    @Option(name: .customLong("pending-seconds"), help: "Abandon a pending version no import of this gateway writes after this long.")
    var pendingSeconds = 3600.0

    @Option(name: .customLong("request-memory-mb"), help: "The most partial results one request may gather, in MiB; past it the request fails with RESOURCE_EXHAUSTED (default: no limit).")
    var requestMemoryMiB: Int?

    @Option(name: .customLong("scratch"), help: "Where uploads and fetched shards are kept (default: a folder under the temporary directory).")
    var scratch: String?

    @OptionGroup var service: ServiceOptions

    func validate() throws {
        guard (1...16).contains(replicas) else { throw ValidationError("--replicas must be 1 to 16") }
        guard (16...1_048_576).contains(cacheMiB) else { throw ValidationError("--cache-mb must be 16 to 1048576") }
        if let requestMemoryMiB, !(1...1_048_576).contains(requestMemoryMiB) { throw ValidationError("--request-memory-mb must be 1 to 1048576") }
        guard cleanupSeconds >= 0.1, pendingSeconds >= 0 else { throw ValidationError("--cleanup-seconds must be at least 0.1 and --pending-seconds not negative") }
        do { _ = try Tokens(path: tokens) } catch { throw ValidationError(error.message) }
    }

    func run() async throws {
        let folder = scratch ?? "\(NSTemporaryDirectory())/anant-gateway-\(ProcessInfo.processInfo.processIdentifier)"
        if service.checkConfig { return try ServiceRunner.checkConfig(service: "gateway", options: service, folders: [("--scratch", folder)]) }
        let logger = ServiceRunner.logger(service: "gateway", options: service)
        let tokens: TokenFile
        do {
            tokens = try TokenFile(path: self.tokens) { outcome in
                switch outcome {
                case .success(let count): logger.notice("tokens file read again", metadata: ["tokens": "\(count)"])
                case .failure(let error): logger.error("tokens file refused; the tokens before it stay", metadata: ["error": "\(error.message)"])
                }
            }
        } catch {
            logger.critical("cannot read the tokens", metadata: ["error": "\(error.message)"])
            throw ExitCode(2)
        }
        let clients = ServiceClients(token: try service.token() ?? "", maximumFrameBytes: service.server.maximumFrameBytes, connections: 2,
                                     tls: try service.clientTLS())
        let pool = NIOThreadPool(numberOfThreads: max(2, service.threads ?? ExecutionContext.processorCount))
        pool.start()
        var configuration = GatewayService.Configuration(scratch: folder)
        configuration.replicas = replicas
        configuration.threads = service.threads ?? ExecutionContext.processorCount
        configuration.pendingSeconds = pendingSeconds
        configuration.fanOut.budgetBytes = requestMemoryMiB.map { $0 << 20 }
        let gateway: GatewayService
        do {
            let cache = try VersionCache(directory: "\(folder)/versions", budgetBytes: cacheMiB << 20,
                                   buildThreads: service.threads ?? ExecutionContext.processorCount, clients: clients, pool: pool)
            gateway = GatewayService(metadata: try clients.client(metadata.description), clients: clients, cache: cache, tokens: tokens,
                                     configuration: configuration, pool: pool, logger: logger)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
        try await ServiceRunner.run(service: "gateway", options: service, methods: gateway.methods, logger: logger, clusterToken: false,
                                    pages: ["/status": { await gateway.statusPage(authorization: $0) }],
                                    observe: { gateway.requests.record(method: $0, code: $1, nanos: $2) },
                                    status: { Status($0) }) { _, _ in
            // What interrupted imports left: now, and every --cleanup-seconds.
            let interval = UInt64(cleanupSeconds * 1e9)
            return ServiceRunner.Background(run: {
                while !Task.isCancelled {
                    await gateway.cleanup()
                    try? await Task.sleep(nanoseconds: interval)
                }
            })
        }
        try? FileManager.default.removeItem(atPath: folder)
        try await pool.shutdownGracefully()
    }
}
