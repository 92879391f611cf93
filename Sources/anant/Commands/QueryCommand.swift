import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantParquet
import AnantQuery
import ArgumentParser
import Foundation

/// `anant query`: lazy columnar queries over a dataset's tables or Parquet files.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Query the incidences, nodes or edges of a dataset (or a Parquet, CSV or HIF input): filter, compute, join, group, sort.",
        discussion: """
        The steps run in this order: scan --table, --join, --with, --where, --group-by/--agg, --select, --sort, \
        --limit. Expressions have columns, literals ('text', 12, 0.5, true, null), comparisons (= != < <= > >=), \
        and/or/not, + - * / %, `x in (1, 2)`, `x is null`, `x is not null`, contains(x, 'a'), starts_with(x, 'a'), \
        ends_with(x, 'a'); nulls follow SQL. Aggregates: count(*), count(x), sum(x), mean(x), min(x), max(x), \
        n_unique(x), each optionally `as name`. Filters and column choices are pushed into the Parquet scans: row \
        groups whose statistics rule a filter out are not read, and filter columns are decoded first.

        Examples:
          anant query ds --table nodes --where "score > 0.5" --sort "score desc" --limit 10
          anant query ds --group-by node --agg "count(*) as degree" --sort "degree desc" --limit 5
          anant query ds --join edges --on edge --group-by label --agg "count(*) as n" --agg "sum(weight)"
          anant query ds --table nodes --metrics --where "degree >= 3" --format csv --out hubs.csv
        """)

    @Argument(help: "A dataset folder (FOLDER@N for a version), a Parquet incidence file (companions FILE.nodes.parquet and FILE.edges.parquet serve as the nodes and edges tables), or a CSV or HIF input.")
    var input: String

    @Option(help: "The table to scan: incidences, nodes or edges.")
    var table: DatasetTable = .incidences

    @Option(help: "Join with another table of the input (incidences, nodes, edges) or a Parquet file.")
    var join: String?

    @Option(help: "Comma-separated join keys, the same name on both sides.")
    var on: String?

    @Option(help: "Comma-separated join keys of the left side (with --right-on).")
    var leftOn: String?

    @Option(help: "Comma-separated join keys of the right side (with --left-on).")
    var rightOn: String?

    @Option(help: "Join kind: inner or left.")
    var how: JoinKind = .inner

    @Flag(help: "Attach per-node or per-edge metrics to the nodes or edges table: degree or size, s-components for s = 1, 2, 3, s = 1 betweenness and closeness (for up to 20,000 elements).")
    var metrics = false

    @Option(name: .customLong("with"), help: "A computed column, 'EXPR as NAME' (repeatable).")
    var computed: [String] = []

    @Option(name: .customLong("where"), help: "A row filter expression.")
    var filter: String?

    @Option(help: "Comma-separated group keys (with --agg).")
    var groupBy: String?

    @Option(help: "Aggregates, e.g. 'count(*) as n, sum(weight) as w' (comma-separated, repeatable).")
    var agg: [String] = []

    @Option(help: "Output columns: 'EXPR [as NAME], ...' (repeatable).")
    var select: [String] = []

    @Option(help: "Sort keys: 'col [desc], ...' (repeatable); nulls last.")
    var sort: [String] = []

    @Option(help: "At most this many rows.")
    var limit: Int?

    @Option(help: "Output format: text, json (an array of row objects), csv or parquet (with --out).")
    var format: QueryFormat = .text

    @Option(help: "Write the result to this file (.csv or .parquet, or as --format says).")
    var out: String?

    @Option(help: "MiB the scans may hold decoded at once (fewer row groups decode side by side; one at least).")
    var memoryBudget: Int?

    @Flag(help: "Print the optimised plan instead of running it.")
    var explain = false

    @Flag(help: "Report what the scans read (row groups, bytes) on stderr.")
    var stats = false

    @OptionGroup var runOptions: RunOptions

    enum QueryFormat: String, ExpressibleByArgument, CaseIterable { case text, json, csv, parquet }

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        if let memoryBudget, memoryBudget < 1 { throw ValidationError("--memory-budget must be at least 1 (MiB)") }
        if join != nil, on == nil, leftOn == nil || rightOn == nil { throw ValidationError("--join needs --on KEYS, or --left-on and --right-on") }
        if join == nil, on != nil || leftOn != nil || rightOn != nil { throw ValidationError("--on, --left-on and --right-on need --join") }
        if groupBy != nil, agg.isEmpty { throw ValidationError("--group-by needs at least one --agg") }
        if format == .parquet, out == nil { throw ValidationError("--format parquet needs --out FILE") }
        if metrics, table == .incidences { throw ValidationError("--metrics attaches to --table nodes or --table edges") }
    }

    func run() throws {
        let tables = try QuerySources(input)
        var frame = try tables.frame(table)
        if metrics {
            let h = try tables.hypergraph(context: runOptions.context)
            let edges = table == .edges
            let count = edges ? h.edgeCount : h.nodeCount
            let centralities: ([Double], [Double])? = count <= HypergraphReport.centralityLimit
                ? try Progress.run("computing s=1 centralities") {
                    (try h.sBetweennessCentrality(s: 1, edges: edges, context: runOptions.context), try h.sClosenessCentrality(s: 1, edges: edges, context: runOptions.context))
                }
                : nil
            if centralities == nil {
                FileHandle.standardError.write(Data("note: \(count) \(edges ? "edges" : "nodes") is above \(HypergraphReport.centralityLimit); betweenness and closeness are left out (anant centrality computes them)\n".utf8))
            }
            let key = edges ? "edge" : "node"
            frame = frame.join(.scan(.memory(try h.metricsTable(context: runOptions.context, edges: edges, centralities: centralities))), on: [key], kind: .left)
        }
        if let join {
            let right: LazyFrame
            if let named = DatasetTable(rawValue: join) { right = try tables.frame(named) } else { right = .scan(.parquet([join])) }
            let left = QueryText.names(leftOn ?? on ?? ""), rightKeys = QueryText.names(rightOn ?? on ?? "")
            frame = frame.join(right, leftOn: left, rightOn: rightKeys, kind: how)
        }
        do {
            if !computed.isEmpty { frame = frame.withColumns(try computed.map(QueryText.named)) }
            if let filter { frame = frame.filter(try Expr.parse(filter)) }
            if !agg.isEmpty { frame = frame.groupBy(QueryText.names(groupBy ?? ""), try agg.flatMap { try QueryText.aggregations($0) }) }
            if !select.isEmpty { frame = frame.select(try select.flatMap(QueryText.topLevelItems).map(QueryText.named)) }
            if !sort.isEmpty { frame = frame.sort(try sort.flatMap(QueryText.topLevelItems).map(QueryText.sortKey)) }
            if let limit { frame = frame.limit(limit) }
            if explain { return Output.line(try frame.explain()) }
            var context = runOptions.context
            context.memoryBudget = memoryBudget.map { $0 << 20 }
            let options = QueryOptions(context: context)
            let (result, statistics) = try Progress.run("querying") { try frame.profile(options: options) }
            if stats {
                FileHandle.standardError.write(Data("scanned \(statistics.rowGroupsRead) of \(statistics.rowGroups) row groups, \(statistics.rowsRead) rows, \(statistics.bytesRead) bytes; \(statistics.pagesSkipped) pages left compressed\n".utf8))
            }
            try emit(result)
        } catch let error as QueryError {
            throw CLIError(error.message)
        }
    }

    private func emit(_ result: RecordBatch) throws {
        let kind: QueryFormat
        if let out, format == .text || format == .json {
            kind = try HypergraphFiles.format(of: out) == .parquet ? .parquet : .csv
        } else {
            kind = format
        }
        if let out, kind == .parquet || kind == .csv {
            // validate() asks for --out with --format parquet.
            try HypergraphFiles.writeResult(result, to: out)
            FileHandle.standardError.write(Data("wrote \(result.rowCount) rows to \(out)\n".utf8))
            return
        }
        switch kind {
        case .parquet:
            throw ValidationError("--format parquet needs --out FILE")
        case .csv:
            Output.write(CSVWriter.write(result))
        case .json:
            Output.json(.array((0..<result.rowCount).map { row in
                .object(JSONObject(zip(result.schema.names, result.columns).map { ($0, $1[row].jsonValue) }))
            }))
        case .text:
            let shown = min(result.rowCount, 100)
            Output.table(result.schema.names, (0..<shown).map { row in
                result.columns.map { column in
                    let v = column[row]
                    if case .double(let d) = v { return Output.number(d) }
                    return v.isNull ? "null" : v.description
                }
            })
            if shown < result.rowCount {
                Output.line("… \(result.rowCount - shown) more rows (\(result.rowCount) in all; --limit, --format csv or --out FILE for all)")
            }
        }
    }
}

extension DatasetTable: ExpressibleByArgument {}
extension JoinKind: ExpressibleByArgument {}

/// The tables a query reads: a dataset's shards, a Parquet file and its companions, or
/// the tables of a hypergraph loaded from CSV or HIF.
struct QuerySources {
    let input: String
    private var dataset: Dataset?
    private var loaded: Hypergraph?

    init(_ input: String) throws {
        self.input = input
        dataset = try HypergraphFiles.dataset(input)
        if dataset == nil {
            try HypergraphFiles.checkReadable(input)
            if try HypergraphFiles.format(of: input, sniff: true) != .parquet {
                loaded = try Progress.run("reading \(input)") { try HypergraphFiles.read(input) }
            }
        }
    }

    func frame(_ table: DatasetTable) throws -> LazyFrame {
        if let dataset { return dataset.scan(table) }
        if let loaded {
            switch table {
            case .incidences: return .scan(.memory(loaded.incidenceTable()))
            case .nodes: return .scan(.memory(loaded.nodeTable()))
            case .edges: return .scan(.memory(loaded.edgeTable()))
            }
        }
        if table == .incidences { return .scan(.parquet([input])) }
        let (nodes, edges) = HypergraphFiles.companions(of: input, format: .parquet)
        let path = table == .nodes ? nodes : edges
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("\(input) has no \(table.rawValue) table: expected \(path) beside it")
        }
        return .scan(.parquet([path]))
    }

    func hypergraph(context: ExecutionContext) throws -> Hypergraph {
        if let loaded { return loaded }
        return try Progress.run("reading \(input)") { try HypergraphFiles.read(dataset?.root ?? input, context: context) }
    }
}
