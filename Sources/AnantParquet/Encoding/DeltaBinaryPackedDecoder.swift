/// Decodes DELTA_BINARY_PACKED (INT32 and INT64; all arithmetic wraps).
///
/// Header: block size (a multiple of 128), miniblocks per block (block / miniblocks a
/// multiple of 32), total value count, first value (zigzag). Each block: min delta
/// (zigzag), one bit width per miniblock, then the miniblocks bit-packed. Miniblocks after
/// the last value are absent (their widths may be garbage). `consumed` reports the exact
/// end, where DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY data continue.
struct DeltaBinaryPackedDecoder {
    private let data: UnsafeRawBufferPointer
    private(set) var consumed = 0
    let totalCount: Int

    private let blockSize: Int
    private let miniblocks: Int
    private let valuesPerMiniblock: Int
    private let firstValue: UInt64

    init(_ data: UnsafeRawBufferPointer) throws(ParquetError) {
        self.data = data
        var position = 0
        func varint() throws(ParquetError) -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard position < data.count, shift < 64 else { throw ParquetError.corrupt("a DELTA_BINARY_PACKED header is truncated") }
                let byte = data[position]
                position += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        let blockSize = try varint(), miniblocks = try varint(), total = try varint()
        let first = try varint()
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
              (blockSize / miniblocks) % 32 == 0 else {
            throw ParquetError.corrupt("a DELTA_BINARY_PACKED header has block size \(blockSize) with \(miniblocks) miniblocks")
        }
        guard total <= UInt64(Int32.max) else { throw ParquetError.corrupt("a DELTA_BINARY_PACKED header claims \(total) values") }
        self.blockSize = Int(blockSize)
        self.miniblocks = Int(miniblocks)
        self.valuesPerMiniblock = Int(blockSize / miniblocks)
        self.totalCount = Int(total)
        self.firstValue = (first >> 1) ^ (0 &- (first & 1))
        self.consumed = position
    }

    /// Decodes all `totalCount` values as 64-bit patterns (INT32 callers truncate, which
    /// is the wrapping the format asks for). `expected` is the number of values the page
    /// holds: the header must agree, so a corrupt count cannot drive a giant decode.
    mutating func decode(maximumBitWidth: Int, expected: Int, into output: inout [UInt64]) throws(ParquetError) {
        guard totalCount == expected else {
            throw ParquetError.corrupt("a DELTA_BINARY_PACKED header holds \(totalCount) values where the page has \(expected)")
        }
        guard totalCount > 0 else { return }
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: totalCount))
        var decoder = self
        let result: Result<Void, ParquetError> = output.withUnsafeMutableBufferPointer { all in
            do throws(ParquetError) {
                try decoder.decode(maximumBitWidth: maximumBitWidth, expected: expected, into: all.baseAddress! + start) { $0 }
                return .success(())
            } catch { return .failure(error) }
        }
        self = decoder
        try result.get()
    }

    /// Decodes all `totalCount` (= `expected`) values straight into `target`, each 64-bit
    /// pattern converted by `convert` (INT32 truncates).
    mutating func decode<T>(maximumBitWidth: Int, expected: Int, into target: UnsafeMutablePointer<T>,
                            _ convert: (UInt64) -> T) throws(ParquetError) {
        guard totalCount == expected else {
            throw ParquetError.corrupt("a DELTA_BINARY_PACKED header holds \(totalCount) values where the page has \(expected)")
        }
        guard totalCount > 0 else { return }
        target[0] = convert(firstValue)
        var produced = 1
        var last = firstValue
        var position = consumed
        var widths = [Int](repeating: 0, count: miniblocks)
        var scratch = [UInt64](repeating: 0, count: valuesPerMiniblock)
        while produced < totalCount {
            // Block header: min delta, then the miniblock widths.
            var minDelta: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard position < data.count, shift < 64 else { throw ParquetError.corrupt("a DELTA_BINARY_PACKED block header is truncated") }
                let byte = data[position]
                position += 1
                minDelta |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            minDelta = (minDelta >> 1) ^ (0 &- (minDelta & 1))
            guard data.count - position >= miniblocks else { throw ParquetError.corrupt("DELTA_BINARY_PACKED miniblock widths are truncated") }
            for m in 0..<miniblocks { widths[m] = Int(data[position + m]) }
            position += miniblocks
            for m in 0..<miniblocks where produced < totalCount {
                let width = widths[m]
                guard width <= maximumBitWidth else {
                    throw ParquetError.corrupt("a DELTA_BINARY_PACKED miniblock has bit width \(width) (at most \(maximumBitWidth))")
                }
                let bytes = valuesPerMiniblock * width / 8
                let take = Swift.min(valuesPerMiniblock, totalCount - produced)
                // The last miniblock must be complete by the spec, but accept one cut at its needed bits.
                let needed = (take * width + 7) / 8
                guard data.count - position >= needed else {
                    throw ParquetError.corrupt("a DELTA_BINARY_PACKED miniblock needs \(needed) bytes but \(data.count - position) remain")
                }
                scratch.withUnsafeMutableBufferPointer { s in
                    BitUnpacking.unpack(data, bitOffset: position * 8, bitWidth: width, count: take, into: s.baseAddress!)
                }
                for k in 0..<take {
                    last = last &+ minDelta &+ scratch[k]
                    target[produced + k] = convert(last)
                }
                produced += take
                position += Swift.min(bytes, data.count - position)
            }
        }
        consumed = position
    }
}
