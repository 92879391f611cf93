import AnantClient
import AnantColumnar
import AnantProto
import AnantTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A local cluster started with `anant cluster up` for one test, stopped by `down()` (and,
/// should a test fail first, by killing every pid its cluster.json lists).
final class LocalCluster: @unchecked Sendable {
    let dir: String
    let json: JSONObject

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// The TLS files a cluster runs with: its certificate and key, and the CA that signed them.
    struct TLSFiles { let certificate: String, key: String, ca: String }

    /// `flags`: more options of `anant cluster up`.
    init(compute: Int = 2, storage: Int = 2, replicas: Int = 2, threads: Int = 1, tls: TLSFiles? = nil, flags: [String] = []) throws {
        dir = try TestData.temporaryFolder().path
        let tlsFlags = tls.map { ["--tls-cert", $0.certificate, "--tls-key", $0.key, "--tls-ca", $0.ca] } ?? []
        let up = try TestData.anant(["cluster", "up", "--dir", dir, "--compute", String(compute), "--storage", String(storage),
                                     "--replicas", String(replicas), "--threads", String(threads)] + tlsFlags + flags, timeout: 90)
        guard up.status == 0 else { throw Failure(description: "cluster up failed: \(up.stderrText)") }
        guard case .object(let o) = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/cluster.json")))) else {
            throw Failure(description: "no cluster.json")
        }
        json = o
    }

    deinit { kill() }

    var gateway: String { json["gateway"]!.stringValue! }
    var adminToken: String { Self.firstLine("\(dir)/admin.token") }
    var readerToken: String { Self.firstLine("\(dir)/reader.token") }
    var clusterToken: String { Self.firstLine("\(dir)/cluster.token") }

    /// The services of one kind ("compute", "storage", ...), as (pid, rpc address).
    func services(_ kind: String) -> [(pid: Int32, rpc: String, name: String)] {
        guard case .array(let list)? = json["services"] else { return [] }
        return list.compactMap { value in
            guard case .object(let s) = value, s["service"]?.stringValue == kind, case .int(let pid)? = s["pid"] else { return nil }
            return (Int32(pid), s["rpc"]!.stringValue!, s["name"]!.stringValue!)
        }
    }

    func client(token: String? = nil, retrySeconds: Double = 15, tlsCA: String? = nil) throws -> AnantClient {
        try AnantClient(address: gateway, token: token ?? adminToken, retrySeconds: retrySeconds, tlsCA: tlsCA ?? json["tls_ca"]?.stringValue)
    }

    /// `anant ARGS --cluster DIR`.
    func anant(_ arguments: [String], timeout: Double = 300, directory: String? = nil) throws -> Oracle.Outcome {
        try TestData.anant(arguments + ["--cluster", dir], timeout: timeout, directory: directory)
    }

    func down() throws {
        let outcome = try TestData.anant(["cluster", "down", "--dir", dir], timeout: 60)
        guard outcome.status == 0 else { throw Failure(description: "cluster down failed: \(outcome.stderrText)") }
        kill()
    }

    /// Kills whatever is still running and removes the folder.
    func kill() {
        guard case .array(let list)? = json["services"] else { return }
        for case .object(let s) in list {
            if case .int(let pid)? = s["pid"], Glibc.kill(Int32(pid), 0) == 0 { Glibc.kill(Int32(pid), SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: dir)
    }

    static func firstLine(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").first.map(String.init) ?? ""
    }

    /// User plus system CPU time of a process, in clock ticks.
    static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return -1 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }
}

