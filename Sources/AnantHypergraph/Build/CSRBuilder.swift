/// Builds the edge → nodes CSR from incidence rows given as dense (edge, node) codes.
///
/// Rows are grouped by edge with a counting sort (skipped when the rows are already
/// grouped in edge order), each edge's nodes are sorted (skipped when already ascending),
/// and repeated (edge, node) pairs are dropped, keeping the first row, as HyperNetX does.
enum CSRBuilder {
    struct Result {
        /// Edge → nodes, ascending within each edge, no repeats.
        var edgeMembers: CSR
        /// For every slot of `edgeMembers`, the input row it came from; nil when slot `i`
        /// is row `i` (input already grouped, sorted and free of repeats).
        var sourceRows: [Int32]?
    }

    static func build(edgeCodes: [Int32], nodeCodes: [Int32], edgeCount: Int) -> Result {
        precondition(edgeCodes.count == nodeCodes.count, "edge and node codes must align")
        let rows = edgeCodes.count
        var offsets = [Int](repeating: 0, count: edgeCount + 1)
        var members: [Int32]
        var sourceRows: [Int32]? = nil

        let grouped = edgeCodes.withUnsafeBufferPointer { codes in
            (0..<Swift.max(rows - 1, 0)).allSatisfy { codes[$0] <= codes[$0 + 1] }
        }
        offsets.withUnsafeMutableBufferPointer { counts in
            edgeCodes.withUnsafeBufferPointer { codes in
                for e in codes { counts[Int(e) + 1] += 1 }
            }
            for e in 0..<edgeCount { counts[e + 1] += counts[e] }
        }
        if grouped {
            members = nodeCodes
        } else {
            members = [Int32](repeating: 0, count: rows)
            var order = [Int32](repeating: 0, count: rows)
            var cursor = Array(offsets.dropLast())
            cursor.withUnsafeMutableBufferPointer { cursor in
                members.withUnsafeMutableBufferPointer { out in
                    order.withUnsafeMutableBufferPointer { order in
                        edgeCodes.withUnsafeBufferPointer { edges in
                            nodeCodes.withUnsafeBufferPointer { nodes in
                                for row in 0..<rows {
                                    let e = Int(edges[row])
                                    let position = cursor[e]
                                    out[position] = nodes[row]
                                    order[position] = Int32(row)
                                    cursor[e] = position + 1
                                }
                            }
                        }
                    }
                }
            }
            sourceRows = order
        }
        sortAndDeduplicate(offsets: &offsets, members: &members, sourceRows: &sourceRows)
        return Result(edgeMembers: CSR(offsets: offsets, members: members), sourceRows: sourceRows)
    }

    /// Sorts every row ascending (ties by source row) and drops repeated members.
    private static func sortAndDeduplicate(offsets: inout [Int], members: inout [Int32], sourceRows: inout [Int32]?) {
        let edgeCount = offsets.count - 1
        // Find the first row that is not strictly ascending; most inputs have none.
        let firstUnsorted: Int? = members.withUnsafeBufferPointer { m in
            offsets.withUnsafeBufferPointer { o in
                for e in 0..<edgeCount where o[e + 1] - o[e] > 1 {
                    for i in (o[e] + 1)..<o[e + 1] where m[i - 1] >= m[i] { return e }
                }
                return nil
            }
        }
        guard let start = firstUnsorted else { return }
        if sourceRows == nil { sourceRows = (0..<Int32(members.count)).map { $0 } }
        var write = offsets[start]
        var keys = [UInt64]()
        members.withUnsafeMutableBufferPointer { m in
            sourceRows!.withUnsafeMutableBufferPointer { src in
                offsets.withUnsafeMutableBufferPointer { o in
                    for e in start..<edgeCount {
                        let begin = o[e], end = o[e + 1]
                        o[e] = write
                        keys.removeAll(keepingCapacity: true)
                        for i in begin..<end { keys.append(UInt64(UInt32(m[i])) << 32 | UInt64(UInt32(src[i]))) }
                        keys.sort()
                        var previous: Int32 = -1
                        for key in keys {
                            let node = Int32(truncatingIfNeeded: key >> 32)
                            if node == previous { continue }
                            previous = node
                            m[write] = node
                            src[write] = Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)
                            write += 1
                        }
                    }
                    o[edgeCount] = write
                }
            }
        }
        members.removeLast(members.count - write)
        sourceRows!.removeLast(sourceRows!.count - write)
    }
}
