import AnantColumnar
import AnantHypergraph
import AnantParquet
import ArgumentParser
import Foundation

/// Big analytics against networkit (`bench/anchors/networkit_scale.py`) on the same data:
/// a Chung–Lu hypergraph generated in process, its s-line graph written for networkit, then
/// the ops. Each record carries `n_edges` (the requested edge count) so that compare.py
/// sets Anant beside networkit per op and size.
struct ScaleBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Time the Chung–Lu generator, exact and approximate s-betweenness, and s=1 closeness with and without the line graph.")

    @Option(help: "Requested edges (and nodes) of the Chung–Lu hypergraph.") var edges: Int
    @Option(help: "Chung–Lu mean node degree.") var meanDegree = 4.0
    @Option(help: "Chung–Lu power-law exponent.") var exponent = 2.5
    @Option(help: "Seed of the generator.") var seed: UInt64 = 1
    @Option(help: "The s of the line graph.") var s = 1
    @Option(help: "Where the line graph and the weights for networkit go.") var work: String
    @Option(parsing: .upToNextOption, help: "Ops: generate write_line_graph betweenness_exact betweenness_approx closeness closeness_linegraph.")
    var ops: [String]
    @Option(help: "Approximation: the additive error bound.") var epsilon = 0.01
    @Option(help: "Approximation: the failure probability.") var delta = 0.1
    @Option(help: "Exact betweenness projected from this many sources (0: every source).") var exactSources = 0
    @OptionGroup var timing: TimingOptions

    func run() throws {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let h = try Hypergraph.chungLu(nodes: edges, edges: edges, meanDegree: meanDegree, exponent: exponent, seed: seed)
        var graph: SLineGraph?
        func lineGraph() throws -> SLineGraph {
            if let graph { return graph }
            let built = try h.sLineGraph(s: s, context: benchContext)
            graph = built
            return built
        }
        let base: [String: Any] = ["bench": "scale", "tool": "anant", "n_edges": edges, "threads": benchContext.threads, "status": "ok",
                                   "edges": h.edgeCount, "nodes": h.nodeCount, "incidences": h.incidenceCount]
        for op in ops {
            var record = base
            switch op {
            case "generate":
                record["op"] = "generate"
                record.merge(try timing.measure {
                    _ = try Hypergraph.chungLu(nodes: edges, edges: edges, meanDegree: meanDegree, exponent: exponent, seed: seed)
                }) { a, _ in a }
                try writeWeights()
            case "write_line_graph":
                let (seconds, built) = try Timing.once { try lineGraph() }
                try write(built)
                record.merge(["op": "line_graph_s\(s)", "median_s": seconds, "pairs": built.pairCount, "vertices": built.vertexCount,
                              "peak_rss_mb": Timing.peakRSSMegabytes()]) { _, b in b }
            case "betweenness_exact":
                let built = try lineGraph()
                let n = built.vertexCount
                let sources = exactSources > 0 ? Swift.min(exactSources, n) : n
                let stats = try timing.measure { _ = try built.betweennessPartial(sources: 0..<sources, context: benchContext) }
                // A sample of sources costs its share of the whole: every source is one search.
                let factor = Double(n) / Double(sources)
                record.merge(stats) { _, b in b }
                for key in ["median_s", "min_s"] { record[key] = (stats[key] as? Double).map { $0 * factor } }
                record["times_s"] = (stats["times_s"] as? [Double])?.map { $0 * factor }
                record.merge(["op": "betweenness_exact_s\(s)", "sources": sources, "projected": sources < n]) { _, b in b }
                if sources == n {
                    let exact = try built.betweenness(context: benchContext)
                    try writeValues(exact.map { $0 * Hypergraph.pairFactor(n) }, "exact-s\(s)")
                }
            case "betweenness_approx":
                let built = try lineGraph()
                let approximation = Approximation(epsilon: epsilon, delta: delta, seed: seed)
                var estimate: BetweennessEstimate?
                record.merge(try timing.measure { estimate = try built.approximateBetweenness(approximation, context: benchContext) }) { a, _ in a }
                record.merge(["op": "betweenness_approx_s\(s)", "epsilon": epsilon, "delta": delta, "samples": estimate!.samples]) { _, b in b }
                if let exact = try? readValues("exact-s\(s)"), exact.count == built.vertexCount {
                    record["max_error"] = zip(estimate!.normalized, exact).map { abs($0 - $1) }.max() ?? 0
                }
            case "closeness":
                var values = [Double]()
                record.merge(try timing.measure { values = try h.sClosenessCentrality(s: s, context: benchContext) }) { a, _ in a }
                record.merge(["op": "closeness_s\(s)", "result": values.count]) { _, b in b }
            case "closeness_linegraph":
                record.merge(try timing.measure { _ = try h.sLineGraph(s: s, context: benchContext).reachSummaries(context: benchContext) }) { a, _ in a }
                record["op"] = "closeness_linegraph_s\(s)"
            default:
                throw ValidationError("unknown op \(op)")
            }
            Timing.emit(record)
        }
    }

    private func path(_ name: String) -> String { "\(work)/e\(edges)-\(name).parquet" }

    private func writeTable(_ columns: [(String, Column)], _ name: String) throws {
        let table = try RecordBatch(columns)
        let writer = try ParquetFileWriter(path: path(name), schema: table.schema, options: ParquetWriteOptions(compression: .uncompressed))
        try writer.write(table)
        try writer.close()
    }

    /// The line graph's pairs (a < b, dense vertex numbers) and its vertex count, for networkit.
    private func write(_ graph: SLineGraph) throws {
        var a = [Int64](), b = [Int64]()
        a.reserveCapacity(graph.pairCount)
        b.reserveCapacity(graph.pairCount)
        graph.forEachPair { x, y, _ in a.append(Int64(x)); b.append(Int64(y)) }
        try writeTable([("a", .int64(Int64Column(a))), ("b", .int64(Int64Column(b)))], "s\(s)-pairs")
        try writeTable([("vertices", .int64(Int64Column([Int64(graph.vertexCount)])))], "s\(s)-vertices")
    }

    /// The generator's expected degrees, for networkit's Chung–Lu generator.
    private func writeWeights() throws {
        let (k1, k2) = Hypergraph.chungLuWeights(nodes: edges, edges: edges, meanDegree: meanDegree, exponent: exponent, seed: seed)
        try writeTable([("degree", .double(DoubleColumn(k1 + k2)))], "weights")
    }

    private func writeValues(_ values: [Double], _ name: String) throws {
        try writeTable([("value", .double(DoubleColumn(values)))], name)
    }

    private func readValues(_ name: String) throws -> [Double] {
        let table = try ParquetFileReader(path: path(name)).readTable()
        guard case .double(let column) = table.columns[0] else { return [] }
        return (0..<column.count).map { column[$0] ?? 0 }
    }
}
