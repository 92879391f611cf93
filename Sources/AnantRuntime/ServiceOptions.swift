import AnantColumnar
import AnantWire
import ArgumentParser
import Logging
import Foundation
import NIOCore
import NIOSSL

/// A "HOST:PORT" address (port 0: any free port).
public struct HostPort: Sendable, Equatable, CustomStringConvertible, ExpressibleByArgument {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses "HOST:PORT" ("[::1]:80" for IPv6); nil when it is not one.
    public init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":"), colon != argument.startIndex,
              let port = Int(argument[argument.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        var host = String(argument[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        self.host = host
        self.port = port
    }

    public init(_ address: SocketAddress) {
        self.init(host: address.ipAddress ?? "127.0.0.1", port: address.port ?? 0)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// How a service writes its log.
public enum LogFormat: String, Sendable, CaseIterable, ExpressibleByArgument {
    case text, json
}

/// The flags every service takes (DESIGN.md §5), validated once at start.
public struct ServiceOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("listen"), help: "The RPC address, HOST:PORT (port 0: any free port).")
    public var listen = HostPort(host: "127.0.0.1", port: 0)

    @Option(name: .customLong("http"), help: "The health, readiness and metrics address, HOST:PORT.")
    public var http = HostPort(host: "127.0.0.1", port: 0)

    @Option(name: .customLong("advertise"), help: "The host other services reach this one at, registered with the metadata service (default: the --listen host; set it when listening on 0.0.0.0).")
    public var advertise: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    public var logLevel = "info"

    @Option(name: .customLong("log-format"), help: "text or json (one object per line), on standard error.")
    public var logFormat = LogFormat.text

    @Option(name: .customLong("max-frame-mb"), help: "The largest frame accepted, in MiB (1 to 4095).")
    public var maximumFrameMiB = 16

    @Option(name: .customLong("max-in-flight"), help: "Requests the service runs at once.")
    public var maximumInFlight = 256

    @Option(name: .customLong("max-connections"), help: "Connections open at once; more are closed as they arrive.")
    public var maximumConnections = 4096

    @Option(name: .customLong("max-in-flight-per-connection"), help: "Requests one connection runs at once.")
    public var maximumInFlightPerConnection = 64

    @Option(name: .customLong("threads"), help: "Threads the work of one request may use (default: every processor).")
    public var threads: Int?

    @Option(name: .customLong("drain-seconds"), help: "On SIGTERM, how long requests in flight may take to finish.")
    public var drainSeconds = 20.0

    @Option(name: .customLong("idle-seconds"), help: "Close a connection with nothing in flight after this long without traffic.")
    public var idleSeconds = 300.0

    @Option(name: .customLong("frame-seconds"), help: "Close a connection whose frame has not arrived whole this long after its first byte.")
    public var frameSeconds = 30.0

    @Option(name: .customLong("busy-poll-us"), help: "After answering a short call, with nothing else running, poll the connections this many microseconds for the next request before sleeping (0: never; docs/wire.md, busy polling).")
    public var busyPollMicroseconds = 200

    @Option(name: .customLong("token-file"), help: "A file holding the cluster token every request must carry (default: none required).")
    public var tokenFile: String?

    @Option(name: .customLong("tls-cert"), help: "Serve TLS with this PEM certificate chain (with --tls-key); presented to the services this one calls.")
    public var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert.")
    public var tlsKey: String?

    @Option(name: .customLong("tls-ca"), help: "The PEM CA that signs the services' certificates: the services this one calls must present one, and so must its callers (the gateway's clients excepted).")
    public var tlsCA: String?

    @Flag(name: .customLong("check-config"), help: "Validate the flags and the files they name, print one JSON line, and exit (0 when valid).")
    public var checkConfig = false

    public init() {}

    /// The server's TLS context, nil without --tls-cert. With `mutual` and --tls-ca,
    /// callers must present a certificate the CA signed.
    public func serverTLS(mutual: Bool) throws -> NIOSSLContext? {
        guard let tlsCertificate, let tlsKey else { return nil }
        return try WireTLS.server(certificate: tlsCertificate, key: tlsKey, clientCA: mutual ? tlsCA : nil)
    }

    /// The TLS context of this service's calls to the others, nil without --tls-ca: it
    /// trusts the CA (any certificate it signed, whatever name it holds) and presents
    /// --tls-cert.
    public func clientTLS() throws -> NIOSSLContext? {
        guard let tlsCA else { return nil }
        return try WireTLS.client(ca: tlsCA, certificate: tlsCertificate, key: tlsKey, verifyHostname: false)
    }

    /// The cluster token of `--token-file` (its first line), nil without one.
    ///
    /// - Throws: `ValidationError` for a file that cannot be read or holds no token.
    public func token() throws -> String? {
        guard let tokenFile else { return nil }
        guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
            throw ValidationError("--token-file \(tokenFile) cannot be read")
        }
        let token = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard token.count >= 16 else { throw ValidationError("--token-file \(tokenFile) holds no token of at least 16 characters") }
        return token
    }

    public func validate() throws {
        _ = try token()
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(logLevel)\"")
        }
        guard (1...4095).contains(maximumFrameMiB) else { throw ValidationError("--max-frame-mb must be 1 to 4095, not \(maximumFrameMiB)") }
        guard maximumInFlight >= 1, maximumInFlightPerConnection >= 1 else { throw ValidationError("--max-in-flight values must be at least 1") }
        guard maximumConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, not \(threads)") }
        guard drainSeconds >= 0, drainSeconds <= 3600 else { throw ValidationError("--drain-seconds must be 0 to 3600, not \(drainSeconds)") }
        guard idleSeconds > 0, idleSeconds <= 86400 else { throw ValidationError("--idle-seconds must be above 0 and at most 86400") }
        guard frameSeconds > 0, frameSeconds <= 86400 else { throw ValidationError("--frame-seconds must be above 0 and at most 86400") }
        guard (0...10_000).contains(busyPollMicroseconds) else { throw ValidationError("--busy-poll-us must be 0 to 10000, not \(busyPollMicroseconds)") }
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if tlsCA != nil, tlsCertificate == nil { throw ValidationError("--tls-ca needs --tls-cert and --tls-key (the certificate this service presents)") }
        do {
            _ = try serverTLS(mutual: true)
            _ = try clientTLS()
        } catch let status as Status {
            throw ValidationError(status.message)
        }
        if let advertise, HostPort(argument: "\(advertise.contains(":") ? "[\(advertise)]" : advertise):1") == nil {
            throw ValidationError("--advertise is a host name or address, not \"\(advertise)\"")
        }
    }

    /// The RPC server's configuration from these flags.
    public var server: RPCServerConfiguration {
        var configuration = RPCServerConfiguration()
        configuration.maximumFrameBytes = maximumFrameMiB << 20
        configuration.maximumInFlight = maximumInFlight
        configuration.maximumConnections = maximumConnections
        configuration.maximumInFlightPerConnection = maximumInFlightPerConnection
        configuration.threadsPerRequest = threads ?? ExecutionContext.processorCount
        configuration.drainGrace = .nanoseconds(Int64(drainSeconds * 1e9))
        configuration.idleTimeout = .nanoseconds(Int64(idleSeconds * 1e9))
        configuration.frameTimeout = .nanoseconds(Int64(frameSeconds * 1e9))
        configuration.busyPoll = .microseconds(Int64(busyPollMicroseconds))
        return configuration
    }
}
