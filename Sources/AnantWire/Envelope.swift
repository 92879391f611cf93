import AnantColumnar
import AnantProto
import Foundation
import NIOCore
import SwiftProtobuf

/// The protobuf envelope of every frame (`proto/anant/v1/envelope.proto`), with the
/// conversions between its status and `Status`.
public typealias Envelope = Anant_V1_Envelope

extension Envelope {
    /// The frame of this envelope: its length, then its bytes.
    public func frame() throws(Status) -> [UInt8] {
        Array(try EnvelopeCodec.frame(self, payload: nil, allocator: ByteBufferAllocator()).readableBytesView)
    }

    /// The envelope of a frame's bytes (without its length prefix).
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT` when the bytes are not an envelope.
    public init(frame bytes: [UInt8]) throws(Status) {
        let (envelope, payload) = try EnvelopeCodec.decode(bytes)
        self = envelope
        if let payload { self.payload = Data(payload) }
    }

    /// The body: `payload` when the codec took it apart from the envelope, else the
    /// envelope's own.
    func content(_ payload: [UInt8]?) -> Content {
        if let payload { return .payload(payload) }
        switch body {
        case .payload(let data)?: return .payload(Array(data))
        case .status(let status)?: return .status(status)
        case nil: return .none
        }
    }

    enum Content {
        case none
        case payload([UInt8])
        case status(Anant_V1_Status)
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
