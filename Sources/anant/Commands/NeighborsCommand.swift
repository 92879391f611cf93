import AnantColumnar
import AnantHypergraph
import ArgumentParser

/// `anant neighbors`: the nodes sharing at least s edges with a node.
struct NeighborsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbors",
        abstract: "The nodes that share at least s edges with the given node(s).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption

    @Option(name: .customLong("node"), help: "The node (repeatable).")
    var nodes: [String] = []

    func validate() throws {
        if nodes.isEmpty { throw ValidationError("give at least one --node") }
    }

    func run() throws {
        let h = try common.load()
        let queried = try IDArguments.nodes(nodes, in: h)
        let results = try queried.map { try h.neighbors(ofNode: $0, s: sOption.s) }
        NeighborListing.print(queried.map { h.nodes[$0] }, results.map { $0.map { h.nodes[$0] } },
                              format: common.format, header: ["node", "neighbors"])
    }
}

/// `anant edge-neighbors`: the edges sharing at least s nodes with an edge.
struct EdgeNeighborsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-neighbors",
        abstract: "The edges that share at least s nodes with the given edge(s).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption

    @Option(name: .customLong("edge"), help: "The edge (repeatable).")
    var edges: [String] = []

    func validate() throws {
        if edges.isEmpty { throw ValidationError("give at least one --edge") }
    }

    func run() throws {
        let h = try common.load()
        let queried = try IDArguments.edges(edges, in: h)
        let results = try queried.map { try h.edgeNeighbors(ofEdge: $0, s: sOption.s) }
        NeighborListing.print(queried.map { h.edges[$0] }, results.map { $0.map { h.edges[$0] } },
                              format: common.format, header: ["edge", "neighbors"])
    }
}

/// Prints id → list of ids, as a JSON object keyed by id or as a table.
enum NeighborListing {
    static func print(_ keys: [ElementID], _ lists: [[ElementID]], format: OutputFormat, header: [String]) {
        if format == .json {
            var object = JSONObject()
            for (key, list) in zip(keys, lists) { object[key.description] = .array(list.map(\.json)) }
            Output.json(.object(object))
        } else {
            Output.table(header + ["count"], zip(keys, lists).map { key, list in
                [key.description, list.map(\.description).joined(separator: ", "), String(list.count)]
            })
        }
    }
}
