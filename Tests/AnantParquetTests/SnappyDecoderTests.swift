@testable import AnantParquet
import AnantColumnar
import CSnappy
import Testing

/// Anant's Snappy decoder against the format description's element layouts (hand-built
/// blocks), against libsnappy's compressor (round trips over shapes that exercise every
/// element and copy period), and against libsnappy's decompressor on corrupt blocks: each
/// truncation and each single-byte change must be refused where libsnappy refuses it and
/// decode to libsnappy's bytes where it accepts it.
@Suite struct SnappyDecoderTests {
    /// Our decoder's output, or nil when it refuses the block.
    static func anant(_ block: [UInt8], size: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0xEE, count: size)
        let ok = block.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { output in
                (try? SnappyCodec().decompress(input, into: output)) != nil
            }
        }
        return ok ? out : nil
    }

    /// libsnappy's output, or nil when it refuses the block (or it declares another size).
    static func libsnappy(_ block: [UInt8], size: Int) -> [UInt8]? {
        var declared = 0
        let valid = block.withUnsafeBufferPointer { input -> Bool in
            input.withMemoryRebound(to: CChar.self) { snappy_uncompressed_length($0.baseAddress, $0.count, &declared) == SNAPPY_OK }
        }
        guard valid, declared == size else { return nil }
        var out = [UInt8](repeating: 0, count: size + 1)
        var written = out.count
        let status = block.withUnsafeBufferPointer { input in
            input.withMemoryRebound(to: CChar.self) { src in
                out.withUnsafeMutableBufferPointer { dst in
                    dst.withMemoryRebound(to: CChar.self) { snappy_uncompress(src.baseAddress, src.count, $0.baseAddress, &written) }
                }
            }
        }
        return status == SNAPPY_OK && written == size ? Array(out[0..<size]) : nil
    }

    static func compress(_ data: [UInt8]) throws -> [UInt8] {
        var block = [UInt8]()
        try data.withUnsafeBytes { try SnappyCodec().compress($0, into: &block) }
        return block
    }

    @Test func elementLayoutsOfTheFormat() {
        // Length 5, one literal "hello" (tag (5 - 1) << 2).
        #expect(Self.anant([0x05, 0x10] + Array("hello".utf8), size: 5) == Array("hello".utf8))
        // "abcd" then a 1-byte-offset copy (tag 01): length 4 + 4, offset 4 → "abcdabcdabcd".
        #expect(Self.anant([0x0C, 0x0C] + Array("abcd".utf8) + [0x01 | (4 << 2), 0x04], size: 12) == Array("abcdabcdabcd".utf8))
        // A run: "a" then a 2-byte-offset copy (tag 10) of 40 bytes at offset 1.
        #expect(Self.anant([41, 0x00, 0x61, 0x02 | (39 << 2), 0x01, 0x00], size: 41) == [UInt8](repeating: 0x61, count: 41))
        // A 4-byte-offset copy (tag 11) of 7 bytes at offset 3: "xyz" + "xyzxyzx".
        #expect(Self.anant([10, 0x08] + Array("xyz".utf8) + [0x03 | (6 << 2), 0x03, 0x00, 0x00, 0x00], size: 10)
                == Array("xyzxyzxyzx".utf8))
        // Literals whose length takes 1, 2 and 3 extra bytes (tags 60, 61, 62 << 2).
        for (extra, length) in [(1, 100), (2, 1000), (3, 70_000)] {
            let n = length - 1
            let varint = length < 128 ? [UInt8(length)] : length < 16384 ? [UInt8(length & 0x7F | 0x80), UInt8(length >> 7)]
                : [UInt8(length & 0x7F | 0x80), UInt8((length >> 7) & 0x7F | 0x80), UInt8(length >> 14)]
            let body = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let block = varint + [UInt8((59 + extra) << 2)] + (0..<extra).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + body
            #expect(Self.anant(block, size: length) == body)
        }
        // An empty block decodes to nothing; the empty page needs no block at all.
        #expect(Self.anant([0x00], size: 0) == [])
        #expect(Self.anant([], size: 0) == [])
    }

    @Test func roundTripsThroughLibsnappysCompressor() throws {
        var generator = SeededGenerator(seed: 11)
        var cases: [(String, [UInt8])] = []
        for length in [0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 1000, 4097] {
            cases.append(("random \(length)", (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }))
            cases.append(("zeros \(length)", [UInt8](repeating: 0, count: length)))
        }
        for period in 1...24 {
            let unit = (0..<period).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for length in [period * 3, 61, 200, 5000] {
                cases.append(("period \(period), \(length)", (0..<length).map { unit[$0 % period] }))
            }
        }
        // Parquet's shapes: small integers (3 random bytes, 5 zero), sorted ids, doubles, text.
        let ids = (0..<131_072).map { _ in Int64.random(in: 0..<1_000_000, using: &generator) }
        cases.append(("int64 ids", ids.withUnsafeBytes { Array($0) }))
        cases.append(("sorted int64", (0..<131_072).map { Int64($0 / 7) }.withUnsafeBytes { Array($0) }))
        cases.append(("doubles", (0..<131_072).map { _ in Double.random(in: 0..<1, using: &generator) }.withUnsafeBytes { Array($0) }))
        let words = ["alpha", "beta", "gamma", "hypergraph", "edge", "node", " ", ", "]
        cases.append(("text", Array((0..<40_000).map { _ in words.randomElement(using: &generator)! }.joined().utf8)))
        // Runs of mixed lengths and periods, back to back.
        var mixed = [UInt8]()
        while mixed.count < 300_000 {
            let period = Int.random(in: 1...40, using: &generator), run = Int.random(in: 1...300, using: &generator)
            let unit = (0..<period).map { _ in UInt8.random(in: 0...255, using: &generator) }
            mixed += (0..<run).map { unit[$0 % period] }
        }
        cases.append(("mixed runs", mixed))
        for (name, data) in cases {
            let block = try Self.compress(data)
            #expect(Self.anant(block, size: data.count) == data, "\(name)")
        }
    }

    @Test func corruptBlocksAreRefusedAsLibsnappyRefusesThem() throws {
        var generator = SeededGenerator(seed: 5)
        let unit = Array("hypergraph edges and nodes ".utf8)
        let text = (0..<600).map { unit[$0 % unit.count] } + (0..<200).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let shortRuns = (0..<400).map { UInt8($0 % 3) }
        for data in [text, shortRuns] {
            let block = try Self.compress(data)
            // Every truncation.
            for cut in 0..<block.count {
                let prefix = Array(block[0..<cut])
                #expect(Self.anant(prefix, size: data.count) == nil, "a block cut to \(cut) of \(block.count) bytes")
            }
            // Every byte set to a few values, and a wrong expected size.
            for position in block.indices {
                for value: UInt8 in [0x00, 0x01, 0x02, 0x03, 0x7F, 0x80, 0xF0, 0xFC, 0xFD, 0xFE, 0xFF, block[position] ^ 0x10] {
                    var mutated = block
                    mutated[position] = value
                    #expect(Self.anant(mutated, size: data.count) == Self.libsnappy(mutated, size: data.count),
                            "byte \(position) set to \(value)")
                }
            }
            #expect(Self.anant(block, size: data.count + 1) == nil)
            #expect(Self.anant(block, size: data.count - 1) == nil)
        }
        // Hand-made faults: a copy before the start, offset zero, a copy past the end,
        // a varint too long, a literal running past the block.
        #expect(Self.anant([0x08, 0x01 | (0 << 2), 0x05], size: 8) == nil)
        #expect(Self.anant([0x05, 0x00, 0x61, 0x01, 0x00], size: 5) == nil)
        #expect(Self.anant([0x05, 0x00, 0x61, 0x01 | (7 << 2), 0x01], size: 5) == nil)
        #expect(Self.anant([0x80, 0x80, 0x80, 0x80, 0x80, 0x01], size: 0) == nil)
        #expect(Self.anant([0x05, 0x10, 0x61, 0x62], size: 5) == nil)
        #expect(Self.anant([0x05, 0xF0 | 0x00, 0xFF], size: 5) == nil)
    }
}
