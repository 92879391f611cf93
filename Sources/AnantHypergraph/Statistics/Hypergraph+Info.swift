/// HyperNetX's `info_dict`: the shape and density of the incidence matrix.
public struct HypergraphInfo: Sendable, Hashable {
    /// Number of nodes (rows of the incidence matrix).
    public let nodeCount: Int
    /// Number of edges (columns).
    public let edgeCount: Int
    /// Number of incidences (stored cells).
    public let incidenceCount: Int
    /// nodes / edges; nil without edges.
    public let aspectRatio: Double?
    /// incidences / (nodes × edges); nil when either is zero.
    public let density: Double?
}

/// A distribution of integers (degrees, sizes): every value in descending order, its
/// summary statistics, and a histogram.
public struct IntegerDistribution: Sendable, Hashable {
    /// The values, largest first (HyperNetX `dist_stats` lists).
    public let values: [Int]
    /// min, max, mean, median, population std; nil for an empty list.
    public let statistics: SummaryStatistics?
    /// (value, how many times it occurs), by value ascending.
    public let histogram: [(value: Int, count: Int)]

    public init(_ values: [Int]) {
        self.values = values.sorted(by: >)
        self.statistics = SummaryStatistics(values)
        var counts = [Int: Int]()
        for v in values { counts[v, default: 0] += 1 }
        self.histogram = counts.sorted { $0.key < $1.key }.map { (value: $0.key, count: $0.value) }
    }

    public static func == (a: IntegerDistribution, b: IntegerDistribution) -> Bool { a.values == b.values }
    public func hash(into hasher: inout Hasher) { hasher.combine(values) }
}

extension Hypergraph {
    /// Shape and density (HyperNetX `info_dict(H)`).
    public func info() -> HypergraphInfo {
        HypergraphInfo(
            nodeCount: nodeCount, edgeCount: edgeCount, incidenceCount: incidenceCount,
            aspectRatio: edgeCount > 0 ? Double(nodeCount) / Double(edgeCount) : nil,
            density: nodeCount > 0 && edgeCount > 0 ? Double(incidenceCount) / (Double(nodeCount) * Double(edgeCount)) : nil)
    }

    /// The node degree distribution (HyperNetX `degree_dist`).
    public func degreeDistribution() -> IntegerDistribution { IntegerDistribution(nodeDegrees()) }

    /// The edge size distribution (HyperNetX `edge_size_dist`).
    public func edgeSizeDistribution() -> IntegerDistribution { IntegerDistribution(edgeSizes()) }
}
