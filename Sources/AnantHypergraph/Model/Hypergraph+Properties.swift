import AnantColumnar

extension Hypergraph {
    /// The weight of every node, in dense order (`weight` property, else the default).
    public func nodeWeights() -> [Double] {
        Hypergraph.weights(nodeProperties, default: defaultWeights.node)
    }

    /// The weight of every edge, in dense order.
    public func edgeWeights() -> [Double] {
        Hypergraph.weights(edgeProperties, default: defaultWeights.edge)
    }

    /// The weight of every incidence, in `edgeMembers` slot order.
    public func incidenceWeights() -> [Double] {
        Hypergraph.weights(incidenceProperties, default: defaultWeights.incidence)
    }

    /// True when any incidence, node or edge has a `weight` property.
    public var hasWeightProperties: Bool {
        [nodeProperties, edgeProperties, incidenceProperties].contains { $0.schema.index(of: "weight") != nil }
    }

    static func weights(_ table: RecordBatch, default value: Double) -> [Double] {
        guard let index = table.schema.index(of: "weight"), case .double(let column) = table.columns[index] else {
            return [Double](repeating: value, count: table.rowCount)
        }
        guard let validity = column.validity else { return column.values }
        return column.values.enumerated().map { validity[$0.offset] ? $0.element : value }
    }

    /// The value of property `name` of node `node`, or nil when the node has none.
    public func nodeProperty(_ name: String, node: Int) -> ScalarValue? {
        Hypergraph.property(nodeProperties, name, node)
    }

    /// The value of property `name` of edge `edge`, or nil when the edge has none.
    public func edgeProperty(_ name: String, edge: Int) -> ScalarValue? {
        Hypergraph.property(edgeProperties, name, edge)
    }

    private static func property(_ table: RecordBatch, _ name: String, _ row: Int) -> ScalarValue? {
        guard let index = table.schema.index(of: name) else { return nil }
        let value = table.columns[index][row]
        return value.isNull ? nil : value
    }
}
