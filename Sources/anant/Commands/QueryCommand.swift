import AnantColumnar
import AnantMetadata
import AnantDataset
import AnantHypergraph
import AnantOperations
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

    @Option(help: "Join with another table of the input (incidences, nodes, edges), a Parquet file, or meta:KIND (the records of a kind of --meta-db).")
    var join: String?

    @Option(name: .customLong("meta-db"), help: "The metadata store whose records --join meta:KIND reads.")
    var metaDatabase: String?

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

    @Option(help: "Output format: text, json (an array of row objects), csv, arrow (an Arrow IPC stream) or parquet (with --out).")
    var format: QueryFormat = .text

    @Option(help: "Write the result to this file: .csv, .parquet, .arrow (Arrow IPC file) or .arrows (Arrow IPC stream).")
    var out: String?

    @Flag(help: "Print the optimised plan instead of the rows (with --stats, the plan is also run for its statistics).")
    var explain = false

    @Flag(help: "Report what the scans read (row groups, bytes) on stderr.")
    var stats = false

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var cluster: ClusterOptions

    enum QueryFormat: String, ExpressibleByArgument, CaseIterable { case text, json, csv, arrow, parquet }

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        if join != nil, on == nil, leftOn == nil || rightOn == nil { throw ValidationError("--join needs --on KEYS, or --left-on and --right-on") }
        if join == nil, on != nil || leftOn != nil || rightOn != nil { throw ValidationError("--on, --left-on and --right-on need --join") }
        if join?.hasPrefix("meta:") == true, metaDatabase == nil, !cluster.isRemote {
            throw ValidationError("--join meta:KIND needs --meta-db FILE (or a cluster: --gateway or --cluster)")
        }
        if groupBy != nil, agg.isEmpty { throw ValidationError("--group-by needs at least one --agg") }
        if format == .parquet, out == nil { throw ValidationError("--format parquet needs --out FILE") }
        if metrics, table == .incidences { throw ValidationError("--metrics attaches to --table nodes or --table edges") }
    }

    /// The query as an operation's parameters.
    var spec: QuerySpec {
        var spec = QuerySpec(table: table, metrics: metrics, computed: computed, filter: filter,
                             groupBy: QueryText.names(groupBy ?? ""), aggregations: agg, select: select, sort: sort, limit: limit)
        if let join {
            spec.join = QuerySpec.Join(table: join, leftOn: QueryText.names(leftOn ?? on ?? ""), rightOn: QueryText.names(rightOn ?? on ?? ""), kind: how)
        }
        return spec
    }

    func run() throws {
        var context = runOptions.context
        // Scans bound what they decode only when asked (--memory-budget).
        context.memoryBudget = runOptions.memoryBudget.map { $0 << 20 }
        if let client = try cluster.client() {
            // Through the gateway: the same query, planned there and run by a worker.
            if explain || stats || metaDatabase != nil {
                throw CLIError("--explain, --stats and --meta-db apply to queries in this process; leave them out with --gateway or --cluster")
            }
            let (spec, input) = (self.spec, self.input)
            let result = try Progress.run("querying") { try client.runBlocking(.query(spec), on: input, context: context) }
            return try emit(result, spec)
        }
        let input = try OperationInput(path: input)
        var spec = self.spec
        // meta:KIND: the kind's current records, keyed by the join's right key, as a
        // Parquet file the join reads (removed afterwards).
        var metaFile: String? = nil
        defer { if let metaFile { try? FileManager.default.removeItem(atPath: metaFile) } }
        if let join = spec.join, join.table.hasPrefix("meta:"), let metaDatabase {
            let kind = String(join.table.dropFirst(5))
            let table = try meta { try MetadataStore(path: metaDatabase).table(kind: kind, keyColumn: join.rightOn.first ?? "key", integerKeys: true) }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("anant-meta-\(getpid())-\(kind.hashValue).parquet").path
            let writer = try ParquetFileWriter(path: path, schema: table.schema, options: ParquetWriteOptions(compression: .uncompressed))
            try writer.write(table)
            _ = try writer.close()
            metaFile = path
            spec.join?.table = path
        }
        do {
            if metrics {
                let h = try Progress.run("reading \(self.input)") { try input.hypergraph(context: context) }
                let count = table == .edges ? h.edgeCount : h.nodeCount
                if count > QuerySpec.centralityLimit {
                    FileHandle.standardError.write(Data("note: \(count) \(table == .edges ? "edges" : "nodes") is above \(QuerySpec.centralityLimit); betweenness and closeness are left out (anant centrality computes them)\n".utf8))
                }
            }
            if explain {
                Output.line(try spec.frame(on: input, context: context).explain())
                // With --stats too: run the plan for its statistics, rows left out.
                guard stats else { return }
            }
            let (result, statistics) = try Progress.run("querying") { try LocalExecutor(context: context).query(spec, on: input) }
            if stats, let statistics {
                FileHandle.standardError.write(Data("scanned \(statistics.rowGroupsRead) of \(statistics.rowGroups) row groups, \(statistics.rowsRead) rows, \(statistics.bytesRead) bytes; \(statistics.pagesSkipped) pages left compressed\n".utf8))
            }
            if !explain { try emit(result, spec) }
        } catch let error as OperationError where error.underlying is QueryError {
            throw CLIError(error.message.hasPrefix("query: ") ? String(error.message.dropFirst(7)) : error.message)
        } catch let error as QueryError {
            throw CLIError(error.message)
        }
    }

    private func emit(_ result: OperationResult, _ spec: QuerySpec) throws {
        if let out {
            // The file's extension picks CSV or Parquet.
            let rows = try result.table("rows") ?? RecordBatch(schema: try Schema([]), columns: [])
            try HypergraphFiles.writeResult(rows, to: out)
            FileHandle.standardError.write(Data("wrote \(rows.rowCount) rows to \(out)\n".utf8))
            return
        }
        let render: RenderFormat = switch format {
        case .text: .text
        case .json: .json
        case .csv: .csv
        case .arrow: .arrow
        case .parquet: throw ValidationError("--format parquet needs --out FILE")
        }
        Output.write(try OperationRenderer.render(result, of: .query(spec), as: render))
    }
}

extension DatasetTable: ExpressibleByArgument {}
extension JoinKind: ExpressibleByArgument {}

