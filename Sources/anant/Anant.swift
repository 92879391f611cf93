import ArgumentParser
import Foundation

/// The `anant` command: hypergraph analytics in one process (embedded mode).
@main
struct Anant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anant",
        abstract: "Hypergraph analytics: structure, statistics and s-connectivity of hypergraphs.",
        discussion: """
        INPUT is a HIF JSON file (.json), an incidence table: CSV (.csv, header edge,node[,weight,...]) or \
        Parquet (.parquet, columns edge, node[, weight, ...]), or a dataset folder made by `anant import` \
        (FOLDER, or FOLDER@N for version N). A table FILE.EXT may have companions \
        FILE.nodes.EXT and FILE.edges.EXT holding node and edge properties (and isolated nodes or empty edges); \
        they are read when present. A file with any other extension is read only when its content \
        is Parquet, Arrow or a HIF object; otherwise it is refused (name a CSV table .csv). \
        Every command takes --format text|json; json prints one JSON value, with per-node or \
        per-edge results as an object keyed by id. Where integer and string ids mix, a string id \
        that reads as an integer is written in quotes ("1"), in keys and labels, as --node and \
        --edge read it, so that it never collides with the integer 1.
        """,
        version: "0.1.0",
        subcommands: [
            ReportCommand.self, InfoCommand.self, DegreeCommand.self, NeighborsCommand.self,
            EdgeNeighborsCommand.self, ToplexesCommand.self, SingletonsCommand.self, ComponentsCommand.self,
            LineGraphCommand.self, DistanceCommand.self, DiameterCommand.self, CentralityCommand.self,
            ModularityCommand.self, CommunitiesCommand.self, GenerateCommand.self,
            CollapseCommand.self, DualCommand.self, RestrictCommand.self, ConvertCommand.self, ParquetCommand.self,
            ImportCommand.self, ExportCommand.self, QueryCommand.self, VersionsCommand.self, MetaCommand.self, ClusterCommand.self,
            PlotCommand.self,
        ]
    )

    /// Parses the command line and runs the command. (The allocator keeps freed memory for
    /// reuse from before `main`: `CAnantProcess`.)
    static func main() async {
        if let typo = unknownCommand(in: Array(CommandLine.arguments.dropFirst())) {
            var message = "error: '\(typo)' is not an anant command."
            if let near = suggestion(for: typo) { message += " Did you mean '\(near)'?" }
            FileHandle.standardError.write(Data((message + "\nSee 'anant --help' for the commands.\n").utf8))
            Foundation.exit(64)
        }
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// The first argument when it names no command (and is not an option).
    static func unknownCommand(in arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), first != "help" else { return nil }
        let names = configuration.subcommands.map { $0._commandName }
        return names.contains(first) ? nil : first
    }

    /// The command nearest `typo` by edit distance, when it is near enough (at most a
    /// third of its letters wrong) or starts the same way.
    static func suggestion(for typo: String) -> String? {
        let names = configuration.subcommands.map { $0._commandName }
        if let prefix = names.first(where: { $0.hasPrefix(typo) && typo.count >= 3 }) { return prefix }
        let scored = names.map { ($0, editDistance(Array(typo.lowercased()), Array($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= Swift.max(1, best.0.count / 3) else { return nil }
        return best.0
    }

    /// Levenshtein distance (insertions, deletions, substitutions; a swap of neighbours counts one).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [Int](repeating: 0, count: b.count + 1)
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { current[j] = Swift.min(current[j], previous2[j - 2] + 1) }
            }
            (previous2, previous) = (previous, current)
        }
        return previous[b.count]
    }
}
