import AnantColumnar
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

extension Hypergraph {
    /// The id of vertex `v` of the s-line graph of edges or nodes.
    func vertexID(_ v: Int, _ vertices: LineGraphVertices) -> ElementID {
        vertices == .edges ? edges[v] : nodes[v]
    }

    /// The ids of the vertices as a column (integers when every id is one, else strings).
    func vertexColumn(_ indices: [Int], _ vertices: LineGraphVertices) -> Column {
        (vertices == .edges ? edges.column : nodes.column).gather(indices)
    }
}

/// `anant line-graph`: the s-adjacent pairs, with their overlaps.
struct LineGraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "line-graph",
        abstract: "The s-line graph: every pair of edges (or nodes) sharing at least s nodes (or edges), with the overlap.",
        discussion: "With --out FILE.csv or FILE.parquet the pairs go to a table (source, target, overlap); otherwise they are printed.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption
    @Flag var vertices: LineGraphVertices = .edges

    @Option(help: "Write the pairs to this .csv or .parquet file.")
    var out: String?

    func run() throws {
        let h = try common.load()
        let graph = try Progress.run("computing the \(vertices.rawValue) \(sOption.s)-line graph") { try h.sLineGraph(s: sOption.s, edges: vertices == .edges, context: common.context) }
        var sources = [Int](), targets = [Int](), overlaps = [Int64]()
        sources.reserveCapacity(graph.pairCount)
        targets.reserveCapacity(graph.pairCount)
        overlaps.reserveCapacity(graph.pairCount)
        graph.forEachPair { a, b, overlap in
            sources.append(a)
            targets.append(b)
            overlaps.append(Int64(overlap))
        }
        if let out {
            let table = try RecordBatch(schema: Schema([Field("source", h.vertexColumn([], vertices).dataType, nullable: false),
                                                        Field("target", h.vertexColumn([], vertices).dataType, nullable: false),
                                                        Field("overlap", .int64, nullable: false)]),
                                        columns: [h.vertexColumn(sources, vertices), h.vertexColumn(targets, vertices), .int64(Int64Column(overlaps))])
            try HypergraphFiles.writeResult(table, to: out)
            Output.line("wrote \(out): \(graph.pairCount) pairs among \(graph.vertexCount) \(vertices.rawValue) (s=\(sOption.s))")
        } else if common.format == .json {
            Output.json(.object(JSONObject([
                ("s", .int(Int64(sOption.s))), ("vertices", .int(Int64(graph.vertexCount))),
                ("pairs", .array(sources.indices.map { .array([h.vertexID(sources[$0], vertices).json, h.vertexID(targets[$0], vertices).json, .int(overlaps[$0])]) })),
            ])))
        } else {
            Output.table(["source", "target", "overlap"], sources.indices.map {
                [h.vertexID(sources[$0], vertices).description, h.vertexID(targets[$0], vertices).description, String(overlaps[$0])]
            })
        }
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
        let h = try common.load()
        let ends = vertices == .edges ? try IDArguments.edges([from, to], in: h) : try IDArguments.nodes([from, to], in: h)
        let d = vertices == .edges ? try h.sDistance(fromEdge: ends[0], toEdge: ends[1], s: sOption.s, context: common.context)
            : try h.sDistance(fromNode: ends[0], toNode: ends[1], s: sOption.s, context: common.context)
        if common.format == .json {
            Output.json(.object(JSONObject([
                ("from", h.vertexID(ends[0], vertices).json), ("to", h.vertexID(ends[1], vertices).json),
                ("s", .int(Int64(sOption.s))), ("distance", d.map { .int(Int64($0)) } ?? .null),
            ])))
        } else {
            Output.line(d.map(String.init) ?? "inf")
        }
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

    func run() throws {
        let h = try common.load()
        let edges = vertices == .edges
        if !components {
            let d = try Progress.run("computing the \(sOption.s)-diameter") { try h.sDiameter(s: sOption.s, edges: edges, context: common.context) }
            if common.format == .json { Output.json(.object(JSONObject([("s", .int(Int64(sOption.s))), ("diameter", .int(Int64(d)))]))) } else { Output.line(String(d)) }
            return
        }
        let result = try Progress.run("computing component diameters") { try h.sComponentDiameters(s: sOption.s, edges: edges, context: common.context) }
        let order = result.components.indices.sorted { result.diameters[$0] != result.diameters[$1] ? result.diameters[$0] > result.diameters[$1] : $0 < $1 }
        let ids = { (c: [Int]) in c.map { h.vertexID($0, vertices) } }
        if common.format == .json {
            Output.json(.object(JSONObject([
                ("s", .int(Int64(sOption.s))), ("maximum", .int(Int64(result.maximum))),
                ("components", .array(order.map { .object(JSONObject([("diameter", .int(Int64(result.diameters[$0])))
                    , (vertices.rawValue, .array(ids(result.components[$0]).map(\.json)))])) })),
            ])))
        } else {
            Output.table(["diameter", "size", vertices.rawValue], order.map {
                [String(result.diameters[$0]), String(result.components[$0].count), ids(result.components[$0]).map(\.description).joined(separator: ", ")]
            })
        }
    }
}

/// The measures `anant centrality` computes.
enum CentralityMeasure: String, ExpressibleByArgument, CaseIterable {
    case betweenness, closeness, harmonic, eccentricity
    /// XGI's node measures (s does not apply).
    case cec, hec, zec, katz, nodeEdge = "node-edge", clustering

    var isS: Bool { [.betweenness, .closeness, .harmonic, .eccentricity].contains(self) }
}

/// `anant centrality`: an s-centrality of every edge or node.
struct CentralityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "centrality",
        abstract: "An s-centrality of every edge (default) or node, with HyperNetX's rules.",
        discussion: """
            betweenness: shortest paths through each vertex, per s-component, normalised by 2/((n-1)(n-2)) with n the \
            hypergraph's edge (or node) count unless --raw. closeness: (component size - 1) / sum of distances. \
            harmonic: sum of 1/distance (normalised only with --normalized). eccentricity: the largest distance; an \
            error when the s-line graph is not connected. XGI's node measures (s does not apply; a connected hypergraph \
            needed except for katz and clustering): cec (clique motif eigenvector), hec (H-eigenvector), zec (Z-eigenvector, \
            uniform hypergraphs), katz, node-edge \
            (nodes, or edges with --edges), clustering (2-section clustering coefficient).
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var sOption: SOption
    @Flag var vertices: LineGraphVertices = .edges

    @Option(help: "The measure: \(CentralityMeasure.allCases.map(\.rawValue).joined(separator: ", ")).")
    var measure: CentralityMeasure

    @Flag(help: "Betweenness without normalisation.")
    var raw = false

    @Flag(help: "Harmonic centrality normalised by 2/((n-1)(n-2)).")
    var normalized = false

    @Flag(name: .customLong("no-singletons"), help: "Leave out vertices without s-neighbours (HyperNetX return_singletons=False).")
    var noSingletons = false

    @Option(help: "Print only the K highest values.")
    var top: Int?

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        let h = try common.load()
        let (s, edges) = (sOption.s, vertices == .edges)
        if !measure.isS && edges && measure != .nodeEdge {
            throw CLIError("--measure \(measure.rawValue) scores nodes: add --nodes")
        }
        let values: [Double] = try Progress.run("computing \(measure.isS ? "s=\(s) " : "")\(measure.rawValue)") { () throws -> [Double] in
            switch measure {
            case .betweenness: return try h.sBetweennessCentrality(s: s, edges: edges, normalized: !raw, context: common.context)
            case .closeness: return try h.sClosenessCentrality(s: s, edges: edges, context: common.context)
            case .harmonic: return try h.sHarmonicCentrality(s: s, edges: edges, normalized: normalized, context: common.context)
            case .eccentricity: return try h.sEccentricity(s: s, edges: edges, context: common.context).map(Double.init)
            case .cec: return try h.cliqueEigenvectorCentrality()
            case .hec: return try h.hEigenvectorCentrality()
            case .zec: return try h.zEigenvectorCentrality()
            case .katz: return try h.katzCentrality()
            case .nodeEdge:
                let both = try h.nodeEdgeCentrality()
                return edges ? both.edges : both.nodes
            case .clustering: return h.clusteringCoefficients()
            }
        }
        var kept = Array(values.indices)
        if noSingletons && measure.isS {
            let lonely = Set(try h.sConnectedComponents(s: s, edges: edges, includeSingletons: true, context: common.context).filter { $0.count == 1 }.map { $0[0] })
            kept.removeAll { lonely.contains($0) }
        }
        kept.sort { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
        if let top { kept = Array(kept.prefix(top)) }
        if common.format == .json {
            Output.json(.object(JSONObject(kept.map { (h.vertexID($0, vertices).description, measure == .eccentricity ? .int(Int64(values[$0])) : .double(values[$0])) })))
        } else {
            Output.table([String(vertices.rawValue.dropLast()), measure.rawValue], kept.map { [h.vertexID($0, vertices).description, Output.number(values[$0])] })
        }
    }
}
