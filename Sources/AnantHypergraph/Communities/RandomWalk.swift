/// A sparse matrix in compressed rows: row r holds `values[k]` at column `columns[k]` for
/// k in `offsets[r] ..< offsets[r + 1]`, columns ascending.
public struct SparseMatrix: Sendable, Hashable {
    public let offsets: [Int]
    public let columns: [Int32]
    public let values: [Double]

    public var rowCount: Int { offsets.count - 1 }

    /// The entry at (row, column), 0 when not stored.
    public subscript(row: Int, column: Int) -> Double {
        for k in offsets[row]..<offsets[row + 1] where Int(columns[k]) == column { return values[k] }
        return 0
    }

    /// x · M for a row vector x.
    func leftMultiply(_ x: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: x.count)
        for r in 0..<rowCount where x[r] != 0 {
            for k in offsets[r]..<offsets[r + 1] { out[Int(columns[k])] += x[r] * values[k] }
        }
        return out
    }
}

extension Hypergraph {
    /// The transition matrix of the random walk on the nodes (Hayashi et al.; HyperNetX
    /// `prob_trans`): from u, pick an edge e ∋ u with probability ∝ w(e), then a node v ∈ e
    /// with probability ∝ γ(v, e). Unweighted, γ = 1 and w = 1, so P(u → v) = (1/deg u)
    /// Σ_{e ∋ u, v} 1/|e|, self-loops included; weighted, γ are the incidence weights and
    /// w(e) = 1 + the population standard deviation of γ(·, e). Rows and columns are node
    /// indices. Throws `notConnected` unless the hypergraph is connected, as HyperNetX does.
    public func randomWalkTransitions(weighted: Bool = false) throws(HypergraphError) -> SparseMatrix {
        guard try isConnected() else { throw HypergraphError(.notConnected, "the random walk needs a connected hypergraph") }
        let gamma = weighted ? incidenceWeights() : [Double](repeating: 1, count: incidenceCount)
        var edgeWeight = [Double](repeating: 1, count: edgeCount), edgeTotal = [Double](repeating: 0, count: edgeCount)
        for e in 0..<edgeCount {
            let slots = edgeMembers.offsets[e]..<edgeMembers.offsets[e + 1]
            let sum = slots.reduce(0) { $0 + gamma[$1] }
            let mean = slots.isEmpty ? 0 : sum / Double(slots.count)
            let variance = slots.isEmpty ? 0 : slots.reduce(0) { $0 + (gamma[$1] - mean) * (gamma[$1] - mean) } / Double(slots.count)
            edgeWeight[e] = variance.squareRoot() + 1
            edgeTotal[e] = sum
        }
        var offsets = [0], columns = [Int32](), values = [Double]()
        var row = [Double](repeating: 0, count: nodeCount), touched = [Int32]()
        for u in 0..<nodeCount {
            var scale = 0.0
            for e in nodeMemberships[u] {
                let e = Int(e)
                scale += edgeWeight[e]
                for slot in edgeMembers.offsets[e]..<edgeMembers.offsets[e + 1] {
                    let v = edgeMembers.members[slot]
                    if row[Int(v)] == 0 { touched.append(v) }
                    row[Int(v)] += edgeWeight[e] * gamma[slot] / edgeTotal[e]
                }
            }
            touched.sort()
            for v in touched {
                columns.append(v)
                values.append(row[Int(v)] / scale)
                row[Int(v)] = 0
            }
            touched.removeAll(keepingCapacity: true)
            offsets.append(columns.count)
        }
        return SparseMatrix(offsets: offsets, columns: columns, values: values)
    }

    /// The stationary distribution of that random walk (HyperNetX `get_pi`): the dominant
    /// left eigenvector of P, summing to 1, by power iteration (the walk is aperiodic: every
    /// node can stay). Unweighted it is degree / Σ degree.
    public func stationaryDistribution(weighted: Bool = false) throws(HypergraphError) -> [Double] {
        let p = try randomWalkTransitions(weighted: weighted)
        var pi = [Double](repeating: 1 / Double(nodeCount), count: nodeCount)
        for _ in 0..<100_000 {
            let next = p.leftMultiply(pi)
            let total = next.reduce(0, +)
            let normalized = next.map { $0 / total }
            let change = zip(normalized, pi).reduce(0) { $0 + abs($1.0 - $1.1) }
            pi = normalized
            if change < 1e-14 { break }
        }
        return pi
    }
}
