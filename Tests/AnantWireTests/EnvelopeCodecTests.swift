import AnantColumnar
import AnantProto
import AnantWire
import Foundation
import NIOCore
import SwiftProtobuf
import Testing

/// The envelope's hand-written codec against SwiftProtobuf: the same bytes for random
/// envelopes, the same envelopes back, and the same verdict on mangled frames.
@Suite struct EnvelopeCodecTests {
    static func randomString(_ rng: inout SeededGenerator) -> String {
        let pieces = ["", "a", "anant.v1.Storage/Stat", "é", "日本", "🙂", "x\u{0}y", String(repeating: "t", count: 200)]
        return (0..<Int.random(in: 0...2, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    static func randomEnvelope(_ rng: inout SeededGenerator) throws -> Envelope {
        var e = Envelope()
        let ids: [UInt64] = [0, 1, 127, 128, 300, 1 << 35, .max]
        e.requestID = ids.randomElement(using: &rng)!
        e.method = randomString(&rng)
        let kinds: [Anant_V1_EnvelopeKind] = [.unspecified, .request, .response, .streamItem, .endOfStream, .cancel, .ping, .pong,
                                              .UNRECOGNIZED(99), .UNRECOGNIZED(-3)]
        e.kind = kinds.randomElement(using: &rng)!
        e.deadlineUnixNanos = Bool.random(using: &rng) ? 0 : UInt64.random(in: 1...UInt64.max, using: &rng)
        e.authToken = randomString(&rng)
        e.traceparent = randomString(&rng)
        e.tracestate = randomString(&rng)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: break
        case 1: e.payload = Data()
        case 2: e.payload = Data((0..<Int.random(in: 1...3000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        default:
            var status = Anant_V1_Status()
            status.code = Anant_V1_StatusCode(rawValue: Int.random(in: 0...16, using: &rng))!
            status.message = randomString(&rng)
            status.retryable = Bool.random(using: &rng)
            if Bool.random(using: &rng) { status.details = [.with { $0.key = "k"; $0.value = randomString(&rng) }] }
            e.status = status
        }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            // Unknown fields, as a newer peer would send them: written after the known ones.
            var unknown = [UInt8]()
            unknown += [0x50, 0x2A]  // field 10, varint 42
            unknown += [0x5A, 0x03, 0x61, 0x62, 0x63]  // field 11, "abc"
            e = try Envelope(serializedBytes: try e.serializedBytes() + unknown)
        }
        return e
    }

    /// What the codec's decode gives for `e`: its payload apart, its unknown fields dropped.
    static func apart(_ e: Envelope) -> (Envelope, [UInt8]?) {
        var header = e
        header.unknownFields = UnknownStorage()
        guard case .payload(let data)? = e.body else { return (header, nil) }
        header.body = nil
        return (header, Array(data))
    }

    @Test func randomEnvelopesEncodeAndDecodeAsSwiftProtobufDoes() throws {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<2_000 {
            let e = try Self.randomEnvelope(&rng)
            let bytes: [UInt8] = try e.serializedBytes()
            let frame = try e.frame()
            #expect(frame == FrameDecoder.header(bytes.count) + bytes, "\(e)")
            // The payload given apart writes the same frame.
            let (header, payload) = Self.apart(e)
            if let payload, e.unknownFields.data.isEmpty {
                let written = try EnvelopeCodec.frame(header, payload: payload, allocator: ByteBufferAllocator())
                #expect(Array(written.readableBytesView) == frame)
            }
            let decoded = try EnvelopeCodec.decode(bytes)
            #expect(decoded.envelope == header && decoded.payload == payload, "\(e)")
            // Taking the frame's own bytes reads the same (the payload moved in place when
            // it ends the frame, copied when unknown fields follow it).
            var taken = bytes.map { $0 }  // storage of its own: moved in place
            let inPlace = try EnvelopeCodec.decode(taking: &taken)
            #expect(inPlace.envelope == header && inPlace.payload == payload && taken.isEmpty, "\(e)")
            // Envelope(frame:) puts the payload back.
            var whole = try Envelope(frame: bytes)
            whole.unknownFields = e.unknownFields
            #expect(whole == e)
        }
    }

    /// Truncated, flipped, spliced and random frames: the codec refuses exactly what
    /// SwiftProtobuf refuses (as INVALID_ARGUMENT) and reads the rest the same way.
    @Test func mangledFramesGetSwiftProtobufsVerdict() throws {
        var rng = SeededGenerator(seed: 12)
        var refused = 0, read = 0
        for round in 0..<10_000 {
            var bytes: [UInt8] = try Self.randomEnvelope(&rng).serializedBytes()
            switch round % 5 {
            case 0 where !bytes.isEmpty: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
            case 1 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            case 2:
                let at = Int.random(in: 0...bytes.count, using: &rng)
                bytes.insert(contentsOf: (0..<Int.random(in: 1...6, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            case 3: bytes = (0..<Int.random(in: 1...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            default:
                // Groups, nested and not: skipped when they close, refused when they don't.
                let groups: [[UInt8]] = [[0x53, 0x08, 0x01, 0x54], [0x53, 0x63, 0x64, 0x54], [0x53, 0x08], [0x53, 0x5C]]
                bytes += groups.randomElement(using: &rng)!
            }
            let theirs = try? Envelope(serializedBytes: bytes)
            do {
                var taken = bytes.map { $0 }
                let ours = try EnvelopeCodec.decode(taking: &taken)
                guard let theirs else {
                    Issue.record("the codec read \(bytes) that SwiftProtobuf refuses")
                    continue
                }
                let expected = Self.apart(theirs)
                #expect(ours.envelope == expected.0 && ours.payload == expected.1, "\(bytes)")
                read += 1
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(theirs == nil, "the codec refused \(bytes) that SwiftProtobuf reads: \(error.message)")
                refused += 1
            }
        }
        #expect(refused > 1_000 && read > 1_000, "refused \(refused), read \(read)")
    }

    /// SwiftProtobuf's limits, at their edges: a key of at most 5 bytes at the envelope's
    /// level, groups 99 deep inside it.
    @Test func limitsAtTheirEdgesGetSwiftProtobufsVerdict() throws {
        let cases: [[UInt8]] = [
            [0x88, 0x80, 0x80, 0x80, 0x00, 0x01],  // field 1 in a 5-byte key
            [0x88, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01],  // the same key in 6 bytes
            [UInt8](repeating: 0x53, count: 99) + [UInt8](repeating: 0x54, count: 99),
            [UInt8](repeating: 0x53, count: 100) + [UInt8](repeating: 0x54, count: 100),
            [0x53, 0xD8, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x54],  // a 6-byte key inside a group
        ]
        for bytes in cases {
            let theirs = (try? Envelope(serializedBytes: bytes)) != nil
            let ours = (try? EnvelopeCodec.decode(bytes)) != nil
            #expect(theirs == ours, "\(bytes.prefix(12)): SwiftProtobuf \(theirs ? "reads" : "refuses") it")
        }
    }

    @Test func deeplyNestedGroupsAreRefusedWithoutRecursingWithoutEnd() {
        let bytes = [UInt8](repeating: 0x53, count: 100_000)
        #expect(throws: Status.self) { try EnvelopeCodec.decode(bytes) }
    }
}
