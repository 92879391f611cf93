import AnantProto
import Foundation
import SwiftProtobuf
import Testing

/// The generated wire contract: the worked frame of docs/wire.md byte for byte, and round
/// trips of the messages the services exchange.
@Suite struct WireContractTests {
    /// A 4-byte big-endian length, then the envelope.
    static func frame(_ envelope: Anant_V1_Envelope) throws -> [UInt8] {
        let body: [UInt8] = try envelope.serializedBytes()
        return withUnsafeBytes(of: UInt32(body.count).bigEndian) { Array($0) } + body
    }

    @Test func theWorkedFrameOfTheWireDocument() throws {
        var envelope = Anant_V1_Envelope()
        envelope.requestID = 7
        envelope.method = "anant.v1.Storage/Stat"
        envelope.kind = .request
        envelope.payload = try Anant_V1_StatRequest().serializedData()
        let expected: [UInt8] = [0x00, 0x00, 0x00, 0x1d, 0x08, 0x07, 0x12, 0x15] + Array("anant.v1.Storage/Stat".utf8) + [0x18, 0x01, 0x42, 0x00]
        #expect(try Self.frame(envelope) == expected)
        // The document shows the same bytes.
        let doc = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/wire.md").standardized, encoding: .utf8)
        let line = expected.map { String(format: "%02x", $0) }.joined(separator: " ")
        #expect(doc.replacingOccurrences(of: "\n", with: " ").contains(line))
        let decoded = try Anant_V1_Envelope(serializedBytes: Array(expected.dropFirst(4)))
        #expect(decoded == envelope)
    }

    @Test func statusEnvelopesAndOperationsRoundTrip() throws {
        var status = Anant_V1_Status()
        status.code = .resourceExhausted
        status.message = "no space left on device"
        status.retryable = true
        var envelope = Anant_V1_Envelope()
        envelope.requestID = UInt64.max
        envelope.kind = .response
        envelope.status = status
        let back = try Anant_V1_Envelope(serializedBytes: try Self.frame(envelope).dropFirst(4).map { $0 })
        #expect(back.status == status && back.requestID == UInt64.max)
        // Unknown fields from a newer peer survive a decode and re-encode.
        var newer: [UInt8] = try envelope.serializedBytes()
        newer += [0xF8, 0x07, 0x2A]  // field 127, varint 42
        let tolerant = try Anant_V1_Envelope(serializedBytes: newer)
        #expect(try tolerant.serializedBytes() == newer)
        // Truncated bytes are refused, not misread.
        #expect(throws: (any Error).self) { try Anant_V1_Envelope(serializedBytes: Array(newer.dropLast(2))) }
    }
}
