import AnantClient
import AnantColumnar
import AnantOperations
import AnantProto
import ArgumentParser
import Dispatch
import Foundation
import Synchronization

/// Where a command runs when not in this process: a gateway (`--gateway HOST:PORT` with
/// `--token-file F`) or the local cluster of `--cluster DIR` (its cluster.json names the
/// gateway and the admin token).
struct ClusterOptions: ParsableArguments {
    @Option(name: .customLong("gateway"), help: "Run through the gateway at HOST:PORT; INPUT is then a dataset name (NAME or NAME@VERSION).")
    var gateway: String?

    @Option(name: .customLong("cluster"), help: "Run through the local cluster of `anant cluster up --dir DIR`.")
    var cluster: String?

    @Option(name: .customLong("token-file"), help: "The client token for --gateway (default: ANANT_TOKEN, or the cluster's admin token).")
    var tokenFile: String?

    @Option(name: .customLong("tls-ca"), help: "Reach the gateway over TLS, trusting this PEM CA ('system': the system's roots; with --cluster, the cluster's CA by default).")
    var tlsCA: String?

    func validate() throws {
        if gateway != nil && cluster != nil { throw ValidationError("give --gateway or --cluster, not both") }
        if tokenFile != nil && gateway == nil && cluster == nil { throw ValidationError("--token-file goes with --gateway or --cluster") }
        if tlsCA != nil && gateway == nil && cluster == nil { throw ValidationError("--tls-ca goes with --gateway or --cluster") }
    }

    var isRemote: Bool { gateway != nil || cluster != nil }

    /// The client of the gateway, or nil in embedded mode.
    func client() throws -> AnantClient? {
        guard isRemote else { return nil }
        var address = gateway ?? "", token: String? = nil, ca = tlsCA
        if let cluster {
            let file = try ClusterFile.read(cluster)
            address = file.gateway
            if tokenFile == nil { token = try Self.token(in: file.adminTokenFile) }
            if ca == nil { ca = file.tlsCA }
        }
        if let tokenFile { token = try Self.token(in: tokenFile) }
        if token == nil { token = ProcessInfo.processInfo.environment["ANANT_TOKEN"] }
        guard let token, !token.isEmpty else { throw CLIError("no client token: pass --token-file FILE (or set ANANT_TOKEN)") }
        do { return try AnantClient(address: address, token: token, tlsCA: ca) } catch { throw CLIError(error.message) }
    }

    static func token(in path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read the token file \(path)") }
        return text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }

    /// A dataset name with an optional "@VERSION".
    static func dataset(_ input: String) throws -> (String, UInt64) {
        guard let at = input.lastIndex(of: "@") else { return (input, 0) }
        guard let version = UInt64(input[input.index(after: at)...]), version > 0 else {
            throw CLIError("'\(input)': a dataset version is NAME@N with N from 1")
        }
        return (String(input[..<at]), version)
    }
}

/// Waits for async work from a synchronous command (the work runs on Swift's pool; the
/// command's thread is not part of it). A cluster's error about the data prints as the
/// embedded run's would (its message); one about the cluster itself (a token, a role, an
/// unreachable service) keeps its status code.
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    do { return try waiting(body) } catch let status as Status {
        if [.unauthenticated, .permissionDenied, .unavailable].contains(status.code) { throw status }
        throw CLIError(status.message)
    }
}

func waiting<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    return try outcome.withLock { $0! }.get()
}

extension AnantClient {
    /// Runs `operation` on `input` (NAME or NAME@N) from a synchronous command.
    func runBlocking(_ operation: AnantOperations.Operation, on input: String, context: ExecutionContext,
                     progress: (@Sendable (Anant_V1_Job) -> Void)? = nil) throws -> OperationResult {
        let (name, version) = try ClusterOptions.dataset(input)
        let timeout = context.deadline.map { Double($0 > ExecutionContext.now ? $0 - ExecutionContext.now : 0) / 1e9 }
        return try blocking { try await self.run(operation, on: name, version: version, timeout: timeout, progress: progress).result }
    }
}
