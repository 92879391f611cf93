/// Simplicial homology of a hypergraph's closure, with coefficients mod 2 (HyperNetX
/// `betti_numbers`): every subset of an edge is a face; β_k = dim C_k − rank ∂_k − rank ∂_(k+1).
extension Hypergraph {
    /// The largest edge the closure is built for: an edge of n nodes has 2^n faces.
    public static let maximumHomologyEdgeSize = 24

    /// β_k for k = 1 ... the largest edge's dimension (HyperNetX refuses k = 0: it is the
    /// number of connected components). `dimensions` restricts the k computed.
    public func bettiNumbers(dimensions: [Int]? = nil) throws(HypergraphError) -> [Int: Int] {
        let tops = toplexes()
        let largest = tops.map { edgeMembers.count($0) }.max() ?? 0
        guard largest <= Hypergraph.maximumHomologyEdgeSize else {
            throw HypergraphError(.tooLarge, "an edge of \(largest) nodes has 2^\(largest) faces; Betti numbers are computed for edges of at most \(Hypergraph.maximumHomologyEdgeSize)")
        }
        let wanted = dimensions ?? Array(1..<Swift.max(largest, 1))
        if let bad = wanted.first(where: { $0 < 1 }) {
            throw HypergraphError(.invalidArgument, "Betti number β_\(bad) is not computed: k must be at least 1 (β_0 is the number of components)")
        }
        // Faces by dimension, each a sorted list of node indices, numbered per dimension.
        let top = (wanted.max() ?? 0) + 1
        var faces = [[[Int32]: Int]](repeating: [:], count: top + 1)
        for e in tops {
            let members = Array(edgeMembers[e])
            for mask in 1..<(1 << members.count) {
                let dimension = mask.nonzeroBitCount - 1
                guard dimension <= top else { continue }
                let face = members.indices.filter { mask & (1 << $0) != 0 }.map { members[$0] }
                if faces[dimension][face] == nil { faces[dimension][face] = faces[dimension].count }
            }
        }
        func rank(_ k: Int) -> Int {  // rank of ∂_k: C_k → C_(k−1)
            guard k >= 1, k <= top, !faces[k].isEmpty else { return 0 }
            let words = (faces[k - 1].count + 63) / 64
            var rows = [[UInt64]]()
            rows.reserveCapacity(faces[k].count)
            for face in faces[k].keys {
                var row = [UInt64](repeating: 0, count: words)
                for drop in face.indices {
                    var boundary = face
                    boundary.remove(at: drop)
                    let column = faces[k - 1][boundary]!
                    row[column / 64] ^= 1 << UInt64(column % 64)
                }
                rows.append(row)
            }
            return gf2Rank(&rows, words: words)
        }
        var out = [Int: Int]()
        for k in wanted {
            out[k] = k < faces.count ? faces[k].count - rank(k) - rank(k + 1) : 0
        }
        return out
    }
}

/// The rank over GF(2) of bit-vector rows (Gaussian elimination; `rows` is consumed).
func gf2Rank(_ rows: inout [[UInt64]], words: Int) -> Int {
    var rank = 0
    for column in 0..<(words * 64) {
        let (w, bit) = (column / 64, UInt64(1) << UInt64(column % 64))
        guard let pivot = (rank..<rows.count).first(where: { rows[$0][w] & bit != 0 }) else { continue }
        rows.swapAt(rank, pivot)
        for r in (rank + 1)..<rows.count where rows[r][w] & bit != 0 {
            for k in w..<words { rows[r][k] ^= rows[rank][k] }
        }
        rank += 1
        if rank == rows.count { break }
    }
    return rank
}
