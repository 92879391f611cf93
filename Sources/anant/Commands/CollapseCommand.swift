import AnantHypergraph
import AnantOperations
import ArgumentParser

/// `anant collapse`: merge edges with equal node sets (or nodes in equal edge sets).
struct CollapseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collapse",
        abstract: "Equivalence classes of duplicate edges (--edges) or nodes (--nodes), and optionally the collapsed hypergraph.",
        discussion: "Prints each class keyed by its representative (the first member). Weights are summed; the collapsed elements get the property equivalence_class_size.")

    @OptionGroup var common: CommonOptions

    @Flag(name: .customLong("edges"), help: "Collapse edges with identical node sets.")
    var edges = false

    @Flag(name: .customLong("nodes"), help: "Collapse nodes that lie in identical edges.")
    var nodes = false

    @Flag(name: .customLong("use-counts"), help: "Name representatives \"id:class-size\" (HyperNetX use_counts).")
    var useCounts = false

    @Option(help: "Also write the collapsed hypergraph to this file (.json HIF or .csv).")
    var out: String?

    func validate() throws {
        if edges == nodes { throw ValidationError("give exactly one of --edges or --nodes") }
    }

    func run() throws {
        let operation = Operation.collapse(of: edges ? .edges : .nodes, useCounts: useCounts)
        let result = try common.execute(operation, progress: "collapsing")
        try common.print(result, of: operation)
        if let out { try HypergraphFiles.write(try result.hypergraph(context: common.context), to: out) }
    }
}
