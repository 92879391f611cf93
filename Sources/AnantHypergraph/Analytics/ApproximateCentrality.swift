import AnantColumnar
import Foundation

/// What an approximate s-centrality promises: with probability at least 1 − `delta`,
/// every vertex's estimate is within `epsilon` of its exact value, in the units each
/// measure documents (`Hypergraph.sApproximateBetweenness`, `sApproximateReach`).
/// `seed` fixes the samples: the same seed gives the same estimates, however the work is
/// split over threads.
public struct Approximation: Sendable, Hashable {
    public var epsilon: Double
    public var delta: Double
    public var seed: UInt64

    public init(epsilon: Double = 0.01, delta: Double = 0.1, seed: UInt64 = 1) {
        (self.epsilon, self.delta, self.seed) = (epsilon, delta, seed)
    }

    public func validate() throws(HypergraphError) {
        guard epsilon.isFinite, epsilon > 0, epsilon < 1 else {
            throw HypergraphError(.invalidArgument, "epsilon must lie between 0 and 1 (got \(epsilon)); 0.01 is the usual choice, smaller costs more samples")
        }
        guard delta.isFinite, delta > 0, delta < 1 else {
            throw HypergraphError(.invalidArgument, "delta must lie between 0 and 1 (got \(delta)); 0.1 is the usual choice, smaller costs more samples")
        }
    }

    /// The generator of sample `index`: its own stream, so a sample does not depend on
    /// which thread or part draws it.
    func generator(_ stream: UInt64, _ index: Int) -> SeededGenerator {
        SeededGenerator(seed: ByteStrings.mix(seed ^ ByteStrings.mix(stream &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: index))))
    }
}

/// Betweenness estimated from sampled shortest paths (Riondato and Kornaropoulos 2016).
public struct BetweennessEstimate: Sendable, Hashable {
    /// How many sampled paths passed through each vertex (as an inner vertex).
    public var hits: [Int]
    /// The number of sampled vertex pairs.
    public var samples: Int

    /// HyperNetX's normalised betweenness, unnormalised sum over unordered pairs times
    /// 2 / ((n − 1)(n − 2)), estimated.
    public var normalized: [Double] {
        let n = Double(hits.count)
        guard n > 2, samples > 0 else { return hits.map { _ in 0 } }
        return hits.map { Double($0) / Double(samples) * n / (n - 2) }
    }

    /// The unnormalised sum over unordered pairs (networkx `normalized=False`), estimated.
    public var raw: [Double] {
        let n = Double(hits.count)
        guard n > 2, samples > 0 else { return hits.map { _ in 0 } }
        return hits.map { Double($0) / Double(samples) * n * (n - 1) / 2 }
    }
}

/// One sampled shortest path at a time, by a balanced bidirectional search (as KADABRA
/// does): the two ends grow level by level, each step expanding the side whose frontier
/// has fewer adjacency entries, and counting shortest paths from its end. At the first
/// level where a side discovers vertices the other has seen, those vertices are exactly
/// the ones at that distance on the shortest paths, and the paths through each number
/// σ_s(w)·σ_t(w). One is chosen in proportion, then each half walks back choosing every
/// predecessor in proportion to its own count: every shortest path is equally likely.
/// On small-world graphs the two searches meet after touching a small share of the graph.
struct PathSampler {
    private let n: Int
    /// Per side (0: from the source, 1: from the target, at offset `side * n`): the
    /// distance, -1 when not seen, and the path count.
    private var distance: [Int32]
    private var paths: [Double]
    private var frontier: [[Int32]] = [[], []]
    private var next: [Int32] = []
    private var seen: [Int32] = []
    private var meeting: [Int32] = []

    init(vertices: Int) {
        n = vertices
        distance = [Int32](repeating: -1, count: 2 * vertices)
        paths = [Double](repeating: 0, count: 2 * vertices)
    }

    /// Adds 1 to `hits` of every inner vertex of a uniformly chosen shortest path from
    /// `source` to `target`; nothing when none joins them.
    mutating func sample(from source: Int, to target: Int, _ graph: SLineGraph, using generator: inout SeededGenerator,
                         hits: inout [Int]) {
        for v in seen {
            distance[Int(v)] = -1
            distance[n + Int(v)] = -1
        }
        seen.removeAll(keepingCapacity: true)
        meeting.removeAll(keepingCapacity: true)
        for (side, end) in [(0, source), (1, target)] {
            distance[side * n + end] = 0
            paths[side * n + end] = 1
            frontier[side].removeAll(keepingCapacity: true)
            frontier[side].append(Int32(truncatingIfNeeded: end))
            seen.append(Int32(truncatingIfNeeded: end))
        }
        var work = [graph.offsets[source + 1] - graph.offsets[source], graph.offsets[target + 1] - graph.offsets[target]]
        let n = self.n
        while meeting.isEmpty && !frontier[0].isEmpty && !frontier[1].isEmpty {
            let side = work[0] <= work[1] ? 0 : 1
            let (mine, theirs) = (side * n, (1 - side) * n)
            next.removeAll(keepingCapacity: true)
            var nextWork = 0
            let level = distance[mine + Int(frontier[side][0])] + 1
            distance.withUnsafeMutableBufferPointer { distance in
                paths.withUnsafeMutableBufferPointer { paths in
                    graph.offsets.withUnsafeBufferPointer { offsets in
                        graph.neighbors.withUnsafeBufferPointer { neighbors in
                            for u in frontier[side] {
                                let count = paths[mine + Int(u)]
                                for k in offsets[Int(u)]..<offsets[Int(u) + 1] {
                                    let w = Int(neighbors[k])
                                    let d = distance[mine + w]
                                    if d < 0 {
                                        distance[mine + w] = level
                                        paths[mine + w] = count
                                        next.append(Int32(truncatingIfNeeded: w))
                                        nextWork += offsets[w + 1] - offsets[w]
                                        if distance[theirs + w] >= 0 { meeting.append(Int32(truncatingIfNeeded: w)) } else { seen.append(Int32(truncatingIfNeeded: w)) }
                                    } else if d == level {
                                        paths[mine + w] += count
                                    }
                                }
                            }
                        }
                    }
                }
            }
            swap(&frontier[side], &next)
            work[side] = nextWork
        }
        guard !meeting.isEmpty else { return }
        // The meeting vertices were seen from both sides: `seen` holds them once already.
        var total = 0.0
        for w in meeting { total += paths[Int(w)] * paths[n + Int(w)] }
        var pick = Double.random(in: 0..<total, using: &generator)
        var middle = Int(meeting[meeting.count - 1])
        for w in meeting {
            pick -= paths[Int(w)] * paths[n + Int(w)]
            if pick < 0 {
                middle = Int(w)
                break
            }
        }
        if middle != source && middle != target { hits[middle] += 1 }
        for side in 0..<2 { walkBack(side * n, from: middle, graph, &generator, &hits) }
    }

    /// From `start` toward the end of the side at `base`, choosing each predecessor in
    /// proportion to its path count; adds a hit to each vertex passed before the end.
    private func walkBack(_ base: Int, from start: Int, _ graph: SLineGraph, _ generator: inout SeededGenerator, _ hits: inout [Int]) {
        var w = start
        while distance[base + w] > 1 {
            let level = distance[base + w] - 1
            let predecessors = graph.offsets[w]..<graph.offsets[w + 1]
            var total = 0.0
            for k in predecessors where distance[base + Int(graph.neighbors[k])] == level { total += paths[base + Int(graph.neighbors[k])] }
            var pick = Double.random(in: 0..<total, using: &generator)
            var chosen = -1
            for k in predecessors {
                let p = Int(graph.neighbors[k])
                guard distance[base + p] == level else { continue }
                chosen = p
                pick -= paths[base + p]
                if pick < 0 { break }
            }
            hits[chosen] += 1
            w = chosen
        }
    }
}

extension SLineGraph {
    /// An upper bound of the vertex diameter (the most vertices on a shortest path): for
    /// each component, one search from its first vertex; a shortest path there holds at
    /// most 2·eccentricity + 1 vertices, and never more than the component.
    func vertexDiameterBound() -> Int {
        var seen = [Bool](repeating: false, count: vertexCount)
        var search = BreadthFirstSearch(vertices: vertexCount)
        var bound = vertexCount > 0 ? 1 : 0
        for v in 0..<vertexCount where !seen[v] {
            search.run(from: v, self)
            for k in 0..<search.reached { seen[Int(search.order[k])] = true }
            let eccentricity = Int(search.distance[Int(search.order[search.reached - 1])])
            bound = Swift.max(bound, Swift.min(search.reached, 2 * eccentricity + 1))
        }
        return bound
    }

    /// The sample count of Riondato and Kornaropoulos for an additive error `epsilon` on
    /// betweenness normalised over ordered pairs: (c / ε²)(⌊log₂(VD − 2)⌋ + 1 + ln(1/δ))
    /// with VD the vertex diameter; none when no path has an inner vertex. c = 1, as
    /// networkit's `ApproxBetweenness`: the 0.5 some references suggest is an empirical
    /// estimate of the universal constant, not a proven one.
    static func pathSamples(vertexDiameter: Int, epsilon: Double, delta: Double) -> Int {
        guard vertexDiameter >= 3 else { return 0 }
        let bits = Double(Int(log2(Double(vertexDiameter - 2)).rounded(.down)))
        return Int((1 / (epsilon * epsilon) * (bits + 1 + log(1 / delta))).rounded(.up))
    }

    /// Betweenness estimated from sampled shortest paths, with KADABRA's adaptive
    /// stopping (Borassi and Natale 2016): with probability at least 1 − δ, every
    /// vertex's estimate of HyperNetX's normalised betweenness
    /// (`BetweennessEstimate.normalized`) is within ε of the exact value.
    ///
    /// At most ω samples are drawn, Riondato and Kornaropoulos's count for δ/2, which
    /// alone keeps the bound; a first 1/100 of ω (discarded afterwards) shares the other
    /// δ/2 among the vertices' lower and upper deviations (`AdaptiveStop`), and the
    /// sampling stops at the first round after which every vertex's confidence interval is
    /// within ε. Each sample has its own seeded stream and rounds have fixed sizes, so the
    /// stopping point and the estimates do not depend on the threads.
    public func approximateBetweenness(_ approximation: Approximation, context: ExecutionContext = .default) throws(HypergraphError) -> BetweennessEstimate {
        try approximation.validate()
        let n = vertexCount
        guard n > 2 else { return BetweennessEstimate(hits: [Int](repeating: 0, count: n), samples: 0) }
        // The bound is on betweenness over ordered pairs, b; HyperNetX's normalisation is
        // b · n / (n − 2), so the sampling error is scaled down by (n − 2) / n.
        let epsilon = approximation.epsilon * Double(n - 2) / Double(n)
        let omega = Self.pathSamples(vertexDiameter: vertexDiameterBound(), epsilon: epsilon, delta: approximation.delta / 2)
        guard omega > 0 else { return BetweennessEstimate(hits: [Int](repeating: 0, count: n), samples: 0) }
        var sampler = PathSampling(graph: self, approximation: approximation, threads: context.threads)
        // One display for the whole run, up to ω: the rounds' own loops report to nobody.
        var quiet = context
        quiet.progress = nil
        context.progress?.begin(total: omega)
        let first = Swift.max(1, omega / 100)
        let initial = try sampler.draw(stream: 3, 0..<first, context: quiet).map { Double($0) / Double(first) }
        let stop = AdaptiveStop(initial: initial, omega: Double(omega), epsilon: epsilon, delta: approximation.delta)
        sampler.reset()
        let round = Swift.max(256, omega / 64)
        var drawn = 0, hits = [Int]()
        while drawn < omega {
            let next = Swift.min(omega, drawn + round)
            hits = try sampler.draw(stream: 1, drawn..<next, context: quiet)
            context.progress?.advance(next - drawn)
            drawn = next
            if stop.satisfied(hits: hits, samples: drawn) { break }
        }
        return BetweennessEstimate(hits: hits, samples: drawn)
    }
}

/// Sampled shortest paths over the context's threads, hits kept per thread.
struct PathSampling {
    let graph: UncheckedSendable<SLineGraph>
    let approximation: Approximation
    let threads: Int
    private var scratch: WorkerScratch<(PathSampler, [Int])>

    init(graph: SLineGraph, approximation: Approximation, threads: Int) {
        self.graph = UncheckedSendable(graph)
        self.approximation = approximation
        self.threads = threads
        scratch = Self.scratch(graph.vertexCount, threads)
    }

    private static func scratch(_ n: Int, _ threads: Int) -> WorkerScratch<(PathSampler, [Int])> {
        WorkerScratch(threads: threads) { (PathSampler(vertices: n), [Int](repeating: 0, count: n)) }
    }

    /// Forgets the hits so far.
    mutating func reset() { scratch = Self.scratch(graph.value.vertexCount, threads) }

    /// Draws samples `range` of `stream` (each pair and path from its own generator) and
    /// returns the hits of every sample drawn since the last reset.
    func draw(stream: UInt64, _ range: Range<Int>, context: ExecutionContext) throws(HypergraphError) -> [Int] {
        let n = graph.value.vertexCount
        let (graph, approximation, scratch) = (graph, approximation, scratch)
        try context.forEachChunk(count: range.count, chunk: 64) { worker, chunk in
            scratch.with(worker) { state in
                for i in (range.lowerBound + chunk.lowerBound)..<(range.lowerBound + chunk.upperBound) {
                    var generator = approximation.generator(stream, i)
                    let source = Int.random(in: 0..<n, using: &generator)
                    var target = Int.random(in: 0..<(n - 1), using: &generator)
                    if target >= source { target += 1 }
                    state.0.sample(from: source, to: target, graph.value, using: &generator, hits: &state.1)
                }
            }
        }
        var hits = [Int](repeating: 0, count: n)
        for state in scratch.values {
            for v in 0..<n { hits[v] += state.1[v] }
        }
        return hits
    }
}

/// KADABRA's stopping rule. After τ of at most ω samples, with b̃ a vertex's share of
/// hits, its betweenness lies above b̃ − f and below b̃ + g except with probabilities δ_L
/// and δ_U, where, with L = ln(1/δ):
///
///     f = (L_L/τ)(1/3 − ω/τ + √((1/3 − ω/τ)² + 2b̃ω/L_L))
///     g = (L_U/τ)(1/3 + ω/τ + √((1/3 + ω/τ)² + 2b̃ω/L_U))
///
/// Any δ_L, δ_U fixed before the counted samples and summing to δ/2 keep the bound; they
/// are chosen from a first sample so that every vertex would reach f, g ≤ ε at about the
/// same τ: the least τ whose per-vertex δs (solving g = ε, f = ε for L) sum to δ/2.
struct AdaptiveStop {
    let omega: Double, epsilon: Double
    private(set) var lowerLog: [Double], upperLog: [Double]
    /// The largest L given (δ about 10⁻¹⁷): a deviation that no τ would need.
    static let cap = 40.0

    init(initial: [Double], omega: Double, epsilon: Double, delta: Double) {
        (self.omega, self.epsilon) = (omega, epsilon)
        func logs(_ tau: Double) -> ([Double], [Double]) {
            (initial.map { Self.log($0, tau, omega, epsilon, lower: true) }, initial.map { Self.log($0, tau, omega, epsilon, lower: false) })
        }
        func total(_ l: ([Double], [Double])) -> Double { l.0.reduce(0) { $0 + exp(-$1) } + l.1.reduce(0) { $0 + exp(-$1) } }
        var (low, high) = (1.0, omega)
        while high - low > Swift.max(1, omega / 1000) {
            let middle = (low + high) / 2
            if total(logs(middle)) <= delta / 2 { high = middle } else { low = middle }
        }
        var chosen = logs(high)
        // Scale every δ down so that they sum to at most δ/2.
        let sum = total(chosen)
        if sum > delta / 2 {
            let shift = Foundation.log(2 * sum / delta)
            chosen = (chosen.0.map { $0 + shift }, chosen.1.map { $0 + shift })
        }
        (lowerLog, upperLog) = chosen
    }

    /// The L that makes the deviation bound of a vertex with share `b` exactly ε at τ
    /// (solving the formula above for L), capped.
    static func log(_ b: Double, _ tau: Double, _ omega: Double, _ epsilon: Double, lower: Bool) -> Double {
        let a = 1.0 / 3 + (lower ? -omega / tau : omega / tau)
        let denominator = 2 * (b * omega + a * epsilon * tau)
        guard denominator > 0 else { return cap }
        return Swift.min(cap, epsilon * epsilon * tau * tau / denominator)
    }

    static func deviation(_ b: Double, _ l: Double, _ omega: Double, _ tau: Double, lower: Bool) -> Double {
        let a = 1.0 / 3 + (lower ? -omega / tau : omega / tau)
        return l / tau * (a + (a * a + 2 * b * omega / l).squareRoot())
    }

    /// Whether every vertex's interval is within ε after `samples` samples with `hits`.
    func satisfied(hits: [Int], samples: Int) -> Bool {
        let tau = Double(samples)
        for v in hits.indices {
            let b = Double(hits[v]) / tau
            if Self.deviation(b, upperLog[v], omega, tau, lower: false) > epsilon { return false }
            if Self.deviation(b, lowerLog[v], omega, tau, lower: true) > epsilon { return false }
        }
        return true
    }
}

/// Closeness and harmonic centrality estimated from sampled sources (Eppstein and Wang):
/// within each s-component of size c, k = ⌈ln(4n/δ) / (2(ε(c − 1)/c)²)⌉ sources drawn
/// uniformly with replacement (every member when k ≥ c), whose distances to each member,
/// scaled by c / k, estimate its sums. By Hoeffding's bound (two-sided) and a union over
/// the 2n events (two sums per vertex), with probability at least 1 − δ every vertex v of
/// a component of size c and diameter D has, both at once,
/// - harmonic within ε·(c − 1) of the exact sum of reciprocal distances,
/// - 1 / closeness (its mean distance to the other members) within ε·D of the exact one.
public struct ReachEstimate: Sendable, Hashable {
    /// Each vertex's component size.
    public var componentSize: [Int]
    /// Each vertex's estimated sum of distances to its component's members.
    public var distanceSum: [Double]
    /// Each vertex's estimated sum of reciprocal distances.
    public var reciprocalSum: [Double]
    /// Searches run: the sampled sources, and every member of components small enough to
    /// take whole.
    public var searches: Int

    /// s-closeness, (c − 1) / (estimated distance sum), the mean distance kept at least 1.
    public var closeness: [Double] {
        zip(componentSize, distanceSum).map { c, sum in
            c > 1 ? 1 / Swift.max(1, sum / Double(c - 1)) : 0
        }
    }

    /// s-harmonic centrality, kept within 0 ... c − 1.
    public var harmonic: [Double] {
        zip(componentSize, reciprocalSum).map { c, sum in Swift.min(Double(Swift.max(c - 1, 0)), sum) }
    }
}

extension ReachEstimate {
    /// The sources of every component (`components`: each vertex's component number, in
    /// 0 ..< `sizes.count`) with their weights c / k.
    static func sources(components: [Int32], sizes: [Int], _ approximation: Approximation) -> [(source: Int32, weight: Double)] {
        let n = Double(components.count)
        var members = [[Int32]](repeating: [], count: sizes.count)
        for (v, c) in components.enumerated() where sizes[Int(c)] > 1 { members[Int(c)].append(Int32(truncatingIfNeeded: v)) }
        var out = [(source: Int32, weight: Double)]()
        for (c, list) in members.enumerated() where !list.isEmpty {
            let size = Double(list.count)
            let t = approximation.epsilon * (size - 1) / size
            let k = (log(4 * n / approximation.delta) / (2 * t * t)).rounded(.up)
            if k >= size {
                out += list.map { ($0, 1) }
            } else {
                var generator = approximation.generator(2, c)
                let weight = size / k
                for _ in 0..<Int(k) { out.append((list[Int.random(in: 0..<list.count, using: &generator)], weight)) }
            }
        }
        return out
    }

    /// Runs `search` (a breadth-first search over the s-line graph) from every sampled
    /// source and adds up the estimates. Blocks of sources are fixed by the sample, and
    /// each block's sums are added exactly, so any split gives the same bits.
    static func estimating(vertices n: Int, _ approximation: Approximation, context: ExecutionContext,
                           _ search: @escaping @Sendable (inout BreadthFirstSearch, Int) -> Void) throws(HypergraphError) -> ReachEstimate {
        try approximation.validate()
        // Components: one search from each vertex not yet met.
        var component = [Int32](repeating: -1, count: n)
        var sizes = [Int]()
        var labelling = BreadthFirstSearch(vertices: n)
        for v in 0..<n where component[v] < 0 {
            search(&labelling, v)
            for k in 0..<labelling.reached { component[Int(labelling.order[k])] = Int32(sizes.count) }
            sizes.append(labelling.reached)
        }
        let sources = UncheckedSendable(Self.sources(components: component, sizes: sizes, approximation))
        struct Sums {
            var search: BreadthFirstSearch
            var block: [(Double, Double)]
            var touched: [Int32] = []
            var totals: [(ExactSum, ExactSum)]
        }
        let block = 16
        let scratch = WorkerScratch(threads: context.threads) {
            Sums(search: BreadthFirstSearch(vertices: n), block: [(Double, Double)](repeating: (0, 0), count: n),
                 totals: [(ExactSum, ExactSum)](repeating: (ExactSum(), ExactSum()), count: n))
        }
        let count = sources.value.count
        try context.forEachChunk(count: (count + block - 1) / block, chunk: 1) { worker, range in
            scratch.with(worker) { sums in
                for b in range {
                    for i in (b * block)..<Swift.min(count, (b + 1) * block) {
                        let (source, weight) = sources.value[i]
                        search(&sums.search, Int(source))
                        for k in 1..<sums.search.reached {
                            let w = Int(sums.search.order[k])
                            let d = Double(sums.search.distance[w])
                            if sums.block[w] == (0, 0) { sums.touched.append(Int32(truncatingIfNeeded: w)) }
                            sums.block[w].0 += weight * d
                            sums.block[w].1 += weight / d
                        }
                    }
                    for w in sums.touched {
                        sums.totals[Int(w)].0.add(sums.block[Int(w)].0)
                        sums.totals[Int(w)].1.add(sums.block[Int(w)].1)
                        sums.block[Int(w)] = (0, 0)
                    }
                    sums.touched.removeAll(keepingCapacity: true)
                }
            }
        }
        var distance = [ExactSum](repeating: ExactSum(), count: n), reciprocal = distance
        for sums in scratch.values {
            for v in 0..<n {
                distance[v].add(sums.totals[v].0)
                reciprocal[v].add(sums.totals[v].1)
            }
        }
        return ReachEstimate(componentSize: component.map { sizes[Int($0)] }, distanceSum: distance.map(\.value),
                             reciprocalSum: reciprocal.map(\.value), searches: count)
    }
}

extension Hypergraph {
    /// s-betweenness of every edge (or node) estimated from sampled shortest paths over
    /// the s-line graph: with probability at least 1 − δ every normalised estimate is
    /// within ε of HyperNetX's normalised value (`SLineGraph.approximateBetweenness`).
    public func sApproximateBetweenness(s: Int = 1, edges: Bool = true, _ approximation: Approximation,
                                        context: ExecutionContext = .default) throws(HypergraphError) -> BetweennessEstimate {
        try approximation.validate()
        return try sLineGraph(s: s, edges: edges, context: context).approximateBetweenness(approximation, context: context)
    }

    /// s-closeness and s-harmonic centrality estimated from sampled sources
    /// (`ReachEstimate` states the bounds). At s = 1 the searches walk the incidences, as
    /// the exact measures do; at s > 1 the s-line graph is built once.
    public func sApproximateReach(s: Int = 1, edges: Bool = true, _ approximation: Approximation,
                                  context: ExecutionContext = .default) throws(HypergraphError) -> ReachEstimate {
        try HypergraphError.validate(s: s)
        try approximation.validate()
        let count = edges ? edgeCount : nodeCount
        guard s == 1 else {
            let graph = UncheckedSendable(try sLineGraph(s: s, edges: edges, context: context))
            return try ReachEstimate.estimating(vertices: count, approximation, context: context) { $0.run(from: $1, graph.value) }
        }
        let (rows, back) = edges ? (edgeMembers, nodeMemberships) : (nodeMemberships, edgeMembers)
        return try ReachEstimate.estimating(vertices: count, approximation, context: context) { $0.run(from: $1, rows: rows, back: back) }
    }
}
