extension Hypergraph: Equatable {
    /// Two hypergraphs are equal when they have the same ids, incidences, properties
    /// (same columns, types and values, in the same order), defaults, network type,
    /// metadata and name.
    public static func == (a: Hypergraph, b: Hypergraph) -> Bool {
        a.nodes == b.nodes && a.edges == b.edges && a.edgeMembers == b.edgeMembers
            && a.nodeProperties == b.nodeProperties && a.edgeProperties == b.edgeProperties
            && a.incidenceProperties == b.incidenceProperties && a.defaultWeights == b.defaultWeights
            && a.networkType == b.networkType && a.metadata == b.metadata && a.name == b.name
    }
}
