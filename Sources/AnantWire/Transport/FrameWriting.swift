import AnantColumnar
import NIOCore

/// Writing frames to a connection. A writer that produces many frames (a streamed
/// answer, an upload) waits whenever the channel is over its high watermark until what
/// it wrote has reached the socket, so at most a watermark plus one frame is ever queued
/// in memory; a peer that reads nothing for `slowReadTimeout` gets its connection closed.
enum FrameWriting {
    /// The frame of an envelope in a buffer of the channel's allocator.
    static func buffer(_ envelope: Envelope, allocator: ByteBufferAllocator) throws(Status) -> ByteBuffer {
        let bytes: [UInt8]
        do { bytes = try envelope.serializedBytes() } catch { throw Status(.internal, "cannot encode an envelope: \(error)") }
        guard bytes.count <= Int(UInt32.max) else { throw Status(.resourceExhausted, "an envelope of \(bytes.count) bytes does not fit a frame") }
        var buffer = allocator.buffer(capacity: 4 + bytes.count)
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
        return buffer
    }

    /// Waits, when the channel is over its high watermark, until `written` completes.
    static func backpressure(_ written: EventLoopFuture<Void>, channel: any Channel, slowReadTimeout: TimeAmount) async throws(Status) {
        guard !channel.isWritable else { return }
        let timer = channel.eventLoop.scheduleTask(in: slowReadTimeout) {
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do { try await written.get() } catch { throw Status(transport: error) }
    }
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
