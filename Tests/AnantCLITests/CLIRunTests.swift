import AnantColumnar
import AnantHypergraph
import AnantOperations
import AnantTestSupport
import Foundation
import Testing

/// The `anant` executable run as a user would: outputs, files written, errors and exit codes.
@Suite struct CLIRunTests {
    let lesmis = TestData.sample("lesmis.hif.json").path

    private func json(_ outcome: Oracle.Outcome) throws -> JSONObject {
        #expect(outcome.status == 0, "stderr: \(outcome.stderrText)")
        return try #require(try JSONParser.parse(Array(outcome.stdout)).objectValue)
    }

    /// Every command that reads a hypergraph refuses a file whose extension it does not
    /// know and whose content is not Parquet, Arrow or HIF, instead of parsing it as CSV;
    /// the same bytes named .csv are read, and real Parquet or HIF under an odd name is.
    @Test func unknownExtensionsAreRefusedByEveryCommand() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = "edge,node\ne1,a\ne1,b\ne2,b\ne2,c\n"
        let odd = folder.appendingPathComponent("table.txt").path, named = folder.appendingPathComponent("table.csv").path
        try Data(csv.utf8).write(to: URL(fileURLWithPath: odd))
        try Data(csv.utf8).write(to: URL(fileURLWithPath: named))
        let commands: [[String]] = [
            ["report"], ["info"], ["degree"], ["neighbors", "--node", "a"], ["edge-neighbors", "--edge", "e1"], ["toplexes"],
            ["singletons"], ["components"], ["line-graph"], ["distance", "--from", "e1", "--to", "e2"], ["diameter"],
            ["centrality", "--measure", "closeness"], ["communities"], ["collapse", "--edges", "--out", folder.appendingPathComponent("c.json").path],
            ["dual", "--out", folder.appendingPathComponent("d.json").path],
        ]
        // Commands whose input is not the first argument: the input goes where {} is.
        let placed: [[String]] = [
            ["convert", "{}", folder.appendingPathComponent("v.json").path], ["import", "{}", folder.appendingPathComponent("ds").path],
            ["plot", "degree", "{}", "--out", folder.appendingPathComponent("p.svg").path],
        ]
        for command in commands.map({ [$0[0], "{}"] + $0.dropFirst() }) + placed {
            var arguments = command.map { $0 == "{}" ? odd : $0 }
            let refused = try TestData.anant(arguments)
            #expect(refused.status != 0 && refused.stderrText.contains("cannot tell the format of '\(odd)'"),
                    "\(command[0]): status \(refused.status), \(refused.stderrText.prefix(200))")
            arguments = command.map { $0 == "{}" ? named : $0 }
            let read = try TestData.anant(arguments)
            #expect(!read.stderrText.contains("cannot tell the format"), "\(command[0]) with .csv: \(read.stderrText.prefix(200))")
        }
        // Content that says what it is is read under any name.
        let hif = folder.appendingPathComponent("lesmis.data").path
        try FileManager.default.copyItem(atPath: lesmis, toPath: hif)
        #expect(try TestData.anant(["info", hif]).status == 0)
    }

    /// Every command that reads a hypergraph takes --edge-col/--node-col/--weight-col: on a
    /// `paper_id,author,w` table it prints what it prints for the same table named
    /// `edge,node,weight`; a missing column is an error naming the columns there are.
    @Test func columnMappingWorksInEveryCommand() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = "p1,ann,1.5,2001\np1,bob,2,2001\np2,bob,0.5,2003\np2,cyd,1,2003\np3,\"2441\",1,2004\np3,cyd,3,2004\n"
        let standard = folder.appendingPathComponent("standard"), mapped = folder.appendingPathComponent("mapped")
        for (dir, header) in [(standard, "edge,node,weight,year"), (mapped, "paper_id,author,w,year")] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data((header + "\n" + rows).utf8).write(to: dir.appendingPathComponent("t.csv"))
        }
        let commands: [[String]] = [
            ["report", "t.csv"], ["info", "t.csv"], ["degree", "t.csv"], ["neighbors", "t.csv", "--node", "bob"],
            ["edge-neighbors", "t.csv", "--edge", "p1"], ["toplexes", "t.csv"], ["singletons", "t.csv"], ["components", "t.csv"],
            ["line-graph", "t.csv"], ["distance", "t.csv", "--from", "ann", "--to", "cyd"], ["diameter", "t.csv"],
            ["centrality", "t.csv", "--measure", "closeness"], ["communities", "t.csv"], ["collapse", "t.csv", "--edges", "--out", "c.json"],
            ["dual", "t.csv", "--out", "d.json"], ["restrict", "t.csv", "--nodes", "bob", "--out", "r.json"], ["convert", "t.csv", "v.json"],
            ["import", "t.csv", "ds"], ["export", "t.csv", "x.json"], ["plot", "degree", "t.csv", "--out", "p.svg"],
        ]
        let mapping = ["--edge-col", "paper_id", "--node-col", "author", "--weight-col", "w"]
        for command in commands {
            let plain = try TestData.anant(command, directory: standard.path)
            let renamed = try TestData.anant(command + mapping, directory: mapped.path)
            #expect(plain.status == 0 && renamed.status == 0, "\(command[0]): \(plain.stderrText.prefix(200)) \(renamed.stderrText.prefix(200))")
            #expect(plain.stdoutText == renamed.stdoutText, "\(command[0]) prints otherwise with the column mapping")
            if let out = command.first(where: { $0.hasSuffix(".json") }) {
                #expect(try TestData.bytes(standard.appendingPathComponent(out)) == TestData.bytes(mapped.appendingPathComponent(out)), "\(command[0]) \(out)")
            }
            let missing = try TestData.anant(command + ["--edge-col", "paper"], directory: mapped.path)
            #expect(missing.status != 0 && missing.stderrText.contains("has no column 'paper' (columns: paper_id, author, w, year)"),
                    "\(command[0]): \(missing.stderrText.prefix(200))")
        }
    }

    /// A table imported with a column mapping exports with its own names again
    /// (`--original-names`), and the written CSV or Parquet reads back without options,
    /// as the same hypergraph.
    @Test func importedColumnNamesComeBack() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("paper_id,author,w,year\np1,ann,1.5,2001\np1,bob,2,2001\np2,\"2441\",0.5,2003\n".utf8).write(to: folder.appendingPathComponent("t.csv"))
        func run(_ arguments: [String]) throws -> Oracle.Outcome {
            let outcome = try TestData.anant(arguments, directory: folder.path)
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderrText)")
            return outcome
        }
        _ = try run(["import", "t.csv", "ds", "--edge-col", "paper_id", "--node-col", "author", "--weight-col", "w"])
        let expected = try run(["degree", "ds", "--format", "json"]).stdoutText
        for ext in ["csv", "parquet", "arrow"] {
            _ = try run(["export", "ds", "out.\(ext)", "--original-names"])
            let back = try HypergraphFiles.read(folder.appendingPathComponent("out.\(ext)").path)
            #expect(back.columnNames == ColumnNames(edge: "paper_id", node: "author", weight: "w"), "\(ext)")
            #expect(try run(["degree", "out.\(ext)", "--format", "json"]).stdoutText == expected, "\(ext)")
            _ = try run(["export", "ds", "std.\(ext)"])
            #expect(try HypergraphFiles.read(folder.appendingPathComponent("std.\(ext)").path) == back, "\(ext): the same hypergraph either way")
        }
        let header = String(decoding: try TestData.bytes(folder.appendingPathComponent("out.csv")), as: UTF8.self).prefix { $0 != "\n" }
        #expect(header == "paper_id,author,w,year")
        let standardHeader = String(decoding: try TestData.bytes(folder.appendingPathComponent("std.csv")), as: UTF8.self).prefix { $0 != "\n" }
        #expect(standardHeader == "edge,node,weight,year")
    }

    /// An integer id 1 and a string id "1" stay two ids in every output keyed or labelled
    /// by id: JSON keys and text labels write the string as "1" (the form the CLI reads as a
    /// string), for every per-node command, in both formats; values keep their JSON types.
    @Test func mixedIdsNeverCollide() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mixed = folder.appendingPathComponent("mixed.json").path
        try Data(#"{"incidences": [{"edge": "a", "node": 1}, {"edge": "b", "node": 1}, {"edge": "a", "node": "1"}, {"edge": "b", "node": "x"}]}"#.utf8)
            .write(to: URL(fileURLWithPath: mixed))
        let keys: Set<String> = ["1", "\"1\"", "x"]
        let commands: [[String]] = [
            ["degree"], ["centrality", "--measure", "closeness", "--nodes"], ["centrality", "--measure", "harmonic", "--nodes"],
            ["centrality", "--measure", "betweenness", "--nodes"], ["neighbors", "--node", "1", "--node", "\"1\"", "--node", "x"],
        ]
        for command in commands {
            let object = try json(try TestData.anant([command[0], mixed] + command.dropFirst() + ["--format", "json"]))
            #expect(Set(object.keys) == keys, "\(command): \(object.keys)")
            let text = try TestData.anant([command[0], mixed] + command.dropFirst())
            let labels = text.stdoutText.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
            #expect(Set(labels) == keys, "\(command): \(labels)")
        }
        let degrees = try json(try TestData.anant(["degree", mixed, "--format", "json"]))
        #expect(degrees["1"] == .int(2) && degrees["\"1\""] == .int(1))
        // Member lists keep JSON types: the integer and the string are both there.
        let components = try TestData.anant(["components", mixed, "--nodes", "--format", "json"])
        #expect(components.stdoutText.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\n", with: "")
                == #"[{"component":1,"size":3,"nodes":[1,"1","x"]}]"#)
    }

    @Test func reportOnTheBundledSample() throws {
        let text = try TestData.anant(["report", lesmis])
        #expect(text.status == 0)
        #expect(text.stdoutText.contains("s-connected components"))
        #expect(text.stdoutText.contains("JV (137)"))
        let report = try json(try TestData.anant(["report", lesmis, "--format", "json", "--top", "3"]))
        #expect(report["nodes"] == .int(80) && report["edges"] == .int(402) && report["incidences"] == .int(862))
        #expect(report["toplexes"] == .int(86) && report["distinct_edges"] == .int(191))
        let components = try #require(report["components"]?.arrayValue)
        let s2 = try #require(components[1].objectValue?["edges"]?.objectValue)
        #expect(s2["count_without_singletons"] == .int(18) && s2["largest"] == .int(196))
        #expect(report["top_nodes_by_degree"]?.objectValue?.keys == ["JV", "MA", "CO"])
        // HyperNetX's s=1 node betweenness ranks JV, MY, GA first (reference/hypergraph-golden.md).
        #expect(report["top_nodes_by_s1_betweenness"]?.objectValue?.keys == ["JV", "MY", "GA"])
    }

    /// `parquet cat --where` speaks the query language (functions, arithmetic, and the
    /// comparisons the reader tests itself) and prints the rows `query` prints; `--format
    /// json` is one document, `--format jsonl` one object per line.
    @Test(arguments: [
        "weight > 0.5", "node = 'JV' or weight > 0.9", "starts_with(node, 'J') and weight * 2 > 1", "not (weight <= 0.5) and edge != '1.1.1.0'",
        "node in ('JV', 'MY') and edge < '3'", "weight is null",
    ])
    func parquetCatSpeaksTheQueryLanguage(filter: String) throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("lesmis.parquet").path
        #expect(try TestData.anant(["convert", lesmis, file]).status == 0)
        let query = try TestData.anant(["query", file, "--where", filter, "--select", "edge, node, weight", "--format", "json"])
        #expect(query.status == 0, "\(query.stderrText)")
        let cat = try TestData.anant(["parquet", "cat", file, "--where", filter, "--columns", "edge,node,weight", "--format", "json"])
        #expect(cat.status == 0, "\(cat.stderrText)")
        let expected = try JSONParser.parse(Array(query.stdout)), got = try JSONParser.parse(Array(cat.stdout))
        #expect(got == expected, "\(filter)")
        let lines = try TestData.anant(["parquet", "cat", file, "--where", filter, "--columns", "edge,node,weight", "--format", "jsonl"])
        let parsed = try lines.stdoutText.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(JSONValue.array(parsed) == expected, "\(filter): jsonl")
        let limited = try TestData.anant(["parquet", "cat", file, "--where", filter, "--columns", "edge", "--limit", "3", "--format", "json"])
        #expect(try JSONParser.parse(Array(limited.stdout)).arrayValue?.count == min(3, expected.arrayValue?.count ?? 0))
    }

    @Test func reportWritesMetricsTables() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("metrics").path
        #expect(try TestData.anant(["report", lesmis, "--out", out]).status == 0)
        let cat = try TestData.anant(["parquet", "cat", out + "/nodes.parquet", "--where", "node = 'JV'", "--format", "json"])
        let rows = try JSONParser.parse(Array(cat.stdout)).arrayValue ?? []
        #expect(rows.count == 1, "\(cat.stdoutText)")
        let nodes = rows.first?.objectValue ?? JSONObject()
        #expect(nodes["degree"] == .int(137))
        #expect(abs((nodes["betweenness_s1"]?.numberValue ?? 0) - 0.52725) < 1e-5)
        let edges = try TestData.anant(["parquet", "digest", out + "/edges.parquet", "--format", "json"])
        #expect(try json(edges)["num_rows"] == .int(402))
        let file = folder.appendingPathComponent("plain").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try TestData.anant(["report", lesmis, "--out", file])
        #expect(refused.status != 0 && refused.stderrText.contains("not a folder"))
    }

    @Test func queriesAnswerByIdInJSON() throws {
        let degree = try json(try TestData.anant(["degree", lesmis, "--node", "JV", "--s", "3", "--format", "json"]))
        #expect(degree["JV"] == .int(26))
        let info = try json(try TestData.anant(["info", lesmis, "--format", "json"]))
        #expect(info["density"]?.numberValue.map { abs($0 - 862.0 / (80 * 402)) < 1e-12 } == true)
        let neighbors = try json(try TestData.anant(["neighbors", lesmis, "--node", "MY", "--s", "2", "--format", "json"]))
        #expect(neighbors["MY"]?.arrayValue?.isEmpty == false)
        let components = try TestData.anant(["components", lesmis, "--s", "3", "--format", "json"])
        #expect(try JSONParser.parse(Array(components.stdout)).arrayValue?.count == 8)
    }

    @Test func modularityOfAPartitionFile() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let t9 = folder.appendingPathComponent("t9.csv").path
        let rows = [(0, ["FN", "TH"]), (1, ["TH", "JV"]), (2, ["BM", "FN", "JA"]), (3, ["JV", "JU", "CH", "BM"]),
                    (4, ["JU", "CH", "BR", "CN", "CC", "JV", "BM"]), (5, ["TH", "GP"]), (6, ["GP", "MP"]), (7, ["MA", "GP"]), (8, ["FN", "TH"])]
        try ("edge,node\n" + rows.flatMap { e, nodes in nodes.map { "\(e),\($0)\n" } }.joined()).write(toFile: t9, atomically: true, encoding: .utf8)
        let parts = folder.appendingPathComponent("parts.json").path
        try #"[["FN","TH","JA","GP","MP","MA"],["JV","BM","JU","CH","BR","CN","CC"]]"#.write(toFile: parts, atomically: true, encoding: .utf8)
        for (rule, value) in [("linear", 0.306713), ("majority", 0.263889), ("strict", 0.401042)] {
            let result = try json(try TestData.anant(["modularity", t9, "--partition", parts, "--wdc", rule, "--format", "json"]))
            #expect(abs((result["modularity"]?.numberValue ?? .nan) - value) < 1e-6, "\(rule)")
        }
        let csv = folder.appendingPathComponent("parts.csv").path
        try "node,part\nFN,a\nTH,a\nJA,a\nGP,a\nMP,a\nMA,a\nJV,b\nBM,b\nJU,b\nCH,b\nBR,b\nCN,b\nCC,b\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let fromCSV = try json(try TestData.anant(["modularity", t9, "--partition", csv, "--format", "json"]))
        #expect(abs((fromCSV["modularity"]?.numberValue ?? .nan) - 0.306713) < 1e-6)
        let first = fromCSV["parts"]?.arrayValue?.first?.objectValue
        #expect(first?["part"] == .string("a") && first?["nodes"] == .int(6))
        #expect(abs((first?["conductance"]?.numberValue ?? .nan) - 0.384615) < 1e-6)
        // A partition missing a node, or naming an unknown one, is refused with the reason.
        try "node,part\nFN,a\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let missing = try TestData.anant(["modularity", t9, "--partition", csv])
        #expect(missing.status != 0 && missing.stderrText.contains("is in no part"))
        try #"{"XX": 1}"#.write(toFile: parts, atomically: true, encoding: .utf8)
        let unknown = try TestData.anant(["modularity", t9, "--partition", parts])
        #expect(unknown.status != 0 && unknown.stderrText.contains("unknown node 'XX'"))
    }

    @Test func convertAndTransformWriteFiles() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("lesmis.csv").path
        let written = try json(try TestData.anant(["convert", lesmis, csv, "--format", "json"]))
        // The incidence, node and edge tables, and the schema with the column types and facts.
        #expect(written["written"]?.arrayValue?.map(\.stringValue) == ["lesmis.csv", "lesmis.nodes.csv", "lesmis.edges.csv", "lesmis.schema.json"].map {
            folder.appendingPathComponent($0).path
        })
        let back = folder.appendingPathComponent("back.json").path
        #expect(try TestData.anant(["convert", csv, back]).status == 0)
        let original = try TestData.hif("lesmis.hif.json")
        let roundTrip = try HIFReader.read(try TestData.bytes(URL(fileURLWithPath: back)))
        #expect(roundTrip.edgeMembers == original.edgeMembers && roundTrip.nodes == original.nodes)
        #expect(roundTrip.nodeWeights() == original.nodeWeights())

        let dual = folder.appendingPathComponent("dual.json").path
        #expect(try TestData.anant(["dual", lesmis, "--out", dual]).status == 0)
        #expect(try HIFReader.read(try TestData.bytes(URL(fileURLWithPath: dual))).edgeCount == 80)

        let restricted = folder.appendingPathComponent("r.json").path
        #expect(try TestData.anant(["restrict", lesmis, "--nodes", "JV,MY", "--nodes", "CO", "--out", restricted]).status == 0)
        #expect(try HIFReader.read(try TestData.bytes(URL(fileURLWithPath: restricted))).nodeCount == 3)

        let collapsed = folder.appendingPathComponent("c.csv").path
        let classes = try json(try TestData.anant(["collapse", lesmis, "--edges", "--out", collapsed, "--format", "json"]))
        #expect(classes.count == 191)
        #expect(try Hypergraph(csv: TestData.bytes(URL(fileURLWithPath: collapsed))).edgeCount == 191)
    }

    @Test(arguments: [
        (["neighbors", "LESMIS", "--node", "XX"], "unknown node 'XX'"),
        (["info", "LESMIS", "--edge", "nope"], "unknown edge 'nope'"),
        (["report", "/nonexistent/h.json"], "no such file"),
        (["report", "/tmp"], "not an Anant dataset"),
        (["dual", "LESMIS", "--out", "/nonexistent/dir/out.json"], "does not exist"),
        (["convert", "LESMIS", "out.xyz"], "cannot tell the format"),
        (["degree", "LESMIS", "--s", "0"], "--s must be at least 1"),
    ])
    func errorsAreClearAndFail(arguments: [String], mention: String) throws {
        let outcome = try TestData.anant(arguments.map { $0 == "LESMIS" ? lesmis : $0 })
        #expect(outcome.status != 0)
        #expect(outcome.stderrText.contains(mention), "stderr: \(outcome.stderrText)")
    }

    @Test func malformedInputsNameTheProblem() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(String, String, String)] = [
            ("bad.json", "{\"incidences\": [{\"edge\": 1, \"nod\": 2}]}", "unknown key \"nod\""),
            ("bad2.json", "{\"incidences\": [\n  {\"edge\": 1, \"node\": 2]\n}", "line 2"),
            ("bad.csv", "edge,node\n1,2\n3\n", "line 3"),
            ("nocols.csv", "a,b\n1,2\n", "has no column 'edge' (columns: a, b); name its id columns with --edge-col"),
            ("weights.csv", "edge,node,weight\n1,2,heavy\n", "weights must be numbers"),
            ("empty.csv", "", "empty"),
            ("binary.json", "\u{00}\u{01}\u{02}", "invalid JSON"),
        ]
        for (name, content, mention) in cases {
            let path = folder.appendingPathComponent(name).path
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
            let outcome = try TestData.anant(["info", path])
            #expect(outcome.status != 0, "\(name) should fail")
            #expect(outcome.stderrText.contains(mention), "\(name): \(outcome.stderrText)")
        }
    }

    @Test func helpExplainsEveryCommand() throws {
        let help = try TestData.anant(["--help"])
        for command in ["report", "info", "degree", "neighbors", "edge-neighbors", "toplexes", "singletons", "collapse", "dual", "restrict", "convert"] {
            #expect(help.stdoutText.contains(command))
            let sub = try TestData.anant([command, "--help"])
            #expect(sub.status == 0 && sub.stdoutText.contains("--format"), "\(command) --help")
        }
    }
}
