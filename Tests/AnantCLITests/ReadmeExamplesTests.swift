import AnantTestSupport
import Foundation
import Testing

/// The README's examples run as written: every `bash` block whose lines are `anant`
/// commands (alone or at the end of a pipe) runs line by line, in order, in a fresh folder
/// holding the repository's `data/`, with the `anant` under test first on PATH. Each line
/// must exit 0. Blocks that set up or start services by hand (scripts/, swift build,
/// .build/) are left to their own tests; the local cluster's folder `/tmp/c` is a fresh
/// folder here, and the cluster is always stopped.
@Suite struct ReadmeExamplesTests {
    /// The runnable lines of the README, block by block.
    static func examples() throws -> [[String]] {
        let text = try String(contentsOf: TestData.root.appendingPathComponent("README.md"), encoding: .utf8)
        var blocks = [[String]](), current: [String]? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                if let block = current { blocks.append(block); current = nil } else if line == "```bash" { current = [] }
                continue
            }
            if current != nil, !line.trimmingCharacters(in: .whitespaces).isEmpty { current!.append(line) }
        }
        func runnable(_ line: String) -> Bool { line.hasPrefix("anant ") || line.contains("| anant ") }
        return blocks.filter { $0.allSatisfy(runnable) }
    }

    @Test func everyExampleRunsAsWritten() throws {
        let blocks = try Self.examples()
        let lines = blocks.joined()
        // The README shows the commands of every part: the main job, datasets, Parquet,
        // metadata, the cluster and plots.
        for command in ["anant report", "anant import", "anant parquet cat", "anant meta put", "anant cluster up", "anant plot"] {
            #expect(lines.contains { $0.contains(command) }, "the README has no runnable \(command) example")
        }
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("data"), withDestinationURL: TestData.root.appendingPathComponent("data"))
        let cluster = folder.appendingPathComponent("c").path
        defer { _ = try? TestData.anant(["cluster", "down", "--dir", cluster]) }
        let binaries = URL(fileURLWithPath: TestData.anantBinary).deletingLastPathComponent().path
        for line in lines {
            let command = line.replacingOccurrences(of: "/tmp/c", with: cluster)
            let outcome = try Oracle.capture("/bin/bash", ["-c", "set -o pipefail; export PATH='\(binaries)':\"$PATH\"; \(command)"],
                                             timeout: 180, directory: folder.path)
            #expect(outcome.status == 0, "README: \(line)\n\(outcome.stderrText.prefix(600))")
            #expect(!(outcome.stdout.isEmpty && outcome.stderr.isEmpty) || line.contains("meta put") || line.contains("cluster down"),
                    "README: \(line) said nothing")
        }
        // What the examples say they write is there.
        for written in ["pairs.parquet", "collapsed.json", "dual.json", "small.csv", "small.schema.json", "lesmis.csv", "lesmis.parquet",
                        "lesmis.ds", "sums.parquet", "metrics/nodes.parquet", "lesmis.json", "meta.db", "betweenness.svg"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(written).path), "README examples: no \(written)")
        }
    }
}
