/// Counts, for one element of an s-line graph, how many intermediaries it shares with
/// every other element: the sparse overlap count behind s-adjacency (row `a` of
/// `M Mᵀ` or `Mᵀ M` without forming the matrix). Reused across elements; its scratch
/// is cleared only where it was touched.
struct OverlapCounter {
    private var overlap: [Int32]
    /// The elements counted so far for the current element, first touch each; as long as
    /// the element count (plus the one slot written past the last), so the inner loop
    /// appends without a branch or a capacity check.
    private var touched: [Int32]

    init(elements: Int) {
        overlap = [Int32](repeating: 0, count: elements)
        touched = [Int32](repeating: 0, count: elements + 1)
    }

    /// Calls `body(other, count)` for every element other than `element` that shares at
    /// least `s` intermediaries with it, restricted to `other > element` when
    /// `onlyGreater` (each pair once).
    mutating func forEachNeighbor(of element: Int, s: Int, through: CSR, back: CSR, onlyGreater: Bool,
                                  _ body: (Int, Int) -> Void) {
        let me = Int32(element)
        overlap.withUnsafeMutableBufferPointer { overlap in
            touched.withUnsafeMutableBufferPointer { touched in
                through.members.withUnsafeBufferPointer { throughMembers in
                    back.members.withUnsafeBufferPointer { backMembers in
                        var count = 0
                        for slot in through.offsets[element]..<through.offsets[element + 1] {
                            let middle = Int(throughMembers[slot])
                            var start = back.offsets[middle]
                            let end = back.offsets[middle + 1]
                            if onlyGreater {
                                // Rows are ascending: binary search for the first member above `element`.
                                var high = end
                                while start < high {
                                    let mid = (start + high) >> 1
                                    if backMembers[mid] <= me { start = mid + 1 } else { high = mid }
                                }
                            }
                            // Branch-free: every member is written to the next touched slot and
                            // kept only on its first count (the element itself is counted too,
                            // and skipped below).
                            for k in start..<end {
                                let other = backMembers[k]
                                let seen = overlap[Int(other)]
                                touched[count] = other
                                count &+= seen == 0 ? 1 : 0
                                overlap[Int(other)] = seen &+ 1
                            }
                        }
                        for t in 0..<count {
                            let other = touched[t]
                            let shared = Int(overlap[Int(other)])
                            overlap[Int(other)] = 0
                            if shared >= s && other != me { body(Int(other), shared) }
                        }
                    }
                }
            }
        }
    }
}
