import AnantColumnar
import AnantHypergraph
import ArgumentParser

/// `anant toplexes`: edges contained in no other edge.
struct ToplexesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toplexes",
        abstract: "The edges not contained in any other edge (duplicates reduced to the first).")

    @OptionGroup var common: CommonOptions

    func run() throws {
        let h = try common.load()
        let toplexes = Progress.run("finding toplexes") { h.toplexes() }
        EdgeListing.print(toplexes, of: h, format: common.format)
    }
}

/// `anant singletons`: edges of one node that lies in no other edge.
struct SingletonsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "singletons",
        abstract: "The singleton edges: edges of size 1 whose node has degree 1.")

    @OptionGroup var common: CommonOptions

    func run() throws {
        let h = try common.load()
        EdgeListing.print(h.singletons(), of: h, format: common.format)
    }
}

/// Prints a set of edges: JSON object keyed by edge id with its nodes, or a table.
enum EdgeListing {
    static func print(_ edges: [Int], of h: Hypergraph, format: OutputFormat) {
        if format == .json {
            var object = JSONObject()
            for e in edges { object[h.edges[e].description] = h.nodeJSON(h.edgeMembers[e].map(Int.init)) }
            Output.json(.object(object))
        } else {
            Output.table(["edge", "size", "nodes"], edges.map { e in
                [h.edges[e].description, String(h.edgeMembers.count(e)), h.nodeText(h.edgeMembers[e].map(Int.init))]
            })
            Output.line("\(edges.count) of \(h.edgeCount) edges")
        }
    }
}
