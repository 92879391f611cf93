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

    private func transpose(columns: Int, sourceSlots: inout [Int], wantSlots: Bool) -> CSR {
        var outOffsets = [Int](repeating: 0, count: columns + 1)
        var outMembers = [Int32](repeating: 0, count: members.count)
        if wantSlots { sourceSlots = [Int](repeating: 0, count: members.count) }
        members.withUnsafeBufferPointer { members in
            outOffsets.withUnsafeMutableBufferPointer { counts in
                for m in members { counts[Int(m) + 1] += 1 }
                for c in 0..<columns { counts[c + 1] += counts[c] }
            }
            var cursor = Array(outOffsets.dropLast())
            cursor.withUnsafeMutableBufferPointer { cursor in
                outMembers.withUnsafeMutableBufferPointer { out in
                    offsets.withUnsafeBufferPointer { offsets in
                        sourceSlots.withUnsafeMutableBufferPointer { slots in
                            for row in 0..<(offsets.count - 1) {
                                for slot in offsets[row]..<offsets[row + 1] {
                                    let c = Int(members[slot])
                                    let position = cursor[c]
                                    out[position] = Int32(row)
                                    if wantSlots { slots[position] = slot }
                                    cursor[c] = position + 1
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
