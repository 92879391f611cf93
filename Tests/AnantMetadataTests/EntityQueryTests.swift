import AnantColumnar
import AnantMetadata
import AnantTestSupport
import Foundation
import Testing

/// Entity queries against DuckDB (run by the test) on the same records, with the same
/// filters written as SQL, nulls included; and the index the planner uses.
@Suite struct EntityQueryTests {
    struct Case {
        let filter: EntityFilter?
        let sql: String
        var order: [(field: String, descending: Bool)] = []
        var orderSQL = ""
        var limit: Int? = nil
    }

    @Test func queriesEqualDuckDB() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try MetadataStore(path: folder.appendingPathComponent("meta.db").path)
        _ = try store.registerSchema(kind: "node", fields: [
            EntityField("name", .string, required: true), EntityField("score", .int64), EntityField("weight", .double),
            EntityField("flag", .bool), EntityField("tag", .string),
        ])
        try store.createIndex(kind: "node", field: "score")
        try store.createIndex(kind: "node", field: "tag")
        var state: UInt64 = 99
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % n
        }
        let tags = ["alpha", "alps", "beta", "t1", "t3", "t7", "ä-umlaut", "a'quote"]
        var rows = [[String: Any]]()
        var batch = [EntityChange]()
        for i in 0..<3000 {
            let key = String(format: "k%05d", i)
            var values: [(String, JSONValue)] = [("name", .string("n\(i)"))]
            var row: [String: Any] = ["key": key, "name": "n\(i)"]
            if next(5) > 0 { let s = next(300); values.append(("score", .int(Int64(s)))); row["score"] = s }
            if next(4) > 0 { let w = Double(next(1000)) / 1000; values.append(("weight", .double(w))); row["weight"] = w }
            if next(3) > 0 { let f = next(2) == 0; values.append(("flag", .bool(f))); row["flag"] = f }
            if next(6) > 0 { let t = tags[next(tags.count)]; values.append(("tag", .string(t))); row["tag"] = t }
            batch.append(.upsert(key: key, values: JSONObject(values)))
            rows.append(row)
            if batch.count == 500 {
                _ = try store.apply(kind: "node", batch)
                batch = []
            }
        }
        let cases: [Case] = [
            Case(filter: .equals("score", .int(42)), sql: "score = 42"),
            Case(filter: .range("weight", lower: .double(0.25), upper: .double(0.5)), sql: "weight >= 0.25 AND weight < 0.5"),
            Case(filter: .range("score", lower: .int(10), lowerInclusive: false, upper: .int(20), upperInclusive: true), sql: "score > 10 AND score <= 20"),
            Case(filter: .within("tag", [.string("t1"), .string("t3"), .string("t7")]), sql: "tag IN ('t1', 't3', 't7')"),
            Case(filter: .prefix("tag", "al"), sql: "starts_with(tag, 'al')"),
            Case(filter: .prefix("tag", "a'"), sql: "starts_with(tag, 'a''')"),
            Case(filter: .isNull("score"), sql: "score IS NULL"),
            Case(filter: .and([.or([.equals("flag", .bool(true)), .isNull("weight")]), .not(.range("score", lower: nil, upper: .int(100)))]),
                 sql: "(flag = true OR weight IS NULL) AND NOT (score < 100)"),
            Case(filter: .not(.equals("tag", .string("t1"))), sql: "NOT (tag = 't1')"),
            Case(filter: .isNotNull("tag"), sql: "tag IS NOT NULL", order: [("weight", true)], orderSQL: "weight DESC NULLS LAST", limit: 17),
            Case(filter: nil, sql: "", order: [("score", false), ("tag", true)], orderSQL: "score ASC NULLS LAST, tag DESC NULLS LAST", limit: 50),
            Case(filter: .or([]), sql: "false"),
        ]
        let spec: [String: Any] = [
            "records": rows,
            "queries": cases.map { c -> [String: Any] in
                var q: [String: Any] = ["where": c.sql, "order": c.orderSQL]
                if let limit = c.limit { q["limit"] = limit }
                return q
            },
        ]
        let answer = try Oracle.run("entity_query_oracle.py", input: try JSONSerialization.data(withJSONObject: spec))
        let expected = try #require(try JSONSerialization.jsonObject(with: answer) as? [[String]])
        for (c, keys) in zip(cases, expected) {
            let got = try store.query(kind: "node", EntityQuery(filter: c.filter, order: c.order, limit: c.limit)).map(\.key)
            #expect(got == keys, "\(c.sql) \(c.orderSQL): \(got.count) rows, DuckDB \(keys.count)")
        }
        #expect(expected[0].count > 0 && expected[4].count > 0, "the queries select something")
        // Projection, and the planner uses the declared indexes.
        let projected = try store.query(kind: "node", EntityQuery(filter: .equals("score", .int(42)), fields: ["tag", "name"]))
        #expect(projected.allSatisfy { $0.values.keys == ["tag", "name"] })
        let plan = try store.explain(kind: "node", EntityQuery(filter: .equals("score", .int(42))))
        // The indexes of score (field 2) and tag (field 5) serve their filters, key and value.
        #expect(plan.contains("USING INDEX entity_node_") && plan.contains("_2 (kind=? AND <expr>=?)"), "\(plan)")
        let prefixPlan = try store.explain(kind: "node", EntityQuery(filter: .prefix("tag", "al")))
        #expect(prefixPlan.contains("_5 (kind=? AND <expr>>? AND <expr><?)"), "\(prefixPlan)")
        // Wrong fields and types.
        #expect(#expect(throws: Status.self) { _ = try store.query(kind: "node", EntityQuery(filter: .equals("nope", .int(1)))) }?.code == .invalidArgument)
        #expect(#expect(throws: Status.self) { _ = try store.query(kind: "node", EntityQuery(filter: .equals("score", .string("x")))) }?.code == .invalidArgument)
        #expect(#expect(throws: Status.self) { _ = try store.query(kind: "node", EntityQuery(filter: .prefix("score", "1"))) }?.code == .invalidArgument)
    }
}
