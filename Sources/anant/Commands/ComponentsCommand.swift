import AnantOperations
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
        try common.run(.components(s: sOption.s, of: ofNodes ? .nodes : .edges, singletons: singletons), progress: "computing s=\(sOption.s) components")
    }
}
