import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantOperations
import AnantProto
import AnantQuery

// The wire form of `Operation` (gateway.proto mirrors it one message per case), both ways.
// Reading a message checks what the types cannot: an unset oneof or enum is
// INVALID_ARGUMENT naming the field, and `Operation.validate()` then checks the values.

extension AnantOperations.Operation {
    /// The operation's wire message.
    public var proto: Anant_V1_Operation {
        var m = Anant_V1_Operation()
        switch self {
        case .info(let node, let edge):
            var o = Anant_V1_InfoOperation()
            if let node { o.node = node } else if let edge { o.edge = edge }
            m.info = o
        case .degree(let s, let maxSize, let nodes):
            var o = Anant_V1_DegreeOperation()
            o.s = Int64(s)
            if let maxSize { o.maxSize = Int64(maxSize) }
            o.nodes = nodes
            m.degree = o
        case .neighbors(let s, let nodes):
            m.neighbors = .with { $0.s = Int64(s); $0.nodes = nodes }
        case .edgeNeighbors(let s, let edges):
            m.edgeNeighbors = .with { $0.s = Int64(s); $0.edges = edges }
        case .components(let s, let vertices, let singletons):
            m.components = .with { $0.s = Int64(s); $0.of = vertices.proto; $0.singletons = singletons }
        case .lineGraph(let s, let vertices):
            m.lineGraph = .with { $0.s = Int64(s); $0.of = vertices.proto }
        case .distance(let s, let vertices, let from, let to):
            m.distance = .with { $0.s = Int64(s); $0.of = vertices.proto; $0.fromID = from; $0.toID = to }
        case .diameter(let s, let vertices, let perComponent):
            m.diameter = .with { $0.s = Int64(s); $0.of = vertices.proto; $0.perComponent = perComponent }
        case .centrality(let measure, let s, let vertices, let raw, let normalized, let withoutSingletons, let top, let perComponent, let approximation):
            var o = Anant_V1_CentralityOperation()
            o.measure = measure.proto
            o.s = Int64(s)
            o.of = vertices.proto
            o.raw = raw
            o.normalized = normalized
            o.withoutSingletons = withoutSingletons
            o.perComponent = perComponent
            if let top { o.top = Int64(top) }
            if let approximation {
                o.approximation = .with { $0.epsilon = approximation.epsilon; $0.delta = approximation.delta; $0.seed = approximation.seed }
            }
            m.centrality = o
        case .toplexes: m.toplexes = .init()
        case .singletons: m.singletons = .init()
        case .collapse(let vertices, let useCounts):
            m.collapse = .with { $0.of = vertices.proto; $0.useCounts = useCounts }
        case .dual: m.dual = .init()
        case .restrict(let vertices, let ids):
            m.restriction = .with { $0.to = vertices.proto; $0.ids = ids }
        case .modularity(let partition, let weighting):
            m.modularity = .with { $0.partition = Self.proto(partition); $0.weighting = weighting.proto }
        case .communities(let method, let partition, let weighting, let delta, let seed):
            var o = Anant_V1_CommunitiesOperation()
            o.method = method == .kumar ? .kumar : .lastStep
            if let partition { o.partition = Self.proto(partition) }
            o.weighting = weighting.proto
            o.delta = delta
            o.seed = seed
            m.communities = o
        case .report(let top, let metrics, let source):
            m.report = .with { $0.top = Int64(top); $0.metrics = metrics; $0.source = source }
        case .query(let spec):
            m.query = spec.proto
        }
        return m
    }

    /// The operation a wire message carries, validated.
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT` naming what is missing or wrong.
    public init(proto m: Anant_V1_Operation) throws(Status) {
        guard let kind = m.kind else { throw Status(.invalidArgument, "the request carries no operation: set one case of Operation") }
        switch kind {
        case .info(let o):
            switch o.subject {
            case .node(let node): self = .info(node: node, edge: nil)
            case .edge(let edge): self = .info(node: nil, edge: edge)
            case nil: self = .info(node: nil, edge: nil)
            }
        case .degree(let o):
            self = .degree(s: try Self.int(o.s, "degree.s"), maxSize: o.optionalMaxSize == nil ? nil : try Self.int(o.maxSize, "degree.max_size"),
                           nodes: o.nodes)
        case .neighbors(let o): self = .neighbors(s: try Self.int(o.s, "neighbors.s"), nodes: o.nodes)
        case .edgeNeighbors(let o): self = .edgeNeighbors(s: try Self.int(o.s, "edge_neighbors.s"), edges: o.edges)
        case .components(let o):
            self = .components(s: try Self.int(o.s, "components.s"), of: try Vertices(proto: o.of, "components.of"), singletons: o.singletons)
        case .lineGraph(let o):
            self = .lineGraph(s: try Self.int(o.s, "line_graph.s"), of: try Vertices(proto: o.of, "line_graph.of"))
        case .distance(let o):
            self = .distance(s: try Self.int(o.s, "distance.s"), of: try Vertices(proto: o.of, "distance.of"), from: o.fromID, to: o.toID)
        case .diameter(let o):
            self = .diameter(s: try Self.int(o.s, "diameter.s"), of: try Vertices(proto: o.of, "diameter.of"), perComponent: o.perComponent)
        case .centrality(let o):
            self = .centrality(measure: try CentralityMeasure(proto: o.measure), s: try Self.int(o.s, "centrality.s"),
                               of: try Vertices(proto: o.of, "centrality.of"), raw: o.raw, normalized: o.normalized,
                               withoutSingletons: o.withoutSingletons, top: o.optionalTop == nil ? nil : try Self.int(o.top, "centrality.top"),
                               perComponent: o.perComponent,
                               approximation: o.hasApproximation ? Approximation(epsilon: o.approximation.epsilon, delta: o.approximation.delta,
                                                                                 seed: o.approximation.seed) : nil)
        case .toplexes: self = .toplexes
        case .singletons: self = .singletons
        case .collapse(let o): self = .collapse(of: try Vertices(proto: o.of, "collapse.of"), useCounts: o.useCounts)
        case .dual: self = .dual
        case .restriction(let o): self = .restrict(to: try Vertices(proto: o.to, "restriction.to"), ids: o.ids)
        case .modularity(let o):
            self = .modularity(partition: Self.partition(o.partition), weighting: try ModularityWeighting(proto: o.weighting, "modularity.weighting"))
        case .communities(let o):
            let method: CommunityMethod
            switch o.method {
            case .kumar: method = .kumar
            case .lastStep: method = .lastStep
            default: throw Status(.invalidArgument, "communities.method is not set: give KUMAR or LAST_STEP")
            }
            self = .communities(method: method, partition: o.hasPartition ? Self.partition(o.partition) : nil,
                                weighting: try ModularityWeighting(proto: o.weighting, "communities.weighting"), delta: o.delta, seed: o.seed)
        case .report(let o): self = .report(top: try Self.int(o.top, "report.top"), metrics: o.metrics, source: o.source)
        case .query(let o): self = .query(try QuerySpec(proto: o))
        }
        do { try validate() } catch { throw Status(error) }
    }

    /// A 64-bit parameter as an `Int` (always representable on the 64-bit platforms Anant runs on).
    static func int(_ value: Int64, _ field: String) throws(Status) -> Int {
        guard let v = Int(exactly: value) else { throw Status(.invalidArgument, "\(field) is out of range (\(value))") }
        return v
    }

    static func proto(_ entries: [PartitionEntry]) -> Anant_V1_Partition {
        .with { $0.entries = entries.map { e in .with { $0.node = e.node; $0.part = e.part } } }
    }

    static func partition(_ p: Anant_V1_Partition) -> [PartitionEntry] {
        p.entries.map { PartitionEntry(node: $0.node, part: $0.part) }
    }
}

extension Vertices {
    var proto: Anant_V1_Vertices { self == .edges ? .edges : .nodes }

    init(proto: Anant_V1_Vertices, _ field: String) throws(Status) {
        switch proto {
        case .edges: self = .edges
        case .nodes: self = .nodes
        default: throw Status(.invalidArgument, "\(field) is not set: give VERTICES_EDGES or VERTICES_NODES")
        }
    }
}

extension CentralityMeasure {
    var proto: Anant_V1_CentralityMeasure {
        switch self {
        case .betweenness: .betweenness
        case .closeness: .closeness
        case .harmonic: .harmonic
        case .eccentricity: .eccentricity
        case .cec: .cec
        case .hec: .hec
        case .zec: .zec
        case .katz: .katz
        case .nodeEdge: .nodeEdge
        case .clustering: .clustering
        }
    }

    init(proto: Anant_V1_CentralityMeasure) throws(Status) {
        guard let measure = CentralityMeasure.allCases.first(where: { $0.proto == proto }) else {
            throw Status(.invalidArgument, "centrality.measure is not set: give one of BETWEENNESS, CLOSENESS, HARMONIC, ECCENTRICITY, CEC, HEC, ZEC, KATZ, NODE_EDGE, CLUSTERING")
        }
        self = measure
    }
}

extension ModularityWeighting {
    var proto: Anant_V1_ModularityWeighting {
        switch self {
        case .linear: .linear
        case .majority: .majority
        case .strict: .strict
        }
    }

    init(proto: Anant_V1_ModularityWeighting, _ field: String) throws(Status) {
        guard let weighting = ModularityWeighting.allCases.first(where: { $0.proto == proto }) else {
            throw Status(.invalidArgument, "\(field) is not set: give LINEAR, MAJORITY or STRICT")
        }
        self = weighting
    }
}

extension DatasetTable {
    /// The table's wire value.
    public var proto: Anant_V1_DatasetTable {
        switch self {
        case .incidences: .incidences
        case .edges: .edges
        case .nodes: .nodes
        }
    }

    /// The table of a wire value; nil when it is not set.
    public init?(proto: Anant_V1_DatasetTable) {
        guard let table = DatasetTable.allCases.first(where: { $0.proto == proto }) else { return nil }
        self = table
    }
}

extension QuerySpec {
    /// The query's wire message.
    public var proto: Anant_V1_QuerySpec {
        var m = Anant_V1_QuerySpec()
        m.table = table.proto
        m.metrics = metrics
        if let join {
            m.join = .with {
                $0.table = join.table
                $0.leftOn = join.leftOn
                $0.rightOn = join.rightOn
                $0.kind = join.kind == .inner ? .inner : .left
            }
        }
        m.computed = computed
        if let filter { m.filter = filter }
        m.groupBy = groupBy
        m.aggregations = aggregations
        m.select = select
        m.sort = sort
        if let limit { m.limit = Int64(limit) }
        return m
    }

    /// The query a wire message carries (validated with the operation).
    public init(proto m: Anant_V1_QuerySpec) throws(Status) {
        guard let table = DatasetTable(proto: m.table) else {
            throw Status(.invalidArgument, "query.table is not set: give INCIDENCES, EDGES or NODES")
        }
        var join: Join? = nil
        if m.hasJoin {
            let kind: JoinKind
            switch m.join.kind {
            case .inner: kind = .inner
            case .left: kind = .left
            default: throw Status(.invalidArgument, "query.join.kind is not set: give INNER or LEFT")
            }
            join = Join(table: m.join.table, leftOn: m.join.leftOn, rightOn: m.join.rightOn, kind: kind)
        }
        self.init(table: table, metrics: m.metrics, join: join, computed: m.computed, filter: m.optionalFilter == nil ? nil : m.filter,
                  groupBy: m.groupBy, aggregations: m.aggregations, select: m.select, sort: m.sort,
                  limit: m.optionalLimit == nil ? nil : try AnantOperations.Operation.int(m.limit, "query.limit"))
    }
}

extension QuerySpec {
    /// A query run through the cluster joins a table of its dataset or the records of an
    /// entity kind ("meta:KIND") only: a file path would name a file on a worker's machine.
    public func checkClusterJoin() throws(Status) {
        guard let join, DatasetTable(rawValue: join.table) == nil, metaKind == nil else { return }
        throw Status(.permissionDenied, "a query through the cluster joins a table of its dataset (incidences, nodes, edges) or meta:KIND, not the file '\(join.table)'")
    }

    /// The entity kind a "meta:KIND" join names.
    public var metaKind: String? {
        guard let table = join?.table, table.hasPrefix("meta:"), table.count > 5 else { return nil }
        return String(table.dropFirst(5))
    }
}
