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

    /// The Arrow IPC bytes Anant writes (streams, and a file with its footer) are those of
    /// the encoder before it laid streams out in place (84f982b): SHA-256 of each output,
    /// recorded with the binary of the commit before it. String, integer and double
    /// columns, one batch and several.
    @Test func arrowBytesStayThoseOfTheFirstEncoder() throws {
        let lesmis = TestData.sample("lesmis.hif.json").path, ecoli = TestData.sample("e-coli.json").path
        func sha(_ data: Data) -> String {
            var hash = SHA256()
            hash.update(Array(data))
            return hash.hexDigest()
        }
        let streams: [([String], String)] = [
            (["line-graph", lesmis, "--s", "2", "--format", "arrow"], "bb864e420495ddd8e83791985770d510455c19055f61aab0f4c9804ae6edeb5a"),
            (["centrality", lesmis, "--measure", "closeness", "--format", "arrow"], "529e9ef4a62de096e86720bf2ed5e7f861dd8489d985122c29ce20272762bc22"),
            (["degree", lesmis, "--format", "arrow"], "0f22ac6022e2acd616079b3dab768db669ca213fab85301262a7734443780712"),
            (["degree", ecoli, "--format", "arrow"], "96bfc38b49a85ef718cc485065d4bf681d934489b8af435bcbb8a64cfcb8db3a"),
            (["components", ecoli, "--s", "2", "--format", "arrow"], "f7d20563b67f281c42902522d2372b673ea73e80045acc7018dac09a99d128fc"),
        ]
        for (arguments, expected) in streams { #expect(sha(try run(arguments).stdout) == expected, "\(arguments)") }
        let tmp = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let file = tmp.appendingPathComponent("pairs.arrow").path
        _ = try run(["line-graph", lesmis, "--s", "1", "--out", file])
        #expect(sha(try Data(contentsOf: URL(fileURLWithPath: file))) == "5867b434cb7fa08ee681d042a4fd84ee2f79a213d7e023bd884667f9ba7c92b4")
    }
}
