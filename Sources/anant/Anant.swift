import ArgumentParser

/// The `anant` command: hypergraph analytics in one process (embedded mode).
@main
struct Anant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anant",
        abstract: "Hypergraph analytics: structure, statistics and s-connectivity of hypergraphs.",
        discussion: """
        INPUT is a HIF JSON file (.json) or a CSV incidence file (.csv, header edge,node[,weight,...]). \
        A CSV file FILE.csv may have companions FILE.nodes.csv and FILE.edges.csv holding node and edge \
        properties (and isolated nodes or empty edges); they are read when present. \
        Every command takes --format text|json; json prints one JSON value, with per-node or \
        per-edge results as an object keyed by id.
        """,
        version: "0.1.0",
        subcommands: [
            ReportCommand.self, InfoCommand.self, DegreeCommand.self, NeighborsCommand.self,
            EdgeNeighborsCommand.self, ToplexesCommand.self, SingletonsCommand.self, ComponentsCommand.self,
            CollapseCommand.self, DualCommand.self, RestrictCommand.self, ConvertCommand.self,
        ]
    )
}
