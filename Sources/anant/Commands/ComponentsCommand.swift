import AnantOperations
import ArgumentParser

/// `anant components`: s-connected components of edges or nodes.
struct ComponentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "components",
        abstract: "The s-connected components of the s-line graph of edges (default) or of nodes.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption

    @Flag var vertices: LineGraphVertices = .edges

    @Flag(inversion: .prefixedNo, help: "Include one-element components (HyperNetX return_singletons; default: left out).")
    var singletons = false

    @OptionGroup var top: TopOption

    func run() throws {
        try common.run(.components(s: sOption.s, of: vertices.vertices, singletons: singletons), progress: "computing s=\(sOption.s) components", top: top)
    }
}
