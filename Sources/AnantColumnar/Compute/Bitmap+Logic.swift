/// Word-wise logic on bitmaps of equal length: the selection vectors of filters.
extension Bitmap {
    /// Bits `0..<count` computed a word at a time from `test(i)`.
    @inline(__always)
    static func computing(count: Int, _ test: (Int) -> Bool) -> Bitmap {
        var words = [UInt64](repeating: 0, count: (count + 63) >> 6)
        words.withUnsafeMutableBufferPointer { out in
            // Branch-free: a data-dependent branch per row would mispredict on mixed data.
            let full = count >> 6
            for w in 0..<full {
                let start = w << 6
                var word: UInt64 = 0
                for j in 0..<64 { word |= UInt64(test(start + j) ? 1 : 0) << UInt64(j) }
                out[w] = word
            }
            if full < out.count {
                var word: UInt64 = 0
                for i in (full << 6)..<count { word |= UInt64(test(i) ? 1 : 0) << UInt64(i - (full << 6)) }
                out[full] = word
            }
        }
        return Bitmap(words: words, count: count)
    }

    /// Bits set where both bitmaps are set.
    public func intersection(_ other: Bitmap) -> Bitmap { combining(other, &) }

    /// Bits set where either bitmap is set.
    public func union(_ other: Bitmap) -> Bitmap { combining(other, |) }

    /// Every bit flipped.
    public func inverted() -> Bitmap {
        Bitmap(words: words.map { ~$0 }, count: count)
    }

    /// The positions of the set bits, ascending.
    public func setIndices() -> [Int] {
        var out = [Int]()
        out.reserveCapacity(setCount)
        for (w, word) in words.enumerated() {
            var rest = word
            while rest != 0 {
                out.append(w << 6 + rest.trailingZeroBitCount)
                rest &= rest - 1
            }
        }
        return out
    }

    private func combining(_ other: Bitmap, _ op: (UInt64, UInt64) -> UInt64) -> Bitmap {
        precondition(count == other.count, "bitmaps of \(count) and \(other.count) bits cannot be combined")
        return Bitmap(words: zip(words, other.words).map { op($0, $1) }, count: count)
    }
}
