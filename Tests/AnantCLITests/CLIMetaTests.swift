import AnantTestSupport
import Foundation
import Testing

/// `anant meta` on a local store file: schema, put, get, query, history, index, export,
/// backup and restore, and their errors.
@Suite struct CLIMetaTests {
    func run(_ arguments: [String], input: String = "") throws -> Oracle.Outcome {
        try Oracle.capture(TestData.anantBinary, arguments, input: Data(input.utf8), timeout: 60)
    }

    @Test func metaCommandsWorkOnALocalStore() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("meta.db").path
        let schema = try run(["meta", "schema", "--db", db, "paper", "--fields",
                              #"[{"name":"title","type":"string","required":true},{"name":"year","type":"int32"},{"name":"tag","type":"string"}]"#])
        #expect(schema.status == 0 && schema.stdoutText.contains(#""version":1"#), "\(schema.stderrText)")
        let put = try run(["meta", "put", "--db", db, "paper"], input: """
            {"key":"p1","title":"Hypergraphs","year":2020,"tag":"x"}
            {"key":"p2","title":"Ünïcode","year":2021}
            {"key":"p3","title":"Old","year":1999,"tag":"y"}
            """)
        #expect(put.stdoutText == "{\"store_version\":2,\"records\":3}\n", "\(put.stderrText)")
        #expect(try run(["meta", "index", "--db", db, "paper", "year"]).status == 0)
        let query = try run(["meta", "query", "--db", db, "paper", "--where", "year >= 2000 and (tag = 'x' or tag is null)", "--sort", "year desc",
                             "--select", "title"])
        #expect(query.stdoutText == """
            {"key":"p2","version":2,"values":{"title":"Ünïcode"}}
            {"key":"p1","version":2,"values":{"title":"Hypergraphs"}}

            """, "\(query.stderrText)")
        #expect(try run(["meta", "query", "--db", db, "paper", "--where", "year = 2020", "--explain"]).stdoutText.contains("USING INDEX"))
        // Evolve (rename title to name), delete, then read as of before.
        _ = try run(["meta", "schema", "--db", db, "paper", "--fields",
                     #"[{"name":"name","type":"string","required":true,"aliases":["title"]},{"name":"year","type":"int64"},{"name":"tag","type":"string"}]"#])
        #expect(try run(["meta", "delete", "--db", db, "paper", "p1"]).status == 0)
        let missing = try run(["meta", "get", "--db", db, "paper", "p1"])
        #expect(missing.status != 0 && missing.stderrText.contains("NOT_FOUND: no paper record p1"), "\(missing.stderrText)")
        // A key that is not there is shown escaped and cut short, never written raw.
        let hostile = try run(["meta", "get", "--db", db, "paper", "\u{1B}[2J" + String(repeating: "k", count: 1000)])
        #expect(hostile.status != 0 && hostile.stderrText.contains("record \\u{1b}[2Jkkk") && !hostile.stderrText.contains("\u{1B}")
                && hostile.stderrText.count < 300, "\(hostile.stderrText)")
        #expect(try run(["meta", "get", "--db", db, "paper", "p1", "--as-of", "2"]).stdoutText
            == "{\"key\":\"p1\",\"version\":2,\"values\":{\"name\":\"Hypergraphs\",\"year\":2020,\"tag\":\"x\"}}\n")
        let history = try run(["meta", "history", "--db", db, "paper", "p1"]).stdoutText.split(separator: "\n")
        #expect(history.count == 2 && history[0].contains("\"upsert\"") && history[1].contains("\"delete\""))
        // Export, backup, restore.
        let parquet = folder.appendingPathComponent("paper.parquet").path
        #expect(try run(["meta", "export", "--db", db, "paper", parquet]).stdoutText.contains("\"records\":2"))
        let cat = try run(["parquet", "cat", parquet])
        #expect(cat.status == 0 && cat.stdoutText.contains("p3\t2\tOld\t1999\ty"), "\(cat.stdoutText) \(cat.stderrText)")
        let backup = folder.appendingPathComponent("backup.db").path
        #expect(try run(["meta", "backup", "--db", db, backup]).status == 0)
        _ = try run(["meta", "delete", "--db", db, "paper", "p2", "p3"])
        #expect(try run(["meta", "restore", "--db", db, backup]).status == 0)
        #expect(try run(["meta", "query", "--db", db, "paper"]).stdoutText.split(separator: "\n").count == 2)
        // A kind joins the tables of a hypergraph: --join meta:KIND --on node.
        _ = try run(["meta", "schema", "--db", db, "person", "--fields", #"[{"name":"affiliation","type":"string"},{"name":"h_index","type":"int32"}]"#])
        _ = try run(["meta", "put", "--db", db, "person"], input: """
            {"key":"AZ","affiliation":"Thenardiers","h_index":3}
            {"key":"BA","affiliation":"ABC","h_index":7}
            """)
        let lesmis = TestData.sample("lesmis.hif.json").path
        let joined = try run(["query", lesmis, "--table", "nodes", "--join", "meta:person", "--on", "node", "--meta-db", db,
                              "--select", "node, FullName, h_index", "--format", "csv"])
        #expect(joined.stdoutText == "node,FullName,h_index\nAZ,Anzelma,3\nBA,Bahorel,7\n", "\(joined.stderrText)")
        let grouped = try run(["query", lesmis, "--join", "meta:person", "--on", "node", "--meta-db", db, "--group-by", "affiliation",
                               "--agg", "count(*) as n", "--sort", "affiliation", "--format", "csv"])
        #expect(grouped.stdoutText == "affiliation,n\nABC,9\nThenardiers,3\n", "\(grouped.stderrText)")
        #expect(try run(["query", lesmis, "--join", "meta:person", "--on", "node"]).stderrText.contains("--meta-db"))
        // Errors name what is wrong, with their status.
        let narrowing = try run(["meta", "schema", "--db", db, "paper", "--fields",
                                 #"[{"name":"name","type":"string","required":true},{"name":"year","type":"int32"},{"name":"tag","type":"string"}]"#])
        #expect(narrowing.status != 0 && narrowing.stderrText.contains("narrowing year from int64 to int32"))
        let badFilter = try run(["meta", "query", "--db", db, "paper", "--where", "year + 1 > 3"])
        #expect(badFilter.status != 0 && badFilter.stderrText.contains("INVALID_ARGUMENT"))
        let badLine = try run(["meta", "put", "--db", db, "paper"], input: "not json\n")
        #expect(badLine.status != 0 && badLine.stderrText.contains("line 1"))
        let junk = folder.appendingPathComponent("junk.db").path
        try Data(repeating: 7, count: 5000).write(to: URL(fileURLWithPath: junk))
        let corrupt = try run(["meta", "query", "--db", junk, "paper"])
        #expect(corrupt.status != 0 && corrupt.stderrText.contains("FAILED_PRECONDITION"))
    }
}
