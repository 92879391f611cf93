import AnantHypergraph
import ArgumentParser

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
        let h = try common.load()
        let report = try HypergraphReport(h, source: common.input, top: top, context: common.context)
        if let out { try report.writeMetrics(to: out, context: common.context) }
        if common.format == .json { Output.json(report.json) } else { Output.write(Array(report.text.utf8)) }
    }
}
