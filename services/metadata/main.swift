import AnantColumnar
import AnantMetadata
import AnantRuntime
import ArgumentParser
import Foundation

/// `anant-metadata --db FILE`: the metadata service. It keeps the catalog and the worker
/// registry in one SQLite file (WAL, synchronous=FULL) and serves them over the wire
/// (DESIGN.md §4; methods in proto/anant/v1/metadata.proto).
@main
struct AnantMetadataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anant-metadata",
        abstract: "Serve the catalog (datasets, versions, shard placement) and the worker registry.",
        discussion: ServiceRunner.discussion(service: "metadata"))

    @Option(name: .customLong("db"), help: "The SQLite file of the store (created if missing).")
    var database: String

    @Option(name: .customLong("heartbeat-seconds"), help: "How often workers send heartbeats.")
    var heartbeatSeconds = 2.0

    @Option(name: .customLong("missed-beats"), help: "Heartbeats a worker may miss before it is considered lost.")
    var missedBeats = 3

    @OptionGroup var service: ServiceOptions

    func validate() throws {
        guard !database.isEmpty else { throw ValidationError("--db names a file") }
        guard heartbeatSeconds >= 0.01, heartbeatSeconds <= 3600 else { throw ValidationError("--heartbeat-seconds must be 0.01 to 3600") }
        guard (1...1000).contains(missedBeats) else { throw ValidationError("--missed-beats must be 1 to 1000") }
    }

    func run() async throws {
        if service.checkConfig {
            let folder = URL(fileURLWithPath: database).deletingLastPathComponent().path
            return try ServiceRunner.checkConfig(service: "metadata", options: service, folders: [("--db", folder)])
        }
        let logger = ServiceRunner.logger(service: "metadata", options: service)
        let store: MetadataStore
        do {
            store = try MetadataStore(path: database, leases: .init(heartbeatNanos: UInt64(heartbeatSeconds * 1e9), missedBeats: UInt64(missedBeats)))
        } catch {
            logger.critical("cannot open the metadata store", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
        logger.info("store opened", metadata: ["db": "\(database)"])
        try await ServiceRunner.run(service: "metadata", options: service, methods: MetadataService(store: store).methods,
                                    logger: logger) { ($0 as? Status) ?? Status(.internal, "\($0)") }
    }
}
