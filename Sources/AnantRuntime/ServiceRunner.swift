import AnantColumnar
import AnantWire
import ArgumentParser
import Foundation
import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle

/// Runs a service process the way DESIGN.md §5 says every service runs: logging and
/// metrics set up from its flags, the RPC server on `--listen`, health, readiness and
/// metrics on `--http`, one ready line on standard output, and on SIGTERM or SIGINT a
/// graceful shutdown: not ready, stop accepting, drain what is in flight up to the
/// grace period, exit 0.
public enum ServiceRunner {
    /// What every service's help says about its ready line and shutdown.
    public static func discussion(service: String) -> String {
        """
        Prints one JSON line on standard output when ready: {"service":"\(service)","rpc":...,"http":...,"pid":...}.
        SIGTERM or SIGINT: stop accepting, finish what is in flight (--drain-seconds), exit 0.
        Flags every service takes: docs/services.md.
        """
    }

    /// `--check-config`: the flags and the files they name were validated when parsed; this
    /// checks that every folder of `folders` (flag, path) can be created and written, and
    /// prints one JSON line: `{"service":...,"config":"valid","rpc":...,"http":...,"tls":...}`.
    ///
    /// - Throws: `ValidationError` naming the flag whose folder cannot be written.
    public static func checkConfig(service: String, options: ServiceOptions, folders: [(flag: String, path: String)]) throws {
        for (flag, path) in folders {
            let probe = "\(path)/.anant-check-config-\(ProcessInfo.processInfo.processIdentifier)"
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                try Data().write(to: URL(fileURLWithPath: probe))
                try FileManager.default.removeItem(atPath: probe)
            } catch {
                throw ValidationError("\(flag) \(path) cannot be written: \(error.localizedDescription)")
            }
        }
        let line = JSONObject([
            ("service", .string(service)), ("config", .string("valid")), ("rpc", .string(options.listen.description)),
            ("http", .string(options.http.description)), ("tls", .bool(options.tlsCertificate != nil)),
            ("mutual_tls", .bool(options.tlsCA != nil)), ("cluster_token", .bool(options.tokenFile != nil)),
        ])
        FileHandle.standardOutput.write(Data((JSONWriter().string(.object(line)) + "\n").utf8))
    }

    /// Sets up the process (every file it creates readable by its user only: shards, the
    /// catalog, caches) and logging (`--log-level`, `--log-format`, on standard error),
    /// once; the service's logger.
    public static func logger(service: String, options: ServiceOptions) -> Logger {
        umask(0o077)
        let level = Logger.Level(rawValue: options.logLevel) ?? .info
        let format = options.logFormat
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "anant.\(service)")
    }

    /// A service's own work beside its server (a worker's heartbeats, the gateway's
    /// cleanups): `run` loops until its task is cancelled, which happens on shutdown, and
    /// `finish` runs then, before the server drains (a worker withdraws from the registry).
    public struct Background: Sendable {
        public var run: @Sendable () async -> Void
        public var finish: @Sendable () async -> Void

        public init(run: @escaping @Sendable () async -> Void, finish: @escaping @Sendable () async -> Void = {}) {
            self.run = run
            self.finish = finish
        }
    }

    /// What runs once a service listens, before its ready line (a worker registers with
    /// the metadata service there); the background work it returns runs until shutdown.
    public typealias OnReady = @Sendable (_ rpc: HostPort, _ http: HostPort) async throws -> Background?

    /// Serves `methods` until SIGTERM or SIGINT, then drains and returns. With
    /// `clusterToken` false the server takes any token and the methods authenticate
    /// their callers themselves (the gateway: its clients' tokens are not the cluster's),
    /// and under TLS its callers need no certificate.
    /// `pages` are the service's own pages on its HTTP port; `observe` is told of every
    /// call as it ends.
    public static func run(service: String, options: ServiceOptions, methods: [RPCMethod], logger: Logger, clusterToken: Bool = true,
                           pages: [String: HTTPPageHandler] = [:],
                           observe: (@Sendable (_ method: String, _ code: StatusCode, _ nanos: UInt64) -> Void)? = nil,
                           status: @escaping @Sendable (any Error) -> Status, onReady: OnReady = { _, _ in nil }) async throws {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var configuration = options.server
        configuration.status = status
        configuration.token = clusterToken ? try options.token() : nil
        configuration.tls = try options.serverTLS(mutual: clusterToken)
        configuration.observe = observe
        let server = RPCServer(methods: methods, configuration: configuration, logger: logger)
        let rpc = try await server.start(host: options.listen.host, port: options.listen.port)
        let http = HTTPEndpoints(registry: registry, pages: pages)
        let health = try await http.start(host: options.http.host, port: options.http.port)
        // What other services are told: the advertised host, with the bound ports.
        func advertised(_ address: SocketAddress) -> HostPort {
            var hostPort = HostPort(address)
            if let host = options.advertise { hostPort.host = host }
            return hostPort
        }
        let background = try await onReady(advertised(rpc), advertised(health))
        http.setReady(true)
        let line = JSONObject([
            ("service", .string(service)), ("rpc", .string(HostPort(rpc).description)),
            ("http", .string(HostPort(health).description)), ("pid", .int(Int64(ProcessInfo.processInfo.processIdentifier))),
        ])
        FileHandle.standardOutput.write(Data((JSONWriter().string(.object(line)) + "\n").utf8))
        logger.info("ready", metadata: ["rpc": "\(HostPort(rpc))", "http": "\(HostPort(health))"])
        let group = ServiceGroup(configuration: .init(
            // Shut down in reverse order: the background work first, then the drain.
            services: [Drain(server: server, http: http, logger: logger)] + (background.map { [BackgroundService(work: $0)] } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("stopped")
    }

    /// Waits for the shutdown signal, then drains.
    private struct Drain: Service {
        let server: RPCServer
        let http: HTTPEndpoints
        let logger: Logger

        func run() async throws {
            // Returns on graceful shutdown; throws CancellationError when the group is
            // cancelled instead (then drain all the same).
            try? await gracefulShutdown()
            logger.info("draining", metadata: ["requests": "\(server.inFlight)"])
            http.setReady(false)
            await server.drain()
            await http.stop()
        }
    }

    /// Runs a service's background work until shutdown, then its finish.
    private struct BackgroundService: Service {
        let work: Background

        func run() async throws {
            await cancelWhenGracefulShutdown { await work.run() }
            await work.finish()
        }
    }
}
