import AnantColumnar
import AnantOperations
import ArgumentParser
import Foundation

/// `anant report`: the main job, a readable summary of a hypergraph.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarise a hypergraph: counts, density, degree and edge-size distributions, components at s = 1, 2, 3, top nodes and edges.")

    @OptionGroup var common: CommonOptions

    @Option(help: "How many top nodes and edges to list.")
    var top: Int = 10

    @Option(help: "Also write per-node and per-edge metrics (degree or size, s=1..3 component, s=1 betweenness and closeness) to DIR/nodes.parquet and DIR/edges.parquet, and DIR/index.html: the summary with its charts.")
    var out: String?

    func validate() throws {
        if top < 0 { throw ValidationError("--top must not be negative") }
    }

    func run() throws {
        let operation = Operation.report(top: top, metrics: out != nil, source: common.input)
        let result = try common.execute(operation, progress: "computing the report")
        if let out {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory) {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } else if !isDirectory.boolValue {
                throw CLIError("cannot write metrics to '\(out)': it is a file, not a folder")
            }
            for (table, file) in [("node_metrics", "nodes.parquet"), ("edge_metrics", "edges.parquet")] {
                guard let metrics = result.table(table) else { throw CLIError("the report has no \(table)") }
                try HypergraphFiles.writeResult(metrics, to: out + "/" + file)
            }
            try Self.page(result, source: common.input, to: out)
        }
        try common.print(result, of: operation)
    }

    /// DIR/index.html: the report's counts and its charts (degree and edge-size
    /// distributions, edge s-component sizes and the s-profile for s = 1, 2, 3, the top
    /// nodes by s = 1 betweenness), beside the metrics files.
    static func page(_ result: OperationResult, source: String, to folder: String) throws {
        func expanded(_ name: String) throws -> [Int] {
            let values = try PlotCommand.integers(result, table: name, column: "value"), counts = try PlotCommand.integers(result, table: name, column: "count")
            return zip(values, counts).flatMap { repeatElement($0, count: $1) }
        }
        let name = URL(fileURLWithPath: source).lastPathComponent
        var charts: [Chart] = [.degreeDistribution(degrees: try expanded("degree_histogram"), title: "Degree distribution"),
                               .edgeSizeDistribution(sizes: try expanded("edge_size_histogram"), title: "Edge size distribution")]
        if let components = result.table("components") {
            let s = try PlotCommand.integers(result, table: "components", column: "s"), sizes = try PlotCommand.integers(result, table: "components", column: "size")
            guard case .string(let of) = try components.column(named: "of") else { throw CLIError("the report's components table is misshapen") }
            let byS = (1...3).map { k in (s: k, sizes: (0..<components.rowCount).filter { s[$0] == k && of[$0] == "edges" }.map { sizes[$0] }) }
            charts.append(.componentSizes(sizesByS: byS, title: "Edge s-component sizes"))
            charts.append(.sProfile(points: byS.map { ($0.s, $0.sizes.count, $0.sizes.max() ?? 0) }, title: "s-profile"))
        }
        if let top = result.table("top_nodes_betweenness"), case .double(let values) = try top.column(named: "betweenness") {
            let labels = (0..<top.rowCount).map { row -> String in
                if case .string(let id) = top.columns[0][row] { return id }
                return "\(top.columns[0][row])"
            }
            charts.append(.topCentralities(labels: labels, values: (0..<values.count).map { values[$0] ?? .nan }, measure: "s=1 betweenness",
                                           entity: "nodes", title: "Top nodes by s=1 betweenness"))
        }
        let summary: [(String, String)] = ["source", "nodes", "edges", "incidences", "density", "aspect_ratio", "toplexes", "distinct_edges"].compactMap { key in
            guard let value = result.scalars.first(where: { $0.name == key })?.value else { return nil }
            switch value {
            case .null: return nil
            case .double(let d): return (key.replacingOccurrences(of: "_", with: " "), String(format: "%.6g", d))
            case .int(let i): return (key.replacingOccurrences(of: "_", with: " "), String(i))
            case .string(let text): return (key, text)
            default: return (key, "\(value)")
            }
        }
        do {
            try PlotPage.write(to: URL(fileURLWithPath: folder), title: "Report on \(name)", summary: summary,
                               files: ["nodes.parquet", "edges.parquet"], charts: charts)
        } catch { throw CLIError("cannot write \(folder)/index.html: \(error.localizedDescription)") }
    }
}
