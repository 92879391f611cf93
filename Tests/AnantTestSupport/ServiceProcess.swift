import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A service binary started by a test on 127.0.0.1 with port 0: it waits (with a
/// deadline) for the ready line, knows the ports and pid it printed, and is always
/// stopped by pid (SIGKILL when the test forgot, at deinit).
public final class ServiceProcess: @unchecked Sendable {
    public let process: Process
    public let pid: Int32
    public let rpcPort: Int
    public let httpPort: Int
    public let readyLine: String
    public let stderrPath: String

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The path of a product built beside the test bundle.
    public static func binary(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Starts `binary` with `arguments` plus `--listen 127.0.0.1:PORT --http 127.0.0.1:0`
    /// (`listen` 0: any free port).
    public init(_ binary: String, _ arguments: [String], listen: Int = 0, timeout: Double = 30) throws {
        let stdout = Pipe()
        stderrPath = FileManager.default.temporaryDirectory.appendingPathComponent("anant-service-\(UUID().uuidString).log").path
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + ["--listen", "127.0.0.1:\(listen)", "--http", "127.0.0.1:0"]
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
        pid = process.processIdentifier
        let fd = stdout.fileHandleForReading.fileDescriptor
        var line = [UInt8]()
        let end = Date().addingTimeInterval(timeout)
        while !line.contains(0x0A) {
            let left = end.timeIntervalSinceNow
            guard left > 0 else {
                kill(process.processIdentifier, SIGKILL)
                throw Failure(description: "\(binary) printed no ready line within \(timeout) s")
            }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(left * 1000)) > 0 else { continue }
            var byte = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &byte, 4096)
            guard n > 0 else {
                throw Failure(description: "\(binary) exited before it was ready: \((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")")
            }
            line.append(contentsOf: byte[..<n])
        }
        readyLine = String(decoding: line.prefix { $0 != 0x0A }, as: UTF8.self)
        guard let object = try JSONSerialization.jsonObject(with: Data(readyLine.utf8)) as? [String: Any],
              let rpc = object["rpc"] as? String, let http = object["http"] as? String,
              let rpcPort = Int(rpc.split(separator: ":").last ?? ""), let httpPort = Int(http.split(separator: ":").last ?? ""),
              (object["pid"] as? Int).map(Int32.init) == process.processIdentifier
        else { throw Failure(description: "not a ready line: \(readyLine)") }
        self.rpcPort = rpcPort
        self.httpPort = httpPort
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    /// Sends `signal` and waits (polling every 5 ms, at most `timeout` s) for the exit:
    /// its status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 30) throws -> Int32 {
        kill(pid, signal)
        return try waitForExit(timeout: timeout)
    }

    /// Waits for the process to exit by itself: its status.
    public func waitForExit(timeout: Double = 30) throws -> Int32 {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > end {
                kill(pid, SIGKILL)
                throw Failure(description: "pid \(pid) did not exit within \(timeout) s")
            }
            usleep(5_000)
        }
        return process.terminationStatus
    }

    /// `GET path` on the service's HTTP port: the status code and the body.
    public func httpGet(_ path: String) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(httpPort).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "cannot connect to the HTTP port \(httpPort)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { throw Failure(description: "cannot send") }
        var response = [UInt8](), chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            response.append(contentsOf: chunk[..<n])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let statusText = text.split(separator: " ", maxSplits: 2).dropFirst().first, let status = Int(statusText) else {
            throw Failure(description: "not an HTTP response: \(text.prefix(200))")
        }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    /// What the service logged so far.
    public var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// The resident memory of the process, in bytes (Linux).
    public var residentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kb * 1024
    }
}
