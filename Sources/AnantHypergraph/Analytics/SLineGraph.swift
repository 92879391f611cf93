import AnantColumnar

/// The s-line graph of a hypergraph (HyperNetX `get_linegraph(s, edges)`): every edge (or
/// node) is a vertex, whether or not it has an s-neighbour, and two vertices are adjacent
/// when they share at least `s` nodes (or edges).
///
/// Vertices are the hypergraph's dense edge (or node) indices. The adjacency is symmetric
/// without self-loops: vertex v's neighbours are `neighbors[offsets[v] ..< offsets[v + 1]]`
/// in the order the overlap count found them (deterministic, not sorted: sorting would cost
/// more than building); `overlaps` holds, entry for entry, how many nodes (or edges) the
/// two vertices share.
public struct SLineGraph: Sendable, Hashable {
    /// The overlap threshold.
    public let s: Int
    /// True when the vertices are the hypergraph's edges, false when its nodes.
    public let ofEdges: Bool
    /// Where each vertex's neighbours start in `neighbors`, then their total.
    public let offsets: [Int]
    /// The neighbours of every vertex, back to back.
    public let neighbors: [Int32]
    /// The overlap of every entry of `neighbors`.
    public let overlaps: [Int32]

    /// The number of vertices (all edges, or all nodes, of the hypergraph).
    public var vertexCount: Int { offsets.count - 1 }

    /// The number of s-adjacent pairs (undirected edges of the line graph).
    public var pairCount: Int { neighbors.count / 2 }

    /// The neighbours of vertex `v`.
    public func neighbors(of v: Int) -> ArraySlice<Int32> { neighbors[offsets[v]..<offsets[v + 1]] }

    /// Calls `body(a, b, overlap)` for every adjacent pair once, with a < b: a ascending,
    /// then b ascending.
    public func forEachPair(_ body: (Int, Int, Int) -> Void) {
        var row = [(Int32, Int32)]()
        for a in 0..<vertexCount {
            row.removeAll(keepingCapacity: true)
            for k in offsets[a]..<offsets[a + 1] where Int(neighbors[k]) > a { row.append((neighbors[k], overlaps[k])) }
            row.sort { $0.0 < $1.0 }
            for (b, overlap) in row { body(a, Int(b), Int(overlap)) }
        }
    }
}

extension Hypergraph {
    /// The s-line graph of edges (`edges: true`) or of nodes, by sparse overlap counting on
    /// every core: each vertex counts its overlaps with every other through the incidence
    /// CSRs (never by pairwise set intersection); rows are independent, so vertices are
    /// handed out in chunks and the chunks' rows joined.
    ///
    /// - Parameters:
    ///   - s: the overlap threshold, at least 1.
    ///   - edges: true for the line graph of edges, false for that of nodes.
    ///   - context: the threads to use, and when to stop.
    /// - Throws: `invalidArgument` for s < 1; `interrupted` when the context stops the work.
    public func sLineGraph(s: Int = 1, edges: Bool = true, context: ExecutionContext = .default) throws(HypergraphError) -> SLineGraph {
        try HypergraphError.validate(s: s)
        let (rows, back) = edges ? (edgeMembers, nodeMemberships) : (nodeMemberships, edgeMembers)
        let n = rows.rowCount
        try checkLineGraphBudget(s: s, edges: edges, sources: 0..<n, bytesPerEntry: SLineGraph.bytesPerEntry, context: context)
        let chunk = Swift.max(64, n / (context.threads * 16))
        let chunks = (n + chunk - 1) / chunk
        var found = [(neighbors: [Int32], overlaps: [Int32], counts: [Int32])?](repeating: nil, count: chunks)
        try found.withUnsafeMutableBufferPointer { slots throws(HypergraphError) in
            let out = SharedBuffer(slots)
            let counters = WorkerScratch(threads: context.threads) { OverlapCounter(elements: n) }
            let (rows, back) = (UncheckedSendable(rows), UncheckedSendable(back))
            try context.forEachChunk(count: n, chunk: chunk) { worker, range in
                var neighbors = [Int32](), overlaps = [Int32](), counts = [Int32](repeating: 0, count: range.count)
                counters.with(worker) { counter in
                    for a in range where rows.value.count(a) >= s {
                        let before = neighbors.count
                        counter.forEachNeighbor(of: a, s: s, through: rows.value, back: back.value, onlyGreater: false) { b, overlap in
                            neighbors.append(Int32(truncatingIfNeeded: b))
                            overlaps.append(Int32(truncatingIfNeeded: overlap))
                        }
                        counts[a - range.lowerBound] = Int32(truncatingIfNeeded: neighbors.count - before)
                    }
                }
                out[range.lowerBound / chunk] = (neighbors, overlaps, counts)
            }
        }
        var offsets = [Int](largeCount: n + 1) { $0[0] = 0 }
        var starts = [Int](repeating: 0, count: chunks + 1)
        for c in 0..<chunks {
            let first = c * chunk
            for (k, count) in (found[c]?.counts ?? []).enumerated() { offsets[first + k + 1] = offsets[first + k] + Int(count) }
            starts[c + 1] = starts[c] + (found[c]?.neighbors.count ?? 0)
        }
        // Join the chunks' rows on every core.
        let parts = UncheckedSendable(found), chunkStarts = starts
        var overlaps = [Int32](largeCount: starts[chunks]) { _ in }
        let neighbors = [Int32](largeCount: starts[chunks]) { target in
            overlaps.withUnsafeMutableBufferPointer { overlapTarget in
                let (t, o) = (SharedBuffer(target), SharedBuffer(overlapTarget))
                context.run(tasks: chunks) { c in
                    guard let part = parts.value[c], !part.neighbors.isEmpty else { return }
                    part.neighbors.withUnsafeBufferPointer { (t.base + chunkStarts[c]).update(from: $0.baseAddress!, count: $0.count) }
                    part.overlaps.withUnsafeBufferPointer { (o.base + chunkStarts[c]).update(from: $0.baseAddress!, count: $0.count) }
                }
            }
        }
        return SLineGraph(s: s, ofEdges: edges, offsets: offsets, neighbors: neighbors, overlaps: overlaps)
    }
}

extension SLineGraph {
    /// Bytes an s-line graph holds per neighbour entry (two per pair) at the peak of its
    /// build: the neighbour and its overlap, in the chunks and again in the joined arrays.
    public static let bytesPerEntry = 16
}

extension Hypergraph {
    /// An upper bound on the neighbour entries (two per pair) of the s-line graph of edges
    /// (or nodes) from `sources`, from the degree distribution alone: a vertex's candidates
    /// are the other vertices of its elements, and a neighbour at overlap ≥ s is met at least
    /// s times; never more than n − 1 per source.
    public func sLineEntryBound(s: Int, edges: Bool, sources: Range<Int>) -> Int {
        let (rows, back) = edges ? (edgeMembers, nodeMemberships) : (nodeMemberships, edgeMembers)
        let n = rows.rowCount
        var total = 0
        for a in sources.clamped(to: 0..<n) where rows.count(a) >= s {
            var candidates = 0
            for x in rows[a] { candidates += back.count(Int(x)) - 1 }
            total += Swift.min(candidates / s, n - 1)
        }
        return total
    }

    /// Refuses, before any work, an s-line graph (or a part of one) whose estimated size is
    /// over the context's memory budget, with the numbers and the ways through.
    func checkLineGraphBudget(s: Int, edges: Bool, sources: Range<Int>, bytesPerEntry: Int,
                              context: ExecutionContext) throws(HypergraphError) {
        guard let budget = context.memoryBudget else { return }
        let entries = sLineEntryBound(s: s, edges: edges, sources: sources)
        let bytes = entries * bytesPerEntry + (edges ? edgeCount : nodeCount) * 16
        guard bytes > budget else { return }
        let kind = edges ? "edge" : "node"
        func mb(_ b: Int) -> String { String(b >> 20) + " MiB" }
        let next = sLineEntryBound(s: s + 1, edges: edges, sources: sources)
        var ways = ["raise --memory-budget (MiB) if the machine has the memory", "take --s \(s + 1) (up to \(next / 2) pairs, \(mb(next * bytesPerEntry)))"]
        if s == 1 { ways.append("closeness, harmonic, eccentricity, diameters, distances and components at s=1 need no line graph") }
        throw HypergraphError(.tooLarge, "the s=\(s) line graph of \(kind)s may hold up to \(entries / 2) pairs, about \(mb(bytes)) "
                              + "(estimated from the degree distribution), over the memory budget of \(mb(budget)); " + ways.joined(separator: "; "))
    }
}

/// One value of scratch state per worker of `ExecutionContext.forEachChunk` (as many as the
/// context's threads), created on first use by that worker (each worker touches only its
/// own slot).
final class WorkerScratch<Value>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Value?>
    private let count: Int
    private let make: () -> Value

    init(threads: Int, _ make: @escaping () -> Value) {
        self.make = make
        count = Swift.max(1, threads)
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    func with<R>(_ worker: Int, _ body: (inout Value) -> R) -> R {
        if slots[worker] == nil { slots[worker] = make() }
        return body(&slots[worker]!)
    }

    /// The values made so far.
    var values: [Value] { (0..<count).compactMap { slots[$0] } }
}
