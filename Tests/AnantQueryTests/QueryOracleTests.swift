import AnantColumnar
import AnantParquet
import AnantQuery
import AnantTestSupport
import Foundation
import Testing

/// Every operator and expression kind against DuckDB and polars on the same Parquet files
/// (written by pyarrow, in several row groups, with nulls and NaN in every column kind).
@Suite(.serialized) struct QueryOracleTests {
    /// One query three ways. Rows compare as multisets unless `ordered`.
    struct Case: Sendable {
        let id: String
        let frame: @Sendable () throws -> LazyFrame
        let sql: String
        let polars: String?
        var ordered = false
    }

    static let folder: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("anant-query-oracle-\(getpid())")
        _ = try? Oracle.run("query_oracle.py", input: Data(), arguments: ["make", folder.path])
        return folder
    }()

    static func table(_ name: String) -> LazyFrame { .scan(.parquet([folder.appendingPathComponent("\(name).parquet").path])) }
    static func inc() -> LazyFrame { table("inc") }
    static func memoryInc() throws -> LazyFrame {
        .scan(.memory(try ParquetFileReader(path: folder.appendingPathComponent("inc.parquet").path).readTable()))
    }

    static func e(_ text: String) throws -> Expr { try Expr.parse(text) }
    static func aggs(_ texts: String...) throws -> [Aggregation] { try texts.map { try Aggregation.parse($0) } }

    /// Polars' sum and mean of a group with no non-null value are 0 and NaN where SQL gives
    /// null; the polars side of the cases asks for SQL's answer.
    static func sqlSum(_ c: String) -> String { "pl.when(pl.col('\(c)').count() > 0).then(pl.col('\(c)').sum())" }

    static let cases: [Case] = [
        Case(id: "filter_compare", frame: { try inc().filter(e("weight > 0.5")) },
             sql: "SELECT * FROM inc WHERE weight > 0.5", polars: "inc.filter(pl.col('weight') > 0.5)"),
        // Few matches: some row groups match nothing though their statistics admit them.
        Case(id: "filter_sparse_matches", frame: { try inc().filter(e("node_id = 13 and tag = 'it''s' or edge_id in (3, 1100)")) },
             sql: "SELECT * FROM inc WHERE node_id = 13 AND tag = 'it''s' OR edge_id IN (3, 1100)",
             polars: "inc.filter((pl.col('node_id') == 13) & (pl.col('tag') == \"it's\") | pl.col('edge_id').is_in([3, 1100]))"),
        Case(id: "filter_logic_nulls", frame: { try inc().filter(e("not (weight > 0.5) or tag = 'beta' and flag")) },
             sql: "SELECT * FROM inc WHERE NOT (weight > 0.5) OR tag = 'beta' AND flag",
             polars: "inc.filter(~(pl.col('weight') > 0.5) | ((pl.col('tag') == 'beta') & pl.col('flag')))"),
        Case(id: "filter_is_in", frame: { try inc().filter(e("node_id in (3, 5, 8, 13) or tag in ('it''s', '')")) },
             sql: "SELECT * FROM inc WHERE node_id IN (3, 5, 8, 13) OR tag IN ('it''s', '')",
             polars: "inc.filter(pl.col('node_id').is_in([3, 5, 8, 13]) | pl.col('tag').is_in([\"it's\", '']))"),
        Case(id: "filter_null_tests", frame: { try inc().filter(e("tag is null or (weight is not null and flag is null)")) },
             sql: "SELECT * FROM inc WHERE tag IS NULL OR (weight IS NOT NULL AND flag IS NULL)",
             polars: "inc.filter(pl.col('tag').is_null() | (pl.col('weight').is_not_null() & pl.col('flag').is_null()))"),
        Case(id: "filter_strings", frame: { try inc().filter(e("contains(tag, 'ph') or starts_with(tag, 'ga') or ends_with(tag, 'ta')")) },
             sql: "SELECT * FROM inc WHERE contains(tag, 'ph') OR starts_with(tag, 'ga') OR ends_with(tag, 'ta')",
             polars: "inc.filter(pl.col('tag').str.contains('ph', literal=True) | pl.col('tag').str.starts_with('ga') | pl.col('tag').str.ends_with('ta'))"),
        Case(id: "filter_column_vs_column", frame: { try inc().filter(e("edge_id * 2 > node_id and weight < edge_id / 1000")) },
             sql: "SELECT * FROM inc WHERE edge_id * 2 > node_id AND weight < edge_id / 1000",
             polars: "inc.filter((pl.col('edge_id') * 2 > pl.col('node_id')) & (pl.col('weight') < pl.col('edge_id') / 1000))"),
        Case(id: "select_arithmetic", frame: {
                try inc().select([("row", .column("row")), ("x", e("weight * 2 + edge_id")), ("m", e("edge_id % 7")),
                                  ("d", e("node_id / edge_id")), ("n", e("-weight")), ("diff", e("node_id - edge_id * 2")), ("big", e("tag = 'beta' or flag"))])
             },
             sql: "SELECT row, weight * 2 + edge_id AS x, edge_id % 7 AS m, node_id / edge_id AS d, -weight AS n, node_id - edge_id * 2 AS diff, tag = 'beta' OR flag AS big FROM inc",
             polars: "inc.select('row', (pl.col('weight') * 2 + pl.col('edge_id')).alias('x'), (pl.col('edge_id') % 7).alias('m'), (pl.col('node_id') / pl.col('edge_id')).alias('d'), (-pl.col('weight')).alias('n'), (pl.col('node_id') - pl.col('edge_id') * 2).alias('diff'), ((pl.col('tag') == 'beta') | pl.col('flag')).alias('big'))"),
        Case(id: "with_columns_then_filter", frame: { try inc().withColumns([("w2", e("weight * weight"))]).filter(e("w2 > 0.25")).select(["row", "w2"]) },
             sql: "SELECT row, weight * weight AS w2 FROM inc WHERE weight * weight > 0.25",
             polars: "inc.with_columns((pl.col('weight') * pl.col('weight')).alias('w2')).filter(pl.col('w2') > 0.25).select('row', 'w2')"),
        Case(id: "group_by_int", frame: {
                try inc().groupBy(["edge_id"], aggs("count(*) as n", "count(weight) as c", "sum(weight) as s", "mean(weight) as m",
                                                    "min(node_id) as lo", "max(node_id) as hi", "n_unique(tag) as u", "min(tag) as t0", "max(tag) as t1"))
             },
             sql: "SELECT edge_id, count(*) AS n, count(weight) AS c, sum(weight) AS s, avg(weight) AS m, min(node_id) AS lo, max(node_id) AS hi, count(DISTINCT tag) AS u, min(tag) AS t0, max(tag) AS t1 FROM inc GROUP BY edge_id",
             polars: "inc.group_by('edge_id').agg(pl.len().alias('n'), pl.col('weight').count().alias('c'), \(sqlSum("weight")).alias('s'), pl.col('weight').mean().alias('m'), pl.col('node_id').min().alias('lo'), pl.col('node_id').max().alias('hi'), pl.col('tag').drop_nulls().n_unique().alias('u'), pl.col('tag').min().alias('t0'), pl.col('tag').max().alias('t1'))"),
        Case(id: "group_by_nullable_int", frame: { try inc().groupBy(["node_id"], aggs("count(*) as degree", "sum(edge_id) as es", "max(flag) as f")) },
             sql: "SELECT node_id, count(*) AS degree, sum(edge_id) AS es, max(flag::INT)::BOOLEAN AS f FROM inc GROUP BY node_id",
             polars: "inc.group_by('node_id').agg(pl.len().alias('degree'), pl.col('edge_id').sum().alias('es'), pl.col('flag').max().alias('f'))"),
        Case(id: "group_by_string", frame: { try inc().groupBy(["tag"], aggs("count(*)", "sum(weight) as s", "n_unique(node_id) as u")) },
             sql: "SELECT tag, count(*) AS count, sum(weight) AS s, count(DISTINCT node_id) AS u FROM inc GROUP BY tag",
             polars: "inc.group_by('tag').agg(pl.len().alias('count'), \(sqlSum("weight")).alias('s'), pl.col('node_id').drop_nulls().n_unique().alias('u'))"),
        Case(id: "group_by_two_keys", frame: { try inc().withColumns([("bucket", e("edge_id % 3"))]).groupBy(["tag", "flag"], aggs("count(*) as n", "min(bucket) as b")) },
             sql: "SELECT tag, flag, count(*) AS n, min(edge_id % 3) AS b FROM inc GROUP BY tag, flag",
             polars: "inc.group_by('tag', 'flag').agg(pl.len().alias('n'), (pl.col('edge_id') % 3).min().alias('b'))"),
        Case(id: "global_aggregate", frame: { try inc().groupBy([], aggs("count(*) as n", "sum(weight) as s", "min(tag) as t", "mean(edge_id) as m")) },
             sql: "SELECT count(*) AS n, sum(weight) AS s, min(tag) AS t, avg(edge_id) AS m FROM inc",
             polars: "inc.select(pl.len().alias('n'), pl.col('weight').sum().alias('s'), pl.col('tag').min().alias('t'), pl.col('edge_id').mean().alias('m'))"),
        Case(id: "aggregate_of_nothing", frame: { try inc().filter(e("edge_id < 0")).groupBy([], aggs("count(*) as n", "sum(weight) as s", "max(tag) as t")) },
             sql: "SELECT count(*) AS n, sum(weight) AS s, max(tag) AS t FROM inc WHERE edge_id < 0",
             polars: nil),
        Case(id: "join_inner_filter_both_sides", frame: { try inc().join(table("nodes"), on: ["node_id"]).filter(e("score > 0.5 and weight > 0.5")) },
             sql: "SELECT i.*, n.name, n.score FROM inc i JOIN nodes n ON i.node_id = n.node_id WHERE n.score > 0.5 AND i.weight > 0.5",
             polars: "inc.join(nodes, on='node_id').filter((pl.col('score') > 0.5) & (pl.col('weight') > 0.5))"),
        Case(id: "join_left", frame: { inc().select(["row", "node_id", "tag"]).join(table("nodes"), on: ["node_id"], kind: .left) },
             sql: "SELECT i.row, i.node_id, i.tag, n.name, n.score FROM inc i LEFT JOIN nodes n ON i.node_id = n.node_id",
             polars: "inc.select('row', 'node_id', 'tag').join(nodes, on='node_id', how='left')"),
        // A filter across both sides stays above the join (on the joined rows, nulls of
        // unmatched rows included); then a projection that reorders the two sides' columns.
        Case(id: "join_left_then_cross_filter_and_projection", frame: {
                try inc().join(table("nodes"), on: ["node_id"], kind: .left).filter(e("score > weight or name is null")).select(["name", "row", "weight", "node_id"])
             },
             sql: "SELECT n.name, i.row, i.weight, i.node_id FROM inc i LEFT JOIN nodes n ON i.node_id = n.node_id WHERE n.score > i.weight OR n.name IS NULL",
             polars: "inc.join(nodes, on='node_id', how='left').filter((pl.col('score') > pl.col('weight')) | pl.col('name').is_null()).select('name', 'row', 'weight', 'node_id')"),
        Case(id: "join_then_limit", frame: { inc().select(["row", "node_id"]).join(table("nodes"), on: ["node_id"]).sort([SortKey("row")]).limit(5) },
             sql: "SELECT i.row, i.node_id, n.name, n.score FROM inc i JOIN nodes n ON i.node_id = n.node_id ORDER BY i.row LIMIT 5",
             polars: "inc.select('row', 'node_id').join(nodes, on='node_id').sort('row').head(5)", ordered: true),
        Case(id: "join_many_to_many_string_key", frame: { inc().select(["row", "tag"]).join(table("tags"), on: ["tag"]) },
             sql: "SELECT i.row, i.tag, t.bonus FROM inc i JOIN tags t ON i.tag = t.tag",
             polars: "inc.select('row', 'tag').join(tags, on='tag')"),
        Case(id: "join_then_group_by_right_column", frame: {
                try inc().join(table("nodes"), on: ["node_id"]).groupBy(["name"], aggs("count(*) as n", "sum(weight) as ws", "max(score) as top"))
             },
             sql: "SELECT n.name, count(*) AS n, sum(i.weight) AS ws, max(n.score) AS top FROM inc i JOIN nodes n ON i.node_id = n.node_id GROUP BY n.name",
             polars: "inc.join(nodes, on='node_id').group_by('name').agg(pl.len().alias('n'), \(sqlSum("weight")).alias('ws'), pl.col('score').max().alias('top'))"),
        Case(id: "join_name_collision", frame: { inc().select(["row", "node_id", "weight"]).join(table("nodes").select([("node_id", .column("node_id")), ("weight", .column("score"))]), on: ["node_id"]) },
             sql: "SELECT i.row, i.node_id, i.weight, n.score AS weight_right FROM inc i JOIN nodes n ON i.node_id = n.node_id",
             polars: "inc.select('row', 'node_id', 'weight').join(nodes.select('node_id', pl.col('score').alias('weight')), on='node_id')"),
        Case(id: "sort_multi_nulls_last", frame: { inc().sort([SortKey("tag", descending: true), SortKey("weight"), SortKey("row")]).select(["row", "tag", "weight"]) },
             sql: "SELECT row, tag, weight FROM inc ORDER BY tag DESC NULLS LAST, weight ASC NULLS LAST, row",
             polars: "inc.sort(['tag', 'weight', 'row'], descending=[True, False, False], nulls_last=True).select('row', 'tag', 'weight')",
             ordered: true),
        Case(id: "top_k_degree", frame: { try inc().groupBy(["node_id"], aggs("count(*) as degree")).sort([SortKey("degree", descending: true), SortKey("node_id")]).limit(10) },
             sql: "SELECT node_id, count(*) AS degree FROM inc GROUP BY node_id ORDER BY degree DESC, node_id ASC NULLS LAST LIMIT 10",
             polars: "inc.group_by('node_id').agg(pl.len().alias('degree')).sort(['degree', 'node_id'], descending=[True, False], nulls_last=True).head(10)",
             ordered: true),
        Case(id: "limit_in_file_order", frame: { try inc().filter(e("weight > 0.9")).select(["row", "weight"]).limit(7) },
             sql: "SELECT row, weight FROM inc WHERE weight > 0.9 LIMIT 7",
             polars: "inc.filter(pl.col('weight') > 0.9).select('row', 'weight').head(7)",
             ordered: true),
        Case(id: "memory_source_group_by", frame: { try memoryInc().filter(e("flag")).groupBy(["edge_id"], aggs("count(*) as n", "sum(weight) as s")) },
             sql: "SELECT edge_id, count(*) AS n, sum(weight) AS s FROM inc WHERE flag GROUP BY edge_id",
             polars: "inc.filter(pl.col('flag')).group_by('edge_id').agg(pl.len().alias('n'), \(sqlSum("weight")).alias('s'))"),
    ]

    /// A value as comparable text: numbers to 10 significant digits, NaN as NaN.
    static func text(_ v: ScalarValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return "NaN" }
            if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
            return String(format: "%.10g", d)
        case .string(let s): return "'\(s)'"
        case .json(let j): return "\(j)"
        }
    }

    static func rows(_ answer: JSONValue) -> (columns: [String], rows: [[String]]) {
        let object = answer.objectValue!
        let columns = object["columns"]!.arrayValue!.map { $0.stringValue! }
        let rows = object["rows"]!.arrayValue!.map { row in
            row.arrayValue!.map { v -> String in
                if case .string("NaN") = v { return "NaN" }
                return text(ScalarValue(v))
            }
        }
        return (columns, rows)
    }

    @Test func everyOperatorAgainstDuckDBAndPolars() throws {
        let input = JSONValue.array(QueryOracleTests.cases.map { c in
            var fields: [(String, JSONValue)] = [("id", .string(c.id)), ("sql", .string(c.sql))]
            if let p = c.polars { fields.append(("polars", .string(p))) }
            return .object(JSONObject(fields))
        })
        let output = try Oracle.run("query_oracle.py", input: Data(JSONWriter().string(input).utf8), arguments: ["run", QueryOracleTests.folder.path])
        let answers = try JSONParser.parse(String(decoding: output, as: UTF8.self)).objectValue!
        for c in QueryOracleTests.cases {
            let result = try c.frame().collect()
            let mine = (0..<result.rowCount).map { r in result.columns.map { QueryOracleTests.text($0[r]) } }
            #expect(answers[c.id]?.objectValue?["duckdb"] != nil && (c.polars == nil || answers[c.id]?.objectValue?["polars"] != nil), "\(c.id): no oracle answer")
            #expect(result.rowCount > 0, "\(c.id) selects nothing: the case tests too little")
            for tool in ["duckdb", "polars"] {
                guard let answer = answers[c.id]?.objectValue?[tool] else { continue }
                let expected = QueryOracleTests.rows(answer)
                #expect(result.schema.names == expected.columns, "\(c.id) columns vs \(tool)")
                let a = c.ordered ? mine : mine.sorted { $0.lexicographicallyPrecedes($1) }
                let b = c.ordered ? expected.rows : expected.rows.sorted { $0.lexicographicallyPrecedes($1) }
                #expect(a.count == b.count, "\(c.id): \(a.count) rows, \(tool) \(b.count)")
                if let k = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) {
                    Issue.record("\(c.id) differs from \(tool) at row \(k): \(a[k]) vs \(b[k])")
                }
            }
        }
    }
}
