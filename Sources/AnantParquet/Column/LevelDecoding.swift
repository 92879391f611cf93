/// Decoding of definition and repetition levels.
enum LevelDecoding {
    /// Decodes `count` levels at most `maxLevel` from the start of `data`, appending to
    /// `levels`; returns the bytes consumed.
    ///
    /// - Parameters:
    ///   - encoding: RLE (the hybrid) or the deprecated BIT_PACKED (MSB first).
    ///   - lengthPrefixed: data page v1 RLE levels start with a 4-byte length; v2 levels
    ///     do not (their length is in the page header, and `data` is exactly that long).
    static func decode(_ data: UnsafeRawBufferPointer, encoding: Encoding, maxLevel: Int, count: Int,
                       lengthPrefixed: Bool, into levels: inout [Int16], column: String, kind: String) throws(ParquetError) -> Int {
        let width = bitWidth(of: UInt64(maxLevel))
        let start = levels.count
        levels.append(contentsOf: repeatElement(0, count: count))
        let consumed: Int
        switch encoding {
        case .rle:
            var region = data
            var prefix = 0
            if lengthPrefixed {
                guard data.count >= 4 else { throw ParquetError.corrupt("the \(kind) levels of a page of column '\(column)' lack their length") }
                let length = Int(UInt32(littleEndian: data.loadUnaligned(as: UInt32.self)))
                guard length <= data.count - 4 else {
                    throw ParquetError.corrupt("the \(kind) levels of a page of column '\(column)' claim \(length) bytes, \(data.count - 4) remain")
                }
                region = UnsafeRawBufferPointer(rebasing: data[4..<(4 + length)])
                prefix = 4 + length
            }
            var decoder = try RLEHybridDecoder(region, bitWidth: width)
            var buffer = [UInt32](repeating: 0, count: count)
            try buffer.withUnsafeMutableBufferPointer { b throws(ParquetError) in try decoder.decode(count: count, into: b.baseAddress!) }
            try store(buffer, maxLevel: maxLevel, into: &levels, at: start, column: column, kind: kind)
            consumed = lengthPrefixed ? prefix : region.count
        case .bitPacked:
            let bytes = (count * width + 7) / 8
            guard bytes <= data.count else {
                throw ParquetError.corrupt("the BIT_PACKED \(kind) levels of column '\(column)' need \(bytes) bytes, \(data.count) remain")
            }
            var buffer = [UInt32](repeating: 0, count: count)
            for i in 0..<count {
                var value: UInt32 = 0
                for b in 0..<width {
                    let bit = i * width + b
                    let set = data[bit >> 3] & (0x80 >> UInt8(bit & 7)) != 0
                    value = value << 1 | (set ? 1 : 0)
                }
                buffer[i] = value
            }
            try store(buffer, maxLevel: maxLevel, into: &levels, at: start, column: column, kind: kind)
            consumed = bytes
        default:
            throw ParquetError(.unsupported, "the \(kind) levels of column '\(column)' use encoding \(encoding) (expected RLE or BIT_PACKED)")
        }
        return consumed
    }

    private static func store(_ buffer: [UInt32], maxLevel: Int, into levels: inout [Int16], at start: Int,
                              column: String, kind: String) throws(ParquetError) {
        var tooHigh: UInt32 = 0
        levels.withUnsafeMutableBufferPointer { out in
            for (i, v) in buffer.enumerated() {
                tooHigh = Swift.max(tooHigh, v)
                out[start + i] = Int16(truncatingIfNeeded: v)
            }
        }
        guard tooHigh <= UInt32(maxLevel) else {
            throw ParquetError.corrupt("column '\(column)' has a \(kind) level \(tooHigh) above its maximum \(maxLevel)")
        }
    }
}
