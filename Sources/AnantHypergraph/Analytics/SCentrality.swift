import AnantColumnar

/// Betweenness by Brandes' algorithm over an unweighted s-line graph: one breadth-first
/// search per source counting shortest paths as it goes and recording the edges of the
/// shortest-path DAG in search order; dependencies then flow back over those edges in
/// reverse (every edge into a vertex comes after the vertex's own out-edges were done).
///
/// Sums do not depend on how sources are split: sources go in fixed blocks of
/// `SLineGraph.betweennessBlock`; a block's dependencies are summed in source order as
/// doubles, and each block's sums are added exactly (`ExactSum`) to the totals, so any
/// split into threads, parts or workers gives the same bits.
struct BrandesAccumulator {
    var search: BreadthFirstSearch
    var paths: [Double]
    var dependency: [Double]
    /// The current block's sums, and the vertices they touched.
    var blockSum: [Double]
    var touched: [Int32]
    var totals: [ExactSum]
    /// The DAG edges (v, w) of the current source, in the order the search found them.
    var dag: [(Int32, Int32)]

    init(vertices: Int, entries: Int) {
        search = BreadthFirstSearch(vertices: vertices)
        paths = [Double](repeating: 0, count: vertices)
        dependency = [Double](repeating: 0, count: vertices)
        blockSum = [Double](repeating: 0, count: vertices)
        touched = []
        totals = [ExactSum](repeating: ExactSum(), count: vertices)
        dag = [(Int32, Int32)](repeating: (0, 0), count: entries)
    }

    /// Adds the dependencies of every source of one block, then the block's sums to the totals.
    mutating func add(block sources: Range<Int>, _ graph: SLineGraph) {
        for source in sources { add(source: source, graph) }
        for w in touched {
            totals[Int(w)].add(blockSum[Int(w)])
            blockSum[Int(w)] = 0
        }
        touched.removeAll(keepingCapacity: true)
    }

    private mutating func add(source: Int, _ graph: SLineGraph) {
        for k in 0..<search.reached {
            let v = Int(search.order[k])
            paths[v] = 0
            dependency[v] = 0
        }
        paths[source] = 1
        var edges = 0
        paths.withUnsafeMutableBufferPointer { paths in
            dag.withUnsafeMutableBufferPointer { dag in
                search.run(from: source, graph) { v, w in
                    paths[w] += paths[v]
                    dag[edges] = (Int32(truncatingIfNeeded: v), Int32(truncatingIfNeeded: w))
                    edges += 1
                }
            }
        }
        let reached = search.reached
        paths.withUnsafeBufferPointer { paths in
            dependency.withUnsafeMutableBufferPointer { dependency in
                dag.withUnsafeBufferPointer { dag in
                    for k in stride(from: edges - 1, through: 0, by: -1) {
                        let (v, w) = (Int(dag[k].0), Int(dag[k].1))
                        dependency[v] += paths[v] / paths[w] * (1 + dependency[w])
                    }
                }
                search.order.withUnsafeBufferPointer { order in
                    blockSum.withUnsafeMutableBufferPointer { blockSum in
                        for k in 1..<Swift.max(reached, 1) {
                            let w = Int(order[k])
                            if blockSum[w] == 0 && dependency[w] != 0 { touched.append(Int32(truncatingIfNeeded: w)) }
                            blockSum[w] += dependency[w]
                        }
                    }
                }
            }
        }
    }
}

/// Unnormalised betweenness sums over a range of BFS sources (a work range of the
/// planner), added exactly: partials over disjoint ranges merge in any order to the same
/// bits as one pass over all sources.
public struct BetweennessPartial: Sendable, Hashable {
    /// Per vertex, the sum over the range's sources of their dependencies (each unordered
    /// pair counted from both ends).
    public var sums: [ExactSum]

    public init(vertices: Int) { sums = [ExactSum](repeating: ExactSum(), count: vertices) }

    /// Adds another range's sums.
    public mutating func merge(_ other: BetweennessPartial) {
        for v in sums.indices { sums[v].add(other.sums[v]) }
    }

    /// networkx `betweenness_centrality(g, normalized=False)` (over unordered pairs).
    public var values: [Double] { sums.map { $0.value / 2 } }
}

extension SLineGraph {
    /// Sources go in blocks of this many consecutive vertices; work ranges split at its
    /// multiples.
    public static let betweennessBlock = 32

    /// The betweenness sums of the sources in `sources` (split at multiples of
    /// `betweennessBlock` when it is one of several parts), spread over the context's threads.
    public func betweennessPartial(sources: Range<Int>, context: ExecutionContext = .default) throws(HypergraphError) -> BetweennessPartial {
        let n = vertexCount
        try HypergraphError.validate(sources: sources, count: n)
        let entries = neighbors.count
        let accumulators = WorkerScratch(threads: context.threads) { BrandesAccumulator(vertices: n, entries: entries) }
        let graph = UncheckedSendable(self)
        let block = SLineGraph.betweennessBlock
        // Blocks are numbered from vertex 0, so a range starting mid-block keeps the blocks
        // of a whole pass.
        let firstBlock = sources.lowerBound / block
        let lastBlock = (sources.upperBound + block - 1) / block
        try context.forEachChunk(count: lastBlock - firstBlock, chunk: 1) { worker, range in
            accumulators.with(worker) { accumulator in
                for b in range {
                    let start = Swift.max((firstBlock + b) * block, sources.lowerBound)
                    accumulator.add(block: start..<Swift.min((firstBlock + b + 1) * block, sources.upperBound), graph.value)
                }
            }
        }
        var total = BetweennessPartial(vertices: n)
        for accumulator in accumulators.values {
            for v in 0..<n { total.sums[v].add(accumulator.totals[v]) }
        }
        return total
    }

    /// Unnormalised betweenness of every vertex (networkx `betweenness_centrality(g,
    /// normalized=False)`: over unordered pairs), sources spread over the context's threads.
    public func betweenness(context: ExecutionContext = .default) throws(HypergraphError) -> [Double] {
        try betweennessPartial(sources: 0..<vertexCount, context: context).values
    }
}

extension Hypergraph {
    /// The number of vertices of the s-line graph of edges or nodes (HyperNetX's `n` in its
    /// normalisations: all edges or nodes of the hypergraph).
    private func vertexCount(edges: Bool) -> Int { edges ? edgeCount : nodeCount }

    /// HyperNetX's normalising factor of betweenness (and normalised harmonic
    /// centrality) over `count` vertices: 2 / ((n - 1)(n - 2)), 1 for n ≤ 2.
    public static func pairFactor(_ count: Int) -> Double {
        let n = Double(count)
        return n > 2 ? 2 / ((n - 1) * (n - 2)) : 1
    }

    private func pairFactor(edges: Bool) -> Double { Self.pairFactor(vertexCount(edges: edges)) }

    /// s-betweenness centrality of every edge (or node), by dense index (HyperNetX
    /// `s_betweenness_centrality`). Computed on the whole s-line graph, which gives every
    /// component's own values; normalised by 2 / ((n - 1)(n - 2)) with n the hypergraph's
    /// number of edges (or nodes), as HyperNetX does.
    public func sBetweennessCentrality(s: Int = 1, edges: Bool = true, normalized: Bool = true,
                                       context: ExecutionContext = .default) throws(HypergraphError) -> [Double] {
        let values = try sLineGraph(s: s, edges: edges, context: context).betweenness(context: context)
        return normalized ? values.map { $0 * pairFactor(edges: edges) } : values
    }

    /// s-closeness centrality (HyperNetX `s_closeness_centrality`): within each
    /// s-component, (size − 1) / (sum of distances to the others); 0 for isolated vertices.
    public func sClosenessCentrality(s: Int = 1, edges: Bool = true, context: ExecutionContext = .default) throws(HypergraphError) -> [Double] {
        try sReachSummaries(s: s, edges: edges, context: context).map { r in
            r.distanceSum > 0 ? Double(r.reached - 1) / Double(r.distanceSum) : 0
        }
    }

    /// s-harmonic centrality (HyperNetX `s_harmonic_centrality`): the sum of reciprocal
    /// distances to every vertex reached, optionally times 2 / ((n - 1)(n - 2)).
    public func sHarmonicCentrality(s: Int = 1, edges: Bool = true, normalized: Bool = false,
                                    context: ExecutionContext = .default) throws(HypergraphError) -> [Double] {
        let factor = normalized ? pairFactor(edges: edges) : 1
        return try sReachSummaries(s: s, edges: edges, context: context).map { $0.reciprocalSum * factor }
    }

    /// s-eccentricity (HyperNetX `s_eccentricity`): the largest distance from each vertex;
    /// throws `notConnected` when the s-line graph is not connected, as networkx does.
    public func sEccentricity(s: Int = 1, edges: Bool = true, context: ExecutionContext = .default) throws(HypergraphError) -> [Int] {
        try connectedReach(s: s, edges: edges, context: context).map(\.farthest)
    }
}
