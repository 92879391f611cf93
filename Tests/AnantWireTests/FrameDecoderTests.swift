import AnantColumnar
import AnantProto
import AnantWire
import Testing

/// The frame decoder fed byte by byte, in random chunks and in one piece, and its refusals.
@Suite struct FrameDecoderTests {
    static func envelopes(_ count: Int) -> [Envelope] {
        (0..<count).map { k in
            var e = Envelope.make(.request, id: UInt64(k + 1), method: "anant.v1.Storage/Stat")
            e.payload = .init(repeating: UInt8(k & 0xFF), count: k * 37 % 300)
            if k % 5 == 0 { e.fail(Status(.dataLoss, "shard \(k) checksum mismatch")) }
            return e
        }
    }

    @Test func dripFedByteByByteAndInRandomChunks() throws {
        let sent = Self.envelopes(60)
        var stream = [UInt8]()
        for e in sent { stream += try e.frame() }
        // One byte at a time.
        var decoder = FrameDecoder(maximumFrameBytes: 1 << 20)
        var got = [Envelope]()
        for byte in stream {
            for frame in try decoder.feed([byte]) { got.append(try Envelope(frame: frame)) }
        }
        #expect(got == sent)
        #expect(decoder.buffered == 0)
        // Random chunks, many seeds; and all at once.
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<50 {
            var decoder = FrameDecoder(maximumFrameBytes: 1 << 20)
            var got = [Envelope](), at = 0
            while at < stream.count {
                let take = min(stream.count - at, Int(generator.next() % 97) + 1)
                for frame in try decoder.feed(stream[at..<(at + take)]) { got.append(try Envelope(frame: frame)) }
                at += take
            }
            #expect(got == sent)
        }
        var whole = FrameDecoder(maximumFrameBytes: 1 << 20)
        #expect(try whole.feed(stream).count == 60)
    }

    /// Frames larger than a chunk, gathered in chunks and joined when whole, fed in random
    /// pieces: the same frames, and never more held than was sent and not yet framed.
    @Test(arguments: [1, 5, 64, 300]) func framesOfManyChunksAreJoinedWhole(chunkBytes: Int) throws {
        let sent = Self.envelopes(60)
        var stream = [UInt8]()
        for e in sent { stream += try e.frame() }
        var generator = SeededGenerator(seed: UInt64(chunkBytes))
        var decoder = FrameDecoder(maximumFrameBytes: 1 << 20, chunkBytes: chunkBytes)
        var got = [Envelope](), at = 0, framed = 0
        while at < stream.count {
            let take = min(stream.count - at, Int(generator.next() % 700) + 1)
            for frame in try decoder.feed(stream[at..<(at + take)]) {
                got.append(try Envelope(frame: frame))
                framed += 4 + frame.count
            }
            at += take
            // What is held: the next frame's bytes so far (its length once read is not).
            let pending = at - framed
            #expect(decoder.buffered == (pending >= 4 ? pending - 4 : pending))
        }
        #expect(got == sent)
        #expect(decoder.buffered == 0)
    }

    @Test func oversizedAndEmptyFramesAreRefusedAtTheHeader() throws {
        var decoder = FrameDecoder(maximumFrameBytes: 1024)
        // The refusal comes with the fourth header byte, before any of the body.
        #expect(try decoder.feed([0x00, 0x00, 0x04]).isEmpty)
        #expect(throws: Status(.resourceExhausted, "a frame of 1025 bytes is over the maximum of 1024")) { try decoder.feed([0x01]) }
        #expect(decoder.buffered == 0)
        // And everything after it, even a good frame.
        #expect(throws: Status.self) { try decoder.feed(FrameDecoder.header(1) + [0]) }
        var largest = FrameDecoder(maximumFrameBytes: 1 << 20)
        #expect(throws: Status.self) { try largest.feed([0xFF, 0xFF, 0xFF, 0xFF]) }
        var empty = FrameDecoder(maximumFrameBytes: 1024)
        #expect(throws: Status(.invalidArgument, "a frame of length 0: every frame holds one envelope")) { try empty.feed([0, 0, 0, 0]) }
        // A frame of exactly the maximum passes.
        var exact = FrameDecoder(maximumFrameBytes: 8)
        #expect(try exact.feed(FrameDecoder.header(8) + Array(repeating: 1, count: 8)) == [Array(repeating: 1, count: 8)])
    }

    @Test func framesThatAreNotEnvelopesAreInvalidArguments() {
        #expect(throws: Status.self) { try Envelope(frame: [0xFF, 0xFF, 0xFF]) }
        do { _ = try Envelope(frame: [0x0A, 0x05, 0x01]) } catch { #expect(error.code == .invalidArgument) }
    }

    @Test func aTLSRecordWhereTheFirstLengthBelongsIsNamed() {
        // A TLS alert (a TLS server answering plaintext) and a ClientHello, as first bytes.
        for record: [UInt8] in [[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46], [0x16, 0x03, 0x01, 0x02, 0x00, 0x01]] {
            var decoder = FrameDecoder(maximumFrameBytes: 1 << 30)
            #expect(throws: Status(.failedPrecondition, "the peer speaks TLS on a connection made without it")) { try decoder.feed(record) }
        }
        // Later in a connection the same bytes are a length like any other.
        var decoder = FrameDecoder(maximumFrameBytes: 1 << 30)
        let first = FrameDecoder.header(3) + [1, 2, 3]
        #expect((try? decoder.feed(first + [0x15, 0x03, 0x03, 0x00]))?.count == 1)
        #expect((try? decoder.feed([7]))?.isEmpty == true)
        #expect(decoder.buffered == 1)
    }
}
