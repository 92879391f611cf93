import AnantColumnar

/// Betweenness by Brandes' algorithm over an unweighted s-line graph: one breadth-first
/// search per source counting shortest paths as it goes and recording the edges of the
/// shortest-path DAG in search order; dependencies then flow back over those edges in
/// reverse (every edge into a vertex comes after the vertex's own out-edges were done).
struct BrandesAccumulator {
    var search: BreadthFirstSearch
    var paths: [Double]
    var dependency: [Double]
    var betweenness: [Double]
    /// The DAG edges (v, w) of the current source, in the order the search found them.
    var dag: [(Int32, Int32)]

    init(vertices: Int, entries: Int) {
        search = BreadthFirstSearch(vertices: vertices)
        paths = [Double](repeating: 0, count: vertices)
        dependency = [Double](repeating: 0, count: vertices)
        betweenness = [Double](repeating: 0, count: vertices)
        dag = [(Int32, Int32)](repeating: (0, 0), count: entries)
    }

    mutating func add(source: Int, _ graph: SLineGraph) {
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
                    betweenness.withUnsafeMutableBufferPointer { betweenness in
                        for k in 1..<Swift.max(reached, 1) {
                            let w = Int(order[k])
                            betweenness[w] += dependency[w]
                        }
                    }
                }
            }
        }
    }
}

extension SLineGraph {
    /// Unnormalised betweenness of every vertex (networkx `betweenness_centrality(g,
    /// normalized=False)`: over unordered pairs), sources spread over every core.
    public func betweenness() -> [Double] {
        let n = vertexCount
        let entries = neighbors.count
        let accumulators = WorkerScratch { BrandesAccumulator(vertices: n, entries: entries) }
        let graph = UncheckedSendable(self)
        Parallel.forEachChunk(count: n, chunk: 8) { worker, range in
            accumulators.with(worker) { accumulator in
                for source in range { accumulator.add(source: source, graph.value) }
            }
        }
        var total = [Double](repeating: 0, count: n)
        for accumulator in accumulators.values {
            for v in 0..<n { total[v] += accumulator.betweenness[v] }
        }
        // Every unordered pair was counted from both ends.
        return total.map { $0 / 2 }
    }
}

extension Hypergraph {
    /// The number of vertices of the s-line graph of edges or nodes (HyperNetX's `n` in its
    /// normalisations: all edges or nodes of the hypergraph).
    private func vertexCount(edges: Bool) -> Int { edges ? edgeCount : nodeCount }

    /// HyperNetX's normalising factor 2 / ((n - 1)(n - 2)), 1 for n ≤ 2.
    private func pairFactor(edges: Bool) -> Double {
        let n = Double(vertexCount(edges: edges))
        return n > 2 ? 2 / ((n - 1) * (n - 2)) : 1
    }

    /// s-betweenness centrality of every edge (or node), by dense index (HyperNetX
    /// `s_betweenness_centrality`). Computed on the whole s-line graph, which gives every
    /// component's own values; normalised by 2 / ((n - 1)(n - 2)) with n the hypergraph's
    /// number of edges (or nodes), as HyperNetX does.
    public func sBetweennessCentrality(s: Int = 1, edges: Bool = true, normalized: Bool = true) -> [Double] {
        let values = sLineGraph(s: s, edges: edges).betweenness()
        return normalized ? values.map { $0 * pairFactor(edges: edges) } : values
    }

    /// s-closeness centrality (HyperNetX `s_closeness_centrality`): within each
    /// s-component, (size − 1) / (sum of distances to the others); 0 for isolated vertices.
    public func sClosenessCentrality(s: Int = 1, edges: Bool = true) -> [Double] {
        sLineGraph(s: s, edges: edges).reachSummaries().map { r in
            r.distanceSum > 0 ? Double(r.reached - 1) / Double(r.distanceSum) : 0
        }
    }

    /// s-harmonic centrality (HyperNetX `s_harmonic_centrality`): the sum of reciprocal
    /// distances to every vertex reached, optionally times 2 / ((n - 1)(n - 2)).
    public func sHarmonicCentrality(s: Int = 1, edges: Bool = true, normalized: Bool = false) -> [Double] {
        let factor = normalized ? pairFactor(edges: edges) : 1
        return sLineGraph(s: s, edges: edges).reachSummaries().map { $0.reciprocalSum * factor }
    }

    /// s-eccentricity (HyperNetX `s_eccentricity`): the largest distance from each vertex;
    /// throws `notConnected` when the s-line graph is not connected, as networkx does.
    public func sEccentricity(s: Int = 1, edges: Bool = true) throws(HypergraphError) -> [Int] {
        try connectedReach(s: s, edges: edges).map(\.farthest)
    }
}
