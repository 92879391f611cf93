import AnantColumnar
import AnantTestSupport
import Foundation
import Testing

/// Arrow IPC at the command line: `export` and `convert` to `.arrow` files that pyarrow and
/// polars read and that read back as the same hypergraph, and `--format arrow` results.
@Suite struct CLIArrowTests {
    func run(_ arguments: [String]) throws -> Oracle.Outcome {
        let outcome = try TestData.anant(arguments)
        #expect(outcome.status == 0, "anant \(arguments.joined(separator: " ")): \(outcome.stderrText)")
        return outcome
    }

    @Test func exportedFilesReadInPyarrowPolarsAndAnant() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let hif = TestData.sample("lesmis.hif.json").path
        let ds = folder.appendingPathComponent("lesmis.ds").path
        _ = try run(["import", hif, ds, "--shards", "2"])
        let arrow = folder.appendingPathComponent("lesmis.arrow").path
        let written = try run(["export", ds, arrow, "--format", "json"]).stdoutText
        #expect(written.contains("lesmis.nodes.arrow"), "the node properties travel in a companion")

        // pyarrow's open_file and polars' read_ipc read the incidence table Anant wrote.
        let seen = try #require(try JSONParser.parse(Array(try Oracle.run("arrow_interop.py", input: Data(), arguments: ["file", arrow]))).objectValue)
        #expect(seen["rows"] == .int(862))
        #expect(seen["polars_same"] == .bool(true))
        #expect(seen["columns"]?.objectValue?["node"]?.arrayValue?.contains(.string("JV")) == true)

        // The .arrow files read back as the same hypergraph.
        for command in [["info"], ["report"], ["components", "--s", "2"]] {
            let a = try run(command + [arrow, "--format", "json"]).stdoutText.replacingOccurrences(of: arrow, with: "X")
            let b = try run(command + [hif, "--format", "json"]).stdoutText.replacingOccurrences(of: hif, with: "X")
            #expect(a == b, "\(command)")
        }
    }

    @Test func resultsAsArrowStreams() throws {
        let hif = TestData.sample("lesmis.hif.json").path
        // An operation's main table.
        let degrees = try run(["degree", hif, "--format", "arrow"]).stdout
        let (schema, batches, _) = try ArrowIPC.read(Array(degrees))
        #expect(schema.names == ["node", "degree"])
        #expect(batches.reduce(0) { $0 + $1.rowCount } == 80)
        // A query's rows, read by pyarrow and polars.
        let rows = try run(["query", hif, "--group-by", "node", "--agg", "count(*) as n, sum(weight) as w", "--sort", "n desc, node",
                            "--limit", "4", "--format", "arrow"]).stdout
        let seen = try #require(try JSONParser.parse(Array(try Oracle.run("arrow_interop.py", input: rows, arguments: ["read"]))).objectValue)
        #expect(seen["rows"] == .int(4))
        #expect(seen["polars_same"] == .bool(true))
        #expect(seen["columns"]?.objectValue?["node"]?.arrayValue?.first == .string("JV"))
    }
}
