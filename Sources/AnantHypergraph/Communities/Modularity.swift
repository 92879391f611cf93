import AnantColumnar
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How an edge counts toward hypergraph modularity when `c` of its `d` nodes lie in one
/// part (Kamiński–Prałat–Théberge's w(d, c)); every rule gives 0 unless c > d/2.
public enum ModularityWeighting: String, Sendable, CaseIterable {
    /// c/d (HyperNetX's default).
    case linear
    /// 1 when a strict majority of the edge is in one part.
    case majority
    /// 1 only when the whole edge is in one part.
    case strict

    public func weight(size d: Int, majority c: Int) -> Double {
        guard 2 * c > d else { return 0 }
        switch self {
        case .linear: return Double(c) / Double(d)
        case .majority: return 1
        case .strict: return c == d ? 1 : 0
        }
    }
}

/// The parts of hypergraph modularity that do not depend on the partition (HyperNetX
/// `modularity`): edge weights (all 1 when the hypergraph's edge weights are uniform, as
/// HyperNetX then counts edges), node volumes, and the edge weight of every edge size.
/// Empty edges take no part (HyperNetX has none).
struct ModularityModel {
    let weighting: ModularityWeighting
    /// The weight each edge counts with.
    let edgeWeight: [Double]
    /// Σ of the weights of the edges holding each node.
    let volume: [Double]
    /// (size d, total weight of the edges of size d), d ≥ 1.
    let sizes: [(size: Int, weight: Double)]
    /// The total weight of the non-empty edges.
    let total: Double

    init(_ h: Hypergraph, weighting: ModularityWeighting) {
        self.weighting = weighting
        let weights = h.edgeWeights()
        let uniform = Set(weights).count <= 1
        edgeWeight = uniform ? [Double](repeating: 1, count: h.edgeCount) : weights
        var volume = [Double](repeating: 0, count: h.nodeCount)
        var bySize = [Int: Double]()
        var total = 0.0
        for e in 0..<h.edgeCount where h.edgeMembers.count(e) > 0 {
            let w = edgeWeight[e]
            bySize[h.edgeMembers.count(e), default: 0] += w
            total += w
            for v in h.edgeMembers[e] { volume[Int(v)] += w }
        }
        self.volume = volume
        sizes = bySize.keys.sorted().map { ($0, bySize[$0]!) }
        self.total = total
    }

    /// The expected edge term of one part holding the fraction `p` of the volume:
    /// Σ_d weight_d Σ_{c > d/2} w(d, c) · Binomial(c; d, p).
    func expected(fraction p: Double) -> Double {
        var sum = 0.0
        for (d, weight) in sizes {
            for c in (d / 2 + 1)...d { sum += weight * weighting.weight(size: d, majority: c) * binomialPMF(c, d, p) }
        }
        return sum
    }

    /// The largest number of the edge's nodes in one part.
    static func majority(_ members: ArraySlice<Int32>, _ parts: [Int32], counts: inout [Int32: Int]) -> Int {
        counts.removeAll(keepingCapacity: true)
        var best = 0
        for v in members {
            let n = counts[parts[Int(v)], default: 0] + 1
            counts[parts[Int(v)]] = n
            best = Swift.max(best, n)
        }
        return best
    }

    /// The observed edge term of the edges `edges` under `parts`.
    func observed(_ h: Hypergraph, _ parts: [Int32], edges: some Sequence<Int>, counts: inout [Int32: Int]) -> Double {
        var sum = 0.0
        for e in edges {
            let members = h.edgeMembers[e]
            sum += edgeWeight[e] * weighting.weight(size: members.count, majority: ModularityModel.majority(members, parts, counts: &counts))
        }
        return sum
    }
}

/// Binomial(c; d, p) = C(d, c) p^c (1 − p)^(d − c), through log-gamma.
func binomialPMF(_ c: Int, _ d: Int, _ p: Double) -> Double {
    if p <= 0 { return c == 0 ? 1 : 0 }
    if p >= 1 { return c == d ? 1 : 0 }
    let logChoose = lgamma(Double(d + 1)) - lgamma(Double(c + 1)) - lgamma(Double(d - c + 1))
    return exp(logChoose + Double(c) * log(p) + Double(d - c) * log1p(-p))
}

extension Hypergraph {
    /// Hypergraph modularity of a partition of the nodes (Kamiński–Prałat–Théberge;
    /// HyperNetX `modularity`): the weighted share of edges with a majority in one part,
    /// minus its expectation under the degree-preserving null model.
    ///
    /// - Throws: `invalidArgument` when the partition does not give every node a part.
    public func modularity(_ partition: Partition, weighting: ModularityWeighting = .linear) throws(HypergraphError) -> Double {
        guard partition.parts.count == nodeCount else {
            throw HypergraphError(.invalidArgument, "the partition has \(partition.parts.count) entries for \(nodeCount) nodes: give every node exactly one part")
        }
        let model = ModularityModel(self, weighting: weighting)
        guard model.total > 0 else { return 0 }
        var counts = [Int32: Int]()
        let observed = model.observed(self, partition.parts, edges: 0..<edgeCount, counts: &counts)
        var volumes = [Double](repeating: 0, count: partition.partCount)
        for v in 0..<nodeCount { volumes[Int(partition.parts[v])] += model.volume[v] }
        let all = volumes.reduce(0, +)
        let expected = volumes.reduce(0) { $0 + model.expected(fraction: $1 / all) }
        return (observed - expected) / model.total
    }

    /// Conductance of a node subset (HyperNetX `conductance`): the total size of the edges
    /// it cuts over its volume (the sum of its nodes' degrees).
    public func conductance(of subset: [Int]) throws(HypergraphError) -> Double {
        var inside = [Bool](repeating: false, count: nodeCount)
        for v in subset { inside[v] = true }
        guard inside.contains(false) else {
            throw HypergraphError(.invalidArgument, "conductance needs a proper subset of the nodes, not all of them")
        }
        let volume = subset.reduce(0) { $0 + nodeMemberships.count($1) }
        guard volume > 0 else { throw HypergraphError(.invalidArgument, "the subset's nodes are in no edge: its volume is 0") }
        var cut = 0
        for e in 0..<edgeCount {
            let members = edgeMembers[e]
            if members.contains(where: { inside[Int($0)] }) && members.contains(where: { !inside[Int($0)] }) { cut += members.count }
        }
        return Double(cut) / Double(volume)
    }

    /// Kamiński–Prałat–Théberge's `last_step`: passes over the nodes in a seeded random
    /// order, each node moving to the part among its neighbours' with the largest gain in
    /// modularity (when the gain exceeds 0.1 in edge-weight units, as HyperNetX requires),
    /// until a pass improves modularity by less than `delta`.
    ///
    /// HyperNetX updates, after a move, the volume of the last part it tried rather than
    /// of the part it chose; Anant keeps the volumes exact.
    public func lastStep(_ partition: Partition, weighting: ModularityWeighting = .linear, delta: Double = 0.01,
                         seed: UInt64 = 0, context: ExecutionContext = .default) throws(HypergraphError) -> Partition {
        try HypergraphError.validate(delta: delta)
        let model = ModularityModel(self, weighting: weighting)
        guard model.total > 0 else { return partition }
        var parts = partition.parts
        var volumes = [Double](repeating: 0, count: partition.partCount)
        for v in 0..<nodeCount { volumes[Int(parts[v])] += model.volume[v] }
        let all = volumes.reduce(0, +)
        var quality = try modularity(partition, weighting: weighting)
        var random = SeededGenerator(seed: seed)
        var counts = [Int32: Int]()
        while true {
            try context.check()
            var order = Array(0..<nodeCount)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(random.next() % UInt64(i + 1))) }
            for v in order where nodeMemberships.count(v) > 0 {
                let from = parts[v], myVolume = model.volume[v]
                let edges = nodeMemberships[v].map { Int($0) }
                let before = model.observed(self, parts, edges: edges, counts: &counts)
                var candidates = Set<Int32>()
                for e in edges { for u in edgeMembers[e] where parts[Int(u)] != from { candidates.insert(parts[Int(u)]) } }
                var best = from, bestGain = 0.0
                let fromBefore = model.expected(fraction: volumes[Int(from)] / all)
                let fromAfter = model.expected(fraction: (volumes[Int(from)] - myVolume) / all)
                for to in candidates.sorted() {
                    parts[v] = to
                    let after = model.observed(self, parts, edges: edges, counts: &counts)
                    let expectedChange = fromAfter - fromBefore + model.expected(fraction: (volumes[Int(to)] + myVolume) / all)
                        - model.expected(fraction: volumes[Int(to)] / all)
                    let gain = after - before - expectedChange
                    if gain > bestGain { (best, bestGain) = (to, gain) }
                }
                parts[v] = from
                if bestGain > 0.1 {
                    parts[v] = best
                    volumes[Int(from)] -= myVolume
                    volumes[Int(best)] += myVolume
                }
            }
            let next = try modularity(Partition(parts: parts.map(Int.init)), weighting: weighting)
            if next - quality < delta { break }
            quality = next
        }
        return Partition(parts: parts.map(Int.init))
    }
}
