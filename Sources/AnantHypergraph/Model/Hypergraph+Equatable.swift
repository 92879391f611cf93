import AnantColumnar

extension Hypergraph: Equatable {
    /// Two hypergraphs are equal when they have the same ids, incidences, properties
    /// (same columns by name, with the same types and values; column order aside),
    /// defaults, network type, metadata, name and source column names.
    public static func == (a: Hypergraph, b: Hypergraph) -> Bool {
        a.nodes == b.nodes && a.edges == b.edges && a.edgeMembers == b.edgeMembers
            && sameColumns(a.nodeProperties, b.nodeProperties) && sameColumns(a.edgeProperties, b.edgeProperties)
            && sameColumns(a.incidenceProperties, b.incidenceProperties) && a.defaultWeights == b.defaultWeights
            && a.networkType == b.networkType && a.metadata == b.metadata && a.name == b.name && a.columnNames == b.columnNames
    }

    private static func sameColumns(_ a: RecordBatch, _ b: RecordBatch) -> Bool {
        a.rowCount == b.rowCount && Set(a.schema.names) == Set(b.schema.names)
            && a.schema.names.allSatisfy { (try? a.column(named: $0)) == (try? b.column(named: $0)) }
    }
}
