import AnantOperations
import ArgumentParser

/// `anant toplexes`: edges contained in no other edge.
struct ToplexesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toplexes",
        abstract: "The edges not contained in any other edge (duplicates reduced to the first).")

    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.run(.toplexes, progress: "finding toplexes")
    }
}

/// `anant singletons`: edges of one node that lies in no other edge.
struct SingletonsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "singletons",
        abstract: "The singleton edges: edges of size 1 whose node has degree 1.")

    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.run(.singletons, progress: "finding singletons")
    }
}
