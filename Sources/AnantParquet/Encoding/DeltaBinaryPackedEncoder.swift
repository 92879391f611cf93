/// Encodes DELTA_BINARY_PACKED the way parquet-mr and arrow write it: blocks of 128 deltas
/// in 4 miniblocks of 32, each block's minimum delta (zigzag) and one bit width per
/// miniblock, then the miniblocks bit-packed little-endian. Deltas wrap in the value's own
/// width (INT32 in 32 bits), so every delta fits the type's width, as readers expect.
/// Widths of miniblocks after the last value are written as 0, with no body.
enum DeltaBinaryPackedEncoder {
    static let blockSize = 128
    static let miniblocks = 4

    /// Appends `values` encoded to `out`.
    static func encode<T: FixedWidthInteger & SignedInteger>(_ values: UnsafeBufferPointer<T>, into out: inout [UInt8]) {
        let perMiniblock = blockSize / miniblocks
        appendVarint(UInt64(blockSize), into: &out)
        appendVarint(UInt64(miniblocks), into: &out)
        appendVarint(UInt64(values.count), into: &out)
        appendVarint(zigzag(Int64(values.first ?? 0)), into: &out)
        guard values.count > 1 else { return }
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: blockSize) { deltas in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: perMiniblock + 1) { words in
                var start = 1
                while start < values.count {
                    let count = Swift.min(blockSize, values.count - start)
                    var minimum = values[start] &- values[start - 1]
                    for k in 0..<count {
                        let delta = values[start + k] &- values[start + k - 1]
                        deltas[k] = UInt64(truncatingIfNeeded: T.Magnitude(truncatingIfNeeded: delta))
                        minimum = Swift.min(minimum, delta)
                    }
                    appendVarint(zigzag(Int64(minimum)), into: &out)
                    let bias = T.Magnitude(truncatingIfNeeded: minimum)
                    for k in 0..<count { deltas[k] = UInt64(truncatingIfNeeded: T.Magnitude(truncatingIfNeeded: deltas[k]) &- bias) }
                    // Padding past the last delta is zero.
                    for k in count..<blockSize { deltas[k] = 0 }
                    let used = (count + perMiniblock - 1) / perMiniblock
                    var widths = SIMD4<UInt8>()
                    for m in 0..<used {
                        var all: UInt64 = 0
                        for k in m * perMiniblock..<(m + 1) * perMiniblock { all |= deltas[k] }
                        widths[m] = UInt8(bitWidth(of: all))
                    }
                    for m in 0..<miniblocks { out.append(widths[m]) }
                    for m in 0..<used {
                        pack(UnsafeBufferPointer(rebasing: deltas[m * perMiniblock..<(m + 1) * perMiniblock]), width: Int(widths[m]),
                             words: words, into: &out)
                    }
                    start += count
                }
            }
        }
    }

    /// Bit-packs 32 values of `width` bits, least significant bit first (4 × width bytes),
    /// through `words` (scratch of 33 words).
    private static func pack(_ values: UnsafeBufferPointer<UInt64>, width: Int, words: UnsafeMutableBufferPointer<UInt64>,
                             into out: inout [UInt8]) {
        guard width > 0 else { return }
        var word: UInt64 = 0, filled = 0, n = 0
        for v in values {
            word |= v << UInt64(filled)
            filled += width
            if filled >= 64 {
                words[n] = word
                n += 1
                filled -= 64
                // The bits of v that did not fit (smart shifts: by 64 yields 0).
                word = v >> UInt64(width - filled)
            }
        }
        if filled > 0 { words[n] = word }
        // The words are little-endian in memory, as the format is.
        out.append(contentsOf: UnsafeRawBufferPointer(start: words.baseAddress, count: 4 * width))
    }
}

/// Zigzag: small magnitudes of either sign become small unsigned numbers.
func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

/// Appends `value` as an unsigned LEB128 varint (Thrift compact, RLE headers, delta headers).
func appendVarint(_ value: UInt64, into out: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}

/// Encodes BYTE_STREAM_SPLIT: byte k of every value goes to stream k, the streams one
/// after another. It saves nothing by itself; a compressor finds the exponent and high
/// mantissa bytes of floating-point values far more alike than whole values.
enum ByteStreamSplitEncoder {
    static func encode<T>(_ values: UnsafeBufferPointer<T>, into out: inout [UInt8]) {
        let width = MemoryLayout<T>.size, count = values.count
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: width * count))
        guard count > 0 else { return }
        let source = UnsafeRawBufferPointer(values)
        out.withUnsafeMutableBufferPointer { buffer in
            let target = buffer.baseAddress! + start
            for i in 0..<count {
                for k in 0..<width { target[k * count + i] = source[i * width + k] }
            }
        }
    }
}
