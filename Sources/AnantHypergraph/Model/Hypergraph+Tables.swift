import AnantColumnar

extension Hypergraph {
    /// One row per incidence, in edge-major order: columns `edge`, `node` (ids, as
    /// `IDDictionary.column` types them), then the incidence properties.
    public func incidenceTable() -> RecordBatch {
        let edgeOfSlot = (0..<edgeCount).flatMap { e in repeatElement(Int32(e), count: edgeMembers.count(e)) }
        let columns = [("edge", edges.column.gather(edgeOfSlot)), ("node", nodes.column.gather(edgeMembers.members))]
        return Hypergraph.prepend(columns, to: incidenceProperties)
    }

    /// One row per node: column `node`, then the node properties.
    public func nodeTable() -> RecordBatch {
        Hypergraph.prepend([("node", nodes.column)], to: nodeProperties)
    }

    /// One row per edge: column `edge`, then the edge properties.
    public func edgeTable() -> RecordBatch {
        Hypergraph.prepend([("edge", edges.column)], to: edgeProperties)
    }

    private static func prepend(_ idColumns: [(String, Column)], to properties: RecordBatch) -> RecordBatch {
        let named = idColumns + zip(properties.schema.names, properties.columns).map { ($0, $1) }
        return try! RecordBatch(named)
    }

    /// The union of two hypergraphs: all incidences, nodes and edges of both, each once;
    /// where both have an element or incidence, this hypergraph's properties win
    /// (HyperNetX `union` / `sum`).
    public func union(_ other: Hypergraph) -> Hypergraph {
        var parts = HypergraphParts(
            edgeIDs: .mixed([]), nodeIDs: .mixed([]),
            incidenceProperties: .empty())
        let incidences = RecordBatch.concatenating([incidenceTable(), other.incidenceTable()])
        let nodeTable = RecordBatch.concatenating([self.nodeTable(), other.nodeTable()])
        let edgeTable = RecordBatch.concatenating([self.edgeTable(), other.edgeTable()])
        // The id columns come from IDDictionary.column, so they are valid ids.
        parts.edgeIDs = try! IDSource.from(try! incidences.column(named: "edge"), name: "edge", kind: "edge")
        parts.nodeIDs = try! IDSource.from(try! incidences.column(named: "node"), name: "node", kind: "node")
        parts.incidenceProperties = incidences.removing("edge").removing("node")
        parts.nodeTableIDs = try! IDSource.from(try! nodeTable.column(named: "node"), name: "node", kind: "node")
        parts.nodeTableProperties = nodeTable.removing("node")
        parts.edgeTableIDs = try! IDSource.from(try! edgeTable.column(named: "edge"), name: "edge", kind: "edge")
        parts.edgeTableProperties = edgeTable.removing("edge")
        parts.defaultWeights = defaultWeights
        parts.networkType = networkType
        parts.metadata = metadata
        parts.name = name
        // Weights of both sides are doubles already; nothing else can fail.
        return try! HypergraphBuilder.build(parts)
    }
}
