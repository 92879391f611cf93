/// Variable-length byte strings, back to back: row `i` is `bytes[offsets[i] ..< offsets[i + 1]]`.
/// FIXED_LEN_BYTE_ARRAY values use it too, every row the same width.
public struct ByteArrayBuffer: Sendable, Hashable {
    public var offsets: [Int] = [0]
    public var bytes: [UInt8] = []

    public init() {}

    public var count: Int { offsets.count - 1 }

    mutating func append(_ value: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
    }

    mutating func append(_ value: ArraySlice<UInt8>) {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
    }

    public func value(_ i: Int) -> ArraySlice<UInt8> { bytes[offsets[i]..<offsets[i + 1]] }
}

enum ByteArrayDecoders {
    /// PLAIN BYTE_ARRAY: `count` times a u32 little-endian length and the bytes.
    static func plain(_ data: UnsafeRawBufferPointer, count: Int, into out: inout ByteArrayBuffer) throws(ParquetError) -> Int {
        var position = 0
        out.offsets.reserveAdditional(count)
        out.bytes.reserveAdditional(Swift.max(0, data.count - 4 * count))
        for i in 0..<count {
            guard data.count - position >= 4 else { throw ParquetError.corrupt("a PLAIN BYTE_ARRAY page ends before value \(i) of \(count)") }
            let length = Int(UInt32(littleEndian: data.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
            position += 4
            guard length <= data.count - position else {
                throw ParquetError.corrupt("a PLAIN BYTE_ARRAY value claims \(length) bytes but only \(data.count - position) remain")
            }
            out.append(UnsafeRawBufferPointer(rebasing: data[position..<(position + length)]))
            position += length
        }
        return position
    }

    /// PLAIN FIXED_LEN_BYTE_ARRAY of `width` bytes.
    static func fixed(_ data: UnsafeRawBufferPointer, count: Int, width: Int, into out: inout ByteArrayBuffer) throws(ParquetError) -> Int {
        let (total, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, total <= data.count else {
            throw ParquetError.corrupt("a FIXED_LEN_BYTE_ARRAY(\(width)) page needs \(count) values but holds \(data.count) bytes")
        }
        out.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[0..<total]))
        let base = out.offsets.last!
        out.offsets.append(contentsOf: (1...Swift.max(count, 1)).prefix(count).map { base + $0 * width })
        return total
    }

    /// DELTA_LENGTH_BYTE_ARRAY: delta-packed lengths, then all bytes.
    static func deltaLength(_ data: UnsafeRawBufferPointer, count: Int, into out: inout ByteArrayBuffer) throws(ParquetError) -> Int {
        var lengths = [UInt64]()
        var decoder = try DeltaBinaryPackedDecoder(data)
        try decoder.decode(maximumBitWidth: 32, expected: count, into: &lengths)
        var position = decoder.consumed
        for i in 0..<count {
            let length = Int(Int32(truncatingIfNeeded: lengths[i]))
            guard length >= 0, length <= data.count - position else {
                throw ParquetError.corrupt("a DELTA_LENGTH_BYTE_ARRAY value has length \(length) with \(data.count - position) bytes left")
            }
            out.append(UnsafeRawBufferPointer(rebasing: data[position..<(position + length)]))
            position += length
        }
        return position
    }

    /// DELTA_BYTE_ARRAY: delta-packed prefix lengths, then DELTA_LENGTH_BYTE_ARRAY suffixes;
    /// value i = prefix of value i-1 + suffix i.
    static func deltaByteArray(_ data: UnsafeRawBufferPointer, count: Int, into out: inout ByteArrayBuffer) throws(ParquetError) -> Int {
        var prefixes = [UInt64]()
        var decoder = try DeltaBinaryPackedDecoder(data)
        try decoder.decode(maximumBitWidth: 32, expected: count, into: &prefixes)
        var suffixes = ByteArrayBuffer()
        let start = decoder.consumed
        let used = try deltaLength(UnsafeRawBufferPointer(rebasing: data[start...]), count: count, into: &suffixes)
        var previous = [UInt8]()
        for i in 0..<count {
            let prefix = Int(Int32(truncatingIfNeeded: prefixes[i]))
            guard prefix >= 0, prefix <= previous.count else {
                throw ParquetError.corrupt("a DELTA_BYTE_ARRAY value reuses \(prefix) bytes of a \(previous.count)-byte predecessor")
            }
            var value = Array(previous[0..<prefix])
            value.append(contentsOf: suffixes.value(i))
            out.append(value[...])
            previous = value
        }
        return start + used
    }
}
