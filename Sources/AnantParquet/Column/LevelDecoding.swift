/// Decoding of definition and repetition levels.
enum LevelDecoding {
    /// When the RLE levels at the start of `data` are one run of `count` equal values
    /// (every value present, the common case), that value and the bytes the levels take;
    /// nil otherwise. Spares decoding a level per row.
    static func uniformRun(_ data: UnsafeRawBufferPointer, maxLevel: Int, count: Int, lengthPrefixed: Bool) -> (level: Int16, consumed: Int)? {
        var position = 0
        var end = data.count
        if lengthPrefixed {
            guard data.count >= 4 else { return nil }
            let length = Int(UInt32(littleEndian: data.loadUnaligned(as: UInt32.self)))
            guard length <= data.count - 4 else { return nil }
            position = 4
            end = 4 + length
        }
        var header: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard position < end, shift < 64 else { return nil }
            let byte = data[position]
            position += 1
            header |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard header & 1 == 0, header >> 1 == UInt64(count) else { return nil }
        let width = bitWidth(of: UInt64(maxLevel))
        let valueBytes = (width + 7) / 8
        guard end - position >= valueBytes else { return nil }
        var value = 0
        for k in 0..<valueBytes { value |= Int(data[position + k]) << (8 * k) }
        guard value <= maxLevel else { return nil }
        return (Int16(value), lengthPrefixed ? end : position + valueBytes)
    }

    /// Decodes `count` levels at most `maxLevel` from the start of `data`, appending to
    /// `levels`; returns the bytes consumed.
    ///
    /// - Parameters:
    ///   - encoding: RLE (the hybrid) or the deprecated BIT_PACKED (MSB first).
    ///   - lengthPrefixed: data page v1 RLE levels start with a 4-byte length; v2 levels
    ///     do not (their length is in the page header, and `data` is exactly that long).
    static func decode(_ data: UnsafeRawBufferPointer, encoding: Encoding, maxLevel: Int, count: Int,
                       lengthPrefixed: Bool, into levels: UnsafeMutableBufferPointer<Int16>, column: String, kind: String) throws(ParquetError) -> Int {
        let width = bitWidth(of: UInt64(maxLevel))
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
            try decoder.decodeLevels(count: count, into: levels)
            try check(levels, maxLevel: maxLevel, column: column, kind: kind)
            consumed = lengthPrefixed ? prefix : region.count
        case .bitPacked:
            let bytes = (count * width + 7) / 8
            guard bytes <= data.count else {
                throw ParquetError.corrupt("the BIT_PACKED \(kind) levels of column '\(column)' need \(bytes) bytes, \(data.count) remain")
            }
            for i in 0..<count {
                var value: Int16 = 0
                for b in 0..<width {
                    let bit = i * width + b
                    let set = data[bit >> 3] & (0x80 >> UInt8(bit & 7)) != 0
                    value = value << 1 | (set ? 1 : 0)
                }
                levels[i] = value
            }
            try check(levels, maxLevel: maxLevel, column: column, kind: kind)
            consumed = bytes
        default:
            throw ParquetError(.unsupported, "the \(kind) levels of column '\(column)' use encoding \(encoding) (expected RLE or BIT_PACKED)")
        }
        return consumed
    }

    private static func check(_ levels: UnsafeMutableBufferPointer<Int16>, maxLevel: Int, column: String, kind: String) throws(ParquetError) {
        var highest: Int16 = 0
        for level in levels { highest = Swift.max(highest, level) }
        guard Int(highest) <= maxLevel else {
            throw ParquetError.corrupt("column '\(column)' has a \(kind) level \(highest) above its maximum \(maxLevel)")
        }
    }
}
