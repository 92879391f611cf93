/// The weight of a node, edge or incidence that has none of its own (HyperNetX: 1).
public struct DefaultWeights: Sendable, Hashable {
    /// Weight of a node without a `weight` property.
    public var node: Double
    /// Weight of an edge without a `weight` property.
    public var edge: Double
    /// Weight of an incidence without a `weight` property.
    public var incidence: Double

    /// Creates defaults; each is 1 unless given.
    public init(node: Double = 1, edge: Double = 1, incidence: Double = 1) {
        self.node = node
        self.edge = edge
        self.incidence = incidence
    }
}
