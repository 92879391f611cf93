import AnantColumnar
import AnantHypergraph
import ArgumentParser

/// `anant degree`: node degrees, optionally counting only edges of size s ... max-size.
struct DegreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "degree",
        abstract: "Node degrees: the number of edges of size at least s (and at most max-size) containing each node.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption

    @Option(name: .customLong("max-size"), help: "Count only edges with at most this many nodes.")
    var maxSize: Int?

    @Option(name: .customLong("node"), help: "Report only this node (repeatable). Default: every node.")
    var nodes: [String] = []

    func validate() throws {
        if let maxSize, maxSize < 1 { throw ValidationError("--max-size must be at least 1 (got \(maxSize))") }
    }

    func run() throws {
        let h = try common.load()
        let selected = nodes.isEmpty ? Array(0..<h.nodeCount) : try IDArguments.nodes(nodes, in: h)
        let degrees = try Progress.run("computing degrees") { try h.degrees(s: sOption.s, maxSize: maxSize) }
        if common.format == .json {
            var object = JSONObject()
            for v in selected { object[h.nodes[v].description] = .int(Int64(degrees[v])) }
            Output.json(.object(object))
        } else {
            Output.table(["node", "degree"], selected.map { [h.nodes[$0].description, String(degrees[$0])] })
        }
    }
}
