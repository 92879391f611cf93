import AnantOperations
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

    @Option(name: .customLong("node"), help: "Report only these nodes (repeatable or comma-separated). Default: every node.")
    var nodes: [String] = []

    @OptionGroup var top: TopOption

    func validate() throws {
        if let maxSize, maxSize < 1 { throw ValidationError("--max-size must be at least 1 (got \(maxSize))") }
    }

    func run() throws {
        try common.run(.degree(s: sOption.s, maxSize: maxSize, nodes: nodes), progress: "computing degrees", top: top)
    }
}
