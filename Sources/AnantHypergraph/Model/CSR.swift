import AnantColumnar

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

    /// A cache-conscious parallel transpose in two passes: every (member, row) pair goes
    /// to the bucket of 2^`shift` consecutive columns holding its member (each task appends
    /// its slice of rows to its own region of every bucket, so pairs stay in row order),
    /// then `ColumnBuckets` finishes the buckets in cache. (Counts fit 32 bits: the model
    /// refuses 2^31 incidences.)
    private func transpose(columns: Int, sourceSlots: inout [Int], wantSlots: Bool) -> CSR {
        let rows = rowCount, n = members.count
        var bits = 0
        while (columns >> bits) > 256 && bits < 14 { bits += 1 }
        let shift = bits, mask = (1 << shift) - 1
        let bucketCount = (columns >> shift) + 1
        let tasks = Parallel.tasks(for: n)
        var buckets = ColumnBuckets(
            firstColumn: (0...bucketCount).map { Swift.min($0 << shift, columns) }, start: [],
            column: [UInt16](largeCount: n) { _ in }, row: [Int32](largeCount: n) { _ in },
            slot: [Int](largeCount: wantSlots ? n : 0) { _ in })
        // Task t's count of, then cursor into, bucket b lives at t * bucketCount + b.
        var cursor = [Int](repeating: 0, count: tasks * bucketCount)
        members.withUnsafeBufferPointer { membersBuffer in
            offsets.withUnsafeBufferPointer { offsetsBuffer in
                let m = SharedBuffer(membersBuffer), o = SharedBuffer(offsetsBuffer)
                cursor.withUnsafeMutableBufferPointer { cursorBuffer in
                    let c = SharedBuffer(cursorBuffer)
                    Parallel.run(tasks: tasks) { t in
                        // Local copies: captured values could alias the stores and be reloaded.
                        let (m, c, shift) = (m, c, shift)
                        let slice = Parallel.slice(t, of: tasks, count: rows)
                        guard !slice.isEmpty else { return }
                        let base = t * bucketCount
                        for k in o[slice.lowerBound]..<o[slice.upperBound] { c[base &+ Int(m[k]) &>> shift] &+= 1 }
                    }
                }
                buckets.start = ColumnBuckets.cursors(counts: &cursor, tasks: tasks, bucketCount: bucketCount)
                cursor.withUnsafeMutableBufferPointer { cursorBuffer in
                    buckets.column.withUnsafeMutableBufferPointer { columnBuffer in
                        buckets.row.withUnsafeMutableBufferPointer { rowBuffer in
                            buckets.slot.withUnsafeMutableBufferPointer { slotBuffer in
                                let c = SharedBuffer(cursorBuffer)
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
        return buckets.csr(columns: columns, sourceSlots: &sourceSlots)
    }
}
