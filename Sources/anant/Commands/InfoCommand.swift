import AnantOperations
import ArgumentParser

/// `anant info`: HyperNetX's `info_dict`, for the whole hypergraph, a node or an edge.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Counts, aspect ratio and density; or the memberships of a node, or the members of an edge.",
        discussion: "Without --node or --edge: nodes (rows), edges (columns), incidences (cells), aspect ratio and density of the incidence matrix.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Describe this node: its edges, degree and neighbours.")
    var node: String?

    @Option(help: "Describe this edge: its size and nodes.")
    var edge: String?

    func validate() throws {
        if node != nil && edge != nil { throw ValidationError("give --node or --edge, not both") }
    }

    func run() throws {
        try common.run(.info(node: node, edge: edge), progress: "describing")
    }
}
