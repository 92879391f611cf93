import Dispatch
import Foundation

/// Runs the Python oracles (HyperNetX, pyarrow, ...) installed in the project's `.venv` by
/// `scripts/bootstrap`.
public enum Oracle {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// The venv's Python.
    public static let python = TestData.root.appendingPathComponent(".venv/bin/python").path

    /// Runs `Tests/Oracles/<script>` with `input` on stdin and returns its stdout; throws
    /// with its stderr when it fails or runs longer than `timeout` seconds.
    public static func run(_ script: String, input: Data, timeout: Double = 300, arguments: [String] = []) throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "the Python oracles are not installed: run scripts/bootstrap (expected \(python))")
        }
        let scriptPath = TestData.root.appendingPathComponent("Tests/Oracles/\(script)").path
        return try runProcess(python, [scriptPath] + arguments, input: input, timeout: timeout)
    }

    /// Runs an executable with arguments, stdin from `input`; returns stdout, throws on a
    /// non-zero exit (with stderr) or a timeout. Uses files, not pipes, so large outputs
    /// cannot deadlock.
    public static func runProcess(_ executable: String, _ arguments: [String], input: Data = Data(),
                                  timeout: Double = 300) throws -> Data {
        let result = try capture(executable, arguments, input: input, timeout: timeout)
        guard result.status == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) exited with \(result.status):\n\(String(decoding: result.stderr, as: UTF8.self))")
        }
        return result.stdout
    }

    /// The outcome of a process run.
    public struct Outcome {
        public let status: Int32
        public let stdout: Data
        public let stderr: Data
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs an executable and returns its exit status and outputs; throws only on a timeout
    /// or when it cannot be started.
    public static func capture(_ executable: String, _ arguments: [String], input: Data = Data(),
                               timeout: Double = 300, environment: [String: String]? = nil, directory: String? = nil) throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("anant-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let inURL = folder.appendingPathComponent("in"), outURL = folder.appendingPathComponent("out"),
            errURL = folder.appendingPathComponent("err")
        try input.write(to: inURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) timed out after \(timeout) s")
        }
        return Outcome(status: process.terminationStatus, stdout: try Data(contentsOf: outURL), stderr: try Data(contentsOf: errURL))
    }
}
