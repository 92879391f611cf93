import AnantOperations
import AnantHypergraph
import ArgumentParser

/// Which s-line graph a command works on: of edges or of nodes.
enum LineGraphVertices: String, EnumerableFlag {
    case edges
    case nodes

    static func help(for value: LineGraphVertices) -> ArgumentHelp? {
        value == .edges ? "Work on the s-line graph of edges (edges sharing at least s nodes)."
            : "Work on the s-line graph of nodes (nodes sharing at least s edges)."
    }
}

/// Whether a measure is normalised: one pair of flags for every measure that has both
/// forms (each measure's default is HyperNetX's).
enum Normalization: String, EnumerableFlag {
    case normalized
    case raw

    static func help(for value: Normalization) -> ArgumentHelp? {
        value == .normalized ? "Normalise the measure (harmonic: by 2/((n-1)(n-2)); the default for betweenness)."
            : "Leave the measure unnormalised (betweenness: raw pair counts; the default for harmonic)."
    }
}

extension LineGraphVertices {
    /// The operations' vertices.
    var vertices: Vertices { self == .edges ? .edges : .nodes }
}

/// `anant line-graph`: the s-adjacent pairs, with their overlaps.
struct LineGraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "line-graph",
        abstract: "The s-line graph: every pair of edges (or nodes) sharing at least s nodes (or edges), with the overlap.",
        discussion: """
            With --out FILE (.csv, .parquet, .arrow or .arrows) the pairs go to a table (source, target, overlap), written \
            block of sources by block in bounded memory (a line graph can hold far more pairs than the hypergraph has \
            incidences); otherwise they are printed.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption
    @Flag var vertices: LineGraphVertices = .edges

    @Option(help: "Write the pairs to this .csv, .parquet, .arrow or .arrows file, streamed.")
    var out: String?

    @OptionGroup var top: TopOption

    func run() throws {
        let operation = Operation.lineGraph(s: sOption.s, of: vertices.vertices)
        let label = "computing the \(vertices.rawValue) \(sOption.s)-line graph"
        guard let out else { return try common.run(operation, progress: label, top: top) }
        // The K most overlapping pairs need every pair first: that path gathers them.
        if !common.cluster.isRemote && top.top == nil {
            let h = try common.load()
            let (pairs, count) = try Progress.run(label) {
                try LocalExecutor(context: common.context).writeLineGraph(s: sOption.s, of: vertices.vertices, on: h, to: out)
            }
            return Output.line("wrote \(out): \(pairs) pairs among \(count) \(vertices.rawValue) (s=\(sOption.s))")
        }
        let result = try top.cut(try common.execute(operation, progress: label), of: operation)
        guard let pairs = result.table("pairs"), case .int(let count) = result.scalar("vertices") else {
            throw CLIError("the line graph returned no pairs table")
        }
        try HypergraphFiles.writeResult(pairs, to: out)
        Output.line("wrote \(out): \(pairs.rowCount) pairs among \(count) \(vertices.rawValue) (s=\(sOption.s))")
    }
}

/// `anant distance`: the s-distance between two nodes or two edges.
struct DistanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distance",
        abstract: "The s-distance between two nodes (default) or two edges: the length of a shortest s-walk, inf when none.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption
    @Flag var vertices: LineGraphVertices = .nodes

    @Option(help: "The first node (or edge).") var from: String
    @Option(help: "The second node (or edge).") var to: String

    func run() throws {
        try common.run(.distance(s: sOption.s, of: vertices.vertices, from: from, to: to), progress: "computing the \(sOption.s)-distance")
    }
}

/// `anant diameter`: the s-diameter, or the diameter of every s-component.
struct DiameterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diameter",
        abstract: "The s-diameter of the s-line graph of nodes (default) or edges; an error when it is not connected.",
        discussion: "With --components, the diameter of every s-component instead (isolated vertices: 0), as HyperNetX node_diameters / edge_diameters.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption
    @Flag var vertices: LineGraphVertices = .nodes

    @Flag(help: "List the diameter of every s-component.")
    var components = false

    @OptionGroup var top: TopOption

    func validate() throws {
        if top.top != nil && !components { throw ValidationError("--top applies to the per-component diameters: add --components") }
    }

    func run() throws {
        try common.run(.diameter(s: sOption.s, of: vertices.vertices, perComponent: components), progress: "computing the \(sOption.s)-diameter", top: top)
    }
}

extension CentralityMeasure: ExpressibleByArgument {}

/// `anant centrality`: an s-centrality of every edge or node.
struct CentralityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "centrality",
        abstract: "An s-centrality of every edge (default) or node, with HyperNetX's rules.",
        discussion: """
            betweenness: shortest paths through each vertex, per s-component, normalised by 2/((n-1)(n-2)) with n the \
            hypergraph's edge (or node) count unless --raw. closeness: (component size - 1) / sum of distances. \
            harmonic: sum of 1/distance (normalised only with --normalized). eccentricity: the largest distance; an \
            error when the s-line graph is not connected, unless --components (the largest distance within the component). XGI's node measures (s does not apply; a connected hypergraph \
            needed except for katz and clustering): cec (clique motif eigenvector), hec (H-eigenvector), zec (Z-eigenvector, \
            uniform hypergraphs), katz, node-edge \
            (nodes, or edges with --edges), clustering (2-section clustering coefficient).

            --approx estimates betweenness, closeness or harmonic from samples, with probability at least 1 - delta \
            (--delta) within epsilon (--epsilon) of the exact values: betweenness from sampled shortest paths \
            (Riondato-Kornaropoulos), the normalised value within epsilon; closeness and harmonic from searches out of \
            sampled sources in each s-component (Eppstein-Wang), harmonic within epsilon times (component size - 1), \
            1/closeness within epsilon times the component's diameter. --seed fixes the samples. The text names the \
            sample count and the bound; --format json gives {"values": {...}, "approximation": {...}}.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption
    @Flag var vertices: LineGraphVertices = .edges

    @Option(help: "The measure: \(CentralityMeasure.allCases.map(\.rawValue).joined(separator: ", ")).")
    var measure: CentralityMeasure

    @Flag var normalization: Normalization?

    @Flag(inversion: .prefixedNo, help: "Include vertices without s-neighbours (HyperNetX return_singletons; default: included).")
    var singletons = true

    @OptionGroup var top: TopOption

    @Flag(help: "Eccentricity within each s-component, for an s-line graph that is not connected.")
    var components = false

    @Flag(help: "Estimate betweenness, closeness or harmonic from samples, within --epsilon with probability 1 - --delta.")
    var approx = false

    @Option(help: "The approximation's additive error bound (with --approx; default 0.01).")
    var epsilon: Double?

    @Option(help: "The approximation's failure probability (with --approx; default 0.1).")
    var delta: Double?

    @Option(help: "The seed of the approximation's samples (with --approx; default 1).")
    var seed: UInt64?

    func validate() throws {
        if !approx, epsilon != nil || delta != nil || seed != nil {
            throw ValidationError("--epsilon, --delta and --seed shape an approximation: add --approx")
        }
        // The operation's checks of an approximation (measure, epsilon, delta), as usage errors.
        if approx {
            do { try operation.validate() } catch { throw ValidationError(error.message) }
        }
    }

    /// The operation the flags ask for.
    var operation: Operation {
        .centrality(measure: measure, s: sOption.s, of: vertices.vertices, raw: normalization == .raw,
                    normalized: normalization == .normalized, withoutSingletons: !singletons, top: top.top, perComponent: components,
                    approximation: approx ? Approximation(epsilon: epsilon ?? 0.01, delta: delta ?? 0.1, seed: seed ?? 1) : nil)
    }

    func run() throws {
        if !measure.isS && vertices == .edges && measure != .nodeEdge {
            throw CLIError("--measure \(measure.rawValue) scores nodes: add --nodes")
        }
        if let normalization, ![.betweenness, .harmonic].contains(measure) {
            throw CLIError("--\(normalization.rawValue) applies to betweenness and harmonic; \(measure.rawValue) has one form")
        }
        try common.run(operation, progress: "computing \(measure.isS ? "s=\(sOption.s) " : "")\(measure.rawValue)")
    }
}
