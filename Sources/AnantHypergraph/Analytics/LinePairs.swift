import AnantColumnar

/// The s-adjacent pairs found from a range of source vertices: every pair (a, b) with a in
/// the range and b > a, a ascending, then b ascending, with the overlap. Ranges in order
/// concatenate to the pairs of the whole s-line graph (`SLineGraph.forEachPair`'s order).
public struct LinePairs: Sendable, Hashable {
    public var sources: [Int32] = []
    public var targets: [Int32] = []
    public var overlaps: [Int32] = []

    public init() {}

    /// The number of pairs.
    public var count: Int { sources.count }

    /// Appends the pairs of the next range.
    public mutating func append(_ other: LinePairs) {
        sources += other.sources
        targets += other.targets
        overlaps += other.overlaps
    }
}

extension Hypergraph {
    /// The s-adjacent pairs (a, b), a in `sources`, b > a, by overlap counting on the
    /// context's threads (rows are independent; chunks' rows are joined in order).
    /// `gathered`: the caller gathers every range's pairs, so that the memory budget
    /// applies to the whole graph; false when each range's pairs go on before the next
    /// (a streamed write), so that it applies to this range's.
    ///
    /// - Throws: `invalidArgument` for s < 1; `interrupted` when the context stops the work.
    public func sLinePairs(s: Int, edges: Bool, sources: Range<Int>, gathered: Bool = true,
                           context: ExecutionContext = .default) throws(HypergraphError) -> LinePairs {
        try HypergraphError.validate(s: s)
        let (rows, back) = edges ? (edgeMembers, nodeMemberships) : (nodeMemberships, edgeMembers)
        let range = sources.clamped(to: 0..<rows.rowCount)
        // Gathered, the whole graph is what must fit: each pair once (half the entries), as
        // source, target and overlap here and again as the result table's id and overlap
        // columns.
        try checkLineGraphBudget(s: s, edges: edges, sources: gathered ? 0..<rows.rowCount : range, bytesPerEntry: 24, context: context)
        let chunk = Swift.max(64, range.count / (context.threads * 16))
        let chunks = (range.count + chunk - 1) / chunk
        var found = [LinePairs?](repeating: nil, count: chunks)
        try found.withUnsafeMutableBufferPointer { slots throws(HypergraphError) in
            let out = SharedBuffer(slots)
            let counters = WorkerScratch(threads: context.threads) { OverlapCounter(elements: rows.rowCount) }
            let (rows, back) = (UncheckedSendable(rows), UncheckedSendable(back))
            let first = range.lowerBound
            try context.forEachChunk(count: range.count, chunk: chunk) { worker, local in
                var pairs = LinePairs(), row = [(Int32, Int32)]()
                counters.with(worker) { counter in
                    for a in (local.lowerBound + first)..<(local.upperBound + first) where rows.value.count(a) >= s {
                        row.removeAll(keepingCapacity: true)
                        counter.forEachNeighbor(of: a, s: s, through: rows.value, back: back.value, onlyGreater: true) { b, overlap in
                            row.append((Int32(truncatingIfNeeded: b), Int32(truncatingIfNeeded: overlap)))
                        }
                        row.sort { $0.0 < $1.0 }
                        for (b, overlap) in row {
                            pairs.sources.append(Int32(truncatingIfNeeded: a))
                            pairs.targets.append(b)
                            pairs.overlaps.append(overlap)
                        }
                    }
                }
                out[local.lowerBound / chunk] = pairs
            }
        }
        var all = LinePairs()
        for part in found { if let part { all.append(part) } }
        return all
    }
}
