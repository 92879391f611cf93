import AnantColumnar

/// Builds the edge → nodes CSR from incidence rows given as dense (edge, node) codes.
///
/// Rows are grouped by edge with a counting sort (skipped when the rows are already
/// grouped in edge order), each edge's nodes are sorted (skipped when already ascending),
/// and repeated (edge, node) pairs are dropped, keeping the first row, as HyperNetX does.
struct CSRBuilder {
    /// The threads the passes may use.
    let context: ExecutionContext

    struct Result {
        /// Edge → nodes, ascending within each edge, no repeats.
        var edgeMembers: CSR
        /// For every slot of `edgeMembers`, the input row it came from; nil when slot `i`
        /// is row `i` (input already grouped, sorted and free of repeats).
        var sourceRows: [Int32]?
    }

    func build(edgeCodes: [Int32], nodeCodes: [Int32], edgeCount: Int) throws(HypergraphError) -> Result {
        precondition(edgeCodes.count == nodeCodes.count, "edge and node codes must align")
        var offsets: [Int]
        var members: [Int32]
        var sourceRows: [Int32]? = nil
        if isNonDecreasing(edgeCodes) {
            offsets = groupedOffsets(edgeCodes, edgeCount: edgeCount)
            members = nodeCodes
        } else {
            // Each input row is a one-member row; the transpose groups rows by edge, in row order.
            let byEdge: CSR = CSR(offsets: Array(0...edgeCodes.count), members: edgeCodes).transposed(columns: edgeCount, context: context)
            offsets = byEdge.offsets
            members = Int32Column(nodeCodes).gather(byEdge.members).values
            sourceRows = byEdge.members
        }
        try context.check()
        return finish(offsets: offsets, members: members, sourceRows: sourceRows)
    }

    /// The CSR of rows already grouped by edge (`offsets` delimit the edges): each edge's
    /// nodes are sorted and repeats dropped where needed.
    private func finish(offsets: [Int], members: [Int32], sourceRows: [Int32]?) -> Result {
        var offsets = offsets, members = members, sourceRows = sourceRows
        if let start = firstUnsortedRow(offsets: offsets, members: members) {
            sortAndDeduplicate(from: start, offsets: &offsets, members: &members, sourceRows: &sourceRows)
        }
        return Result(edgeMembers: CSR(offsets: offsets, members: members), sourceRows: sourceRows)
    }

    /// True when every code is at least the one before it (checked in parallel slices).
    private func isNonDecreasing(_ codes: [Int32]) -> Bool {
        let tasks = context.tasks(for: codes.count)
        var ok = [Bool](repeating: true, count: tasks)
        codes.withUnsafeBufferPointer { codesBuffer in
            ok.withUnsafeMutableBufferPointer { okBuffer in
                let c = SharedBuffer(codesBuffer), result = SharedBuffer(okBuffer)
                context.run(tasks: tasks) { t in
                    let slice = Parallel.slice(t, of: tasks, count: c.count)
                    for i in slice where i > 0 && c[i - 1] > c[i] {
                        result[t] = false
                        return
                    }
                }
            }
        }
        return !ok.contains(false)
    }

    /// Row offsets of codes grouped in edge order: edge `e` starts at the first row whose
    /// code is at least `e`. Every offset is written by exactly one row, so slices run in
    /// parallel.
    private func groupedOffsets(_ codes: [Int32], edgeCount: Int) -> [Int] {
        let rows = codes.count
        var offsets = [Int](largeRepeating: rows, count: edgeCount + 1)
        let tasks = context.tasks(for: rows)
        codes.withUnsafeBufferPointer { codesBuffer in
            offsets.withUnsafeMutableBufferPointer { offsetsBuffer in
                let c = SharedBuffer(codesBuffer), o = SharedBuffer(offsetsBuffer)
                context.run(tasks: tasks) { t in
                    for i in Parallel.slice(t, of: tasks, count: rows) {
                        let previous = i == 0 ? -1 : Int(c[i - 1])
                        let current = Int(c[i])
                        if current != previous {
                            for e in (previous + 1)...current { o[e] = i }
                        }
                    }
                }
            }
        }
        return offsets
    }

    /// The first edge whose members are not strictly ascending, if any (parallel scan).
    private func firstUnsortedRow(offsets: [Int], members: [Int32]) -> Int? {
        let edgeCount = offsets.count - 1
        let tasks = context.tasks(for: members.count)
        var found = [Int](repeating: Int.max, count: tasks)
        members.withUnsafeBufferPointer { membersBuffer in
            offsets.withUnsafeBufferPointer { offsetsBuffer in
                found.withUnsafeMutableBufferPointer { foundBuffer in
                    let m = SharedBuffer(membersBuffer), o = SharedBuffer(offsetsBuffer), result = SharedBuffer(foundBuffer)
                    context.run(tasks: tasks) { t in
                        for e in Parallel.slice(t, of: tasks, count: edgeCount) where o[e + 1] - o[e] > 1 {
                            for i in (o[e] + 1)..<o[e + 1] where m[i - 1] >= m[i] {
                                result[t] = e
                                return
                            }
                        }
                    }
                }
            }
        }
        let first = found.min()!
        return first == Int.max ? nil : first
    }

    /// Sorts every row ascending (ties by source row) and drops repeated members. Slices of
    /// rows run in parallel, each compacting its rows in place; then the slices close up.
    private func sortAndDeduplicate(from start: Int, offsets: inout [Int], members: inout [Int32], sourceRows: inout [Int32]?) {
        let edgeCount = offsets.count - 1
        if sourceRows == nil { sourceRows = [Int32](largeCount: members.count) { for i in $0.indices { $0[i] = Int32(truncatingIfNeeded: i) } } }
        let tasks = context.tasks(for: members.count - offsets[start])
        let slices = (0..<tasks).map { t -> Range<Int> in
            let slice = Parallel.slice(t, of: tasks, count: edgeCount - start)
            return (start + slice.lowerBound)..<(start + slice.upperBound)
        }
        var ends = [Int](repeating: 0, count: tasks)
        members.withUnsafeMutableBufferPointer { membersBuffer in
            sourceRows!.withUnsafeMutableBufferPointer { sourceBuffer in
                offsets.withUnsafeMutableBufferPointer { offsetsBuffer in
                    ends.withUnsafeMutableBufferPointer { endsBuffer in
                        let m = SharedBuffer(membersBuffer), src = SharedBuffer(sourceBuffer)
                        let o = SharedBuffer(offsetsBuffer), out = SharedBuffer(endsBuffer)
                        context.run(tasks: tasks) { t in
                            let (m, src, o) = (m, src, o)
                            let edges = slices[t]
                            var write = o[edges.lowerBound], widest = 0
                            for e in edges { widest = Swift.max(widest, o[e &+ 1] &- o[e]) }
                            let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: widest)
                            let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: widest)
                            defer { keys.deallocate(); scratch.deallocate() }
                            for e in edges {
                                // A row is read before any write reaches it (write <= begin); the
                                // slice's first start stays (the slice before reads it as its end).
                                let begin = o[e], end = o[e &+ 1], n = end &- begin
                                if e != edges.lowerBound { o[e] = write }
                                for i in 0..<n {
                                    keys[i] = UInt64(UInt32(bitPattern: m[begin &+ i])) &<< 32 | UInt64(UInt32(bitPattern: src[begin &+ i]))
                                }
                                let sorted = sortRow(keys, count: n, scratch: scratch)
                                var previous: Int32 = -1
                                for i in 0..<n {
                                    let key = sorted[i], node = Int32(truncatingIfNeeded: key &>> 32)
                                    if node == previous { continue }
                                    previous = node
                                    m[write] = node
                                    src[write] = Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)
                                    write &+= 1
                                }
                            }
                            out[t] = write
                        }
                    }
                }
            }
        }
        // Close up: slice t's rows move down to follow slice t - 1's.
        var write = ends[0]
        for t in 1..<tasks {
            let from = offsets[slices[t].lowerBound], count = ends[t] - from, shift = from - write
            if shift > 0 {
                members.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: write).update(from: $0.baseAddress!.advanced(by: from), count: count) }
                sourceRows!.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: write).update(from: $0.baseAddress!.advanced(by: from), count: count) }
                for e in slices[t] { offsets[e] -= shift }
            }
            write += count
        }
        offsets[edgeCount] = write
        members.removeLast(members.count - write)
        sourceRows!.removeLast(sourceRows!.count - write)
    }

    /// Sorts a row's keys (member << 32 | source row, rows ascending on entry) by member,
    /// keeping rows in order: insertion sort for the short rows most hypergraphs have, a
    /// byte-wise radix sort of the member (stable, as many passes as its bytes) for long
    /// ones. Returns where the sorted keys are: `keys` or `scratch`.
    private func sortRow(_ keys: UnsafeMutablePointer<UInt64>, count n: Int, scratch: UnsafeMutablePointer<UInt64>) -> UnsafeMutablePointer<UInt64> {
        guard n > 64 else {
            for i in 1..<Swift.max(n, 1) {
                let key = keys[i]
                var j = i
                while j > 0 && keys[j &- 1] > key {
                    keys[j] = keys[j &- 1]
                    j &-= 1
                }
                keys[j] = key
            }
            return keys
        }
        var largest: UInt64 = 0
        for i in 0..<n { largest = Swift.max(largest, keys[i]) }
        largest &>>= 32
        var (from, to) = (keys, scratch)
        var shift: UInt64 = 32
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 257) { counts in
            repeat {
                counts.initialize(repeating: 0)
                for i in 0..<n { counts[Int((from[i] &>> shift) & 0xFF) &+ 1] &+= 1 }
                for b in 1...256 { counts[b] &+= counts[b &- 1] }
                for i in 0..<n {
                    let key = from[i], b = Int((key &>> shift) & 0xFF)
                    to[counts[b]] = key
                    counts[b] &+= 1
                }
                swap(&from, &to)
                shift &+= 8
            } while largest &>> (shift &- 32) != 0
        }
        return from
    }
}
