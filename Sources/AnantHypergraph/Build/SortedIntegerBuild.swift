import AnantColumnar
import CAnantSystem

/// The fast path of `HypergraphBuilder` for the most common layout: integer edge and node
/// ids in a compact range, rows sorted by (edge, node) without repeats (as files written
/// sorted by edge are), no element tables.
///
/// Four parallel passes over the rows, where the general path makes ten: (1) check the
/// order and find the node id range; (2) record where edges start and append every
/// (node id, edge) pair to the bucket of its node id (`ColumnBuckets`); (3) finish the
/// node → edges CSR bucket by bucket in cache, with a row for every id in the range; the
/// ids with edges are the nodes, their ranks the dense indices; (4) turn every node id into
/// its rank for the edge → nodes CSR. Returns nil when the input does not qualify, and the
/// general path takes over.
struct SortedIntegerBuild {
    /// The threads the passes may use.
    let context: ExecutionContext

    struct Result {
        var nodes: IDDictionary
        var edges: IDDictionary
        var edgeMembers: CSR
        var nodeMemberships: CSR
    }

    /// What pass 1 learns from one slice of rows.
    private struct SliceSummary {
        var disorder = false
        var low = Int64.max
        var high = Int64.min
    }

    func build(edges: [Int64], nodes: [Int64]) throws(HypergraphError) -> Result? {
        let n = edges.count
        guard n > 0, n == nodes.count, n < Int(Int32.max) else { return nil }
        let tasks = context.tasks(for: n)
        let summaries = summarize(edges: edges, nodes: nodes, tasks: tasks)
        guard summaries.allSatisfy({ !$0.disorder }) else { return nil }
        let low = summaries.map(\.low).min()!, high = summaries.map(\.high).max()!
        let span = UInt64(bitPattern: high &- low)
        guard span < UInt64(Swift.max(2 * n, 1 << 16)) && span < (1 << 31) else { return nil }
        try context.check()
        return assemble(edges: edges, nodes: nodes, tasks: tasks, low: low, span: Int(span) + 1)
    }

    /// Pass 1: per slice, any disorder (an edge id or, within an edge, a node id not above
    /// the one before) and the node id range.
    private func summarize(edges: [Int64], nodes: [Int64], tasks: Int) -> [SliceSummary] {
        var summaries = [SliceSummary](repeating: SliceSummary(), count: tasks)
        edges.withUnsafeBufferPointer { edgesBuffer in
            nodes.withUnsafeBufferPointer { nodesBuffer in
                summaries.withUnsafeMutableBufferPointer { summaryBuffer in
                    let e = SharedBuffer(edgesBuffer), v = SharedBuffer(nodesBuffer), out = SharedBuffer(summaryBuffer)
                    context.run(tasks: tasks) { t in
                        let (e, v) = (e, v)
                        let slice = Parallel.slice(t, of: tasks, count: e.count)
                        guard !slice.isEmpty else { return }
                        var disorder = 0
                        var low = v[slice.lowerBound], high = low
                        for k in Swift.max(slice.lowerBound, 1)..<slice.upperBound {
                            let node = v[k], previous = e[k &- 1], current = e[k]
                            low = Swift.min(low, node)
                            high = Swift.max(high, node)
                            disorder |= (previous > current ? 1 : 0) | ((previous == current ? 1 : 0) & (v[k &- 1] >= node ? 1 : 0))
                        }
                        out[t] = SliceSummary(disorder: disorder != 0, low: low, high: high)
                    }
                }
            }
        }
        return summaries
    }

    /// What pass 2 leaves behind for one task.
    private struct TaskScan {
        var edgeStarts = 0
        var blocks = ColumnBuckets.TaskBlocks()
    }

    private func assemble(edges: [Int64], nodes: [Int64], tasks: Int, low: Int64, span: Int) -> Result {
        let n = edges.count
        let slices = (0..<tasks).map { Parallel.slice($0, of: tasks, count: n) }
        // A task's rows are its edges counted from its first (-1: the edge running into its slice).
        let plan = ColumnBuckets.Plan(keyCount: span, pairs: slices.map(\.count), rows: slices.map { $0.count + 1 })
        var pairs = [UInt32](largeCount: plan.capacity) { _ in }
        // Task t writes the rows where its edges start, and their ids, from slot
        // slice.lowerBound + t on.
        let startRows = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n + tasks)
        let startEdges = UnsafeMutableBufferPointer<Int64>.allocate(capacity: n + tasks)
        defer { startRows.deallocate(); startEdges.deallocate() }
        var scans = [TaskScan](repeating: TaskScan(), count: tasks)
        // Pass 2.
        edges.withUnsafeBufferPointer { edgesBuffer in
            nodes.withUnsafeBufferPointer { nodesBuffer in
                pairs.withUnsafeMutableBufferPointer { pairBuffer in
                    scans.withUnsafeMutableBufferPointer { scansBuffer in
                        let e = SharedBuffer(edgesBuffer), v = SharedBuffer(nodesBuffer)
                        let rows = SharedBuffer(startRows), ids = SharedBuffer(startEdges)
                        let p = SharedBuffer(pairBuffer), out = SharedBuffer(scansBuffer)
                        context.run(tasks: tasks) { t in
                            let first = slices[t].lowerBound + t
                            out[t] = scan(edges: e, nodes: v, rows: slices[t], low: low, startRows: rows.base + first,
                                          startEdges: ids.base + first, writer: ColumnBuckets.Writer(plan: plan, task: t, pairs: p.base))
                        }
                    }
                }
            }
        }
        var running = 0
        let firstEdge = scans.map { scan -> Int in
            defer { running += scan.edgeStarts }
            return running
        }
        let (edgeOffsets, distinctEdges) = edgeArrays(startRows: SharedBuffer(startRows), startEdges: SharedBuffer(startEdges), rowCount: n, firstEdge: firstEdge, edgeCount: running)
        // Pass 3: edges by node id, a row for every id in the range.
        var unusedSlots = [Int]()
        let byID = ColumnBuckets(plan: plan, blocks: scans.map(\.blocks), rowOffset: firstEdge.map { Int32(truncatingIfNeeded: $0) },
                                 pairs: pairs).csr(sourceSlots: &unusedSlots, context: context)
        let (rank, nodeOffsets, distinctNodes) = compact(byID.offsets, low: low, tasks: tasks)
        // Pass 4: dense node indices for the edge → nodes CSR.
        let members = [Int32](largeCount: n) { membersBuffer in
            nodes.withUnsafeBufferPointer { nodesBuffer in
                rank.withUnsafeBufferPointer { rankBuffer in
                    let m = SharedBuffer(membersBuffer), v = SharedBuffer(nodesBuffer), r = SharedBuffer(rankBuffer)
                    context.run(tasks: tasks) { t in
                        anant_interleaved_ranks(m.base, v.base, slices[t].lowerBound, slices[t].upperBound, low, r.base)
                    }
                }
            }
        }
        return Result(
            nodes: IDDictionary(sortedIntegers: distinctNodes, sortedStrings: StringColumn()),
            edges: IDDictionary(sortedIntegers: distinctEdges, sortedStrings: StringColumn()),
            edgeMembers: CSR(offsets: edgeOffsets, members: members),
            nodeMemberships: CSR(offsets: nodeOffsets, members: byID.members))
    }

    /// Pass 2 for one task's slice of rows. Edge starts are counted branch-free: they come
    /// every few rows, too irregularly to predict.
    private func scan(edges e: SharedBuffer<Int64>, nodes v: SharedBuffer<Int64>, rows slice: Range<Int>, low: Int64,
                             startRows: UnsafeMutablePointer<Int32>, startEdges: UnsafeMutablePointer<Int64>, writer: ColumnBuckets.Writer) -> TaskScan {
        var writer = writer
        var starts = 0
        if !slice.isEmpty {
            // The edge before the slice; the first slice's first row is a start.
            var previousEdge = slice.lowerBound == 0 ? ~e[0] : e[slice.lowerBound &- 1]
            for k in slice {
                let edge = e[k]
                // Every row is written to the next start's slot and kept only when it is a start.
                startRows[starts] = Int32(truncatingIfNeeded: k)
                startEdges[starts] = edge
                starts &+= previousEdge != edge ? 1 : 0
                previousEdge = edge
                _ = writer.append(key: Int(truncatingIfNeeded: v[k] &- low), row: Int32(truncatingIfNeeded: starts &- 1))
            }
        }
        return TaskScan(edgeStarts: starts, blocks: writer.finish())
    }

    /// The node ids with edges (the rows of `byID` that are not empty) as a rank table, the
    /// node → edges offsets of those rows only, and the ids themselves. The rank table
    /// interleaves the presence bitmap with every word's count of set bits below it
    /// (`[word 0, before 0, word 1, before 1, …, 0, total]`), so a rank reads one cache line.
    private func compact(_ byID: [Int], low: Int64, tasks: Int) -> (rank: [UInt64], offsets: [Int], ids: [Int64]) {
        let span = byID.count - 1, wordCount = (span + 63) >> 6
        var rank = [UInt64](largeCount: 2 * wordCount + 2) { table in
            byID.withUnsafeBufferPointer { byIDBuffer in
                let o = SharedBuffer(byIDBuffer), r = SharedBuffer(table)
                context.run(tasks: tasks) { part in
                    let (o, r) = (o, r)
                    for i in Parallel.slice(part, of: tasks, count: wordCount) {
                        var word: UInt64 = 0
                        for bit in 0..<Swift.min(64, span &- i &<< 6) {
                            let id = i &<< 6 &+ bit
                            word |= (o[id &+ 1] != o[id] ? 1 : 0) &<< UInt64(bit)
                        }
                        r[2 &* i] = word
                    }
                }
            }
        }
        var total: UInt64 = 0
        for i in 0..<wordCount {
            rank[2 * i + 1] = total
            total &+= UInt64(rank[2 * i].nonzeroBitCount)
        }
        rank[2 * wordCount] = 0
        rank[2 * wordCount + 1] = total
        let nodeCount = Int(total)
        var ids = [Int64](largeCount: nodeCount) { _ in }
        let offsets = [Int](largeCount: nodeCount + 1) { offsetsBuffer in
            offsetsBuffer[0] = 0
            byID.withUnsafeBufferPointer { byIDBuffer in
                rank.withUnsafeBufferPointer { rankBuffer in
                    ids.withUnsafeMutableBufferPointer { idsBuffer in
                        let o = SharedBuffer(byIDBuffer), r = SharedBuffer(rankBuffer)
                        let out = SharedBuffer(offsetsBuffer), d = SharedBuffer(idsBuffer)
                        context.run(tasks: tasks) { part in
                            let (o, r, out, d) = (o, r, out, d)
                            for i in Parallel.slice(part, of: tasks, count: wordCount) {
                                var word = r[2 &* i], next = Int(r[2 &* i &+ 1])
                                while word != 0 {
                                    let id = i &<< 6 &+ word.trailingZeroBitCount
                                    d[next] = low &+ Int64(id)
                                    next &+= 1
                                    out[next] = o[id &+ 1]
                                    word &= word &- 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return (rank, offsets, ids)
    }

    /// The edge → nodes offsets (where each edge's rows start, then the row count) and the
    /// edge ids, each task copying the starts it found.
    private func edgeArrays(startRows: SharedBuffer<Int32>, startEdges: SharedBuffer<Int64>, rowCount n: Int,
                                   firstEdge: [Int], edgeCount: Int) -> (offsets: [Int], ids: [Int64]) {
        let tasks = firstEdge.count
        var ids = [Int64](largeCount: edgeCount) { _ in }
        let offsets = [Int](largeCount: edgeCount + 1) { offsetsBuffer in
            offsetsBuffer[edgeCount] = n
            ids.withUnsafeMutableBufferPointer { idsBuffer in
                let o = SharedBuffer(offsetsBuffer), d = SharedBuffer(idsBuffer)
                context.run(tasks: tasks) { t in
                    let (o, d) = (o, d)
                    let from = Parallel.slice(t, of: tasks, count: n).lowerBound + t
                    let to = firstEdge[t], count = (t + 1 < tasks ? firstEdge[t + 1] : edgeCount) - to
                    for j in 0..<count {
                        o[to &+ j] = Int(startRows[from &+ j])
                        d[to &+ j] = startEdges[from &+ j]
                    }
                }
            }
        }
        return (offsets, ids)
    }
}
