import AnantColumnar

extension Hypergraph {
    /// Creates a hypergraph from edges given as (edge id, node ids), like HyperNetX's
    /// dictionary form. A node repeated within an edge counts once; a repeated edge id
    /// merges its node lists.
    public init(edgeList: [(ElementID, [ElementID])], name: String? = nil) {
        var edgeIDs = [ElementID]()
        var nodeIDs = [ElementID]()
        var emptyEdges = [ElementID]()
        for (edge, members) in edgeList {
            if members.isEmpty { emptyEdges.append(edge) }
            for node in members {
                edgeIDs.append(edge)
                nodeIDs.append(node)
            }
        }
        var parts = HypergraphParts(edgeIDs: .mixed(edgeIDs), nodeIDs: .mixed(nodeIDs),
                                    incidenceProperties: .empty(rowCount: edgeIDs.count))
        if !emptyEdges.isEmpty {
            parts.edgeTableIDs = .mixed(emptyEdges)
            parts.edgeTableProperties = .empty(rowCount: emptyEdges.count)
        }
        parts.name = name
        // Ids are valid by construction and there are no weight columns, so this cannot throw.
        self = try! HypergraphBuilder.build(parts)
    }

    /// Creates a hypergraph from an incidence table and optional node and edge tables.
    ///
    /// - Parameters:
    ///   - incidences: one row per incidence; the id columns must be integers or strings
    ///     (int32, int64, string, or json holding both kinds); all other columns become
    ///     incidence properties (`weight` must be numeric).
    ///   - edgeColumn: the name of the edge id column of `incidences`.
    ///   - nodeColumn: the name of the node id column of `incidences`.
    ///   - nodeTable: node ids (column `nodeIDColumn`) and node properties; ids not in any
    ///     incidence become isolated nodes.
    ///   - edgeTable: edge ids (column `edgeIDColumn`) and edge properties; ids not in any
    ///     incidence become empty edges.
    ///   - defaultWeights: weights of elements without a `weight` value.
    /// - Throws: `HypergraphError.invalidInput` for a missing id column, a null or
    ///   non-integer/string id, or a non-numeric weight.
    public init(incidences: RecordBatch, edgeColumn: String = "edge", nodeColumn: String = "node",
                nodeTable: RecordBatch? = nil, nodeIDColumn: String = "node",
                edgeTable: RecordBatch? = nil, edgeIDColumn: String = "edge",
                defaultWeights: DefaultWeights = DefaultWeights(), name: String? = nil,
                context: ExecutionContext = .default) throws(HypergraphError) {
        func idColumn(_ table: RecordBatch, _ name: String, _ role: String) throws(HypergraphError) -> Column {
            do { return try table.column(named: name) } catch {
                throw HypergraphError(.invalidInput, "the \(role) has no id column '\(name)' (columns: \(table.schema.names.joined(separator: ", ")))")
            }
        }
        var parts = HypergraphParts(
            edgeIDs: try IDSource.from(try idColumn(incidences, edgeColumn, "incidence table"), name: edgeColumn, kind: "edge"),
            nodeIDs: try IDSource.from(try idColumn(incidences, nodeColumn, "incidence table"), name: nodeColumn, kind: "node"),
            incidenceProperties: incidences.removing(edgeColumn).removing(nodeColumn))
        if let nodeTable {
            parts.nodeTableIDs = try IDSource.from(try idColumn(nodeTable, nodeIDColumn, "node table"), name: nodeIDColumn, kind: "node")
            parts.nodeTableProperties = nodeTable.removing(nodeIDColumn)
        }
        if let edgeTable {
            parts.edgeTableIDs = try IDSource.from(try idColumn(edgeTable, edgeIDColumn, "edge table"), name: edgeIDColumn, kind: "edge")
            parts.edgeTableProperties = edgeTable.removing(edgeIDColumn)
        }
        parts.defaultWeights = defaultWeights
        parts.name = name
        self = try HypergraphBuilder.build(parts, context: context)
    }
}
