import AnantColumnar
import CAnantSystem

/// One column of identifiers to dictionary-encode.
enum IDSource {
    case int64([Int64])
    case strings(StringColumn)
    case mixed([ElementID])
}

/// The result of encoding: one dictionary for all sources, and per source the dense index
/// of every row.
struct EncodedIDs {
    var dictionary: IDDictionary
    var codes: [[Int32]]
}

/// Dictionary-encodes identifier columns into dense 32-bit indices in `ElementID` order.
///
/// Integer ids in a compact range (the common case: ids 0..<n, or any range at most twice
/// the number of rows) are ranked with a direct-address table, without hashing or
/// sorting. Other integers and all strings go through an open-addressing hash table
/// (first-appearance codes), after which only the distinct ids are sorted and the codes
/// remapped to their rank.
struct IDEncoder {
    /// The threads the passes may use.
    let context: ExecutionContext

    func encode(_ sources: [IDSource]) -> EncodedIDs {
        // Split every source into its integer part and its string part.
        var intParts = [[Int64]]()
        var stringParts = [StringColumn]()
        var layouts = [Layout]()
        for source in sources {
            switch source {
            case .int64(let values):
                layouts.append(.int(intParts.count))
                intParts.append(values)
            case .strings(let column):
                layouts.append(.string(stringParts.count))
                stringParts.append(column)
            case .mixed(let ids):
                var ints = [Int64]()
                var strings = StringColumn()
                var isInt = [Bool]()
                isInt.reserveCapacity(ids.count)
                for id in ids {
                    switch id {
                    case .int(let v): ints.append(v); isInt.append(true)
                    case .string(let s): strings.append(s); isInt.append(false)
                    }
                }
                layouts.append(.mixed(int: intParts.count, string: stringParts.count, isInt: isInt))
                intParts.append(ints)
                stringParts.append(strings)
            }
        }
        let (integers, intCodes) = encodeIntegers(intParts)
        let (strings, stringCodes) = encodeStrings(stringParts)
        let offset = Int32(integers.count)
        var codes = [[Int32]]()
        for layout in layouts {
            switch layout {
            case .int(let part):
                codes.append(intCodes[part])
            case .string(let part):
                codes.append(stringCodes[part].map { $0 + offset })
            case .mixed(let intPart, let stringPart, let isInt):
                var merged = [Int32]()
                merged.reserveCapacity(isInt.count)
                var i = 0, s = 0
                for flag in isInt {
                    if flag {
                        merged.append(intCodes[intPart][i])
                        i += 1
                    } else {
                        merged.append(stringCodes[stringPart][s] + offset)
                        s += 1
                    }
                }
                codes.append(merged)
            }
        }
        return EncodedIDs(dictionary: IDDictionary(sortedIntegers: integers, sortedStrings: strings), codes: codes)
    }

    private enum Layout {
        case int(Int)
        case string(Int)
        case mixed(int: Int, string: Int, isInt: [Bool])
    }

    // MARK: Integers

    func encodeIntegers(_ parts: [[Int64]]) -> ([Int64], [[Int32]]) {
        let total = parts.reduce(0) { $0 + $1.count }
        guard total > 0 else { return ([], parts.map { _ in [] }) }
        var low = Int64.max, high = Int64.min
        for part in parts {
            let (partLow, partHigh) = bounds(part)
            low = Swift.min(low, partLow)
            high = Swift.max(high, partHigh)
        }
        let span = UInt64(bitPattern: high &- low)
        if span < UInt64(Swift.max(2 * total, 1 << 16)) && span < (1 << 31) {
            return encodeDense(parts, low: low, span: Int(span) + 1)
        }
        return encodeHashed(parts, total: total)
    }

    /// Ranks ids through a bitmap indexed by `id - low`: mark the ids present, count the
    /// set bits before every word, then an id's rank is its word's count plus the set bits
    /// below it. The bitmap (span / 8 bytes) stays in cache where a table of ranks would
    /// not; the lookups run in parallel.
    private func encodeDense(_ parts: [[Int64]], low: Int64, span: Int) -> ([Int64], [[Int32]]) {
        let wordCount = (span + 63) >> 6
        var words = [UInt64](repeating: 0, count: wordCount)
        for part in parts { mark(part, low: low, into: &words) }
        var before = [Int32](repeating: 0, count: wordCount)
        var running: Int32 = 0
        words.withUnsafeBufferPointer { w in
            before.withUnsafeMutableBufferPointer { b in
                for i in 0..<wordCount {
                    b[i] = running
                    running &+= Int32(truncatingIfNeeded: w[i].nonzeroBitCount)
                }
            }
        }
        let uniques = [Int64](largeCount: Int(running)) { out in
            var next = 0
            words.withUnsafeBufferPointer { w in
                for i in 0..<wordCount {
                    var word = w[i]
                    while word != 0 {
                        out[next] = low &+ Int64(i &<< 6 &+ word.trailingZeroBitCount)
                        next &+= 1
                        word &= word &- 1
                    }
                }
            }
        }
        let codes = words.withUnsafeBufferPointer { wordsBuffer in
            before.withUnsafeBufferPointer { beforeBuffer in
                let w = SharedBuffer(wordsBuffer), b = SharedBuffer(beforeBuffer)
                return parts.map { part in
                    part.withUnsafeBufferPointer { valuesBuffer in
                        let values = SharedBuffer(valuesBuffer)
                        return [Int32](largeCount: values.count) { out in
                            let codes = SharedBuffer(out)
                            let tasks = context.tasks(for: values.count)
                            context.run(tasks: tasks) { t in
                                let slice = Parallel.slice(t, of: tasks, count: values.count)
                                anant_split_ranks(codes.base, values.base, slice.lowerBound, slice.upperBound, low, w.base, b.base)
                            }
                        }
                    }
                }
            }
        }
        return (uniques, codes)
    }

    /// The smallest and largest value, computed in parallel slices.
    private func bounds(_ values: [Int64]) -> (Int64, Int64) {
        let tasks = context.tasks(for: values.count)
        var results = [(Int64, Int64)](repeating: (.max, .min), count: tasks)
        values.withUnsafeBufferPointer { valuesBuffer in
            results.withUnsafeMutableBufferPointer { resultsBuffer in
                let v = SharedBuffer(valuesBuffer), r = SharedBuffer(resultsBuffer)
                context.run(tasks: tasks) { t in
                    var low = Int64.max, high = Int64.min
                    for k in Parallel.slice(t, of: tasks, count: v.count) {
                        low = Swift.min(low, v[k])
                        high = Swift.max(high, v[k])
                    }
                    r[t] = (low, high)
                }
            }
        }
        return results.reduce((Int64.max, Int64.min)) { (Swift.min($0.0, $1.0), Swift.max($0.1, $1.1)) }
    }

    /// Sets the bit of every `value - low`. Parallel slices mark private bitmaps that are
    /// then OR-ed together, when the bitmaps are small enough to duplicate.
    private func mark(_ values: [Int64], low: Int64, into words: inout [UInt64]) {
        let wordCount = words.count
        let tasks = wordCount <= (1 << 20) ? context.tasks(for: values.count) : 1
        var privateWords = [UInt64](repeating: 0, count: (tasks - 1) * wordCount)
        values.withUnsafeBufferPointer { valuesBuffer in
            words.withUnsafeMutableBufferPointer { wordsBuffer in
                privateWords.withUnsafeMutableBufferPointer { privateBuffer in
                    let v = SharedBuffer(valuesBuffer), shared = SharedBuffer(wordsBuffer), extra = SharedBuffer(privateBuffer)
                    context.run(tasks: tasks) { t in
                        let (v, low) = (v, low)
                        let target = t == 0 ? shared.base : extra.base + (t - 1) * wordCount
                        for k in Parallel.slice(t, of: tasks, count: v.count) {
                            let i = Int(v[k] &- low)
                            target[i &>> 6] |= 1 &<< UInt64(i & 63)
                        }
                    }
                    guard tasks > 1 else { return }
                    context.run(tasks: tasks) { part in
                        for w in Parallel.slice(part, of: tasks, count: wordCount) {
                            var word = shared[w]
                            for t in 1..<tasks { word |= extra[(t - 1) * wordCount + w] }
                            shared[w] = word
                        }
                    }
                }
            }
        }
    }

    /// Hashes ids to first-appearance codes, sorts the distinct ids and remaps to ranks.
    private func encodeHashed(_ parts: [[Int64]], total: Int) -> ([Int64], [[Int32]]) {
        var table = IntegerHashTable(expected: Swift.min(total, 1 << 20))
        var firstCodes = [[Int32]]()
        for part in parts {
            firstCodes.append(part.map { table.insert($0) })
        }
        let uniques = table.keys
        let order = uniques.indices.sorted { uniques[$0] < uniques[$1] }
        var rank = [Int32](repeating: 0, count: uniques.count)
        for (position, code) in order.enumerated() { rank[code] = Int32(position) }
        let sorted = order.map { uniques[$0] }
        let codes = firstCodes.map { codes in codes.map { rank[Int($0)] } }
        return (sorted, codes)
    }

    // MARK: Strings

    func encodeStrings(_ parts: [StringColumn]) -> (StringColumn, [[Int32]]) {
        var table = ByteStringTable(expected: Swift.min(parts.reduce(0) { $0 + $1.count }, 1 << 20))
        var firstCodes = [[Int32]]()
        for part in parts {
            var codes = [Int32]()
            codes.reserveCapacity(part.count)
            part.bytes.withUnsafeBufferPointer { buffer in
                for row in 0..<part.count {
                    let key = UnsafeBufferPointer(rebasing: buffer[part.byteRange(row)])
                    codes.append(table.insert(key))
                }
            }
            firstCodes.append(codes)
        }
        let uniques = table.values
        let order = uniques.bytes.withUnsafeBufferPointer { buffer in
            (0..<uniques.count).sorted { a, b in
                ByteStrings.compare(UnsafeBufferPointer(rebasing: buffer[uniques.byteRange(a)]),
                                    UnsafeBufferPointer(rebasing: buffer[uniques.byteRange(b)])) < 0
            }
        }
        var rank = [Int32](repeating: 0, count: uniques.count)
        for (position, code) in order.enumerated() { rank[code] = Int32(position) }
        let codes = firstCodes.map { codes in codes.map { rank[Int($0)] } }
        return (uniques.gather(order), codes)
    }
}

/// Open addressing (linear probing) from Int64 to first-appearance codes.
struct IntegerHashTable {
    private var slots: [Int32]
    private(set) var keys: [Int64] = []
    private var mask: Int

    init(expected: Int) {
        var capacity = 16
        while capacity < expected * 2 { capacity <<= 1 }
        slots = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
    }

    /// The code of `key`, assigning the next code when it is new.
    mutating func insert(_ key: Int64) -> Int32 {
        var slot = Int(truncatingIfNeeded: ByteStrings.mix(UInt64(bitPattern: key))) & mask
        while true {
            let code = slots[slot]
            if code < 0 { break }
            if keys[Int(code)] == key { return code }
            slot = (slot + 1) & mask
        }
        let code = Int32(keys.count)
        keys.append(key)
        slots[slot] = code
        if keys.count * 2 > slots.count { grow() }
        return code
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        for (code, key) in keys.enumerated() {
            var slot = Int(truncatingIfNeeded: ByteStrings.mix(UInt64(bitPattern: key))) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(code)
        }
    }
}
