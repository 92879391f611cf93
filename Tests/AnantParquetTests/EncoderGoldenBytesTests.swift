@testable import AnantParquet
import AnantColumnar
import Testing

/// The encoders' exact bytes, against the Parquet and Thrift specifications' own examples
/// and hand-derived encodings (a round trip through our own decoder would not catch an
/// encoder and decoder wrong in the same way).
@Suite struct EncoderGoldenBytesTests {
    static func rle(_ values: [UInt32], bitWidth: Int) -> [UInt8] {
        var encoder = RLEHybridEncoder(bitWidth: bitWidth)
        encoder.append(contentsOf: values)
        return encoder.finish()
    }

    @Test func rleBitPackedHybrid() {
        // The specification's bit-packing example: 0 ... 7 at width 3 packs to 10001000
        // 11000110 11111010, after the header (1 group of 8 << 1 | 1 = bit-packed).
        #expect(Self.rle(Array(0...7), bitWidth: 3) == [0x03, 0x88, 0xC6, 0xFA])
        // A run of 10 fives at width 3: header 10 << 1, then the value in one byte.
        #expect(Self.rle([UInt32](repeating: 5, count: 10), bitWidth: 3) == [0x14, 0x05])
        // 300 sevens at width 4: header varint(600) = D8 04.
        #expect(Self.rle([UInt32](repeating: 7, count: 300), bitWidth: 4) == [0xD8, 0x04, 0x07])
        // A short group is padded with zeros to 8 values: 1, 0, 1 at width 1 → 0b101.
        #expect(Self.rle([1, 0, 1], bitWidth: 1) == [0x03, 0x05])
        // A value wider than a byte takes ceil(width / 8) bytes, little-endian.
        #expect(Self.rle([UInt32](repeating: 0x1234, count: 8), bitWidth: 13) == [0x10, 0x34, 0x12])
        #expect(RLEHybridEncoder.run(of: 1, count: 3, bitWidth: 1) == [0x06, 0x01])
    }

    @Test func deltaBinaryPackedDecodesTheSpecificationsLayout() throws {
        // 1, 2, 3, 4, 5: block size 128 (varint 80 01), 4 miniblocks, 5 values, first value
        // zigzag(1) = 2; one block: minimum delta zigzag(1) = 2, miniblock widths 0 0 0 0.
        let bytes: [UInt8] = [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00]
        var values = [UInt64]()
        try bytes.withUnsafeBytes { raw in
            var decoder = try DeltaBinaryPackedDecoder(raw)
            try decoder.decode(maximumBitWidth: 64, expected: 5, into: &values)
        }
        #expect(values.map { Int64(bitPattern: $0) } == [1, 2, 3, 4, 5])
        // 7, 5, 3, 1, 2, 3, 4, 5 (deltas -2 -2 -2 1 1 1 1; min -2, so 0 0 0 3 3 3 3 at
        // width 2 in the first miniblock of 32 values, padded).
        let widths: [UInt8] = [0x02, 0x00, 0x00, 0x00]
        var packed = [UInt8](repeating: 0, count: 8)   // 32 values × 2 bits
        for (k, delta) in [0, 0, 0, 3, 3, 3, 3].enumerated() { packed[k / 4] |= UInt8(delta) << UInt8(2 * (k % 4)) }
        let second: [UInt8] = [0x80, 0x01, 0x04, 0x08, 0x0E, 0x03] + widths + packed
        var decoded = [UInt64]()
        try second.withUnsafeBytes { raw in
            var decoder = try DeltaBinaryPackedDecoder(raw)
            try decoder.decode(maximumBitWidth: 64, expected: 8, into: &decoded)
        }
        #expect(decoded.map { Int64(bitPattern: $0) } == [7, 5, 3, 1, 2, 3, 4, 5])
    }

    @Test func deltaBinaryPackedEncodesTheSpecificationsLayout() {
        func encode(_ values: [Int64]) -> [UInt8] {
            var out = [UInt8]()
            values.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: &out) }
            return out
        }
        // The two layouts above, now produced by the encoder.
        #expect(encode([1, 2, 3, 4, 5]) == [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00])
        var packed = [UInt8](repeating: 0, count: 8)
        for (k, delta) in [0, 0, 0, 3, 3, 3, 3].enumerated() { packed[k / 4] |= UInt8(delta) << UInt8(2 * (k % 4)) }
        #expect(encode([7, 5, 3, 1, 2, 3, 4, 5]) == [0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00] + packed)
        // One value: the header alone; none: a header of zero values and first value 0.
        #expect(encode([-3]) == [0x80, 0x01, 0x04, 0x01, 0x05])
        #expect(encode([]) == [0x80, 0x01, 0x04, 0x00, 0x00])
    }

    /// Encoder and decoder agree on every count around the block and miniblock edges, and
    /// on deltas that wrap (extremes of each width, where a delta overflows the type).
    @Test(arguments: [0, 1, 2, 31, 32, 33, 127, 128, 129, 130, 257, 1000])
    func deltaBinaryPackedRoundTripsWrappingDeltas(count: Int) throws {
        var rng = SeededGenerator(seed: UInt64(count) + 5)
        let picks64: [Int64] = [.min, .max, 0, -1, 1]
        let wide = (0..<count).map { i in i % 3 == 0 ? picks64[Int.random(in: 0..<5, using: &rng)] : Int64.random(in: .min ... .max, using: &rng) }
        let narrow = (0..<count).map { i in i % 4 == 0 ? [Int32.min, .max][i % 2] : Int32.random(in: -70_000...70_000, using: &rng) }
        func roundTrip<T: FixedWidthInteger & SignedInteger>(_ values: [T], width: Int) throws -> [T] {
            var out = [UInt8]()
            values.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: &out) }
            var decoded = [UInt64]()
            try out.withUnsafeBytes { raw in
                var decoder = try DeltaBinaryPackedDecoder(raw)
                try decoder.decode(maximumBitWidth: width, expected: values.count, into: &decoded)
                #expect(decoder.consumed == raw.count, "the encoder wrote \(raw.count) bytes; the decoder used \(decoder.consumed)")
            }
            return decoded.map { T(truncatingIfNeeded: $0) }
        }
        #expect(try roundTrip(wide, width: 64) == wide)
        #expect(try roundTrip(narrow, width: 32) == narrow)
    }

    @Test func byteStreamSplitTransposesBytes() {
        var out = [UInt8]()
        let values: [Double] = [1.0, -2.5]   // 3FF0000000000000, C004000000000000 (little-endian bytes)
        values.withUnsafeBufferPointer { ByteStreamSplitEncoder.encode($0, into: &out) }
        // Streams 0...5 hold the zero low bytes of both values; stream 6 F0 04, stream 7 3F C0.
        #expect(out == [UInt8](repeating: 0, count: 12) + [0xF0, 0x04, 0x3F, 0xC0])
    }

    @Test func thriftCompactProtocol() {
        var writer = ThriftCompactWriter()
        writer.field(1, i32: 5)            // short header: delta 1, type i32 (5); zigzag 10
        writer.field(3, i64: -1)           // delta 2, type i64 (6); zigzag(-1) = 1
        writer.field(20, bool: true)       // delta 17: long form, type true (1), zigzag id 40
        writer.field(21, string: "ab")     // delta 1, binary (8); length 2
        writer.field(22, list: .i32, count: 2) { w, i in w.writeZigzag(Int64(i) - 1) }  // list header 2 << 4 | 5
        writer.field(23, structure: { $0.field(1, i8: -2) })    // nested ids restart at 0; stop byte
        writer.writeVarint(300)            // 300 = AC 02
        #expect(writer.bytes == [0x15, 0x0A, 0x26, 0x01, 0x01, 0x28, 0x18, 0x02, 0x61, 0x62,
                                 0x19, 0x25, 0x01, 0x00, 0x1C, 0x13, 0xFE, 0x00, 0xAC, 0x02])
        var long = ThriftCompactWriter()
        long.writeListHeader(.binary, count: 20)   // 15 or more: F8, then varint 20
        #expect(long.bytes == [0xF8, 0x14])
    }
}
