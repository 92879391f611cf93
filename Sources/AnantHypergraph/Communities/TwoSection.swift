import AnantColumnar

/// An undirected weighted graph on `0 ..< vertexCount`: symmetric rows of (neighbour,
/// weight), no self-loops unless `selfLoops` says so.
public struct WeightedGraph: Sendable, Hashable {
    public let offsets: [Int]
    public let neighbors: [Int32]
    public let weights: [Double]
    /// Weight of each vertex's loop, counted once per direction (0 for a plain graph).
    public let selfLoops: [Double]

    public var vertexCount: Int { offsets.count - 1 }

    /// Builds a graph from undirected weighted pairs (u ≠ v; repeated pairs add up).
    public init(vertexCount n: Int, pairs: [(Int, Int, Double)]) {
        var rows = [[Int32: Double]](repeating: [:], count: n)
        for (u, v, w) in pairs where u != v {
            rows[u][Int32(v), default: 0] += w
            rows[v][Int32(u), default: 0] += w
        }
        self.init(rows: rows, selfLoops: [Double](repeating: 0, count: n))
    }

    init(rows: [[Int32: Double]], selfLoops: [Double]) {
        var offsets = [0], neighbors = [Int32](), weights = [Double]()
        for row in rows {
            for key in row.keys.sorted() {
                neighbors.append(key)
                weights.append(row[key]!)
            }
            offsets.append(neighbors.count)
        }
        self.offsets = offsets
        self.neighbors = neighbors
        self.weights = weights
        self.selfLoops = selfLoops
    }

    /// Calls `body(u, v, weight)` for every pair once, u < v.
    public func forEachPair(_ body: (Int, Int, Double) -> Void) {
        for u in 0..<vertexCount {
            for k in offsets[u]..<offsets[u + 1] where Int(neighbors[k]) > u { body(u, Int(neighbors[k]), weights[k]) }
        }
    }

    /// The weighted degree of every vertex (loops included).
    var strengths: [Double] {
        (0..<vertexCount).map { v in (offsets[v]..<offsets[v + 1]).reduce(selfLoops[v]) { $0 + weights[$1] } }
    }

    /// Louvain community detection (Blondel et al.; igraph `community_multilevel`):
    /// vertices move, in index order, to the neighbouring community with the best
    /// modularity gain until no move helps; communities then become vertices and the
    /// process repeats until a level changes nothing. Returns the community of every vertex.
    public func louvain(context: ExecutionContext = .default) throws(HypergraphError) -> [Int] {
        var membership = Array(0..<vertexCount)
        var graph = self
        while true {
            try context.check()
            let local = graph.moveLocally()
            let communities = Set(local).count
            guard communities < graph.vertexCount else { break }
            membership = membership.map { local[$0] }
            graph = graph.aggregated(local, count: communities)
        }
        return membership
    }

    /// One level of local moves; communities renumbered 0 ..< k by first appearance.
    private func moveLocally() -> [Int] {
        let n = vertexCount
        let strength = strengths
        let twiceTotal = strength.reduce(0, +)
        var community = Array(0..<n)
        guard twiceTotal > 0 else { return community }
        var total = strength
        var linkTo = [Double](repeating: 0, count: n)
        var touched = [Int]()
        var improved = true
        while improved {
            improved = false
            for v in 0..<n {
                let current = community[v], k = strength[v]
                touched.removeAll(keepingCapacity: true)
                for j in offsets[v]..<offsets[v + 1] {
                    let c = community[Int(neighbors[j])]
                    if linkTo[c] == 0 { touched.append(c) }
                    linkTo[c] += weights[j]
                }
                total[current] -= k
                // Gain of joining c, up to a constant: links to c − total(c)·k / 2m.
                var best = current, bestGain = linkTo[current] - total[current] * k / twiceTotal
                for c in touched.sorted() where c != current {
                    let gain = linkTo[c] - total[c] * k / twiceTotal
                    if gain > bestGain + 1e-12 { (best, bestGain) = (c, gain) }
                }
                total[best] += k
                if best != current {
                    community[v] = best
                    improved = true
                }
                for c in touched { linkTo[c] = 0 }
                linkTo[current] = 0
            }
        }
        var renumber = [Int: Int]()
        return community.map { c in
            if let known = renumber[c] { return known }
            renumber[c] = renumber.count
            return renumber.count - 1
        }
    }

    /// The graph of communities: loops hold each community's internal weight.
    private func aggregated(_ community: [Int], count: Int) -> WeightedGraph {
        var rows = [[Int32: Double]](repeating: [:], count: count)
        var loops = [Double](repeating: 0, count: count)
        for v in 0..<vertexCount {
            let a = community[v]
            loops[a] += selfLoops[v]
            for k in offsets[v]..<offsets[v + 1] {
                let b = community[Int(neighbors[k])]
                if a == b { loops[a] += weights[k] } else { rows[a][Int32(b), default: 0] += weights[k] }
            }
        }
        return WeightedGraph(rows: rows, selfLoops: loops)
    }
}

extension Hypergraph {
    /// The two-section graph (HyperNetX `two_section`): every pair of nodes of an edge e of
    /// two or more nodes gets w(e) / (|e| − 1), summed over edges; isolated nodes stay
    /// as vertices. `edgeWeights` defaults to the hypergraph's edge weights.
    public func twoSection(edgeWeights weights: [Double]? = nil) -> WeightedGraph {
        let w = weights ?? edgeWeights()
        var pairs = [(Int, Int, Double)]()
        for e in 0..<edgeCount where edgeMembers.count(e) > 1 {
            let members = edgeMembers[e], share = w[e] / Double(members.count - 1)
            for (i, u) in members.enumerated() {
                for v in members.dropFirst(i + 1) { pairs.append((Int(u), Int(v), share)) }
            }
        }
        return WeightedGraph(vertexCount: nodeCount, pairs: pairs)
    }

    /// Kumar et al.'s hypergraph clustering (HyperNetX `kumar`): Louvain on the two-section
    /// graph, then edges re-weighted by how the clusters split them — w ← (w + Σ_c 1/(1 +
    /// |e ∩ c|) · (|e| + #clusters) / |E|) / 2 — and Louvain again, until no weight moves by
    /// more than `delta` (at most 50 rounds).
    public func kumarCommunities(delta: Double = 0.01, context: ExecutionContext = .default) throws(HypergraphError) -> Partition {
        try HypergraphError.validate(delta: delta)
        var weights = edgeWeights()
        var membership = try twoSection(edgeWeights: weights).louvain(context: context)
        var rounds = 0
        while true {
            let clusters = Set(membership).count
            var change = 0.0
            var counts = [Int: Int]()
            for e in 0..<edgeCount {
                counts.removeAll(keepingCapacity: true)
                for v in edgeMembers[e] { counts[membership[Int(v)], default: 0] += 1 }
                // Clusters missing from e add 1 / (1 + 0) each.
                let spread = Double(clusters - counts.count) + counts.values.reduce(0) { $0 + 1 / Double(1 + $1) }
                let target = spread * Double(edgeMembers.count(e) + clusters) / Double(edgeCount)
                change = Swift.max(change, 0.5 * abs(weights[e] - target))
                weights[e] = 0.5 * weights[e] + 0.5 * target
            }
            membership = try twoSection(edgeWeights: weights).louvain(context: context)
            rounds += 1
            if change < delta || rounds > 50 { break }
        }
        return Partition(parts: membership)
    }
}
