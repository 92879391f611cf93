import AnantColumnar
import AnantProto
import NIOCore
import Synchronization

/// Writing frames to a connection. A writer that produces many frames (a streamed
/// answer, an upload) waits whenever the channel is over its high watermark until what
/// it wrote has reached the socket, so at most a watermark plus one frame is ever queued
/// in memory; a peer that reads nothing for `slowReadTimeout` gets its connection closed.
public enum FrameWriting {
    /// The frame of an envelope in a buffer of the channel's allocator, with `payload`,
    /// when given, as its body (copied once, into the buffer).
    static func buffer(_ envelope: Envelope, payload: [UInt8]? = nil, allocator: ByteBufferAllocator) throws(Status) -> ByteBuffer {
        try EnvelopeCodec.frame(envelope, payload: payload, allocator: allocator)
    }

    /// The frame of a STREAM_ITEM envelope whose payload is a message ending with a bytes
    /// field: `prefix` (the message's fields before it, encoded), then field `bytesField`
    /// of `count` bytes that `fill` writes straight into the frame (a file's bytes read
    /// into the socket's buffer, with no copy between). The bytes are those SwiftProtobuf
    /// writes for the same envelope, field for field.
    public static func streamItem(id: UInt64, prefix: [UInt8], bytesField: Int, count: Int, allocator: ByteBufferAllocator,
                                  fill: (UnsafeMutableRawBufferPointer) throws(Status) -> Void) throws(Status) -> ByteBuffer {
        // proto3 leaves an empty bytes field out.
        var field = [UInt8]()
        if count > 0 {
            EnvelopeCodec.key(bytesField, 2, &field)
            EnvelopeCodec.varint(UInt64(count), &field)
        }
        let payload = prefix.count + field.count + count
        var head = [UInt8]()
        if id != 0 { EnvelopeCodec.key(1, 0, &head); EnvelopeCodec.varint(id, &head) }
        head += [0x18, UInt8(Anant_V1_EnvelopeKind.streamItem.rawValue), 0x42]
        EnvelopeCodec.varint(UInt64(payload), &head)
        let envelope = head.count + payload
        guard envelope <= Int(UInt32.max) else { throw Status(.resourceExhausted, "an envelope of \(envelope) bytes does not fit a frame") }
        var buffer = allocator.buffer(capacity: 4 + envelope)
        buffer.writeInteger(UInt32(envelope))
        buffer.writeBytes(head)
        buffer.writeBytes(prefix)
        buffer.writeBytes(field)
        var failure: Status? = nil
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { space in
            do throws(Status) { try fill(UnsafeMutableRawBufferPointer(rebasing: space[0..<count])) } catch { failure = error }
            return count
        }
        if let failure { throw failure }
        return buffer
    }

    /// Waits, when the frames submitted by this writer and not yet written pass the
    /// high watermark (or the channel is over it), until `written` completes.
    static func backpressure(_ written: EventLoopFuture<Void>, bytes: Int, pending: PendingBytes, channel: any Channel,
                             slowReadTimeout: TimeAmount) async throws(Status) {
        let queued = pending.add(bytes)
        written.whenComplete { _ in pending.add(-bytes) }
        guard queued > PendingBytes.highWatermark || !channel.isWritable else { return }
        let timer = channel.eventLoop.scheduleTask(in: slowReadTimeout) {
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do { try await written.get() } catch { throw Status(transport: error) }
    }
}

/// The bytes a writer submitted that have not reached the socket yet.
final class PendingBytes: Sendable {
    static let highWatermark = 1 << 20
    private let value = Atomic<Int>(0)

    /// Adds `bytes` (negative: written); the new total.
    @discardableResult
    func add(_ bytes: Int) -> Int { value.wrappingAdd(bytes, ordering: .relaxed).newValue }
}

extension Status {
    /// The status of an error met on the wire: a `Status` as it is, a cancellation as
    /// `CANCELLED`, a channel error as `UNAVAILABLE` (retryable).
    init(transport error: any Error) {
        switch error {
        case let status as Status: self = status
        case is CancellationError: self = Status(.cancelled, "the call was cancelled")
        case let channel as ChannelError: self = Status(.unavailable, "the connection failed: \(channel)", retryable: true)
        default: self = Status(.unavailable, "the connection failed: \(error)", retryable: true)
        }
    }
}
