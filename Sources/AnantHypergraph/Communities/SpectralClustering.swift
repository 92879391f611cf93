import AnantColumnar

extension Hypergraph {
    /// The normalised Laplacian of the random walk (HyperNetX `norm_lap`) as its operator
    /// I − L = ½ (Π^½ P Π^−½ + (Π^½ P Π^−½)ᵀ), in sparse rows.
    public func randomWalkAdjacency(weighted: Bool = false) throws(HypergraphError) -> SparseMatrix {
        let p = try randomWalkTransitions(weighted: weighted)
        let pi = try stationaryDistribution(weighted: weighted)
        var rows = [[Int32: Double]](repeating: [:], count: nodeCount)
        for u in 0..<p.rowCount {
            for k in p.offsets[u]..<p.offsets[u + 1] {
                let v = Int(p.columns[k])
                let value = 0.5 * (pi[u].squareRoot() * p.values[k] / pi[v].squareRoot())
                rows[u][Int32(v), default: 0] += value
                rows[v][Int32(u), default: 0] += value
            }
        }
        var offsets = [0], columns = [Int32](), values = [Double]()
        for row in rows {
            for key in row.keys.sorted() {
                columns.append(key)
                values.append(row[key]!)
            }
            offsets.append(columns.count)
        }
        return SparseMatrix(offsets: offsets, columns: columns, values: values)
    }

    /// Spectral clustering of the nodes (HyperNetX `spec_clus`): the k eigenvectors of
    /// I − L largest in magnitude, rows scaled to unit length, grouped by k-means
    /// (k-means++ seeding, the best of 10 seeded runs). Needs a connected hypergraph.
    public func spectralClusters(k: Int, weighted: Bool = false, seed: UInt64 = 0) throws(HypergraphError) -> Partition {
        guard k >= 1, k <= nodeCount else { throw HypergraphError(.invalidArgument, "k must be between 1 and the node count \(nodeCount)") }
        let m = try randomWalkAdjacency(weighted: weighted)
        let vectors = SymmetricEigen.largestMagnitude(m, count: k, seed: seed)
        var points = (0..<nodeCount).map { v in vectors.map { $0[v] } }
        for i in points.indices {
            let norm = points[i].reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { points[i] = points[i].map { $0 / norm } }
        }
        return Partition(parts: KMeans.cluster(points, k: k, seed: seed))
    }
}

/// Eigenvectors of symmetric matrices: Jacobi rotations for small dense ones, subspace
/// iteration with Rayleigh–Ritz for the few largest-magnitude ones of a sparse one.
enum SymmetricEigen {
    /// All eigenpairs of a small dense symmetric matrix (cyclic Jacobi).
    static func dense(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
        let n = matrix.count
        var a = matrix
        var v = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<n where j < n { off += a[i][j] * a[i][j] } }
            if off < 1e-30 { break }
            for p in 0..<n {
                for q in (p + 1)..<n where q < n && abs(a[p][q]) > 1e-300 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for r in 0..<n {
                        let (arp, arq) = (a[r][p], a[r][q])
                        a[r][p] = c * arp - s * arq
                        a[r][q] = s * arp + c * arq
                    }
                    for r in 0..<n {
                        let (apr, aqr) = (a[p][r], a[q][r])
                        a[p][r] = c * apr - s * aqr
                        a[q][r] = s * apr + c * aqr
                    }
                    for r in 0..<n {
                        let (vrp, vrq) = (v[r][p], v[r][q])
                        v[r][p] = c * vrp - s * vrq
                        v[r][q] = s * vrp + c * vrq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0][$0] }, (0..<n).map { j in (0..<n).map { v[$0][j] } })
    }

    /// The `count` eigenvectors of largest |eigenvalue|.
    static func largestMagnitude(_ m: SparseMatrix, count k: Int, seed: UInt64) -> [[Double]] {
        let n = m.rowCount
        let block = Swift.min(n, k + 4)
        var rng = SeededGenerator(seed: seed)
        var basis = (0..<block).map { _ in (0..<n).map { _ in Double.random(in: -1...1, using: &rng) } }
        orthonormalize(&basis)
        var previous = [Double](repeating: .nan, count: block)
        for _ in 0..<5000 {
            var images = basis.map { multiply(m, $0) }
            // Rayleigh–Ritz: the small projected problem gives the rotation within the block.
            let projected = (0..<block).map { i in (0..<block).map { j in dot(basis[i], images[j]) } }
            let (values, vectors) = dense(projected)
            let order = values.indices.sorted { abs(values[$0]) > abs(values[$1]) }
            images = order.map { j in (0..<n).map { r in (0..<block).reduce(0) { $0 + images[$1][r] * vectors[$1][j] } } }
            let ritz = order.map { values[$0] }
            orthonormalize(&images)
            basis = images
            let settled = zip(ritz.prefix(k), previous.prefix(k)).allSatisfy { abs($0 - $1) <= 1e-12 * Swift.max(1, abs($0)) }
            previous = ritz
            if settled { break }
        }
        return Array(basis.prefix(k))
    }

    private static func multiply(_ m: SparseMatrix, _ x: [Double]) -> [Double] {
        (0..<m.rowCount).map { r in (m.offsets[r]..<m.offsets[r + 1]).reduce(0) { $0 + m.values[$1] * x[Int(m.columns[$1])] } }
    }

    private static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    private static func orthonormalize(_ vectors: inout [[Double]]) {
        for i in vectors.indices {
            for j in 0..<i {
                let d = dot(vectors[i], vectors[j])
                vectors[i] = zip(vectors[i], vectors[j]).map { $0 - d * $1 }
            }
            let norm = dot(vectors[i], vectors[i]).squareRoot()
            if norm > 1e-300 { vectors[i] = vectors[i].map { $0 / norm } }
        }
    }
}

/// Lloyd's k-means with k-means++ seeding; the best (least inertia) of `runs` seeded runs.
enum KMeans {
    static func cluster(_ points: [[Double]], k: Int, seed: UInt64, runs: Int = 10) -> [Int] {
        var rng = SeededGenerator(seed: seed)
        var best = [Int](), bestInertia = Double.infinity
        for _ in 0..<runs {
            var centers = [points[Int.random(in: 0..<points.count, using: &rng)]]
            while centers.count < k {
                let distances = points.map { p in centers.map { distance2(p, $0) }.min()! }
                let total = distances.reduce(0, +)
                guard total > 0 else { centers.append(points[Int.random(in: 0..<points.count, using: &rng)]); continue }
                var target = Double.random(in: 0..<total, using: &rng), pick = 0
                for (i, d) in distances.enumerated() {
                    target -= d
                    if target < 0 { pick = i; break }
                }
                centers.append(points[pick])
            }
            var labels = [Int](repeating: -1, count: points.count)
            for _ in 0..<300 {
                let next = points.map { p in centers.indices.min { distance2(p, centers[$0]) < distance2(p, centers[$1]) }! }
                if next == labels { break }
                labels = next
                for c in centers.indices {
                    let members = points.indices.filter { labels[$0] == c }
                    guard !members.isEmpty else { continue }
                    centers[c] = (0..<points[0].count).map { d in members.reduce(0) { $0 + points[$1][d] } / Double(members.count) }
                }
            }
            let inertia = points.indices.reduce(0) { $0 + distance2(points[$1], centers[labels[$1]]) }
            if inertia < bestInertia { (best, bestInertia) = (labels, inertia) }
        }
        return best
    }

    private static func distance2(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
}
