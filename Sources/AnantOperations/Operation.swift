import AnantColumnar
import AnantHypergraph

/// Which s-line graph an operation works on: of edges or of nodes.
public enum Vertices: String, Sendable, Hashable, CaseIterable {
    case edges
    case nodes
}

/// The measures of `Operation.centrality`.
public enum CentralityMeasure: String, Sendable, Hashable, CaseIterable {
    /// HyperNetX's s-measures, over the s-line graph.
    case betweenness, closeness, harmonic, eccentricity
    /// XGI's node measures (s does not apply).
    case cec, hec, zec, katz, nodeEdge = "node-edge", clustering

    /// True for the measures of the s-line graph (the others ignore s).
    public var isS: Bool { [.betweenness, .closeness, .harmonic, .eccentricity].contains(self) }
}

/// How `Operation.communities` searches.
public enum CommunityMethod: String, Sendable, Hashable, CaseIterable {
    case kumar
    case lastStep = "last-step"
}

/// One node's part in a partition a request carries.
public struct PartitionEntry: Sendable, Hashable {
    /// The node's id token.
    public var node: String
    /// The part's label, kept as given.
    public var part: String

    public init(node: String, part: String) {
        self.node = node
        self.part = part
    }

    static func check(_ entries: [PartitionEntry]) throws(OperationError) {
        if entries.isEmpty { throw OperationError(.invalidArgument, "the partition is empty: give every node a part") }
        try Operation.checkIDs(entries.map(\.node), "node", required: true)
        if entries.contains(where: { $0.part.isEmpty }) { throw OperationError(.invalidArgument, "a partition entry has an empty part label") }
    }
}

/// Every analysis Anant offers, as a value: its kind and its parameters. Operations cross
/// the wire (the gateway's protocol mirrors this type), are split into tasks by `Planner`
/// and run by an executor; `validate()` checks the parameters a request carries before
/// any work starts, so that none of them can reach a trap.
///
/// Node and edge ids are tokens as a user types them: a canonical integer names the
/// integer id when the hypergraph has one, anything else (or a token in double quotes)
/// the string id (`ElementReference`).
public enum Operation: Sendable, Hashable {
    /// Counts, aspect ratio and density; or the edges, degree and neighbours of a node; or
    /// the size and nodes of an edge.
    case info(node: String?, edge: String?)
    /// Degrees counting edges of size s ... maxSize, of the given nodes (all when empty).
    case degree(s: Int, maxSize: Int?, nodes: [String])
    /// The nodes sharing at least s edges with each given node.
    case neighbors(s: Int, nodes: [String])
    /// The edges sharing at least s nodes with each given edge.
    case edgeNeighbors(s: Int, edges: [String])
    /// The s-connected components of the edge (or node) s-line graph.
    case components(s: Int, of: Vertices, singletons: Bool)
    /// The s-adjacent pairs with their overlaps.
    case lineGraph(s: Int, of: Vertices)
    /// The s-distance between two nodes (or edges); null when no s-walk joins them.
    case distance(s: Int, of: Vertices, from: String, to: String)
    /// The s-diameter, or with `perComponent` the diameter of every s-component.
    case diameter(s: Int, of: Vertices, perComponent: Bool)
    /// A centrality of every edge or node, best first, the `top` best when given; with an
    /// `approximation`, betweenness, closeness or harmonic estimated from samples within
    /// its bounds.
    case centrality(measure: CentralityMeasure, s: Int, of: Vertices, raw: Bool, normalized: Bool, withoutSingletons: Bool, top: Int?,
                    perComponent: Bool = false, approximation: Approximation? = nil)
    /// The edges contained in no other edge.
    case toplexes
    /// The edges of one node that lies in no other edge.
    case singletons
    /// The classes of duplicate edges (or nodes) and the collapsed hypergraph.
    case collapse(of: Vertices, useCounts: Bool)
    /// The dual hypergraph: edges become nodes and nodes edges.
    case dual
    /// The sub-hypergraph on the given nodes (edges shrink) or edges (with all their nodes).
    case restrict(to: Vertices, ids: [String])
    /// Hypergraph modularity of a partition (node id → part label) and each part's
    /// conductance.
    case modularity(partition: [PartitionEntry], weighting: ModularityWeighting)
    /// Communities: Kumar's clustering, or last-step refinement of `partition` (or of
    /// Kumar's result).
    case communities(method: CommunityMethod, partition: [PartitionEntry]?, weighting: ModularityWeighting, delta: Double, seed: UInt64)
    /// The main job's summary: counts, density, distributions, s-components for s = 1, 2,
    /// 3, the `top` nodes and edges by degree, size and s = 1 betweenness; with `metrics`,
    /// also every node's and edge's metrics (`Hypergraph.metricsTable`). `source` names
    /// the input in the summary.
    case report(top: Int, metrics: Bool, source: String)
    /// A columnar query over the input's tables.
    case query(QuerySpec)

    /// What the operation is called (the CLI's command, the wire's method).
    public var name: String {
        switch self {
        case .info: "info"
        case .degree: "degree"
        case .neighbors: "neighbors"
        case .edgeNeighbors: "edge-neighbors"
        case .components: "components"
        case .lineGraph: "line-graph"
        case .distance: "distance"
        case .diameter: "diameter"
        case .centrality: "centrality"
        case .toplexes: "toplexes"
        case .singletons: "singletons"
        case .collapse: "collapse"
        case .dual: "dual"
        case .restrict: "restrict"
        case .modularity: "modularity"
        case .communities: "communities"
        case .report: "report"
        case .query: "query"
        }
    }

    /// Checks the parameters: what a request may carry but no analysis accepts throws
    /// `OperationError.invalidArgument` (`INVALID_ARGUMENT`) saying what to pass instead.
    public func validate() throws(OperationError) {
        switch self {
        case .info(let node, let edge):
            if node != nil && edge != nil { throw invalid("give a node or an edge, not both") }
            try Operation.checkIDs(node.map { [$0] } ?? [], "node", required: false)
            try Operation.checkIDs(edge.map { [$0] } ?? [], "edge", required: false)
        case .degree(let s, let maxSize, let nodes):
            try Operation.check(s: s)
            if let maxSize, maxSize < 1 { throw invalid("the largest edge size must be at least 1 (got \(maxSize)); leave it out for no limit") }
            try Operation.checkIDs(nodes, "node", required: false)
        case .neighbors(let s, let nodes):
            try Operation.check(s: s)
            try Operation.checkIDs(nodes, "node", required: true)
        case .edgeNeighbors(let s, let edges):
            try Operation.check(s: s)
            try Operation.checkIDs(edges, "edge", required: true)
        case .components(let s, _, _), .lineGraph(let s, _), .diameter(let s, _, _):
            try Operation.check(s: s)
        case .distance(let s, let vertices, let from, let to):
            try Operation.check(s: s)
            try Operation.checkIDs([from, to], vertices == .edges ? "edge" : "node", required: true)
        case .centrality(let measure, let s, let vertices, _, _, _, let top, let perComponent, let approximation):
            try Operation.check(s: s)
            if let approximation {
                guard [.betweenness, .closeness, .harmonic].contains(measure) else {
                    throw invalid("approximation applies to betweenness, closeness and harmonic; \(measure.rawValue) is computed exactly")
                }
                do { try approximation.validate() } catch { throw invalid(error.message) }
            }
            if let top, top < 1 { throw invalid("top must be at least 1 (got \(top)); leave it out for every vertex") }
            if perComponent && measure != .eccentricity {
                throw invalid("per-component values apply to eccentricity; \(measure.rawValue) is per component already or needs the whole hypergraph")
            }
            if !measure.isS && vertices == .edges && measure != .nodeEdge {
                throw invalid("the \(measure.rawValue) centrality scores nodes: ask for nodes")
            }
        case .toplexes, .singletons, .collapse, .dual:
            break
        case .restrict(let vertices, let ids):
            try Operation.checkIDs(ids, vertices == .edges ? "edge" : "node", required: true)
        case .modularity(let partition, _):
            try PartitionEntry.check(partition)
        case .communities(_, let partition, _, let delta, _):
            if let partition { try PartitionEntry.check(partition) }
            guard delta.isFinite, delta >= 0 else {
                throw invalid("delta must be a finite number of 0 or more (got \(delta)); 0.01 is the usual choice")
            }
        case .report(let top, _, _):
            if top < 0 { throw invalid("top must not be negative (got \(top)); 10 is the usual choice") }
        case .query(let spec):
            try spec.validate()
        }
    }

    private func invalid(_ message: String) -> OperationError {
        OperationError(.invalidArgument, "\(name): \(message)")
    }

    static func check(s: Int) throws(OperationError) {
        guard s >= 1 else {
            throw OperationError(.invalidArgument, "s must be at least 1 (got \(s)): s-adjacency counts shared nodes or edges, so pass s = 1 or more")
        }
    }

    static func checkIDs(_ ids: [String], _ kind: String, required: Bool) throws(OperationError) {
        if required && ids.isEmpty { throw OperationError(.invalidArgument, "give at least one \(kind) id") }
        if ids.contains(where: \.isEmpty) { throw OperationError(.invalidArgument, "an empty \(kind) id: name \(kind)s by their ids") }
    }
}
