import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantParquet
import AnantQuery
import ArgumentParser
import Foundation

/// Timed repetitions after untimed warm-up runs, shared by every benchmark.
struct TimingOptions: ParsableArguments {
    @Option(help: "Timed repetitions.") var repeats = 3
    @Option(help: "Untimed warm-up runs.") var warmup = 1

    func measure(_ work: () throws -> Void) rethrows -> [String: Any] {
        try Timing.measure(repeats: repeats, warmup: warmup, work)
    }
}

/// Anant's side of the benchmarks in `bench/`: each subcommand times one workload on the
/// anchors' data and prints one JSON line (median of --repeats after --warmup untimed runs),
/// in the shape of `../shared/bench/anchors/_common.py`.
@main
struct AnantBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anant-bench",
        abstract: "Times Anant workloads for bench/run (release builds).",
        subcommands: [BuildCSR.self, ReadParquet.self, WriteParquet.self, Algorithms.self, LazyOps.self, DatasetBench.self, WireBench.self, MetaBench.self, ClusterBench.self, LoadBench.self, ScaleBench.self])
}

/// Building the CSR model (ids dictionary-encoded, both CSRs) from an in-memory table.
struct BuildCSR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build-csr",
        abstract: "Time building a Hypergraph from an incidence table already in memory.")

    @Option(help: "The incidence table (edge_id,node_id,weight) made by gen_hypergraph.py, as CSV or Parquet.")
    var incidences: String

    @Option(help: "The benchmark's name in the output (build_csr; build_csr_shuffled for rows in random order).")
    var label = "build_csr"

    @OptionGroup var timing: TimingOptions

    func run() throws {
        let (readSeconds, table) = try Timing.once { () throws -> RecordBatch in
            if incidences.hasSuffix(".parquet") { return try ParquetFileReader(path: incidences).readTable() }
            return try CSVReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: incidences))))
        }
        var shape = (0, 0, 0)
        let stats = try timing.measure {
            let h = try Hypergraph(incidences: table, edgeColumn: "edge_id", nodeColumn: "node_id")
            shape = (h.nodeCount, h.edgeCount, h.incidenceCount)
        }
        Timing.emit([
            "bench": label, "tool": "anant", "op": "build_csr", "source": "memory", "rows": table.rowCount,
            "read_s": readSeconds, "nodes": shape.0, "edges": shape.1, "incidences": shape.2,
        ].merging(stats) { a, _ in a })
    }
}

/// Reading a Parquet file into columns (all, or some), optionally filtered.
struct ReadParquet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read-parquet", abstract: "Time reading a Parquet file into columns.")

    @Option(help: "The Parquet file.") var file: String
    @Option(help: "Comma-separated columns to read (default: all).") var columns: String?
    @Option(name: .customLong("where"), help: "A filter, e.g. 'weight > 0.9'.") var filter: String?
    @Option(help: "A label for the output.") var op = "read"
    @Option(help: "The file's codec, for the output.") var codec = "none"
    @OptionGroup var timing: TimingOptions

    func run() throws {
        let predicate = try filter.map { try ParquetPredicate.parse($0) }
        let names = columns?.split(separator: ",").map(String.init)
        var rows = 0
        let stats = try timing.measure {
            let reader = try ParquetFileReader(path: file)
            rows = try reader.readTable(columns: names, where: predicate).rowCount
        }
        Timing.emit(["bench": "parquet_\(op)_\(codec)", "tool": "anant", "op": op, "codec": codec, "file": file,
                     "result_rows": rows].merging(stats) { a, _ in a })
    }
}

/// Writing the incidence table (read once from a Parquet file) with a codec.
struct WriteParquet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "write-parquet", abstract: "Time writing a table as Parquet.")

    @Option(help: "The table to write, as a Parquet file (read once, untimed).") var input: String
    @Option(help: "Where to write.") var out: String
    @Option(help: "Codec: none, snappy, gzip, lz4, zstd.") var codec: String
    @OptionGroup var timing: TimingOptions

    func run() throws {
        guard let compression = ParquetCompression(name: codec) else { throw ValidationError("unknown codec \(codec)") }
        let table = try ParquetFileReader(path: input).readTable()
        let stats = try timing.measure {
            let writer = try ParquetFileWriter(path: out, schema: table.schema, options: ParquetWriteOptions(compression: compression))
            try writer.write(table)
            try writer.close()
        }
        let size = (try FileManager.default.attributesOfItem(atPath: out)[.size] as? NSNumber)?.intValue ?? 0
        Timing.emit(["bench": "parquet_write_\(codec)", "tool": "anant", "op": "write", "codec": codec, "rows": table.rowCount,
                     "file_mb": Double(size) / 1_048_576].merging(stats) { a, _ in a })
    }
}

/// The five queries of `../shared/bench/anchors/lazy_ops.py`, from the Parquet files (the
/// scan is part of the time) or from tables already in memory.
struct LazyOps: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lazy-ops", abstract: "Time lazy queries: edge_agg node_degree join_filter label_agg topk_degree.")

    @Option(help: "The folder with incidences.parquet, nodes.parquet, edges.parquet.") var data: String
    @Option(parsing: .upToNextOption, help: "parquet and/or memory.") var source: [String] = ["parquet", "memory"]
    @Option(parsing: .upToNextOption, help: "Queries.") var ops: [String] = ["edge_agg", "node_degree", "join_filter", "label_agg", "topk_degree"]
    @OptionGroup var timing: TimingOptions

    static func query(_ op: String, _ inc: LazyFrame, _ nodes: LazyFrame, _ edges: LazyFrame) throws -> LazyFrame {
        let degree = inc.groupBy(["node_id"], [Aggregation(.count, as: "degree")])
        switch op {
        case "edge_agg": return inc.groupBy(["edge_id"], [Aggregation(.count, as: "size"), Aggregation(.sum, "weight", as: "wsum")])
        case "node_degree": return degree
        case "join_filter": return inc.join(nodes, on: ["node_id"]).filter(try Expr.parse("score > 0.5 and weight > 0.5"))
        case "label_agg": return inc.join(edges, on: ["edge_id"]).groupBy(["label"], [Aggregation(.count, as: "n"), Aggregation(.sum, "weight", as: "wsum")])
        case "topk_degree": return degree.sort([SortKey("degree", descending: true), SortKey("node_id")]).limit(10)
        // The join's two scans alone (not in the anchor; for reading the join's time).
        case "scan_nodes_filter": return nodes.filter(try Expr.parse("score > 0.5"))
        case "scan_incidences_filter": return inc.filter(try Expr.parse("weight > 0.5"))
        default: throw ValidationError("unknown op \(op)")
        }
    }

    func run() throws {
        let paths = ["incidences", "nodes", "edges"].map { "\(data)/\($0).parquet" }
        let rows = Int(try ParquetFileReader(path: paths[0]).rowCount)
        for src in source {
            let frames: [LazyFrame]
            if src == "memory" {
                frames = try paths.map { LazyFrame.scan(.memory(try ParquetFileReader(path: $0).readTable())) }
            } else {
                frames = paths.map { LazyFrame.scan(.parquet([$0])) }
            }
            for op in ops {
                let query = try LazyOps.query(op, frames[0], frames[1], frames[2])
                var resultRows = 0
                var top3 = [[String]]()
                let stats = try timing.measure {
                    let result = try query.collect()
                    resultRows = result.rowCount
                    if op == "topk_degree" { top3 = (0..<min(3, result.rowCount)).map { r in result.columns.map { "\($0[r])" } } }
                }
                var record: [String: Any] = ["bench": "lazy_ops", "tool": "anant", "op": op, "source": src, "n": rows, "rows": rows,
                                             "result_rows": resultRows, "peak_rss_mb": Timing.peakRSSMegabytes()]
                if !top3.isEmpty { record["top3"] = top3 }
                Timing.emit(record.merging(stats) { a, _ in a })
            }
        }
    }
}

/// A dataset end to end, one phase per process (peak RSS is per process): `import` the
/// incidence table into a dataset folder; `build` the hypergraph from the dataset;
/// `query` it with streaming queries under a memory budget smaller than the data.
struct DatasetBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dataset", abstract: "Time importing, building from and querying a dataset, with peak memory.")

    @Option(help: "The incidence table (edge_id, node_id, weight) as Parquet.") var incidences: String
    @Option(help: "The dataset folder to write (import) or read.") var out: String
    @Option(help: "import, build or query.") var phase: String
    @Option(help: "Memory budget of the queries, MiB.") var budgetMb = 128
    @Option(help: "Only this query (edge_sizes, heavy_incidences, degree_top10).") var query: String?
    @Flag(help: "Import with dictionary-first encodings (the writer before it chose encodings per chunk).") var dictionaryFirst = false
    @OptionGroup var timing: TimingOptions

    func run() throws {
        let rows = Int(try ParquetFileReader(path: incidences).rowCount)
        // The incidence columns' size in memory: what "larger than the budget" compares.
        let dataMB = Double(rows * 24) / 1_048_576
        var record: [String: Any] = ["bench": "dataset", "tool": "anant", "source": "dataset", "rows": rows, "data_mb": dataMB]
        switch phase {
        case "import":
            // The whole import, and apart its last phase: writing the dataset's Parquet.
            var writeSeconds = 0.0
            let (seconds, written) = try Timing.once { () throws -> Dataset in
                var table = try ParquetFileReader(path: incidences).readTable()
                table = try table.removing("edge_id").removing("node_id")
                    .setting("edge", try ParquetFileReader(path: incidences).readTable(columns: ["edge_id"]).columns[0])
                    .setting("node", try ParquetFileReader(path: incidences).readTable(columns: ["node_id"]).columns[0])
                let h = try Hypergraph(incidences: table)
                try? FileManager.default.removeItem(atPath: out)
                let start = Timing.now()
                defer { writeSeconds = Timing.now() - start }
                return try Dataset.write(h, to: out, options: DatasetWriteOptions(chooseEncodings: !dictionaryFirst))
            }
            record["op"] = dictionaryFirst ? "import_dictionary_first" : "import"
            record["median_s"] = seconds
            record["write_s"] = writeSeconds
            record["shards"] = written.manifest.tables[.incidences]?.shards.count ?? 0
            record["dataset_mb"] = Double(DatasetTable.allCases.flatMap { written.manifest.tables[$0]?.shards ?? [] }.reduce(0) { $0 + $1.bytes }) / 1_048_576
        case "build":
            var counts = (0, 0, 0)
            var modelMB = 0.0
            let stats = try timing.measure {
                let h = try Dataset.open(out).hypergraph()
                counts = (h.nodeCount, h.edgeCount, h.incidenceCount)
                modelMB = Double(h.memoryFootprint) / 1_048_576
            }
            record.merge(stats) { a, _ in a }
            record["op"] = "build"
            record["model_mb"] = modelMB
            record["result_rows"] = counts.2
        case "query":
            let dataset = try Dataset.open(out)
            var context = benchContext
            context.memoryBudget = budgetMb << 20
            let options = QueryOptions(context: context)
            let queries: [(String, LazyFrame)] = [
                ("edge_sizes", dataset.scan(.incidences).groupBy(["edge"], [Aggregation(.count, as: "size"), Aggregation(.sum, "weight", as: "w")])),
                ("heavy_incidences", dataset.scan(.incidences).filter(try Expr.parse("weight > 0.999")).select(["edge", "node", "weight"])),
                ("degree_top10", dataset.scan(.incidences).groupBy(["node"], [Aggregation(.count, as: "degree")])
                    .sort([SortKey("degree", descending: true), SortKey("node")]).limit(10)),
            ]
            for (name, query) in queries where self.query == nil || self.query == name {
                var resultRows = 0
                let stats = try timing.measure { resultRows = try query.collect(options: options).rowCount }
                Timing.emit(record.merging(["op": name, "budget_mb": budgetMb, "result_rows": resultRows, "peak_rss_mb": Timing.peakRSSMegabytes()]) { a, _ in a }
                    .merging(stats) { a, _ in a })
            }
            return
        default:
            throw ValidationError("--phase is import, build or query")
        }
        record["peak_rss_mb"] = Timing.peakRSSMegabytes()
        Timing.emit(record)
    }
}

/// The s-analytics of `../shared/bench/anchors/hypergraph_algos.py` on the same data (its
/// `generate_by_edges`, written to Parquet by `bench/anchors/algos_data.py`).
struct Algorithms: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "algos", abstract: "Time s-line graphs, s-components and s-centralities.")

    @Option(help: "The incidence table (edge_id, node_id, weight) as Parquet.") var incidences: String
    @Option(help: "The number of edges the data was generated for (a label).") var nEdges: Int
    @Option(parsing: .upToNextOption, help: "Ops: linegraph_s1 linegraph_s2 linegraph_s3 scc_s1 scc_s2 betweenness_s1 closeness_s1 closeness_linegraph_s1.")
    var ops: [String]
    @OptionGroup var timing: TimingOptions

    func run() throws {
        let table = try ParquetFileReader(path: incidences).readTable()
        let h = try Hypergraph(incidences: table, edgeColumn: "edge_id", nodeColumn: "node_id")
        for op in ops {
            guard let s = Int(String(op.last ?? "x")) else { throw ValidationError("unknown op \(op)") }
            var result = 0
            let work: () throws -> Void
            switch op.dropLast(3) {
            case "linegraph": work = { result = try h.sLineGraph(s: s, context: benchContext).pairCount }
            case "scc": work = { result = try h.sConnectedComponents(s: s, context: benchContext).count }
            case "betweenness": work = { result = try h.sBetweennessCentrality(s: s, context: benchContext).count }
            case "closeness": work = { result = try h.sClosenessCentrality(s: s, context: benchContext).count }
            // The same searches over a materialised line graph (what s = 1 did before it
            // walked the incidences): run it in its own process for its peak memory.
            case "closeness_linegraph":
                work = { result = try h.sLineGraph(s: s, context: benchContext).reachSummaries(context: benchContext).count }
            default: throw ValidationError("unknown op \(op)")
            }
            let stats = try timing.measure(work)
            Timing.emit(["bench": "hypergraph_algos", "tool": "anant", "op": op, "n_edges": nEdges, "status": "ok",
                         "incidences": h.incidenceCount, "threads": benchContext.threads, "result": result]
                .merging(stats) { a, _ in a })
        }
    }
}

/// The context every benchmark runs with: `ANANT_THREADS` threads when set (the bench
/// scripts set it to compare thread counts), else every processor.
let benchContext = ExecutionContext(threads: ProcessInfo.processInfo.environment["ANANT_THREADS"].flatMap { Int($0) } ?? ExecutionContext.processorCount)

/// Wall-clock timing and JSON-line output.
enum Timing {
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    static func once<T>(_ work: () throws -> T) rethrows -> (Double, T) {
        let start = now()
        let result = try work()
        return (now() - start, result)
    }

    /// Median and minimum of `repeats` timed runs after `warmup` untimed ones, with the peak
    /// RSS (VmHWM) of the process.
    static func measure(repeats: Int, warmup: Int, _ work: () throws -> Void) rethrows -> [String: Any] {
        for _ in 0..<warmup { try work() }
        var times = [Double]()
        for _ in 0..<max(1, repeats) { times.append(try once(work).0) }
        times.sort()
        return ["median_s": times[times.count / 2], "min_s": times[0], "times_s": times, "peak_rss_mb": peakRSSMegabytes()]
    }

    /// The sorted latencies of `count` calls made one at a time, `call(warmup)` to
    /// `call(warmup + count - 1)`, after the untimed `call(0)` to `call(warmup - 1)`.
    static func latencies(count: Int, warmup: Int = 1000, _ call: (Int) async throws -> Void) async rethrows -> [Double] {
        for i in 0..<warmup { try await call(i) }
        var times = [Double]()
        times.reserveCapacity(count)
        for i in warmup..<(warmup + count) {
            let start = now()
            try await call(i)
            times.append(now() - start)
        }
        return times.sorted()
    }

    /// The CPU seconds process `pid` has used, in user and in system mode
    /// (`/proc/PID/stat`: clock ticks of 10 ms, threads that ended included).
    static func cpuSeconds(pid: Int32) -> (user: Double, system: Double) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return (0, 0) }
        // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return (0, 0) }
        let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user / tick, system / tick)
    }

    static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
            return kb / 1024
        }
        return 0
    }

    static func emit(_ record: [String: Any]) {
        var out = record
        if let rows = record["rows"] as? Int, let median = record["median_s"] as? Double, median > 0 {
            out["rows_per_s"] = Double(rows) / median
        }
        let data = try! JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
