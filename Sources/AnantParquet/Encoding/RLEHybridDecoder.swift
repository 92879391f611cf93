/// Decodes the RLE / bit-packed hybrid (levels, dictionary indices, RLE booleans).
///
/// Runs: a varint header; `header & 1 == 1`: `(header >> 1) * 8` bit-packed values;
/// else `header >> 1` repeats of one value stored in `ceil(width / 8)` bytes. Every run is
/// checked against the remaining bytes; values past the requested count are ignored.
struct RLEHybridDecoder {
    private let data: UnsafeRawBufferPointer
    private var position = 0
    private let bitWidth: Int
    private let valueBytes: Int
    /// The current run: repeated value, or bit-packed values still to take.
    private var repeatCount = 0
    private var repeatValue: UInt32 = 0
    private var packedRemaining = 0
    private var packedBitOffset = 0

    init(_ data: UnsafeRawBufferPointer, bitWidth: Int) throws(ParquetError) {
        guard bitWidth >= 0 && bitWidth <= 32 else {
            throw ParquetError.corrupt("an RLE/bit-packed run has bit width \(bitWidth) (at most 32)")
        }
        self.data = data
        self.bitWidth = bitWidth
        self.valueBytes = (bitWidth + 7) / 8
    }

    /// Bytes consumed so far (whole runs).
    var consumed: Int { position }

    /// Decodes exactly `count` values into `output`; throws when the data ends first.
    mutating func decode(count: Int, into output: UnsafeMutablePointer<UInt32>) throws(ParquetError) {
        var produced = 0
        while produced < count {
            if repeatCount > 0 {
                let n = Swift.min(repeatCount, count - produced)
                (output + produced).initialize(repeating: repeatValue, count: n)
                produced += n
                repeatCount -= n
                continue
            }
            if packedRemaining > 0 {
                let n = Swift.min(packedRemaining, count - produced)
                BitUnpacking.unpack32(data, bitOffset: packedBitOffset, bitWidth: bitWidth, count: n, into: output + produced)
                packedBitOffset += n * bitWidth
                packedRemaining -= n
                produced += n
                continue
            }
            try nextRun(needed: count - produced)
        }
    }

    /// Decodes exactly `count` levels (values of at most 15 bits) into `output`.
    mutating func decodeLevels(count: Int, into output: UnsafeMutableBufferPointer<Int16>) throws(ParquetError) {
        guard bitWidth <= 15 else { throw ParquetError.corrupt("levels have bit width \(bitWidth)") }
        var produced = 0
        var scratch = [UInt32](repeating: 0, count: 64)
        while produced < count {
            if repeatCount > 0 {
                let n = Swift.min(repeatCount, count - produced)
                UnsafeMutableBufferPointer(rebasing: output[produced..<(produced + n)]).initialize(repeating: Int16(truncatingIfNeeded: repeatValue))
                produced += n
                repeatCount -= n
                continue
            }
            if packedRemaining > 0 {
                let n = Swift.min(packedRemaining, count - produced, 64)
                scratch.withUnsafeMutableBufferPointer { s in
                    BitUnpacking.unpack32(data, bitOffset: packedBitOffset, bitWidth: bitWidth, count: n, into: s.baseAddress!)
                    for k in 0..<n { output[produced + k] = Int16(truncatingIfNeeded: s[k]) }
                }
                packedBitOffset += n * bitWidth
                packedRemaining -= n
                produced += n
                continue
            }
            try nextRun(needed: count - produced)
        }
    }

    /// Decodes `count` dictionary indices and writes `dictionary[index]` for each into
    /// `output`, 64 indices at a time (the indices never leave the cache). Returns false
    /// when an index is outside the dictionary (the output is then incomplete).
    mutating func gather<T>(count: Int, from dictionary: UnsafeBufferPointer<T>, into output: UnsafeMutablePointer<T>) throws(ParquetError) -> Bool {
        let size = UInt32(dictionary.count)
        var produced = 0
        var scratch = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                       UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                       UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                       UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while produced < count {
            if repeatCount > 0 {
                guard repeatValue < size else { return false }
                let n = Swift.min(repeatCount, count - produced)
                (output + produced).initialize(repeating: dictionary[Int(repeatValue)], count: n)
                produced += n
                repeatCount -= n
                continue
            }
            if packedRemaining > 0 {
                let n = Swift.min(packedRemaining, count - produced, 64)
                var ok = true
                withUnsafeMutableBytes(of: &scratch) { raw in
                    let indices = raw.baseAddress!.assumingMemoryBound(to: UInt32.self)
                    BitUnpacking.unpack32(data, bitOffset: packedBitOffset, bitWidth: bitWidth, count: n, into: indices)
                    var highest: UInt32 = 0
                    for k in 0..<n {
                        let index = indices[k]
                        highest = Swift.max(highest, index)
                        output[produced + k] = dictionary[Int(index < size ? index : 0)]
                    }
                    ok = highest < size
                }
                guard ok else { return false }
                packedBitOffset += n * bitWidth
                packedRemaining -= n
                produced += n
                continue
            }
            try nextRun(needed: count - produced)
        }
        return true
    }

    /// Decodes `count` dictionary indices (those of rows `first ..< first + count`) and
    /// writes `dictionary[index]` only for the rows in `rows` (ascending, inside that
    /// range), to consecutive slots of `output`: bit-packed indices of other rows are never
    /// unpacked. Returns false when a
    /// selected index is outside the dictionary (the output is then incomplete); throws
    /// when the page's runs end before its `count` indices.
    mutating func gather<T>(count: Int, rows: UnsafeBufferPointer<Int>, first: Int, from dictionary: UnsafeBufferPointer<T>,
                            into output: UnsafeMutablePointer<T>) throws(ParquetError) -> Bool {
        let size = UInt32(dictionary.count)
        let mask: UInt64 = bitWidth == 0 ? 0 : (1 &<< UInt64(bitWidth)) &- 1
        var produced = 0, j = 0
        while j < rows.count {
            if repeatCount > 0 {
                let n = Swift.min(repeatCount, count - produced)
                let end = first + produced + n
                if j < rows.count && rows[j] < end {
                    guard repeatValue < size else { return false }
                    let value = dictionary[Int(repeatValue)]
                    while j < rows.count && rows[j] < end { output[j] = value; j += 1 }
                }
                produced += n
                repeatCount -= n
                continue
            }
            if packedRemaining > 0 {
                let n = Swift.min(packedRemaining, count - produced)
                let start = first + produced, end = start + n
                var highest: UInt32 = 0
                while j < rows.count && rows[j] < end {
                    let index = bitWidth == 0 ? 0
                        : BitUnpacking.value32(data, bit: packedBitOffset &+ (rows[j] &- start) &* bitWidth, bitWidth: bitWidth, mask: mask)
                    highest = Swift.max(highest, index)
                    output[j] = dictionary[Int(index < size ? index : 0)]
                    j += 1
                }
                guard highest < size else { return false }
                packedBitOffset += n * bitWidth
                packedRemaining -= n
                produced += n
                continue
            }
            try nextRun(needed: count - produced)
        }
        // The runs after the last selected row are checked, not unpacked: a page cut
        // short there is refused as a whole decode would refuse it.
        try skip(count: count - produced)
        return true
    }

    /// Skips `count` values.
    mutating func skip(count: Int) throws(ParquetError) {
        var left = count
        while left > 0 {
            if repeatCount > 0 {
                let n = Swift.min(repeatCount, left)
                repeatCount -= n
                left -= n
            } else if packedRemaining > 0 {
                let n = Swift.min(packedRemaining, left)
                packedBitOffset += n * bitWidth
                packedRemaining -= n
                left -= n
            } else {
                try nextRun(needed: left)
            }
        }
    }

    private mutating func nextRun(needed: Int) throws(ParquetError) {
        guard position < data.count else {
            throw ParquetError.corrupt("RLE/bit-packed data ends with \(needed) values still to decode")
        }
        var header: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < data.count, shift < 64 else { throw ParquetError.corrupt("an RLE/bit-packed run header is truncated or too long") }
            let byte = data[position]
            position += 1
            header |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        if header & 1 == 1 {
            let groups = header >> 1
            if groups == 0 { return }  // an empty run: nothing to take
            guard groups <= UInt64(Int32.max / 8) else {
                throw ParquetError.corrupt("a bit-packed run has \(groups) groups of 8 values")
            }
            let values = Int(groups) * 8
            let bytes = Int(groups) * bitWidth
            // The last run may be cut short when it carries padding only.
            let available = Swift.min(bytes, data.count - position)
            let whole = bitWidth == 0 ? values : available * 8 / bitWidth
            guard whole >= Swift.min(values, needed) else {
                throw ParquetError.corrupt("a bit-packed run needs \(bytes) bytes but only \(data.count - position) remain")
            }
            packedRemaining = Swift.min(values, whole)
            packedBitOffset = position * 8
            position += available
        } else {
            let count = header >> 1
            guard count <= UInt64(Int32.max) else { throw ParquetError.corrupt("an RLE run repeats a value \(count) times") }
            guard valueBytes <= data.count - position else {
                throw ParquetError.corrupt("an RLE run's value is truncated")
            }
            var value: UInt32 = 0
            for k in 0..<valueBytes { value |= UInt32(data[position + k]) << (8 * k) }
            position += valueBytes
            if bitWidth < 32 && value >> bitWidth != 0 {
                throw ParquetError.corrupt("an RLE run holds \(value), wider than its \(bitWidth) bits")
            }
            repeatCount = Int(count)
            repeatValue = value
        }
    }
}
