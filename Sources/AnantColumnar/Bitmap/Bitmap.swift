import CAnantSystem
/// A packed sequence of bits in 64-bit words (bit `i` is bit `i % 64` of word `i / 64`).
///
/// Used as a validity bitmap (a set bit means the value is present) and as the storage of
/// Boolean columns. Bits past `count` in the last word are always zero, so word-wise
/// population counts are exact.
public struct Bitmap: Sendable, Hashable {
    /// The words holding the bits; `words.count == (count + 63) / 64`.
    public private(set) var words: [UInt64]
    /// The number of bits.
    public private(set) var count: Int

    /// Creates a bitmap of `count` bits, all set to `value`.
    public init(count: Int, value: Bool) {
        precondition(count >= 0, "bitmap count must be non-negative")
        self.count = count
        let wordCount = (count + 63) >> 6
        self.words = [UInt64](repeating: value ? ~0 : 0, count: wordCount)
        if value { clearTail() }
    }

    /// Creates a bitmap from Booleans.
    public init<S: Sequence>(_ bits: S) where S.Element == Bool {
        self.init(count: 0, value: false)
        for bit in bits { append(bit) }
    }

    /// Creates a bitmap from its words; bits past `count` are cleared.
    public init(words: [UInt64], count: Int) {
        precondition(words.count == (count + 63) >> 6, "word count does not match bit count")
        self.words = words
        self.count = count
        clearTail()
    }

    /// Reads or writes bit `index`.
    public subscript(index: Int) -> Bool {
        get {
            precondition(index >= 0 && index < count, "bit index out of range")
            return words[index >> 6] & (1 << UInt64(index & 63)) != 0
        }
        set {
            precondition(index >= 0 && index < count, "bit index out of range")
            let mask: UInt64 = 1 << UInt64(index & 63)
            if newValue { words[index >> 6] |= mask } else { words[index >> 6] &= ~mask }
        }
    }

    /// Clears the bits in `range`, a word at a time.
    public mutating func clear(_ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "bit range out of range")
        guard !range.isEmpty else { return }
        let first = range.lowerBound >> 6, last = (range.upperBound - 1) >> 6
        let low: UInt64 = ~0 << UInt64(range.lowerBound & 63)
        let high: UInt64 = ~0 >> UInt64(63 - ((range.upperBound - 1) & 63))
        words.withUnsafeMutableBufferPointer { w in
            if first == last {
                w[first] &= ~(low & high)
                return
            }
            w[first] &= ~low
            for i in (first + 1)..<last { w[i] = 0 }
            w[last] &= ~high
        }
    }

    /// Appends one bit.
    public mutating func append(_ bit: Bool) {
        if count & 63 == 0 { words.append(0) }
        if bit { words[count >> 6] |= 1 << UInt64(count & 63) }
        count += 1
    }

    /// Appends `n` copies of `bit`.
    public mutating func append(repeating bit: Bool, count n: Int) {
        guard n > 0 else { return }
        let total = count + n
        let needed = (total + 63) >> 6
        if bit {
            // Fill the partial last word, then whole words; bits past the end stay zero.
            if count & 63 != 0 { words[words.count - 1] |= ~0 << UInt64(count & 63) }
            while words.count < needed { words.append(~0) }
            if total & 63 != 0 { words[needed - 1] &= (1 << UInt64(total & 63)) - 1 }
        } else {
            while words.count < needed { words.append(0) }
        }
        count = total
    }

    /// Appends all bits of another bitmap, a word at a time.
    public mutating func append(contentsOf other: Bitmap) {
        guard other.count > 0 else { return }
        let shift = count & 63
        let total = count + other.count
        words.reserveCapacity((total + 63) >> 6)
        if shift == 0 {
            words.append(contentsOf: other.words)
        } else {
            // Bits of each incoming word fill the current last word, the rest start the next.
            for word in other.words {
                words[words.count - 1] |= word << UInt64(shift)
                words.append(word >> UInt64(64 - shift))
            }
        }
        words.removeLast(words.count - (total + 63) >> 6)
        count = total
        // Bits past the end stay zero.
        if total & 63 != 0 { words[words.count - 1] &= (1 << UInt64(total & 63)) - 1 }
    }

    /// The number of set bits.
    public var setCount: Int {
        words.withUnsafeBufferPointer { Int(anant_popcount($0.baseAddress, $0.count, 1)) }
    }

    /// The bits at `indices`, in that order.
    public func gather(_ indices: [Int]) -> Bitmap { gathering(indices) }

    /// The bits at `indices`, in that order.
    public func gather(_ indices: [Int32]) -> Bitmap { gathering(indices) }

    /// The generic gather, specialised inside this module for each index collection the
    /// public entry points pass (a generic public entry point would run unspecialised,
    /// element by element through witness tables, when called from other modules).
    func gathering<C: Collection>(_ indices: C) -> Bitmap where C.Element: BinaryInteger {
        var out = Bitmap(count: indices.count, value: false)
        var j = 0
        for i in indices {
            if self[Int(i)] { out[j] = true }
            j += 1
        }
        return out
    }

    /// The bits in `range`.
    public func slice(_ range: Range<Int>) -> Bitmap {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice out of range")
        let shift = UInt64(range.lowerBound & 63), first = range.lowerBound >> 6
        let outWords = [UInt64](unsafeUninitializedCapacity: (range.count + 63) >> 6) { out, initialized in
            for w in 0..<out.count {
                var word = words[first + w] >> shift
                if shift != 0, first + w + 1 < words.count { word |= words[first + w + 1] << (64 - shift) }
                out[w] = word
            }
            initialized = out.count
        }
        return Bitmap(words: outWords, count: range.count)
    }

    private mutating func clearTail() {
        let tail = count & 63
        if tail != 0, !words.isEmpty { words[words.count - 1] &= (1 << UInt64(tail)) - 1 }
    }
}
