import AnantColumnar
import AnantHypergraph
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
        let h = try common.load()
        let result = Progress.run("collapsing") { edges ? h.collapsedEdges(useCounts: useCounts) : h.collapsedNodes(useCounts: useCounts) }
        let member: (Int) -> ElementID = edges ? { h.edges[$0] } : { h.nodes[$0] }
        if let out { try HypergraphFiles.write(result.hypergraph, to: out) }
        if common.format == .json {
            var object = JSONObject()
            for (name, members) in zip(result.representatives, result.classes) {
                object[name.description] = .array(members.map { member($0).json })
            }
            Output.json(.object(object))
        } else {
            Output.table([edges ? "edge" : "node", "class size", "members"], zip(result.representatives, result.classes).map { name, members in
                [name.description, String(members.count), members.map { member($0).description }.joined(separator: ", ")]
            })
            let kind = edges ? "edges" : "nodes"
            Output.line("\(edges ? h.edgeCount : h.nodeCount) \(kind) collapse into \(result.classes.count) classes")
        }
    }
}
