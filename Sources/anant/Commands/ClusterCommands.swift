import AnantClient
import AnantColumnar
import AnantGateway
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `DIR/cluster.json` (DESIGN.md §5): every service's name, RPC and HTTP addresses, pid and
/// log, the gateway's address and the token files.
struct ClusterFile {
    struct Service {
        var name: String
        var service: String
        var rpc: String
        var http: String
        var pid: Int32
        var log: String

        /// Whether the pid is still this service (not a process that took its number later).
        var isRunning: Bool {
            guard kill(pid, 0) == 0, let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8) else { return false }
            return command.contains("anant-\(service)")
        }
    }

    var services: [Service]
    var gateway: String
    var adminTokenFile: String
    var clusterTokenFile: String
    var started: String
    /// The CA of the services' certificates when the cluster runs TLS.
    var tlsCA: String? = nil

    static func path(_ dir: String) -> String { "\(dir)/cluster.json" }

    static func read(_ dir: String) throws -> ClusterFile {
        guard let bytes = FileManager.default.contents(atPath: path(dir)) else {
            throw CLIError("\(dir) holds no cluster.json: start a cluster with `anant cluster up --dir \(dir)`")
        }
        guard case .object(let o) = try JSONParser.parse(Array(bytes)),
              let gateway = o["gateway"]?.stringValue, let admin = o["admin_token_file"]?.stringValue,
              let cluster = o["cluster_token_file"]?.stringValue, case .array(let list)? = o["services"] else {
            throw CLIError("\(path(dir)) is not a cluster file")
        }
        var services = [Service]()
        for case .object(let s) in list {
            guard let name = s["name"]?.stringValue, let service = s["service"]?.stringValue, let rpc = s["rpc"]?.stringValue,
                  let http = s["http"]?.stringValue, case .int(let pid)? = s["pid"], let log = s["log"]?.stringValue else {
                throw CLIError("\(path(dir)): a service entry lacks name, service, rpc, http, pid or log")
            }
            guard let pid = Int32(exactly: pid), pid > 1 else { throw CLIError("\(path(dir)): service \(name) has no valid pid") }
            services.append(Service(name: name, service: service, rpc: rpc, http: http, pid: pid, log: log))
        }
        return ClusterFile(services: services, gateway: gateway, adminTokenFile: admin, clusterTokenFile: cluster,
                           started: o["started"]?.stringValue ?? "", tlsCA: o["tls_ca"]?.stringValue)
    }

    var json: JSONValue {
        .object(JSONObject([
            ("gateway", .string(gateway)), ("admin_token_file", .string(adminTokenFile)), ("cluster_token_file", .string(clusterTokenFile)),
            ("started", .string(started)),
        ] + (tlsCA.map { [("tls_ca", .string($0))] } ?? []) + [
            ("services", .array(services.map { s in
                .object(JSONObject([("name", .string(s.name)), ("service", .string(s.service)), ("rpc", .string(s.rpc)), ("http", .string(s.http)),
                                    ("pid", .int(Int64(s.pid))), ("log", .string(s.log))]))
            })),
        ]))
    }

    func write(_ dir: String) throws {
        let text = JSONWriter(indent: 2).string(json) + "\n"
        let temporary = Self.path(dir) + ".tmp"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, Self.path(dir)) == 0 else { throw CLIError("cannot write \(Self.path(dir))") }
    }
}

/// `anant cluster`: a local cluster on 127.0.0.1.
struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Start, inspect and stop a local cluster: metadata, storage, compute and a gateway on 127.0.0.1.",
        subcommands: [ClusterUpCommand.self, ClusterStatusCommand.self, ClusterDownCommand.self])
}

struct ClusterUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a local cluster and return once every service is ready.",
        discussion: """
        Writes DIR/cluster.json (addresses, pids, logs), DIR/admin.token (the client token with every right; \
        pass it with --token-file, or use --cluster DIR), DIR/reader.token (a token that may only read), DIR/tokens (the gateway's hashed tokens) and \
        DIR/cluster.token (what the services present to each other). Logs go to DIR/logs.
        """)

    @Option(help: "The cluster's folder (created).")
    var dir: String

    @Option(help: "Compute workers.")
    var compute = 2

    @Option(help: "Storage services.")
    var storage = 1

    @Option(help: "Storage replicas per shard (at most --storage).")
    var replicas = 1

    @Option(help: "Threads per compute worker (default: every processor).")
    var threads: Int?

    @Option(help: "Memory for each compute worker's built hypergraphs, in MiB.")
    var cacheMb = 4096

    @Option(help: "The largest frame every service accepts, in MiB (results of big line graphs cross in one frame).")
    var maxFrameMb = 1024

    @Option(help: "Seconds to wait for every service to be ready.")
    var timeout = 60.0

    @Option(help: "The gateway's memory budget per request, in MiB (default: none).")
    var requestMemoryMb: Int?

    @Option(help: "Run every service over TLS with this PEM certificate (its names must include 127.0.0.1), mutual between services.")
    var tlsCert: String?

    @Option(help: "The PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "The PEM CA that signed --tls-cert (recorded in cluster.json for the clients).")
    var tlsCa: String?

    func validate() throws {
        guard (1...64).contains(compute) else { throw ValidationError("--compute must be 1 to 64") }
        guard (1...16).contains(storage) else { throw ValidationError("--storage must be 1 to 16") }
        guard (1...storage).contains(replicas) else { throw ValidationError("--replicas must be 1 to --storage (\(storage))") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard (16...1_048_576).contains(cacheMb) else { throw ValidationError("--cache-mb must be 16 to 1048576") }
        guard (1...4095).contains(maxFrameMb) else { throw ValidationError("--max-frame-mb must be 1 to 4095") }
        guard (tlsCert == nil) == (tlsKey == nil) && (tlsCert == nil) == (tlsCa == nil) else {
            throw ValidationError("--tls-cert, --tls-key and --tls-ca go together")
        }
    }

    func run() throws {
        let started = Date()
        let dir = URL(fileURLWithPath: self.dir).standardizedFileURL.path
        if let existing = try? ClusterFile.read(dir), existing.services.contains(where: \.isRunning) {
            throw CLIError("a cluster already runs in \(dir): stop it with `anant cluster down --dir \(dir)`")
        }
        if FileManager.default.fileExists(atPath: "\(dir)/metadata.db") {
            throw CLIError("\(dir) holds the data of a stopped cluster (its catalog names storage addresses that are gone): choose a new folder, or remove it")
        }
        try FileManager.default.createDirectory(atPath: "\(dir)/logs", withIntermediateDirectories: true)
        let clusterToken = Tokens.generate(), adminToken = Tokens.generate(), readerToken = Tokens.generate()
        try secret(clusterToken + "\n", "\(dir)/cluster.token")
        try secret(adminToken + "\n", "\(dir)/admin.token")
        try secret(readerToken + "\n", "\(dir)/reader.token")
        try secret("# ROLE SHA256 [NAMESPACE]: the gateway's client tokens, hashed\n" + Tokens.line(role: .admin, token: adminToken) + "\n"
                   + Tokens.line(role: .reader, token: readerToken) + "\n", "\(dir)/tokens")
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        let tls = tlsCert.map { ["--tls-cert", absolute($0), "--tls-key", absolute(tlsKey ?? ""), "--tls-ca", absolute(tlsCa ?? "")] } ?? []
        let common = ["--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--token-file", "\(dir)/cluster.token", "--drain-seconds", "5",
                      "--max-frame-mb", String(maxFrameMb)] + tls
        var launched = [Launched]()
        do {
            let metadata = try Launched.start("metadata", "anant-metadata", ["--db", "\(dir)/metadata.db", "--heartbeat-seconds", "1"] + common, dir: dir)
            launched.append(metadata)
            let meta = try metadata.ready(timeout: timeout)
            var workers = [Launched]()
            for k in 0..<storage {
                workers.append(try Launched.start("storage-\(k + 1)", "anant-storage", ["--root", "\(dir)/storage-\(k + 1)", "--metadata", meta.rpc] + common, dir: dir))
            }
            let threadFlags = threads.map { ["--threads", String($0)] } ?? []
            for k in 0..<compute {
                workers.append(try Launched.start("compute-\(k + 1)", "anant-compute",
                                                  ["--metadata", meta.rpc, "--cache-dir", "\(dir)/compute-\(k + 1)", "--cache-mb", String(cacheMb)] + threadFlags + common, dir: dir))
            }
            launched += workers
            var services = [meta]
            for worker in workers { services.append(try worker.ready(timeout: timeout)) }
            let gateway = try Launched.start("gateway", "anant-gateway", ["--metadata", meta.rpc, "--tokens", "\(dir)/tokens", "--replicas", String(replicas),
                                                                         "--scratch", "\(dir)/gateway", "--cleanup-seconds", "2", "--pending-seconds", "5"]
                                                                          + (requestMemoryMb.map { ["--request-memory-mb", String($0)] } ?? []) + common, dir: dir)
            launched.append(gateway)
            let front = try gateway.ready(timeout: timeout)
            services.append(front)
            let file = ClusterFile(services: services, gateway: front.rpc, adminTokenFile: "\(dir)/admin.token", clusterTokenFile: "\(dir)/cluster.token",
                                   started: ISO8601DateFormatter().string(from: started), tlsCA: tlsCa.map(absolute))
            try file.write(dir)
            let seconds = Date().timeIntervalSince(started)
            Output.line("cluster up in \(String(format: "%.2f", seconds)) s: gateway \(front.rpc), \(storage) storage, \(compute) compute (replicas \(replicas))")
            Output.line("run commands with --cluster \(dir) (or --gateway \(front.rpc) --token-file \(dir)/admin.token)")
        } catch {
            for process in launched.reversed() { process.stop() }
            throw error
        }
    }

    private func secret(_ text: String, _ path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(path)")
        }
    }
}

/// A service process `cluster up` started.
struct Launched {
    let name: String
    let service: String
    let process: Process
    let out: String
    let log: String

    /// The folder of this executable, where the service binaries are built beside it.
    static var binaries: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }

    static func start(_ name: String, _ binary: String, _ arguments: [String], dir: String) throws -> Launched {
        let path = "\(binaries)/\(binary)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            let configuration = binaries.split(separator: "/").last == "release" ? "-c release " : ""
            throw CLIError("\(path) is missing: build the services beside anant (swift build \(configuration)builds them all)")
        }
        let out = "\(dir)/logs/\(name).out", log = "\(dir)/logs/\(name).log"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        // In a session of its own, so the service outlives this command and its terminal.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid") {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            process.arguments = [path] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: log)
        do { try process.run() } catch { throw CLIError("cannot start \(path): \(error)") }
        return Launched(name: name, service: binary.replacingOccurrences(of: "anant-", with: ""), process: process, out: out, log: log)
    }

    /// The service's entry once it printed its ready line.
    func ready(timeout: Double) throws -> ClusterFile.Service {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if let text = try? String(contentsOfFile: out, encoding: .utf8), let line = text.split(separator: "\n").first, text.contains("\n"),
               case .object(let o)? = try? JSONParser.parse(String(line)),
               let rpc = o["rpc"]?.stringValue, let http = o["http"]?.stringValue, case .int(let number)? = o["pid"],
               let pid = Int32(exactly: number), pid > 1 {
                return ClusterFile.Service(name: name, service: service, rpc: rpc, http: http, pid: pid, log: log)
            }
            if !process.isRunning {
                let tail = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
                throw CLIError("\(name) exited (status \(process.terminationStatus)) before it was ready:\n\(tail)")
            }
            usleep(10_000)
        }
        throw CLIError("\(name) was not ready after \(timeout) s (see \(log))")
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

struct ClusterStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the services, their health, workers, datasets and running jobs.")

    @Option(help: "The cluster's folder.")
    var dir: String

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let file = try ClusterFile.read(dir)
        let alive = file.services.map(\.isRunning)
        let token = try ClusterOptions.token(in: file.adminTokenFile)
        let client: AnantClient
        do { client = try AnantClient(address: file.gateway, token: token, retrySeconds: 0, tlsCA: file.tlsCA) } catch { throw CLIError(error.message) }
        let status = try? blocking { try await client.status() }
        if format == .json {
            var entries = [(String, JSONValue)]()
            entries.append(("gateway", .string(file.gateway)))
            entries.append(("services", .array(zip(file.services, alive).map { s, up in
                .object(JSONObject([("name", .string(s.name)), ("service", .string(s.service)), ("rpc", .string(s.rpc)), ("http", .string(s.http)),
                                    ("pid", .int(Int64(s.pid))), ("running", .bool(up))]))
            })))
            if let status {
                let now = UInt64(Date().timeIntervalSince1970 * 1e9)
                entries.append(("workers", .array(status.workers.map { w in
                    .object(JSONObject([("id", .string(w.workerID)), ("role", .string(w.role == .compute ? "compute" : "storage")),
                                        ("rpc", .string(w.rpcAddress)), ("live", .bool(w.leaseExpiresUnixNanos > now)),
                                        ("tasks_in_flight", .int(Int64(w.tasksInFlight)))]))
                })))
                entries.append(("datasets", .array(status.datasets.map { d in
                    .object(JSONObject([("name", .string(d.name)), ("latest_version", .int(Int64(d.latestVersion))), ("versions", .int(Int64(d.versionCount)))]))
                })))
                entries.append(("jobs", .array(status.jobs.map { j in
                    .object(JSONObject([("id", .string(j.jobID)), ("operation", .string(j.operation)), ("dataset", .string(j.dataset.name)),
                                        ("tasks", .int(Int64(j.tasks))), ("done", .int(Int64(j.tasksDone)))]))
                })))
                entries.append(("jobs_finished", .int(Int64(status.jobsFinished))))
                entries.append(("jobs_failed", .int(Int64(status.jobsFailed))))
            } else {
                entries.append(("gateway_reachable", .bool(false)))
            }
            return Output.json(.object(JSONObject(entries)))
        }
        Output.line("gateway \(file.gateway)\(status == nil ? " (not reachable)" : "")")
        Output.table(["service", "rpc", "http", "pid", "state"], zip(file.services, alive).map { s, up in
            [s.name, s.rpc, s.http, String(s.pid), up ? "running" : "stopped"]
        })
        guard let status else { return }
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        Output.line("workers: \(status.workers.filter { $0.leaseExpiresUnixNanos > now }.count) live of \(status.workers.count)")
        Output.table(["worker", "role", "rpc", "lease", "tasks"], status.workers.map { w in
            [w.workerID, w.role == .compute ? "compute" : "storage", w.rpcAddress, w.leaseExpiresUnixNanos > now ? "live" : "expired", String(w.tasksInFlight)]
        })
        Output.line("datasets: \(status.datasets.count)")
        if !status.datasets.isEmpty {
            Output.table(["dataset", "latest", "versions"], status.datasets.map { [$0.name, String($0.latestVersion), String($0.versionCount)] })
        }
        Output.line("jobs: \(status.jobs.count) running, \(status.jobsFinished) finished (\(status.jobsFailed) failed)")
        if !status.jobs.isEmpty {
            Output.table(["job", "operation", "dataset", "tasks", "done"], status.jobs.map {
                [$0.jobID, $0.operation, $0.dataset.name, String($0.tasks), String($0.tasksDone)]
            })
        }
    }
}

struct ClusterDownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop every service of the cluster gracefully (SIGTERM, then SIGKILL after a grace period).")

    @Option(help: "The cluster's folder.")
    var dir: String

    @Option(help: "Seconds each service may take to drain before it is killed.")
    var grace = 10.0

    func run() throws {
        let file = try ClusterFile.read(dir)
        // The gateway first, metadata last: nothing new arrives while the workers drain.
        let order = ["gateway", "compute", "storage", "metadata"]
        var stopped = 0
        for kind in order {
            let group = file.services.filter { $0.service == kind && kill($0.pid, 0) == 0 && $0.isRunning }
            for s in group { kill(s.pid, SIGTERM) }
            let end = Date().addingTimeInterval(grace)
            while group.contains(where: { kill($0.pid, 0) == 0 && !Self.zombie($0.pid) }) && Date() < end { usleep(20_000) }
            for s in group where kill(s.pid, 0) == 0 && !Self.zombie(s.pid) { kill(s.pid, SIGKILL) }
            stopped += group.count
        }
        try? FileManager.default.removeItem(atPath: ClusterFile.path(dir))
        Output.line("cluster down: \(stopped) services stopped")
    }

    /// Whether `pid` has exited but was not reaped yet (its parent, `cluster up`, is gone,
    /// so init reaps it soon).
    static func zombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        guard let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
