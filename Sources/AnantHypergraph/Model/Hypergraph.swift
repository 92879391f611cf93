import AnantColumnar

/// A hypergraph: nodes, edges joining any number of nodes, and their properties.
///
/// Invariants: node and edge indices are dense (`0 ..< nodeCount`, `0 ..< edgeCount`) in
/// sorted-label order; `edgeMembers` and `nodeMemberships` hold the same incidences, each
/// row ascending and free of repeats (one incidence per distinct (edge, node) pair);
/// `nodeProperties` has one row per node, `edgeProperties` one per edge, and
/// `incidenceProperties` one per incidence in `edgeMembers` slot order. Multi-edges
/// (edges with equal node sets) are distinct edges. Isolated nodes and empty edges exist
/// when given explicitly (HIF allows them; HyperNetX drops them from its views).
public struct Hypergraph: Sendable {
    /// The node identifiers in dense order.
    public internal(set) var nodes: IDDictionary
    /// The edge identifiers in dense order.
    public internal(set) var edges: IDDictionary
    /// Edge → nodes.
    public internal(set) var edgeMembers: CSR
    /// Node → edges.
    public internal(set) var nodeMemberships: CSR
    /// One row per node; a `weight` column, when present, holds node weights.
    public internal(set) var nodeProperties: RecordBatch
    /// One row per edge; a `weight` column, when present, holds edge weights.
    public internal(set) var edgeProperties: RecordBatch
    /// One row per incidence, in `edgeMembers` slot order.
    public internal(set) var incidenceProperties: RecordBatch
    /// Weights used where a `weight` property is absent or null.
    public var defaultWeights: DefaultWeights
    /// The HIF network type, when known.
    public var networkType: NetworkType?
    /// Free-form metadata (the HIF `metadata` object).
    public var metadata: JSONObject
    /// An optional name.
    public var name: String?
    /// The names the source table gave the edge, node and weight columns, when it was
    /// read with a column mapping (see `ColumnNames`).
    public var columnNames = ColumnNames()

    /// Creates a hypergraph from its parts; `nodeMemberships` is derived unless given.
    ///
    /// The caller guarantees the invariants of the type (the builders do).
    init(nodes: IDDictionary, edges: IDDictionary, edgeMembers: CSR, nodeMemberships: CSR? = nil,
         nodeProperties: RecordBatch? = nil, edgeProperties: RecordBatch? = nil,
         incidenceProperties: RecordBatch? = nil, defaultWeights: DefaultWeights = DefaultWeights(),
         networkType: NetworkType? = nil, metadata: JSONObject = JSONObject(), name: String? = nil) {
        precondition(edgeMembers.rowCount == edges.count, "one CSR row per edge")
        self.nodes = nodes
        self.edges = edges
        self.edgeMembers = edgeMembers
        self.nodeMemberships = nodeMemberships ?? edgeMembers.transposed(columns: nodes.count)
        self.nodeProperties = nodeProperties ?? .empty(rowCount: nodes.count)
        self.edgeProperties = edgeProperties ?? .empty(rowCount: edges.count)
        self.incidenceProperties = incidenceProperties ?? .empty(rowCount: edgeMembers.memberCount)
        self.defaultWeights = defaultWeights
        self.networkType = networkType
        self.metadata = metadata
        self.name = name
        precondition(self.nodeProperties.rowCount == nodes.count, "one node property row per node")
        precondition(self.edgeProperties.rowCount == edges.count, "one edge property row per edge")
        precondition(self.incidenceProperties.rowCount == edgeMembers.memberCount, "one incidence property row per incidence")
    }

    /// The empty hypergraph.
    public init() {
        self.init(nodes: .empty, edges: .empty, edgeMembers: .empty(rows: 0))
    }

    /// The number of nodes.
    public var nodeCount: Int { nodes.count }
    /// The number of edges.
    public var edgeCount: Int { edges.count }
    /// The number of incidences (distinct (edge, node) pairs).
    public var incidenceCount: Int { edgeMembers.memberCount }

    /// The dense index of node `id`; throws `unknownNode` when absent.
    public func nodeIndex(_ id: ElementID) throws(HypergraphError) -> Int {
        guard let index = nodes.index(of: id) else {
            throw HypergraphError(.unknownNode, "unknown node \(Hypergraph.quote(id)): the hypergraph has no node with this id\(Hypergraph.kindHint(id, in: nodes))")
        }
        return index
    }

    /// The dense index of edge `id`; throws `unknownEdge` when absent.
    public func edgeIndex(_ id: ElementID) throws(HypergraphError) -> Int {
        guard let index = edges.index(of: id) else {
            throw HypergraphError(.unknownEdge, "unknown edge \(Hypergraph.quote(id)): the hypergraph has no edge with this id\(Hypergraph.kindHint(id, in: edges))")
        }
        return index
    }

    /// An id as it appears in messages: strings quoted, integers bare.
    static func quote(_ id: ElementID) -> String {
        switch id {
        case .int(let v): return String(v)
        case .string(let s): return "'\(s)'"
        }
    }

    /// A hint when the id exists with the other kind (1 vs "1").
    static func kindHint(_ id: ElementID, in dictionary: IDDictionary) -> String {
        switch id {
        case .int(let v):
            if dictionary.index(of: .string(String(v))) != nil { return " (but the string id '\(v)' exists)" }
        case .string(let s):
            if let v = Int64(s), dictionary.index(of: .int(v)) != nil { return " (but the integer id \(v) exists)" }
        }
        return ""
    }
}

extension Hypergraph {
    /// Bytes of the model's buffers: both CSRs, the id dictionaries, the property tables.
    public var memoryFootprint: Int {
        func csr(_ c: CSR) -> Int { c.offsets.count * 8 + c.members.count * 4 }
        func ids(_ d: IDDictionary) -> Int { d.integers.count * 8 + Column.string(d.strings).memoryFootprint }
        return csr(edgeMembers) + csr(nodeMemberships) + ids(nodes) + ids(edges)
            + nodeProperties.memoryFootprint + edgeProperties.memoryFootprint + incidenceProperties.memoryFootprint
    }
}
