import AnantColumnar

/// The middle state of a bucketed transpose: (column, row) pairs grouped into buckets of
/// consecutive columns, each bucket's pairs in row order.
///
/// Writing pairs bucket by bucket and then finishing one bucket at a time keeps every
/// random access inside a window small enough for the cache; a direct scatter over all
/// columns would miss on nearly every write. `CSR.transposed` and the sorted-input
/// builder both fill buckets and finish them here.
struct ColumnBuckets {
    /// Bucket `b` holds columns `firstColumn[b] ..< firstColumn[b + 1]` (at most 65536).
    var firstColumn: [Int]
    /// Bucket `b`'s pairs are at `start[b] ..< start[b + 1]`.
    var start: [Int]
    /// Each pair's column minus its bucket's first column.
    var column: [UInt16]
    /// Each pair's row.
    var row: [Int32]
    /// Each pair's source slot, when wanted (else empty).
    var slot: [Int]

    /// Bucket starts and every task's write cursor into every bucket, from per-task bucket
    /// counts (`counts[t * bucketCount + b]`, overwritten with the cursors): task t's pairs
    /// of bucket b go after those of tasks 0 ..< t, so pairs stay in row order.
    static func cursors(counts: inout [Int], tasks: Int, bucketCount: Int) -> [Int] {
        var start = [Int](repeating: 0, count: bucketCount + 1)
        var running = 0
        for b in 0..<bucketCount {
            start[b] = running
            for t in 0..<tasks {
                let count = counts[t * bucketCount + b]
                counts[t * bucketCount + b] = running
                running += count
            }
        }
        start[bucketCount] = running
        return start
    }

    /// The transposed CSR (one row per column), each bucket finished in cache by a
    /// counting sort; buckets run in parallel. With a non-empty `slot`, also the source
    /// slot of every result slot.
    func csr(columns: Int, sourceSlots: inout [Int]) -> CSR {
        let n = row.count, bucketCount = start.count - 1
        let wantSlots = !slot.isEmpty
        // Every element of these arrays is written below before it is read.
        var offsets = [Int](largeCount: columns + 1) { $0[0] = 0 }
        var members = [Int32](largeCount: n) { _ in }
        if wantSlots { sourceSlots = [Int](largeCount: n) { _ in } }
        let tasks = Swift.min(Parallel.tasks(for: n), Swift.max(bucketCount, 1))
        let widest = (0..<bucketCount).map { firstColumn[$0 + 1] - firstColumn[$0] }.max() ?? 0
        column.withUnsafeBufferPointer { columnBuffer in
            row.withUnsafeBufferPointer { rowBuffer in
                slot.withUnsafeBufferPointer { slotBuffer in
                    start.withUnsafeBufferPointer { startBuffer in
                        firstColumn.withUnsafeBufferPointer { firstBuffer in
                            offsets.withUnsafeMutableBufferPointer { offsetsBuffer in
                                members.withUnsafeMutableBufferPointer { membersBuffer in
                                    sourceSlots.withUnsafeMutableBufferPointer { slotsBuffer in
                                        let pc = SharedBuffer(columnBuffer), pr = SharedBuffer(rowBuffer), ps = SharedBuffer(slotBuffer)
                                        let starts = SharedBuffer(startBuffer), firsts = SharedBuffer(firstBuffer)
                                        let out = SharedBuffer(offsetsBuffer), result = SharedBuffer(membersBuffer)
                                        let slots = SharedBuffer(slotsBuffer)
                                        Parallel.run(tasks: tasks) { t in
                                            // Local copies: captured values could alias the stores and be reloaded.
                                            let (pc, pr, ps, starts, firsts, out, result, slots) = (pc, pr, ps, starts, firsts, out, result, slots)
                                            let counts = UnsafeMutablePointer<Int>.allocate(capacity: widest + 1)
                                            defer { counts.deallocate() }
                                            var b = t
                                            while b < bucketCount {
                                                defer { b += tasks }
                                                let first = firsts[b], width = firsts[b + 1] - first
                                                counts.initialize(repeating: 0, count: width + 1)
                                                for p in starts[b]..<starts[b + 1] { counts[Int(pc[p]) &+ 1] &+= 1 }
                                                var position = starts[b]
                                                for i in 0..<width {
                                                    let count = counts[i &+ 1]
                                                    counts[i] = position
                                                    position &+= count
                                                    out[first &+ i &+ 1] = position
                                                }
                                                for p in starts[b]..<starts[b + 1] {
                                                    let i = Int(pc[p])
                                                    let target = counts[i]
                                                    result[target] = pr[p]
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
        }
        return CSR(offsets: offsets, members: members)
    }
}
