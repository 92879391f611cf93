import AnantColumnar
import AnantTestSupport
import Foundation
import Testing

/// `anant import`, `export`, `query`, `versions`, and datasets as every command's input.
@Suite struct CLIDatasetTests {
    func run(_ arguments: [String]) throws -> Oracle.Outcome {
        let outcome = try TestData.anant(arguments)
        #expect(outcome.status == 0, "anant \(arguments.joined(separator: " ")): \(outcome.stderrText)")
        return outcome
    }

    /// Equal JSON values, numbers to 1e-12 relative.
    static func close(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { close($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { close(value, $0) } ?? false }
        default:
            if let x = a.numberValue, let y = b.numberValue { return abs(x - y) <= 1e-12 * max(1, abs(x), abs(y)) }
            return a == b
        }
    }

    func json(_ arguments: [String]) throws -> JSONValue {
        try JSONParser.parse(try run(arguments + ["--format", "json"]).stdoutText)
    }

    @Test func importQueryExportRoundTrip() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ds = folder.appendingPathComponent("lesmis").path
        let hif = TestData.sample("lesmis.hif.json").path
        let summary = try json(["import", hif, ds, "--shards", "3", "--codec", "snappy"]).objectValue!
        #expect(summary["incidences"]?.numberValue == 862 && summary["version"]?.numberValue == 1)

        // Every command takes the dataset; its answers are the HIF file's (centralities to
        // the last bits: parallel sums may round differently from run to run).
        for command in [["info"], ["degree", "--node", "JV"], ["components", "--s", "2"], ["report"]] {
            let a = try JSONParser.parse(try run(command + [ds, "--format", "json"]).stdoutText)
            let b = try JSONParser.parse(try run(command + [hif, "--format", "json"]).stdoutText.replacingOccurrences(of: hif, with: ds))
            #expect(CLIDatasetTests.close(a, b), "\(command)")
        }

        // Degrees by query, against the degree command.
        let degrees = try json(["degree", hif]).objectValue!
        let rows = try json(["query", ds, "--group-by", "node", "--agg", "count(*) as degree", "--sort", "degree desc, node", "--limit", "5"]).arrayValue!
        #expect(rows.count == 5)
        for row in rows {
            let object = row.objectValue!
            #expect(degrees[object["node"]!.stringValue!]?.numberValue == object["degree"]?.numberValue)
        }
        #expect(rows.first?.objectValue?["node"]?.stringValue == "JV")
        // The same answer under a tiny memory budget (one row group at a time).
        #expect(try json(["query", ds, "--group-by", "node", "--agg", "count(*) as degree", "--sort", "degree desc, node", "--limit", "5",
                          "--memory-budget", "1"]).arrayValue! == rows)

        // Metrics attached to nodes, filtered by the same engine.
        let hubs = try json(["query", ds, "--table", "nodes", "--metrics", "--where", "degree >= 50", "--select", "node, degree", "--sort", "degree desc"]).arrayValue!
        #expect(hubs.compactMap { $0.objectValue?["node"]?.stringValue } == ["JV", "MA", "CO"])

        // Join with the nodes table; CSV and Parquet outputs.
        let csv = try run(["query", ds, "--join", "nodes", "--on", "node", "--where", "node = 'JV' and weight > 0.5", "--select", "edge, FullName", "--format", "csv"]).stdoutText
        #expect(csv.hasPrefix("edge,FullName\n") && csv.contains("Jean Valjean"))
        let out = folder.appendingPathComponent("top.parquet").path
        _ = try run(["query", ds, "--group-by", "edge", "--agg", "count(*) as size", "--out", out])
        #expect(try run(["parquet", "inspect", out]).stdoutText.contains("402"))

        // Export to each format and back: the same hypergraph.
        for name in ["back.json", "back.csv", "back.parquet"] {
            let path = folder.appendingPathComponent(name).path
            _ = try run(["export", ds, path])
            #expect(try run(["info", path, "--format", "json"]).stdoutText == (try run(["info", hif, "--format", "json"]).stdoutText), "\(name)")
        }
    }

    @Test func columnMappingVersionsAndErrors() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("meetings.csv")
        try Data("meeting,person,w,room\nm1,ann,1.5,a\nm1,bob,2,a\nm2,bob,0.5,b\nm3,cyd,1,c\n".utf8).write(to: csv)
        let ds = folder.appendingPathComponent("ds").path
        _ = try run(["import", csv.path, ds, "--edge-col", "meeting", "--node-col", "person", "--weight-col", "w"])
        let sizes = try json(["query", ds, "--group-by", "edge", "--agg", "count(*) as n", "--agg", "sum(weight) as w", "--sort", "edge"]).arrayValue!
        #expect(sizes.map { $0.objectValue!["w"]!.numberValue! } == [3.5, 0.5, 1])
        // A second import is version 2; version 1 stays readable.
        _ = try run(["import", TestData.sample("lesmis.hif.json").path, ds])
        #expect(try json(["info", ds]).objectValue?["nodes"]?.numberValue == 80)
        #expect(try json(["info", ds + "@1"]).objectValue?["nodes"]?.numberValue == 3)
        let versions = try json(["versions", ds, "--verify"]).objectValue!
        let listed = versions["versions"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(listed.map { $0["version"] } == [.int(1), .int(2)] && versions["current"] == .int(2))
        #expect(listed.map { $0["current"] } == [.bool(false), .bool(true)])
        // JSON carries what the text table shows: creation time and counts per version.
        let text = try run(["versions", ds]).stdoutText
        for entry in listed {
            guard case .string(let created)? = entry["created"], case .int(let nodes)? = entry["nodes"],
                  case .int(let incidences)? = entry["incidences"], case .int(let edges)? = entry["edges"] else {
                Issue.record("a version without its date or counts: \(entry)")
                continue
            }
            #expect(text.contains(created) && text.contains(" \(nodes) ") && text.contains(" \(edges) ") && text.contains(" \(incidences)"))
        }
        _ = try run(["versions", ds, "--remove", "1"])
        #expect(try json(["versions", ds]).objectValue?["versions"]?.arrayValue?.map { $0.objectValue?["version"] } == [.int(2)])

        // Clear errors, non-zero exits.
        for (arguments, message) in [
            (["query", ds, "--where", "nope > 1"], "unknown column 'nope'"),
            (["query", ds, "--where", "weight >"], "expression"),
            (["query", ds, "--group-by", "node"], "--agg"),
            (["query", ds, "--join", "nodes"], "--on"),
            (["info", ds + "@7"], "no version 7"),
            (["import", csv.path, folder.appendingPathComponent("x").path, "--edge-col", "missing"], "no column 'missing'"),
            (["info", folder.path], "not an Anant dataset"),
            (["versions", ds, "--remove", "2"], "current version"),
        ] {
            let outcome = try TestData.anant(arguments)
            #expect(outcome.status != 0, "\(arguments)")
            #expect(outcome.stderrText.contains(message), "\(arguments): \(outcome.stderrText)")
        }
    }
}

/// `--agg` takes comma-separated aggregate lists, as `--select` does, and repeats.
@Suite struct CLIAggregateListTests {
    @Test func commaSeparatedAggregates() throws {
        let lesmis = TestData.sample("lesmis.hif.json").path
        let listed = try TestData.anant(["query", lesmis, "--group-by", "edge", "--agg", "sum(weight) as s, count(*) as n",
                                         "--sort", "edge", "--limit", "3", "--format", "csv"])
        #expect(listed.status == 0, "\(listed.stderrText)")
        let repeated = try TestData.anant(["query", lesmis, "--group-by", "edge", "--agg", "sum(weight) as s", "--agg", "count(*) as n",
                                           "--sort", "edge", "--limit", "3", "--format", "csv"])
        #expect(listed.stdoutText == repeated.stdoutText)
        #expect(listed.stdoutText.hasPrefix("edge,s,n\n"))
        let bad = try TestData.anant(["query", lesmis, "--group-by", "edge", "--agg", "sum(weight) as s, nope(x)"])
        #expect(bad.status != 0 && bad.stderrText.contains("is not an aggregate"))
    }
}
