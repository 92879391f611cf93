import AnantColumnar

/// A bucketed transpose: (key, row) pairs, visited in row order, become a CSR with one
/// row per key listing its rows ascending.
///
/// Pairs go first to the bucket of 2^`shift` consecutive keys holding their key, then
/// every bucket is finished in cache by a counting sort. Writing pairs bucket by bucket
/// and finishing one bucket at a time keeps every random access inside a window small
/// enough for the cache; a direct scatter over all keys would miss on nearly every write.
///
/// Each parallel task appends its pairs through a `Writer` to blocks of 2^`blockShift`
/// slots in its own region of one pair array, a block per bucket at a time, so no
/// counting pass is needed before the scatter. A pair is one 32-bit word: the key's
/// offset in its bucket (16 bits) and the row's distance from the block's base row (16
/// bits): half the bytes of a (key, row) pair, and one write stream per bucket instead of
/// two. A row 2^16 or more past the base is preceded by a marker (key 0xFFFF, never a
/// key's offset) moving the base forward by whole multiples of 2^16.
///
/// `CSR.transposed` and the sorted-input builder both go through here.
struct ColumnBuckets {
    /// How keys map to buckets and where each task's blocks live.
    struct Plan: Sendable {
        let tasks: Int
        let keyCount: Int
        let shift: Int
        let bucketCount: Int
        let blockShift: Int
        /// Task t's blocks are the slots `regionStart[t] ..< regionStart[t + 1]`.
        let regionStart: [Int]

        /// - Parameters:
        ///   - pairs: how many pairs each task will append.
        ///   - rows: the span of the rows each task's pairs carry.
        init(keyCount: Int, pairs: [Int], rows: [Int]) {
            tasks = pairs.count
            self.keyCount = keyCount
            // Buckets of at least one bitmap word (the sorted builder ranks by words) and at
            // most 2^14 keys, so a bucket's counts stay in cache.
            var bits = 6
            while (keyCount >> bits) > 256 && bits < 14 { bits += 1 }
            shift = bits
            bucketCount = Swift.max(1, ((keyCount - 1) >> bits) + 1)
            // Blocks small enough that the partly filled ones waste at most about 1/4 of the slots.
            let total = pairs.reduce(0, +)
            var blockBits = 12
            while blockBits > 4 && (bucketCount * tasks) << (blockBits + 2) > total { blockBits -= 1 }
            blockShift = blockBits
            // A task's region: its pairs and markers (per bucket at most one per 2^16 rows)
            // in full blocks, plus one partly filled block per bucket.
            var starts = [0]
            for t in 0..<tasks {
                let blocks = (pairs[t] + bucketCount * (rows[t] >> 16) + (1 << blockBits) - 1) >> blockBits + bucketCount
                starts.append(starts[t] + blocks << blockBits)
            }
            regionStart = starts
        }

        var capacity: Int { regionStart[tasks] }
    }

    /// The blocks one task filled, in the order it took them.
    struct TaskBlocks: Sendable {
        var bucket: [Int32] = []
        var firstRow: [Int32] = []
        var end: [Int] = []
        var markers: [Int32] = []
    }

    /// One task's appender into its region of the pair array.
    struct Writer {
        private let pairs: UnsafeMutablePointer<UInt32>
        private let shift: Int, mask: Int, blockShift: Int, blockMask: Int
        private let firstBlock: Int, bucketCount: Int
        private var nextBlock: Int
        /// Per bucket: the next free slot of its current block (0: no block yet), and the
        /// row distances count from.
        private let cursors: UnsafeMutablePointer<Int>
        private let bases: UnsafeMutablePointer<Int32>
        private let blockBucket: UnsafeMutablePointer<Int32>, blockFirstRow: UnsafeMutablePointer<Int32>
        private let blockEnd: UnsafeMutablePointer<Int>, blockMarkers: UnsafeMutablePointer<Int32>

        init(plan: Plan, task t: Int, pairs: UnsafeMutablePointer<UInt32>) {
            self.pairs = pairs
            (shift, mask) = (plan.shift, (1 << plan.shift) - 1)
            (blockShift, blockMask) = (plan.blockShift, (1 << plan.blockShift) - 1)
            bucketCount = plan.bucketCount
            firstBlock = plan.regionStart[t] >> plan.blockShift
            nextBlock = firstBlock
            let blocks = (plan.regionStart[t + 1] - plan.regionStart[t]) >> plan.blockShift
            cursors = .allocate(capacity: bucketCount)
            cursors.initialize(repeating: 0, count: bucketCount)
            bases = .allocate(capacity: bucketCount)
            bases.initialize(repeating: 0, count: bucketCount)
            blockBucket = .allocate(capacity: blocks)
            blockFirstRow = .allocate(capacity: blocks)
            blockEnd = .allocate(capacity: blocks)
            blockMarkers = .allocate(capacity: blocks)
        }

        /// Appends the pair (key, row); rows must not descend. Returns the pair's slot.
        @inline(__always) mutating func append(key: Int, row: Int32) -> Int {
            let bucket = key &>> shift
            var position = cursors[bucket]
            var distance = UInt32(bitPattern: row &- bases[bucket])
            if position & blockMask == 0 || distance > 0xFFFF {
                (position, distance) = makeRoom(bucket: bucket, row: row, position: position)
            }
            pairs[position] = UInt32(truncatingIfNeeded: key & mask) | distance &<< 16
            cursors[bucket] = position &+ 1
            return position
        }

        /// The row is too far from the bucket's base (a marker moves the base), or the
        /// bucket's block is full, or it has none yet (a new block starts at the row).
        /// Returns the pair's slot and distance.
        @inline(never) private mutating func makeRoom(bucket: Int, row: Int32, position: Int) -> (Int, UInt32) {
            var position = position
            if position & blockMask != 0 {
                let jump = UInt32(bitPattern: row &- bases[bucket]) &>> 16
                pairs[position] = 0xFFFF | jump &<< 16
                blockMarkers[(position &>> blockShift) &- firstBlock] &+= 1
                bases[bucket] &+= Int32(bitPattern: jump &<< 16)
                position &+= 1
                if position & blockMask != 0 { return (position, UInt32(bitPattern: row &- bases[bucket])) }
            }
            let index = nextBlock &- firstBlock
            blockBucket[index] = Int32(truncatingIfNeeded: bucket)
            blockFirstRow[index] = row
            blockEnd[index] = (nextBlock &+ 1) &<< blockShift
            blockMarkers[index] = 0
            bases[bucket] = row
            nextBlock &+= 1
            return ((nextBlock &- 1) &<< blockShift, 0)
        }

        /// The blocks taken; frees the writer's scratch.
        func finish() -> TaskBlocks {
            defer {
                cursors.deallocate(); bases.deallocate()
                blockBucket.deallocate(); blockFirstRow.deallocate(); blockEnd.deallocate(); blockMarkers.deallocate()
            }
            // Blocks are full but each bucket's last.
            for bucket in 0..<bucketCount where cursors[bucket] != 0 {
                blockEnd[((cursors[bucket] &- 1) &>> blockShift) &- firstBlock] = cursors[bucket]
            }
            let count = nextBlock - firstBlock
            return TaskBlocks(bucket: Array(UnsafeBufferPointer(start: blockBucket, count: count)),
                              firstRow: Array(UnsafeBufferPointer(start: blockFirstRow, count: count)),
                              end: Array(UnsafeBufferPointer(start: blockEnd, count: count)),
                              markers: Array(UnsafeBufferPointer(start: blockMarkers, count: count)))
        }
    }

    /// A run of one bucket's pairs, the row their distances count from, and how many of
    /// the slots are markers.
    struct Segment {
        var pairs: Range<Int>
        var firstRow: Int32
        var markers: Int32
    }

    let plan: Plan
    /// Bucket `b`'s segments are `segments[segmentStart[b] ..< segmentStart[b + 1]]`, in row order.
    private let segmentStart: [Int]
    private let segments: [Segment]
    private let pairs: [UInt32]
    /// Each pair's source slot, when wanted (else empty).
    private let slot: [Int]

    /// Gathers every task's blocks by bucket: task by task, in the order each task took
    /// them, so rows ascend. `rowOffset[t]` is added to task t's rows.
    init(plan: Plan, blocks: [TaskBlocks], rowOffset: [Int32], pairs: [UInt32], slot: [Int] = []) {
        var start = [Int](repeating: 0, count: plan.bucketCount + 1)
        for task in blocks { for bucket in task.bucket { start[Int(bucket) + 1] += 1 } }
        for b in 0..<plan.bucketCount { start[b + 1] += start[b] }
        var next = start
        var segments = [Segment](repeating: Segment(pairs: 0..<0, firstRow: 0, markers: 0), count: start[plan.bucketCount])
        for (t, task) in blocks.enumerated() {
            for (index, bucket) in task.bucket.enumerated() {
                let lower = plan.regionStart[t] + index << plan.blockShift
                segments[next[Int(bucket)]] = Segment(pairs: lower..<task.end[index], firstRow: task.firstRow[index] &+ rowOffset[t],
                                                      markers: task.markers[index])
                next[Int(bucket)] += 1
            }
        }
        self.plan = plan
        self.segmentStart = start
        self.segments = segments
        self.pairs = pairs
        self.slot = slot
    }

    /// The transpose as a CSR with one row per key, each bucket finished in cache by a
    /// counting sort; buckets run in parallel. With slots, also the source slot of every
    /// result slot.
    func csr(sourceSlots: inout [Int], context: ExecutionContext) -> CSR {
        let bucketCount = plan.bucketCount
        // Where each bucket's pairs go in the result.
        var outputStart = [Int](repeating: 0, count: bucketCount + 1)
        for b in 0..<bucketCount {
            outputStart[b + 1] = outputStart[b] + segments[segmentStart[b]..<segmentStart[b + 1]].reduce(0) { $0 + $1.pairs.count - Int($1.markers) }
        }
        let n = outputStart[bucketCount]
        let wantSlots = !slot.isEmpty
        // Every element of these arrays is written below before it is read.
        var offsets = [Int](largeCount: plan.keyCount + 1) { $0[0] = 0 }
        var members = [Int32](largeCount: n) { _ in }
        if wantSlots { sourceSlots = [Int](largeCount: n) { _ in } }
        let tasks = Swift.min(context.tasks(for: n), bucketCount)
        let (keysPerBucket, keyCount) = (1 << plan.shift, plan.keyCount)
        pairs.withUnsafeBufferPointer { pairBuffer in
            slot.withUnsafeBufferPointer { slotBuffer in
                segments.withUnsafeBufferPointer { segmentBuffer in
                    segmentStart.withUnsafeBufferPointer { segmentStartBuffer in
                        outputStart.withUnsafeBufferPointer { outputStartBuffer in
                            offsets.withUnsafeMutableBufferPointer { offsetsBuffer in
                                members.withUnsafeMutableBufferPointer { membersBuffer in
                                    sourceSlots.withUnsafeMutableBufferPointer { slotsBuffer in
                                        let pp = SharedBuffer(pairBuffer), ps = SharedBuffer(slotBuffer)
                                        let segs = SharedBuffer(segmentBuffer), segStart = SharedBuffer(segmentStartBuffer)
                                        let outStart = SharedBuffer(outputStartBuffer)
                                        let out = SharedBuffer(offsetsBuffer), result = SharedBuffer(membersBuffer)
                                        let slots = SharedBuffer(slotsBuffer)
                                        context.run(tasks: tasks) { t in
                                            // Local copies: captured values could alias the stores and be reloaded.
                                            let (pp, ps, out, result, slots) = (pp, ps, out, result, slots)
                                            // Markers are counted at 0x10000, past every key.
                                            let counts = UnsafeMutablePointer<Int32>.allocate(capacity: 0x10001)
                                            defer { counts.deallocate() }
                                            var b = t
                                            while b < bucketCount {
                                                defer { b += tasks }
                                                let firstKey = b * keysPerBucket, keys = Swift.min(keysPerBucket, keyCount - firstKey)
                                                let bucketSegments = segStart[b]..<segStart[b + 1]
                                                counts.initialize(repeating: 0, count: keys + 1)
                                                for s in bucketSegments {
                                                    for p in segs[s].pairs { counts[Int(pp[p] & 0xFFFF) &+ 1] &+= 1 }
                                                }
                                                var position = Int32(truncatingIfNeeded: outStart[b])
                                                for i in 0..<keys {
                                                    let count = counts[i &+ 1]
                                                    counts[i] = position
                                                    position &+= count
                                                    out[firstKey &+ i &+ 1] = Int(position)
                                                }
                                                for s in bucketSegments {
                                                    var base = segs[s].firstRow
                                                    for p in segs[s].pairs {
                                                        let pair = pp[p], i = Int(pair & 0xFFFF)
                                                        if i == 0xFFFF {
                                                            base &+= Int32(bitPattern: pair & 0xFFFF_0000)
                                                            continue
                                                        }
                                                        let target = Int(counts[i])
                                                        result[target] = base &+ Int32(truncatingIfNeeded: pair &>> 16)
                                                        if wantSlots { slots[target] = ps[p] }
                                                        counts[i] = Int32(truncatingIfNeeded: target &+ 1)
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
        }
        return CSR(offsets: offsets, members: members)
    }
}
