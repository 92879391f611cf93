import AnantColumnar

/// The s-line graph of a hypergraph (HyperNetX `get_linegraph(s, edges)`): every edge (or
/// node) is a vertex, whether or not it has an s-neighbour, and two vertices are adjacent
/// when they share at least `s` nodes (or edges).
///
/// Vertices are the hypergraph's dense edge (or node) indices. The adjacency is symmetric
/// with ascending rows and no self-loops; `overlaps` holds, entry for entry, how many
/// nodes (or edges) the two vertices share.
public struct SLineGraph: Sendable, Hashable {
    /// The overlap threshold.
    public let s: Int
    /// True when the vertices are the hypergraph's edges, false when its nodes.
    public let ofEdges: Bool
    /// Row v: the s-neighbours of v, ascending.
    public let adjacency: CSR
    /// The overlap of every adjacency entry (parallel to `adjacency.members`).
    public let overlaps: [Int32]

    /// The number of vertices (all edges, or all nodes, of the hypergraph).
    public var vertexCount: Int { adjacency.rowCount }

    /// The number of s-adjacent pairs (undirected edges of the line graph).
    public var pairCount: Int { adjacency.memberCount / 2 }

    /// Calls `body(a, b, overlap)` for every adjacent pair once, a < b, in order.
    public func forEachPair(_ body: (Int, Int, Int) -> Void) {
        for a in 0..<vertexCount {
            for k in adjacency.offsets[a]..<adjacency.offsets[a + 1] where Int(adjacency.members[k]) > a {
                body(a, Int(adjacency.members[k]), Int(overlaps[k]))
            }
        }
    }
}

extension Hypergraph {
    /// The s-line graph of edges (`edges: true`) or of nodes, by sparse overlap counting on
    /// every core: each vertex counts its overlaps with the vertices above it through the
    /// incidence CSRs (never by pairwise set intersection), then two linear transposes sort
    /// and mirror the pairs.
    ///
    /// - Precondition: `s >= 1`.
    public func sLineGraph(s: Int = 1, edges: Bool = true) -> SLineGraph {
        precondition(s >= 1, "s must be at least 1")
        let (rows, back) = edges ? (edgeMembers, nodeMemberships) : (nodeMemberships, edgeMembers)
        let n = rows.rowCount
        // Pairs (a, b), a < b, with their overlaps; each row in discovery order.
        let upper = UpperPairs.count(rows: rows, back: back, s: s)
        // The transpose lists, for every b, the a < b adjacent to it, ascending; its
        // transpose lists, for every a, the b > a, ascending.
        let (lower, lowerSlots) = upper.csr.transposed(columns: n)
        let (higher, higherSlots) = lower.transposed(columns: n)
        var offsets = [Int](largeCount: n + 1) { $0[0] = 0 }
        for v in 0..<n { offsets[v + 1] = offsets[v] + lower.count(v) + higher.count(v) }
        let total = offsets[n]
        var overlaps = [Int32](largeCount: total) { _ in }
        let members = [Int32](largeCount: total) { out in
            overlaps.withUnsafeMutableBufferPointer { overlapOut in
                let target = SharedBuffer(out), overlapTarget = SharedBuffer(overlapOut)
                let (lower, higher, lowerSlots, higherSlots, upperOverlaps, starts) =
                    (UncheckedSendable(lower), UncheckedSendable(higher), UncheckedSendable(lowerSlots),
                     UncheckedSendable(higherSlots), UncheckedSendable(upper.overlaps), UncheckedSendable(offsets))
                Parallel.forEachChunk(count: n, chunk: 4096) { _, range in
                    for v in range {
                        var position = starts.value[v]
                        for k in lower.value.offsets[v]..<lower.value.offsets[v + 1] {
                            target[position] = lower.value.members[k]
                            overlapTarget[position] = upperOverlaps.value[lowerSlots.value[k]]
                            position += 1
                        }
                        for k in higher.value.offsets[v]..<higher.value.offsets[v + 1] {
                            target[position] = higher.value.members[k]
                            overlapTarget[position] = upperOverlaps.value[lowerSlots.value[higherSlots.value[k]]]
                            position += 1
                        }
                    }
                }
            }
        }
        return SLineGraph(s: s, ofEdges: edges, adjacency: CSR(offsets: offsets, members: members), overlaps: overlaps)
    }
}

/// The upper triangle of an s-line graph: for every vertex a, the vertices b > a sharing at
/// least `s` intermediaries with it, and those counts. Rows are in discovery order.
struct UpperPairs {
    var csr: CSR
    var overlaps: [Int32]

    /// Counts on every core; vertices are handed out in chunks, each worker reusing one
    /// `OverlapCounter`.
    static func count(rows: CSR, back: CSR, s: Int) -> UpperPairs {
        let n = rows.rowCount
        let chunk = Swift.max(64, n / (Parallel.processorCount * 16))
        let chunks = (n + chunk - 1) / chunk
        var found = [(members: [Int32], overlaps: [Int32], counts: [Int32])?](repeating: nil, count: chunks)
        found.withUnsafeMutableBufferPointer { slots in
            let out = SharedBuffer(slots)
            let counters = WorkerScratch { OverlapCounter(elements: n) }
            let (rows, back) = (UncheckedSendable(rows), UncheckedSendable(back))
            Parallel.forEachChunk(count: n, chunk: chunk) { worker, range in
                var members = [Int32](), overlaps = [Int32](), counts = [Int32](repeating: 0, count: range.count)
                counters.with(worker) { counter in
                    for a in range where rows.value.count(a) >= s {
                        let before = members.count
                        counter.forEachNeighbor(of: a, s: s, through: rows.value, back: back.value, onlyGreater: true) { b, overlap in
                            members.append(Int32(truncatingIfNeeded: b))
                            overlaps.append(Int32(truncatingIfNeeded: overlap))
                        }
                        counts[a - range.lowerBound] = Int32(truncatingIfNeeded: members.count - before)
                    }
                }
                out[range.lowerBound / chunk] = (members, overlaps, counts)
            }
        }
        var offsets = [Int](largeCount: n + 1) { $0[0] = 0 }
        var members = [Int32](), overlaps = [Int32]()
        let total = found.reduce(0) { $0 + ($1?.members.count ?? 0) }
        members.reserveCapacity(total)
        overlaps.reserveCapacity(total)
        for c in 0..<chunks {
            guard let part = found[c] else { continue }
            let first = c * chunk
            for (k, count) in part.counts.enumerated() { offsets[first + k + 1] = offsets[first + k] + Int(count) }
            members.append(contentsOf: part.members)
            overlaps.append(contentsOf: part.overlaps)
        }
        return UpperPairs(csr: CSR(offsets: offsets, members: members), overlaps: overlaps)
    }
}

/// One value of scratch state per worker of `Parallel.forEachChunk`, created on first use
/// by that worker (each worker touches only its own slot).
final class WorkerScratch<Value>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Value?>
    private let count: Int
    private let make: () -> Value

    init(_ make: @escaping () -> Value) {
        self.make = make
        count = Parallel.processorCount
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
