import AnantColumnar

/// The fast path of `HypergraphBuilder` for the most common layout: integer edge and node
/// ids in a compact range, rows sorted by (edge, node) without repeats (as files written
/// sorted by edge are), no element tables.
///
/// Four parallel passes over the rows, where the general path makes ten: (1) check the
/// order, count the edges and find the node id range; (2) record the edges and mark the
/// node ids in a bitmap, counting rows per bucket of node ids; (3) turn every node id
/// into its rank (its dense index) and drop (node, edge) pairs into their bucket; (4)
/// finish the node → edges CSR bucket by bucket in cache (`ColumnBuckets`). Returns nil
/// when the input does not qualify, and the general path takes over.
enum SortedIntegerBuild {
    struct Result {
        var nodes: IDDictionary
        var edges: IDDictionary
        var edgeMembers: CSR
        var nodeMemberships: CSR
    }

    /// What pass 1 learns from one slice of rows.
    private struct SliceSummary {
        var edgeStarts = 0
        var disorder = 0
        var low = Int64.max
        var high = Int64.min
    }

    static func build(edges: [Int64], nodes: [Int64]) -> Result? {
        let n = edges.count
        guard n > 0, n == nodes.count else { return nil }
        let tasks = Parallel.tasks(for: n)
        let summaries = summarize(edges: edges, nodes: nodes, tasks: tasks)
        guard summaries.allSatisfy({ $0.disorder == 0 }) else { return nil }
        let low = summaries.map(\.low).min()!, high = summaries.map(\.high).max()!
        let span = UInt64(bitPattern: high &- low)
        guard span < UInt64(Swift.max(2 * n, 1 << 16)) && span < (1 << 31) else { return nil }
        return assemble(edges: edges, nodes: nodes, tasks: tasks, summaries: summaries, low: low, span: Int(span) + 1)
    }

    /// Pass 1: per slice, the edge starts, any disorder (an edge id or, within an edge, a
    /// node id not above the one before), and the node id range.
    private static func summarize(edges: [Int64], nodes: [Int64], tasks: Int) -> [SliceSummary] {
        var summaries = [SliceSummary](repeating: SliceSummary(), count: tasks)
        edges.withUnsafeBufferPointer { edgesBuffer in
            nodes.withUnsafeBufferPointer { nodesBuffer in
                summaries.withUnsafeMutableBufferPointer { summaryBuffer in
                    let e = SharedBuffer(edgesBuffer), v = SharedBuffer(nodesBuffer), out = SharedBuffer(summaryBuffer)
                    Parallel.run(tasks: tasks) { t in
                        let (e, v) = (e, v)
                        let slice = Parallel.slice(t, of: tasks, count: e.count)
                        var summary = SliceSummary()
                        guard !slice.isEmpty else {
                            out[t] = summary
                            return
                        }
                        // Branch-free: edge starts come every few rows, too irregularly to predict.
                        var starts = slice.lowerBound == 0 ? 1 : 0, disorder = 0
                        var low = v[slice.lowerBound], high = low
                        for k in Swift.max(slice.lowerBound, 1)..<slice.upperBound {
                            let node = v[k]
                            low = Swift.min(low, node)
                            high = Swift.max(high, node)
                            let previous = e[k &- 1], current = e[k]
                            let sameEdge = previous == current ? 1 : 0
                            starts &+= 1 &- sameEdge
                            disorder |= (previous > current ? 1 : 0) | (sameEdge & (v[k &- 1] >= node ? 1 : 0))
                        }
                        summary.edgeStarts = starts
                        summary.disorder = disorder
                        summary.low = low
                        summary.high = high
                        out[t] = summary
                    }
                }
            }
        }
        return summaries
    }

    private static func assemble(edges: [Int64], nodes: [Int64], tasks: Int, summaries: [SliceSummary],
                                 low: Int64, span: Int) -> Result {
        let n = edges.count
        let edgeCount = summaries.reduce(0) { $0 + $1.edgeStarts }
        var running = 0
        let firstEdge = summaries.map { summary -> Int in
            defer { running += summary.edgeStarts }
            return running
        }
        // Buckets of 2^shift consecutive node ids (at least one bitmap word) hold contiguous dense indices.
        var bits = 6
        while (span >> bits) > 256 && bits < 14 { bits += 1 }
        let shift = bits
        let bucketCount = (span >> shift) + 1
        let wordCount = (span + 63) >> 6
        // One spare slot per task after the real ones (see pass 2), dropped afterwards.
        var distinctEdges = [Int64](largeCount: edgeCount + tasks) { _ in }
        var edgeOffsets = [Int](largeCount: edgeCount + 1 + tasks) { $0[edgeCount] = n }
        var words = [UInt64](repeating: 0, count: tasks * wordCount)
        var cursor = [Int](repeating: 0, count: tasks * bucketCount)
        // Pass 2: edges and their offsets; node ids marked (each task in its own bitmap); rows per bucket.
        edges.withUnsafeBufferPointer { edgesBuffer in
            nodes.withUnsafeBufferPointer { nodesBuffer in
                distinctEdges.withUnsafeMutableBufferPointer { distinctBuffer in
                    edgeOffsets.withUnsafeMutableBufferPointer { offsetsBuffer in
                        words.withUnsafeMutableBufferPointer { wordsBuffer in
                            cursor.withUnsafeMutableBufferPointer { cursorBuffer in
                                let e = SharedBuffer(edgesBuffer), v = SharedBuffer(nodesBuffer)
                                let d = SharedBuffer(distinctBuffer), o = SharedBuffer(offsetsBuffer)
                                let w = SharedBuffer(wordsBuffer), c = SharedBuffer(cursorBuffer)
                                Parallel.run(tasks: tasks) { t in
                                    let (e, v, d, o, low, shift) = (e, v, d, o, low, shift)
                                    let bitmap = w.base + t * wordCount, counts = c.base + t * bucketCount
                                    var next = firstEdge[t]
                                    let slice = Parallel.slice(t, of: tasks, count: e.count)
                                    for k in slice {
                                        let i = Int(v[k] &- low)
                                        bitmap[i &>> 6] |= 1 &<< UInt64(i & 63)
                                        counts[i &>> shift] &+= 1
                                    }
                                    // Branch-free: every row is written to the next start's slot and
                                    // kept only when it is a start; once the slice's starts are all
                                    // written, the writes go to this task's spare slot instead.
                                    let limit = t + 1 < tasks ? firstEdge[t + 1] : edgeCount
                                    let spareEdge = edgeCount + t, spareOffset = edgeCount + 1 + t
                                    for k in slice {
                                        let start = k == 0 || e[k &- 1] != e[k]
                                        let room = next < limit
                                        d[room ? next : spareEdge] = e[k]
                                        o[room ? next : spareOffset] = k
                                        next &+= start ? 1 : 0
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        distinctEdges.removeLast(tasks)
        edgeOffsets.removeLast(tasks)
        // Merge the bitmaps; rank every word; list the distinct node ids.
        words.withUnsafeMutableBufferPointer { wordsBuffer in
            let w = SharedBuffer(wordsBuffer)
            if tasks > 1 {
                Parallel.run(tasks: tasks) { part in
                    for i in Parallel.slice(part, of: tasks, count: wordCount) {
                        var word = w[i]
                        for t in 1..<tasks { word |= w[t * wordCount + i] }
                        w[i] = word
                    }
                }
            }
        }
        var before = [Int32](repeating: 0, count: wordCount + 1)
        var nodeCount: Int32 = 0
        for i in 0..<wordCount {
            before[i] = nodeCount
            nodeCount &+= Int32(truncatingIfNeeded: words[i].nonzeroBitCount)
        }
        before[wordCount] = nodeCount
        let distinctNodes = [Int64](largeCount: Int(nodeCount)) { out in
            var next = 0
            for i in 0..<wordCount {
                var word = words[i]
                while word != 0 {
                    out[next] = low &+ Int64(i &<< 6 &+ word.trailingZeroBitCount)
                    next &+= 1
                    word &= word &- 1
                }
            }
        }
        var buckets = ColumnBuckets(
            firstColumn: (0...bucketCount).map { Int(before[Swift.min(($0 << shift) >> 6, wordCount)]) },
            start: ColumnBuckets.cursors(counts: &cursor, tasks: tasks, bucketCount: bucketCount),
            column: [UInt16](largeCount: n) { _ in }, row: [Int32](largeCount: n) { _ in }, slot: [])
        // Pass 3: dense node indices for the edge → nodes CSR, and (node, edge) pairs into buckets.
        let members = [Int32](largeCount: n) { membersBuffer in
            nodes.withUnsafeBufferPointer { nodesBuffer in
                edgeOffsets.withUnsafeBufferPointer { offsetsBuffer in
                    words.withUnsafeBufferPointer { wordsBuffer in
                        before.withUnsafeBufferPointer { beforeBuffer in
                            buckets.firstColumn.withUnsafeBufferPointer { firstBuffer in
                                cursor.withUnsafeMutableBufferPointer { cursorBuffer in
                                    buckets.column.withUnsafeMutableBufferPointer { columnBuffer in
                                        buckets.row.withUnsafeMutableBufferPointer { rowBuffer in
                                            let m = SharedBuffer(membersBuffer), v = SharedBuffer(nodesBuffer)
                                            let o = SharedBuffer(offsetsBuffer), w = SharedBuffer(wordsBuffer)
                                            let b = SharedBuffer(beforeBuffer), first = SharedBuffer(firstBuffer)
                                            let c = SharedBuffer(cursorBuffer), pc = SharedBuffer(columnBuffer), pr = SharedBuffer(rowBuffer)
                                            Parallel.run(tasks: tasks) { t in
                                                let (m, v, o, w, b, first, pc, pr, low, shift) = (m, v, o, w, b, first, pc, pr, low, shift)
                                                let cursors = c.base + t * bucketCount
                                                let slice = Parallel.slice(t, of: tasks, count: n)
                                                guard !slice.isEmpty else { return }
                                                var edge = firstEdge[t] - (slice.lowerBound == o[firstEdge[t]] ? 0 : 1)
                                                for k in slice {
                                                    // Edges are never empty here: at most one step per row.
                                                    edge &+= o[edge &+ 1] == k ? 1 : 0
                                                    let i = Int(v[k] &- low)
                                                    let word = w[i &>> 6] & ((1 &<< UInt64(i & 63)) &- 1)
                                                    let code = b[i &>> 6] &+ Int32(truncatingIfNeeded: word.nonzeroBitCount)
                                                    m[k] = code
                                                    let bucket = i &>> shift
                                                    let position = cursors[bucket]
                                                    pc[position] = UInt16(truncatingIfNeeded: Int(code) &- first[bucket])
                                                    pr[position] = Int32(truncatingIfNeeded: edge)
                                                    cursors[bucket] = position &+ 1
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Pass 4: the node → edges CSR.
        var unusedSlots = [Int]()
        let memberships = buckets.csr(columns: Int(nodeCount), sourceSlots: &unusedSlots)
        return Result(
            nodes: IDDictionary(sortedIntegers: distinctNodes, sortedStrings: StringColumn()),
            edges: IDDictionary(sortedIntegers: distinctEdges, sortedStrings: StringColumn()),
            edgeMembers: CSR(offsets: edgeOffsets, members: members), nodeMemberships: memberships)
    }
}
