import AnantColumnar
import AnantHypergraph
import ArgumentParser

/// `anant components`: s-connected components of edges or nodes.
struct ComponentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "components",
        abstract: "The s-connected components of the s-line graph of edges (default) or of nodes.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption

    @Flag(name: .customLong("nodes"), help: "Components of nodes (nodes sharing at least s edges) instead of edges.")
    var ofNodes = false

    @Flag(name: .customLong("singletons"), help: "Include one-element components (HyperNetX return_singletons=True).")
    var singletons = false

    func run() throws {
        let h = try common.load()
        let components = try Progress.run("computing s=\(sOption.s) components") {
            try h.sConnectedComponents(s: sOption.s, edges: !ofNodes, includeSingletons: singletons, context: common.context)
        }.sorted { $0.count != $1.count ? $0.count > $1.count : $0[0] < $1[0] }
        let ids: ([Int]) -> [ElementID] = ofNodes ? { $0.map { h.nodes[$0] } } : { $0.map { h.edges[$0] } }
        if common.format == .json {
            Output.json(.array(components.map { .array(ids($0).map(\.json)) }))
        } else {
            Output.table(["component", "size", ofNodes ? "nodes" : "edges"], components.enumerated().map { i, c in
                [String(i + 1), String(c.count), ids(c).map(\.description).joined(separator: ", ")]
            })
        }
    }
}
