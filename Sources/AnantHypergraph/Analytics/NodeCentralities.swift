#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// XGI's node centralities and node statistics, with its definitions (XGI 0.10): the
/// eigenvector centralities of Benson's "Three hypergraph eigenvector centralities" (clique
/// motif and H-eigenvector), Tudisco–Higham's node–edge centrality, Katz centrality on the
/// clique motif matrix, the clustering coefficient of the 2-section, degree assortativity.
extension Hypergraph {
    /// The clique motif matrix W: W[u][v] = the number of edges holding both u ≠ v, as
    /// (neighbour, count) rows.
    func cliqueMotif() -> [[(Int, Double)]] {
        var rows = [[(Int, Double)]](repeating: [], count: nodeCount)
        var counter = OverlapCounter(elements: nodeCount)
        for u in 0..<nodeCount {
            counter.forEachNeighbor(of: u, s: 1, through: nodeMemberships, back: edgeMembers, onlyGreater: false) { v, count in
                rows[u].append((v, Double(count)))
            }
        }
        return rows
    }

    private func requireConnected(_ measure: String) throws(HypergraphError) {
        guard nodeCount > 0, try isConnected() else {
            throw HypergraphError(.notConnected, "\(measure) needs a connected hypergraph with nodes (XGI returns NaN otherwise)")
        }
    }

    /// Clique motif eigenvector centrality (XGI `clique_eigenvector_centrality`): the
    /// leading eigenvector of W, positive, summing to 1 (power iteration on W + I, which has
    /// the same eigenvectors and a dominant eigenvalue even for bipartite motifs).
    public func cliqueEigenvectorCentrality(tolerance: Double = 1e-12) throws(HypergraphError) -> [Double] {
        try requireConnected("clique eigenvector centrality")
        let w = cliqueMotif()
        var x = [Double](repeating: 1 / Double(nodeCount), count: nodeCount)
        for _ in 0..<100_000 {
            var next = x
            for u in 0..<nodeCount { for (v, weight) in w[u] { next[u] += weight * x[v] } }
            let total = next.reduce(0, +)
            next = next.map { $0 / total }
            let change = zip(next, x).reduce(0) { $0 + abs($1.0 - $1.1) }
            x = next
            if change < tolerance { break }
        }
        return x
    }

    /// H-eigenvector centrality (XGI `h_eigenvector_centrality`): the positive H-eigenvector
    /// of the adjacency tensor, edges smaller than the largest blown up as Banerjee et al.
    /// do, by XGI's iteration from the uniform vector; sums to 1.
    public func hEigenvectorCentrality(maxIterations: Int = 100, tolerance: Double = 1e-6) throws(HypergraphError) -> [Double] {
        try requireConnected("H-eigenvector centrality")
        let r = (0..<edgeCount).map { edgeMembers.count($0) }.max() ?? 0
        guard r >= 2 else { throw HypergraphError(.invalidArgument, "H-eigenvector centrality needs an edge of two nodes or more") }
        var x = [Double](repeating: 1 / Double(nodeCount), count: nodeCount)
        var y = tensorTimesVector(x, order: r).map(abs)
        for _ in 0..<maxIterations {
            let scaled = y.map { pow($0, 1 / Double(r - 1)) }
            let total = scaled.reduce(0, +)
            x = scaled.map { $0 / total }
            y = tensorTimesVector(x, order: r).map(abs)
            let ratios = zip(y, x).map { $0 / pow($1, Double(r - 1)) }
            let (low, high) = (ratios.min()!, ratios.max()!)
            if (high - low) / low < tolerance { break }
        }
        let total = x.reduce(0, +)
        return x.map { $0 / total }
    }

    /// Z-eigenvector centrality (XGI `z_eigenvector_centrality`, Benson's dynamical system
    /// for uniform hypergraphs): x ← x + ½ (Λ(T x^(r−2)) − x), with Λ(M) the positive,
    /// 1-normalised leading eigenvector of M = T x^(r−2) (M[u][v] = Σ over edges holding both
    /// of the product of the others' x, / (r − 1)), until the entrywise ratio of successive
    /// vectors is constant within `tolerance`. Throws unless every edge has the same size.
    public func zEigenvectorCentrality(maxIterations: Int = 100, tolerance: Double = 1e-6) throws(HypergraphError) -> [Double] {
        try requireConnected("Z-eigenvector centrality")
        let sizes = Set((0..<edgeCount).map { edgeMembers.count($0) })
        guard sizes.count == 1, let r = sizes.first, r >= 2 else {
            throw HypergraphError(.invalidArgument, "Z-eigenvector centrality is defined for uniform hypergraphs (edge sizes here: \(sizes.sorted()))")
        }
        var x = [Double](repeating: 1 / Double(nodeCount), count: nodeCount)
        for _ in 0..<maxIterations {
            // M = T x^(r−2), symmetric with a zero diagonal, as rows of (neighbour, value).
            var rows = [[Int: Double]](repeating: [:], count: nodeCount)
            for e in 0..<edgeCount {
                let members = edgeMembers[e].map(Int.init)
                for (i, u) in members.enumerated() {
                    for v in members[(i + 1)...] {
                        let product = members.reduce(1.0) { $1 == u || $1 == v ? $0 : $0 * x[$1] } / Double(r - 1)
                        rows[u][v, default: 0] += product
                        rows[v][u, default: 0] += product
                    }
                }
            }
            var y = [Double](repeating: 1 / Double(nodeCount), count: nodeCount)
            for _ in 0..<100_000 {
                var next = y
                for u in 0..<nodeCount { for (v, value) in rows[u] { next[u] += value * y[v] } }
                let total = next.reduce(0, +)
                next = next.map { $0 / total }
                let change = zip(next, y).reduce(0) { $0 + abs($1.0 - $1.1) }
                y = next
                if change < 1e-14 { break }
            }
            let stepped = zip(x, y).map { $0 + 0.5 * ($1 - $0) }
            let ratios = zip(stepped, x).map { $0 / $1 }
            if (ratios.max()! - ratios.min()!) / ratios.min()! < tolerance { break }
            x = stepped
        }
        let total = x.reduce(0, +)
        return x.map { $0 / total }
    }

    /// XGI's `ttsv1`: the adjacency tensor of order r times `a` in all modes but one; an edge
    /// of l < r nodes counts through the coefficient of t^(r−1) in e^(a_v t) Π_u (e^(a_u t) − 1)
    /// over its other nodes u, scaled by (r − 1)! · l / (surjections from r onto l).
    private func tensorTimesVector(_ a: [Double], order r: Int) -> [Double] {
        let factorial = (1..<r).reduce(1.0) { $0 * Double($1) }
        var surjections = [Double](repeating: 0, count: r + 1)
        for l in 1...r {
            var sum = 0.0
            for j in 0...l { sum += (j % 2 == 0 ? 1 : -1) * binomial(l, j) * pow(Double(l - j), Double(r)) }
            surjections[l] = sum
        }
        var out = [Double](repeating: 0, count: nodeCount)
        var series = [Double](repeating: 0, count: r), factor = [Double](repeating: 0, count: r)
        for v in 0..<nodeCount {
            var c = 0.0
            for e in nodeMemberships[v] {
                let members = edgeMembers[Int(e)], l = members.count
                // Truncated power series of e^(a_v t), then times (e^(a_u t) − 1) per other node.
                series[0] = 1
                for i in 1..<r { series[i] = series[i - 1] * a[v] / Double(i) }
                for u in members where Int(u) != v {
                    factor[0] = 0
                    var term = 1.0
                    for i in 1..<r {
                        term *= a[Int(u)] / Double(i)
                        factor[i] = term
                    }
                    for i in stride(from: r - 1, through: 0, by: -1) {
                        var sum = 0.0
                        if i > 0 { for j in 1...i { sum += factor[j] * series[i - j] } }
                        series[i] = sum
                    }
                }
                c += factorial * Double(l) * series[r - 1] / surjections[l]
            }
            out[v] = c
        }
        return out
    }

    /// Node and edge nonlinear eigenvector centralities (XGI `node_edge_centrality`,
    /// Tudisco–Higham with f(x) = x², g(x) = √x, φ(x) = x², ψ(x) = √x), both summing to 1.
    public func nodeEdgeCentrality(maxIterations: Int = 100, tolerance: Double = 1e-6) throws(HypergraphError) -> (nodes: [Double], edges: [Double]) {
        try requireConnected("node-edge centrality")
        guard edgeCount > 0 else { throw HypergraphError(.invalidArgument, "node-edge centrality needs edges") }
        var x = [Double](repeating: 1 / Double(nodeCount), count: nodeCount)
        var y = [Double](repeating: 1 / Double(edgeCount), count: edgeCount)
        for _ in 0..<maxIterations {
            let u = (0..<nodeCount).map { v in (x[v] * nodeMemberships[v].reduce(0) { $0 + y[Int($1)] * y[Int($1)] }.squareRoot()).squareRoot() }
            let w = (0..<edgeCount).map { e in (y[e] * edgeMembers[e].reduce(0) { $0 + x[Int($1)] * x[Int($1)] }.squareRoot()).squareRoot() }
            let (su, sw) = (u.reduce(0, +), w.reduce(0, +))
            let newX = u.map { $0 / su }, newY = w.map { $0 / sw }
            let change = zip(newX, x).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                + zip(newY, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            (x, y) = (newX, newY)
            if change < tolerance { break }
        }
        return (x, y)
    }

    /// Katz centrality (XGI `katz_centrality`): Σ_{p < cutoff} α^p W^(p+1) u with α = 2^−n
    /// and u uniform, normalised to sum 1 (all zero without edges).
    public func katzCentrality(cutoff: Int = 100) throws(HypergraphError) -> [Double] {
        guard nodeCount > 0 else { throw HypergraphError(.invalidArgument, "Katz centrality of a hypergraph without nodes is not defined") }
        let w = cliqueMotif()
        let alpha = pow(2, -Double(nodeCount))
        func multiply(_ v: [Double]) -> [Double] {
            (0..<nodeCount).map { u in w[u].reduce(0) { $0 + $1.1 * v[$1.0] } }
        }
        var power = multiply([Double](repeating: 1 / Double(nodeCount), count: nodeCount))
        var c = power
        var scale = 1.0
        for _ in 1..<Swift.max(cutoff, 1) {
            power = multiply(power)
            scale *= alpha
            if scale == 0 { break }
            for i in 0..<nodeCount { c[i] += scale * power[i] }
        }
        let total = c.reduce(0) { $0 + abs($1) }
        return total > 0 ? c.map { $0 / total } : c
    }

    /// The clustering coefficient of every node in the 2-section graph (XGI
    /// `clustering_coefficient`): closed triangles over neighbour pairs; 0 with fewer
    /// than two neighbours.
    public func clusteringCoefficients() -> [Double] {
        let neighbours = (0..<nodeCount).map { u in Set(Hypergraph.sNeighbors(of: u, s: 1, through: nodeMemberships, back: edgeMembers, count: nodeCount)) }
        return (0..<nodeCount).map { u in
            let k = neighbours[u].count
            guard k > 1 else { return 0 }
            var links = 0
            for v in neighbours[u] { for w in neighbours[v] where w > v && neighbours[u].contains(w) { links += 1 } }
            return Double(links) / Double(k * (k - 1) / 2)
        }
    }

    /// How degree pairs within edges are drawn for `degreeAssortativity`.
    public enum AssortativityKind: String, Sendable, CaseIterable {
        /// Every ordered pair of distinct members.
        case uniform
        /// The two largest degrees of each edge.
        case top2 = "top-2"
        /// The largest and the smallest degree of each edge.
        case topBottom = "top-bottom"
    }

    /// Degree assortativity (XGI `degree_assortativity(exact=True)`): the Pearson
    /// correlation of the degrees of node pairs within edges (both orders); 0 when undefined.
    public func degreeAssortativity(kind: AssortativityKind = .uniform) throws(HypergraphError) -> Double {
        guard nodeCount > 0, edgeCount > 0 else { throw HypergraphError(.invalidArgument, "degree assortativity needs nodes and edges") }
        var first = [Double](), second = [Double]()
        for e in 0..<edgeCount where edgeMembers.count(e) > 1 {
            let degrees = edgeMembers[e].map { Double(nodeMemberships.count(Int($0))) }
            var pairs = [(Double, Double)]()
            switch kind {
            case .uniform:
                for i in degrees.indices { for j in degrees.indices where i != j { pairs.append((degrees[i], degrees[j])) } }
            case .top2, .topBottom:
                let sorted = degrees.sorted()
                let pick = kind == .top2 ? (sorted[sorted.count - 2], sorted[sorted.count - 1]) : (sorted[0], sorted[sorted.count - 1])
                pairs = [pick, (pick.1, pick.0)]
            }
            for (a, b) in pairs {
                first.append(a)
                second.append(b)
            }
        }
        guard first.count > 1 else { return 0 }
        let n = Double(first.count)
        let (ma, mb) = (first.reduce(0, +) / n, second.reduce(0, +) / n)
        var cov = 0.0, va = 0.0, vb = 0.0
        for (a, b) in zip(first, second) {
            cov += (a - ma) * (b - mb)
            va += (a - ma) * (a - ma)
            vb += (b - mb) * (b - mb)
        }
        let rho = cov / (va * vb).squareRoot()
        return rho.isNaN ? 0 : rho
    }
}

/// C(n, k) as a Double.
func binomial(_ n: Int, _ k: Int) -> Double {
    guard k >= 0, k <= n else { return 0 }
    var result = 1.0
    for i in 0..<Swift.min(k, n - k) { result = result * Double(n - i) / Double(i + 1) }
    return result
}
