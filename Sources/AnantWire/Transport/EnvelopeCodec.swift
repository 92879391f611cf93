import AnantColumnar
import AnantProto
import Foundation
import NIOCore
import SwiftProtobuf

/// The envelope's codec on the hot path, written out by hand so that a payload is copied
/// once on each side: from the message's bytes into the frame's buffer when sending, and
/// from the frame into the payload's bytes when receiving. Through SwiftProtobuf a payload
/// went through `Data` and a second array both ways (six copies of every answer's bytes on
/// the way through the gateway).
///
/// The bytes written are those SwiftProtobuf writes for the same envelope (fields in number
/// order, proto3 defaults left out, a payload written even when empty, unknown fields last),
/// and `decode` reads what SwiftProtobuf reads, unknown fields (and groups) skipped rather
/// than kept; the tests hold both to SwiftProtobuf on random envelopes and on mangled frames.
public enum EnvelopeCodec {
    /// The frame of `envelope` (its length, then its bytes) in a buffer of `allocator`, with
    /// `payload`, when given, as its body in place of the envelope's own.
    public static func frame(_ envelope: Envelope, payload: [UInt8]?, allocator: ByteBufferAllocator) throws(Status) -> ByteBuffer {
        var head = [UInt8]()
        head.reserveCapacity(32 + envelope.method.utf8.count + envelope.authToken.utf8.count)
        if envelope.requestID != 0 { key(1, 0, &head); varint(envelope.requestID, &head) }
        string(2, envelope.method, &head)
        if envelope.kind.rawValue != 0 { key(3, 0, &head); varint(UInt64(bitPattern: Int64(envelope.kind.rawValue)), &head) }
        if envelope.deadlineUnixNanos != 0 { key(4, 0, &head); varint(envelope.deadlineUnixNanos, &head) }
        string(5, envelope.authToken, &head)
        string(6, envelope.traceparent, &head)
        string(7, envelope.tracestate, &head)
        var body = 0
        var data: Data? = nil
        if let payload {
            key(8, 2, &head)
            varint(UInt64(payload.count), &head)
            body = payload.count
        } else {
            switch envelope.body {
            case .payload(let bytes)?:
                key(8, 2, &head)
                varint(UInt64(bytes.count), &head)
                (body, data) = (bytes.count, bytes)
            case .status(let status)?:
                let bytes: [UInt8]
                do { bytes = try status.serializedBytes() } catch { throw Status(.internal, "cannot encode an envelope's status: \(error)") }
                key(9, 2, &head)
                varint(UInt64(bytes.count), &head)
                head += bytes
            case nil: break
            }
        }
        guard body < Int(Reader.lengthLimit) else { throw Status(.resourceExhausted, "a payload of \(body) bytes (2 GiB or more) does not fit an envelope") }
        let unknown = envelope.unknownFields.data
        let size = head.count + body + unknown.count
        guard size <= Int(UInt32.max) else { throw Status(.resourceExhausted, "an envelope of \(size) bytes does not fit a frame") }
        var buffer = allocator.buffer(capacity: 4 + size)
        buffer.writeInteger(UInt32(size))
        buffer.writeBytes(head)
        if let payload { buffer.writeBytes(payload) } else if let data { buffer.writeBytes(data) }
        buffer.writeBytes(unknown)
        return buffer
    }

    /// The envelope of a frame's bytes (without its length prefix), its payload apart:
    /// the envelope's body is then nil.
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT` when the bytes are not an envelope.
    public static func decode(_ frame: [UInt8]) throws(Status) -> (envelope: Envelope, payload: [UInt8]?) {
        var frame = frame
        return try decode(taking: &frame)
    }

    /// The same, taking the frame's bytes: a payload that ends the frame (as every sender
    /// writes it) becomes the payload in place, moved to the front of the frame's own
    /// array when that is not shared, instead of being copied into a new one. `frame`
    /// is left empty (unchanged when the bytes are not an envelope).
    public static func decode(taking frame: inout [UInt8]) throws(Status) -> (envelope: Envelope, payload: [UInt8]?) {
        let (envelope, payloadRange) = try fields(of: frame)
        guard let range = payloadRange else {
            frame = []
            return (envelope, nil)
        }
        let payload: [UInt8]
        if range.upperBound == frame.count {
            frame.removeSubrange(0..<range.lowerBound)
            payload = frame
        } else {
            payload = Array(frame[range])
        }
        frame = []
        return (envelope, payload)
    }

    /// The envelope of a frame, and where its payload lies in it.
    private static func fields(of frame: [UInt8]) throws(Status) -> (envelope: Envelope, payload: Range<Int>?) {
        do {
            return try frame.withUnsafeBufferPointer { bytes throws(Malformed) in
                var reader = Reader(bytes: bytes)
                var envelope = Envelope()
                var payload: Range<Int>? = nil
                while !reader.atEnd {
                    let (field, wire) = try reader.key()
                    switch (field, wire) {
                    case (1, 0): envelope.requestID = try reader.varint()
                    case (2, 2): envelope.method = try reader.string()
                    case (3, 0):
                        let raw = Int(Int32(truncatingIfNeeded: try reader.varint()))
                        envelope.kind = Anant_V1_EnvelopeKind(rawValue: raw) ?? .UNRECOGNIZED(raw)
                    case (4, 0): envelope.deadlineUnixNanos = try reader.varint()
                    case (5, 2): envelope.authToken = try reader.string()
                    case (6, 2): envelope.traceparent = try reader.string()
                    case (7, 2): envelope.tracestate = try reader.string()
                    case (8, 2):
                        let count = try reader.lengthDelimited().count
                        payload = (reader.at - count)..<reader.at
                        envelope.body = nil
                    case (9, 2):
                        let bytes = try reader.lengthDelimited()
                        // A second status merges into the first, as protobuf reads a message field.
                        var status = Anant_V1_Status()
                        if case .status(let first)? = envelope.body { status = first }
                        var options = BinaryDecodingOptions()
                        options.messageDepthLimit = Reader.depthLimit - 1  // the envelope is one level
                        do { try status.merge(serializedBytes: Array(bytes), options: options) } catch { throw Malformed(reason: "its status: \(error)") }
                        envelope.status = status
                        payload = nil
                    // A known field with another wire type is unknown, as SwiftProtobuf reads it.
                    default: try reader.skip(field: field, wire: wire)
                    }
                }
                return (envelope, payload)
            }
        } catch {
            throw Status(.invalidArgument, "a frame that is not an Envelope (\(frame.count) bytes): \(error.reason)")
        }
    }

    struct Malformed: Error { let reason: String }

    /// Reads protobuf's wire format from a buffer.
    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0

        var atEnd: Bool { at >= bytes.count }

        /// SwiftProtobuf's limits: messages (and groups) nested 100 deep, the envelope
        /// included; a length-delimited field under 2 GiB.
        static let depthLimit = 100
        static let lengthLimit: UInt64 = 0x7FFF_FFFF

        mutating func varint(maximumBytes: Int = 10) throws(Malformed) -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: 0, to: 7 * maximumBytes, by: 7) {
                guard at < bytes.count else { throw Malformed(reason: "a varint cut short") }
                let byte = bytes[at]
                at += 1
                value |= UInt64(byte & 0x7F) << UInt64(shift)
                if byte < 0x80 { return value }
            }
            throw Malformed(reason: "a varint of more than \(maximumBytes) bytes")
        }

        /// A field's key: at most 5 bytes at the envelope's own level, as SwiftProtobuf
        /// reads them (a group's keys may take 10).
        mutating func key(topLevel: Bool = true) throws(Malformed) -> (field: Int, wire: Int) {
            let key = try varint(maximumBytes: topLevel ? 5 : 10)
            let field = key >> 3
            guard field >= 1, field < 1 << 29 else { throw Malformed(reason: "field number \(field)") }
            return (Int(field), Int(key & 7))
        }

        mutating func lengthDelimited() throws(Malformed) -> UnsafeBufferPointer<UInt8> {
            let length = try varint()
            guard length < Self.lengthLimit else { throw Malformed(reason: "a field of \(length) bytes (2 GiB or more)") }
            guard length <= UInt64(bytes.count - at) else { throw Malformed(reason: "a field of \(length) bytes past the frame's end") }
            defer { at += Int(length) }
            return UnsafeBufferPointer(rebasing: bytes[at..<(at + Int(length))])
        }

        mutating func string() throws(Malformed) -> String {
            let raw = try lengthDelimited()
            guard let text = String(validating: raw, as: UTF8.self) else { throw Malformed(reason: "a string that is not UTF-8") }
            return text
        }

        /// Skips an unknown field (a group with everything in it, nested at most
        /// `depth` deep: as deep as SwiftProtobuf reads messages).
        mutating func skip(field: Int, wire: Int, depth: Int = depthLimit - 1) throws(Malformed) {
            switch wire {
            case 0: _ = try varint()
            case 1, 5:
                let width = wire == 1 ? 8 : 4
                guard bytes.count - at >= width else { throw Malformed(reason: "a fixed field cut short") }
                at += width
            case 2: _ = try lengthDelimited()
            case 3:
                guard depth > 0 else { throw Malformed(reason: "groups nested too deep") }
                while true {
                    guard !atEnd else { throw Malformed(reason: "group \(field) never ends") }
                    let (inner, innerWire) = try key(topLevel: false)
                    if innerWire == 4 {
                        guard inner == field else { throw Malformed(reason: "group \(field) ended as \(inner)") }
                        return
                    }
                    try skip(field: inner, wire: innerWire, depth: depth - 1)
                }
            default: throw Malformed(reason: "wire type \(wire)")
            }
        }
    }

    /// A field's key.
    public static func key(_ field: Int, _ wire: Int, _ out: inout [UInt8]) { varint(UInt64(field << 3 | wire), &out) }

    /// A string field, left out when empty (proto3).
    public static func string(_ field: Int, _ value: String, _ out: inout [UInt8]) {
        guard !value.isEmpty else { return }
        key(field, 2, &out)
        varint(UInt64(value.utf8.count), &out)
        out += value.utf8
    }

    /// A protobuf varint.
    public static func varint(_ value: UInt64, _ out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}
