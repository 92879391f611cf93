import AnantColumnar
import AnantHypergraph
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
        let h = try common.load()
        if let node {
            let v = try IDArguments.nodes([node], in: h)[0]
            let memberships = h.nodeMemberships[v].map(Int.init)
            let neighbors = try h.neighbors(ofNode: v)
            if common.format == .json {
                Output.json(.object(JSONObject([("node", h.nodes[v].json), ("memberships", h.edgeJSON(memberships)),
                                                ("degree", .int(Int64(memberships.count))), ("neighbors", h.nodeJSON(neighbors))])))
            } else {
                Output.line("node \(h.nodes[v])")
                Output.line("degree     \(memberships.count)")
                Output.line("edges      \(h.edgeText(memberships))")
                Output.line("neighbors  \(h.nodeText(neighbors))")
            }
            return
        }
        if let edge {
            let e = try IDArguments.edges([edge], in: h)[0]
            let members = h.edgeMembers[e].map(Int.init)
            if common.format == .json {
                Output.json(.object(JSONObject([("edge", h.edges[e].json), ("size", .int(Int64(members.count))),
                                                ("nodes", h.nodeJSON(members))])))
            } else {
                Output.line("edge \(h.edges[e])")
                Output.line("size   \(members.count)")
                Output.line("nodes  \(h.nodeText(members))")
            }
            return
        }
        let info = h.info()
        if common.format == .json {
            Output.json(.object(JSONObject([
                ("nodes", .int(Int64(info.nodeCount))), ("edges", .int(Int64(info.edgeCount))),
                ("incidences", .int(Int64(info.incidenceCount))),
                ("aspect_ratio", info.aspectRatio.map(JSONValue.double) ?? .null),
                ("density", info.density.map(JSONValue.double) ?? .null),
            ])))
        } else {
            Output.table(["measure", "value"], [
                ["nodes (rows)", String(info.nodeCount)], ["edges (columns)", String(info.edgeCount)],
                ["incidences (cells)", String(info.incidenceCount)],
                ["aspect ratio", info.aspectRatio.map(Output.number) ?? "n/a (no edges)"],
                ["density", info.density.map(Output.number) ?? "n/a (no nodes or edges)"],
            ])
        }
    }
}
