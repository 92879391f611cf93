import ArgumentParser
import CAnantSystem

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
        they are read when present. \
        Every command takes --format text|json; json prints one JSON value, with per-node or \
        per-edge results as an object keyed by id.
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

    /// Parses the command line and runs the command, after telling the allocator to keep
    /// freed memory for reuse (a command on a large hypergraph builds and frees buffers of
    /// tens of megabytes; returning them to the kernel makes every next one fault in
    /// zeroed pages again).
    static func main() async {
        _ = anant_keep_freed_memory()
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
}
