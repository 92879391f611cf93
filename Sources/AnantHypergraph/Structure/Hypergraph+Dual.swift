extension Hypergraph {
    /// The dual: every edge becomes a node and every node an edge; incidence (e, v) becomes
    /// (v, e) with its properties; node and edge properties trade places (HyperNetX `dual`).
    public func dual() -> Hypergraph {
        let (_, sourceSlots) = edgeMembers.transposed(columns: nodeCount)
        var result = self
        result.nodes = edges
        result.edges = nodes
        result.edgeMembers = nodeMemberships
        result.nodeMemberships = edgeMembers
        result.nodeProperties = edgeProperties
        result.edgeProperties = nodeProperties
        result.incidenceProperties = incidenceProperties.schema.count == 0
            ? .empty(rowCount: incidenceCount) : incidenceProperties.gather(sourceSlots)
        result.defaultWeights = DefaultWeights(node: defaultWeights.edge, edge: defaultWeights.node,
                                               incidence: defaultWeights.incidence)
        return result
    }
}
