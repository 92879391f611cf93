import AnantColumnar
import AnantProto
import SwiftProtobuf

/// The protobuf envelope of every frame (`proto/anant/v1/envelope.proto`), with the
/// conversions between its status and `Status`.
public typealias Envelope = Anant_V1_Envelope

extension Envelope {
    /// The frame of this envelope: its length, then its bytes.
    public func frame() throws(Status) -> [UInt8] {
        let bytes: [UInt8]
        do { bytes = try serializedBytes() } catch { throw Status(.internal, "cannot encode an envelope: \(error)") }
        guard bytes.count <= Int(UInt32.max) else { throw Status(.resourceExhausted, "an envelope of \(bytes.count) bytes does not fit a frame") }
        return FrameDecoder.header(bytes.count) + bytes
    }

    /// The envelope of a frame's bytes (without its length prefix).
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT` when the bytes are not an envelope.
    public init(frame bytes: [UInt8]) throws(Status) {
        do { self = try Envelope(serializedBytes: bytes) } catch {
            throw Status(.invalidArgument, "a frame that is not an Envelope (\(bytes.count) bytes): \(error)")
        }
    }

    /// An envelope of `kind` for request `id`.
    public static func make(_ kind: Anant_V1_EnvelopeKind, id: UInt64, method: String = "") -> Envelope {
        var envelope = Envelope()
        envelope.kind = kind
        envelope.requestID = id
        envelope.method = method
        return envelope
    }

    /// The envelope's status as a `Status`, nil when it carries a payload.
    public var failure: Status? {
        guard case .status(let status)? = body else { return nil }
        return Status(StatusCode(rawValue: Int32(status.code.rawValue)) ?? .unknown, status.message, retryable: status.retryable)
    }

    /// Sets the envelope's status from a `Status`.
    public mutating func fail(_ status: Status) {
        var wire = Anant_V1_Status()
        wire.code = Anant_V1_StatusCode(rawValue: Int(status.code.rawValue)) ?? .unknown
        wire.message = status.message
        wire.retryable = status.retryable
        self.status = wire
    }
}
