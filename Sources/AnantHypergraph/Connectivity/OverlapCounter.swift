/// Counts, for one element of an s-line graph, how many intermediaries it shares with
/// every other element: the sparse overlap count behind s-adjacency (row `a` of
/// `M Mᵀ` or `Mᵀ M` without forming the matrix). Reused across elements; its scratch
/// is cleared only where it was touched.
struct OverlapCounter {
    private var overlap: [Int32]
    private var touched: [Int32] = []

    init(elements: Int) {
        overlap = [Int32](repeating: 0, count: elements)
    }

    /// Calls `body(other, count)` for every element other than `element` that shares at
    /// least `s` intermediaries with it, restricted to `other > element` when
    /// `onlyGreater` (each pair once).
    mutating func forEachNeighbor(of element: Int, s: Int, through: CSR, back: CSR, onlyGreater: Bool,
                                  _ body: (Int, Int) -> Void) {
        let me = Int32(element)
        overlap.withUnsafeMutableBufferPointer { overlap in
            through.members.withUnsafeBufferPointer { throughMembers in
                back.members.withUnsafeBufferPointer { backMembers in
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
                        for k in start..<end {
                            let other = backMembers[k]
                            if other == me { continue }
                            if overlap[Int(other)] == 0 { touched.append(other) }
                            overlap[Int(other)] += 1
                        }
                    }
                    for other in touched {
                        let count = Int(overlap[Int(other)])
                        if count >= s { body(Int(other), count) }
                        overlap[Int(other)] = 0
                    }
                    touched.removeAll(keepingCapacity: true)
                }
            }
        }
    }
}
