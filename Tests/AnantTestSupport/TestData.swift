import AnantHypergraph
import Foundation

/// Paths and loaders shared by the test targets.
public enum TestData {
    /// The package root (three levels above this file).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file under `Tests/Fixtures/`.
    public static func fixture(_ path: String) -> URL { root.appendingPathComponent("Tests/Fixtures/\(path)") }

    /// A bundled sample under `data/samples/`.
    public static func sample(_ name: String) -> URL { root.appendingPathComponent("data/samples/\(name)") }

    /// The bytes of a file.
    public static func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    /// The files of a fixture folder, sorted by name.
    public static func files(in folder: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: fixture(folder), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// A bundled HIF sample, loaded.
    public static func hif(_ name: String) throws -> Hypergraph {
        try HIFReader.read(try bytes(sample(name)))
    }
}

/// The toy hypergraphs of `reference/hypergraph-golden.md`.
public enum Toys {
    /// T9: HyperNetX's `scenes_dictionary` (9 edges, 13 nodes; edges 0 and 8 are duplicates).
    public static let t9 = Hypergraph(edgeList: [
        (0, ["FN", "TH"]), (1, ["TH", "JV"]), (2, ["BM", "FN", "JA"]), (3, ["JV", "JU", "CH", "BM"]),
        (4, ["JU", "CH", "BR", "CN", "CC", "JV", "BM"]), (5, ["TH", "GP"]), (6, ["GP", "MP"]),
        (7, ["MA", "GP"]), (8, ["FN", "TH"]),
    ])

    /// S4: two components, {A, B} on nodes 1-4 and {C, D} on nodes 5-6.
    public static let s4 = Hypergraph(edgeList: [
        ("A", [1, 2, 3]), ("B", [2, 3, 4]), ("C", [5, 6]), ("D", [6]),
    ])
}

extension Hypergraph {
    /// Ids of the given nodes (tests speak in ids).
    public func nodeIDs(_ indices: [Int]) -> [ElementID] { indices.map { nodes[$0] } }
    /// Ids of the given edges.
    public func edgeIDs(_ indices: [Int]) -> [ElementID] { indices.map { edges[$0] } }
    /// Dense index of a node id, for tests (traps on an unknown id).
    public func n(_ id: ElementID) -> Int { try! nodeIndex(id) }
    /// Dense index of an edge id, for tests (traps on an unknown id).
    public func e(_ id: ElementID) -> Int { try! edgeIndex(id) }
}

extension TestData {
    /// The `anant` executable built beside the test bundle.
    public static var anantBinary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("anant").path
    }

    /// Runs `anant` with arguments; returns status, stdout and stderr.
    public static func anant(_ arguments: [String], timeout: Double = 120, directory: String? = nil) throws -> Oracle.Outcome {
        try Oracle.capture(anantBinary, arguments, timeout: timeout, directory: directory)
    }

    /// The standard output of `anant` with arguments, which must succeed.
    public static func anantOutput(_ arguments: [String]) throws -> String {
        let outcome = try anant(arguments)
        guard outcome.status == 0 else { throw CommandFailure(arguments: arguments, status: outcome.status, stderr: outcome.stderrText) }
        return outcome.stdoutText
    }

    /// A command that should have succeeded, and how it failed.
    public struct CommandFailure: Error, CustomStringConvertible {
        public var arguments: [String], status: Int32, stderr: String
        public var description: String { "anant \(arguments.joined(separator: " ")) exited \(status): \(stderr)" }
    }

    /// A fresh temporary folder, removed by the caller.
    public static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("anant-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
