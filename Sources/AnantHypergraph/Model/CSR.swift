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
    /// - Parameters:
    ///   - columns: the number of distinct members (rows of the result).
    ///   - context: the threads the passes may use.
    public func transposed(columns: Int, context: ExecutionContext = .default) -> (csr: CSR, sourceSlots: [Int]) {
        var sourceSlots = [Int]()
        let result = transpose(columns: columns, sourceSlots: &sourceSlots, wantSlots: true, context: context)
        return (result, sourceSlots)
    }

    /// The transpose, without the slot map.
    public func transposed(columns: Int, context: ExecutionContext = .default) -> CSR {
        var unused = [Int]()
        return transpose(columns: columns, sourceSlots: &unused, wantSlots: false, context: context)
    }

    /// A cache-conscious parallel transpose (`ColumnBuckets`): each task appends its slice
    /// of rows' (member, row) pairs to the buckets of their members, then every bucket is
    /// finished in cache. (Counts fit 32 bits: the model refuses 2^31 incidences.)
    private func transpose(columns: Int, sourceSlots: inout [Int], wantSlots: Bool, context: ExecutionContext) -> CSR {
        let rows = rowCount, n = members.count
        let tasks = context.tasks(for: n)
        let slices = (0..<tasks).map { Parallel.slice($0, of: tasks, count: rows) }
        let plan = ColumnBuckets.Plan(keyCount: columns, pairs: slices.map { offsets[$0.upperBound] - offsets[$0.lowerBound] },
                                      rows: slices.map(\.count))
        var pairs = [UInt32](largeCount: plan.capacity) { _ in }
        var slots = [Int](largeCount: wantSlots ? plan.capacity : 0) { _ in }
        var blocks = [ColumnBuckets.TaskBlocks](repeating: .init(), count: tasks)
        members.withUnsafeBufferPointer { membersBuffer in
            offsets.withUnsafeBufferPointer { offsetsBuffer in
                pairs.withUnsafeMutableBufferPointer { pairBuffer in
                    slots.withUnsafeMutableBufferPointer { slotBuffer in
                        blocks.withUnsafeMutableBufferPointer { blocksBuffer in
                            let m = SharedBuffer(membersBuffer), o = SharedBuffer(offsetsBuffer)
                            let p = SharedBuffer(pairBuffer), ps = SharedBuffer(slotBuffer), out = SharedBuffer(blocksBuffer)
                            context.run(tasks: tasks) { t in
                                // Local copies: captured values could alias the stores and be reloaded.
                                let (m, o, ps) = (m, o, ps)
                                var writer = ColumnBuckets.Writer(plan: plan, task: t, pairs: p.base)
                                for row in slices[t] {
                                    let rowCode = Int32(truncatingIfNeeded: row)
                                    for k in o[row]..<o[row &+ 1] {
                                        let slot = writer.append(key: Int(m[k]), row: rowCode)
                                        if wantSlots { ps[slot] = k }
                                    }
                                }
                                out[t] = writer.finish()
                            }
                        }
                    }
                }
            }
        }
        let buckets = ColumnBuckets(plan: plan, blocks: blocks, rowOffset: [Int32](repeating: 0, count: tasks), pairs: pairs, slot: slots)
        return buckets.csr(sourceSlots: &sourceSlots, context: context)
    }
}
