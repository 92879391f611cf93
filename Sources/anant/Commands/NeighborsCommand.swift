import AnantOperations
import ArgumentParser

/// `anant neighbors`: the nodes sharing at least s edges with a node.
struct NeighborsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbors",
        abstract: "The nodes that share at least s edges with the given node(s).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption

    @Option(name: .customLong("node"), help: "The nodes (repeatable or comma-separated).")
    var nodes: [String] = []

    func validate() throws {
        if nodes.isEmpty { throw ValidationError("give at least one --node") }
    }

    func run() throws {
        try common.run(.neighbors(s: sOption.s, nodes: nodes), progress: "finding neighbours")
    }
}

/// `anant edge-neighbors`: the edges sharing at least s nodes with an edge.
struct EdgeNeighborsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-neighbors",
        abstract: "The edges that share at least s nodes with the given edge(s).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption

    @Option(name: .customLong("edge"), help: "The edges (repeatable or comma-separated).")
    var edges: [String] = []

    func validate() throws {
        if edges.isEmpty { throw ValidationError("give at least one --edge") }
    }

    func run() throws {
        try common.run(.edgeNeighbors(s: sOption.s, edges: edges), progress: "finding neighbours")
    }
}
