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

    @Option(help: "Also write per-node and per-edge metrics (degree or size, s=1..3 component, s=1 betweenness and closeness) to DIR/nodes.parquet and DIR/edges.parquet.")
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
        }
        try common.print(result, of: operation)
    }
}
