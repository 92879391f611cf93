/// A compressed sparse row structure: row `r` holds `members[offsets[r] ..< offsets[r + 1]]`.
///
/// Anant stores a hypergraph's incidences twice in this form: edge → nodes and node →
/// edges. Members of a row are strictly ascending (no repeats), so intersections are
/// merges and membership is a binary search.
public struct CSR: Sendable, Hashable {
    /// Row starts, then the end of the last row; `offsets.count == rowCount + 1`.
    public let offsets: [Int]
    /// The members of all rows, back to back.
    public let members: [Int32]

    /// Creates a CSR from its arrays (checked in debug builds).
    public init(offsets: [Int], members: [Int32]) {
        assert(offsets.first == 0 && offsets.last == members.count, "offsets must span the members")
        self.offsets = offsets
        self.members = members
    }

    /// A CSR with `rows` empty rows.
    public static func empty(rows: Int) -> CSR {
        CSR(offsets: [Int](repeating: 0, count: rows + 1), members: [])
    }

    /// The number of rows.
    @inlinable public var rowCount: Int { offsets.count - 1 }

    /// The number of stored members (incidences).
    @inlinable public var memberCount: Int { members.count }

    /// The number of members of row `row`.
    @inlinable public func count(_ row: Int) -> Int { offsets[row + 1] - offsets[row] }

    /// The members of row `row`, ascending.
    @inlinable public subscript(row: Int) -> ArraySlice<Int32> { members[offsets[row]..<offsets[row + 1]] }

    /// True when row `row` contains `member` (binary search).
    public func contains(row: Int, member: Int32) -> Bool {
        var low = offsets[row], high = offsets[row + 1]
        while low < high {
            let mid = (low + high) >> 1
            if members[mid] < member { low = mid + 1 } else { high = mid }
        }
        return low < offsets[row + 1] && members[low] == member
    }

    /// The transpose: row `c` of the result lists, ascending, the rows of `self` holding
    /// member `c`. Also returns, for every slot of the result, the slot of `self` it came
    /// from (so per-slot data can follow the transpose).
    ///
    /// - Parameter columns: the number of distinct members (rows of the result).
    public func transposed(columns: Int) -> (csr: CSR, sourceSlots: [Int]) {
        var sourceSlots = [Int]()
        let result = transpose(columns: columns, sourceSlots: &sourceSlots, wantSlots: true)
        return (result, sourceSlots)
    }

    /// The transpose, without the slot map.
    public func transposed(columns: Int) -> CSR {
        var unused = [Int]()
        return transpose(columns: columns, sourceSlots: &unused, wantSlots: false)
    }

    /// A cache-conscious parallel transpose in two passes.
    ///
    /// Pass 1 scatters every (column, row) pair into buckets of 2^`shift` consecutive
    /// columns (each task appends its slice of rows to its own region of every bucket, so
    /// pairs stay in row order). Pass 2 handles one bucket at a time: its column counts
    /// and its part of the output are small enough to stay in cache, where a direct
    /// scatter over all columns would miss on nearly every write. Buckets are independent
    /// and run in parallel. (Counts fit 32 bits: the model refuses 2^31 incidences.)
    private func transpose(columns: Int, sourceSlots: inout [Int], wantSlots: Bool) -> CSR {
        let rows = rowCount, n = members.count
        var bits = 0
        while (columns >> bits) > 256 && bits < 14 { bits += 1 }
        let shift = bits
        let mask = (1 << shift) - 1
        let bucketCount = (columns >> shift) + 1
        let tasks = Parallel.tasks(for: n)
        // Every element of these arrays is written below before it is read.
        var outOffsets = [Int](largeCount: columns + 1) { $0[0] = 0 }
        var outMembers = [Int32](largeCount: n) { _ in }
        if wantSlots { sourceSlots = [Int](largeCount: n) { _ in } }
        var pairColumn = [UInt16](largeCount: n) { _ in }
        var pairRow = [Int32](largeCount: n) { _ in }
        var pairSlot = [Int](largeCount: wantSlots ? n : 0) { _ in }
        var bucketStart = [Int](repeating: 0, count: bucketCount + 1)
        // Task t's cursor into bucket b lives at t * bucketCount + b.
        var cursor = [Int](repeating: 0, count: tasks * bucketCount)
        members.withUnsafeBufferPointer { membersBuffer in
            offsets.withUnsafeBufferPointer { offsetsBuffer in
                cursor.withUnsafeMutableBufferPointer { cursorBuffer in
                    let m = SharedBuffer(membersBuffer), o = SharedBuffer(offsetsBuffer), c = SharedBuffer(cursorBuffer)
                    Parallel.run(tasks: tasks) { t in
                        // Local copies: captured values could alias the stores below and be reloaded.
                        let (m, c, shift) = (m, c, shift)
                        let slice = Parallel.slice(t, of: tasks, count: rows)
                        guard !slice.isEmpty else { return }
                        let base = t * bucketCount
                        for k in o[slice.lowerBound]..<o[slice.upperBound] { c[base &+ Int(m[k]) &>> shift] &+= 1 }
                    }
                    var running = 0
                    for b in 0..<bucketCount {
                        bucketStart[b] = running
                        for t in 0..<tasks {
                            let count = c[t * bucketCount + b]
                            c[t * bucketCount + b] = running
                            running += count
                        }
                    }
                    bucketStart[bucketCount] = running
                    pairColumn.withUnsafeMutableBufferPointer { columnBuffer in
                        pairRow.withUnsafeMutableBufferPointer { rowBuffer in
                            pairSlot.withUnsafeMutableBufferPointer { slotBuffer in
                                let pc = SharedBuffer(columnBuffer), pr = SharedBuffer(rowBuffer), ps = SharedBuffer(slotBuffer)
                                Parallel.run(tasks: tasks) { t in
                                    let (o, m, c, pc, pr, ps, shift, mask) = (o, m, c, pc, pr, ps, shift, mask)
                                    let base = t * bucketCount
                                    for row in Parallel.slice(t, of: tasks, count: rows) {
                                        let rowCode = Int32(truncatingIfNeeded: row)
                                        for k in o[row]..<o[row &+ 1] {
                                            let column = Int(m[k])
                                            let b = base &+ column &>> shift
                                            let position = c[b]
                                            pc[position] = UInt16(truncatingIfNeeded: column & mask)
                                            pr[position] = rowCode
                                            if wantSlots { ps[position] = k }
                                            c[b] = position &+ 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        pairColumn.withUnsafeBufferPointer { columnBuffer in
            pairRow.withUnsafeBufferPointer { rowBuffer in
                pairSlot.withUnsafeBufferPointer { slotBuffer in
                    bucketStart.withUnsafeBufferPointer { startBuffer in
                        outOffsets.withUnsafeMutableBufferPointer { offsetsBuffer in
                            outMembers.withUnsafeMutableBufferPointer { outBuffer in
                                sourceSlots.withUnsafeMutableBufferPointer { slotsBuffer in
                                    let pc = SharedBuffer(columnBuffer), pr = SharedBuffer(rowBuffer), ps = SharedBuffer(slotBuffer)
                                    let starts = SharedBuffer(startBuffer), outOffset = SharedBuffer(offsetsBuffer)
                                    let out = SharedBuffer(outBuffer), slots = SharedBuffer(slotsBuffer)
                                    let width = 1 << shift
                                    let stride = Swift.min(tasks, bucketCount)
                                    Parallel.run(tasks: stride) { t in
                                        let (pc, pr, ps, starts, outOffset, out, slots) = (pc, pr, ps, starts, outOffset, out, slots)
                                        let counts = UnsafeMutablePointer<Int>.allocate(capacity: width + 1)
                                        defer { counts.deallocate() }
                                        var b = t
                                        while b < bucketCount {
                                            defer { b += stride }
                                            let first = b << shift
                                            let last = Swift.min(first + width, columns)
                                            guard first < last else { continue }
                                            counts.initialize(repeating: 0, count: last - first + 1)
                                            for p in starts[b]..<starts[b + 1] { counts[Int(pc[p]) &+ 1] &+= 1 }
                                            var position = starts[b]
                                            for i in 0..<(last - first) {
                                                let count = counts[i &+ 1]
                                                counts[i] = position
                                                position &+= count
                                                outOffset[first &+ i &+ 1] = position
                                            }
                                            for p in starts[b]..<starts[b + 1] {
                                                let i = Int(pc[p])
                                                let target = counts[i]
                                                out[target] = pr[p]
                                                if wantSlots { slots[target] = ps[p] }
                                                counts[i] = target &+ 1
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
        return CSR(offsets: outOffsets, members: outMembers)
    }
}
