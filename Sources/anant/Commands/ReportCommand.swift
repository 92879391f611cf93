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

    func validate() throws {
        if top < 0 { throw ValidationError("--top must not be negative") }
    }

    func run() throws {
        let h = try common.load()
        let report = HypergraphReport(h, source: common.input, top: top)
        if common.format == .json { Output.json(report.json) } else { Output.write(Array(report.text.utf8)) }
    }
}
