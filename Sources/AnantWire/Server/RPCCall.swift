import AnantColumnar
import NIOCore
import SwiftProtobuf

/// What a method's work is handed: the call's request, its input (for an upload), its
/// execution context (deadline, cancellation, threads) and the way to send stream items.
public final class RPCCall: Sendable {
    public let id: UInt64
    public let method: String
    /// The bearer token the request carried (never logged).
    public let token: String
    /// The request's payload.
    public let payload: [UInt8]
    /// The work's budget: its deadline is the request's, and a cancel frame, a closed
    /// connection or the deadline stops it.
    public let context: ExecutionContext
    /// The items of a client-streamed call, in order, ending at the client's end of
    /// stream; read with backpressure. nil for other shapes.
    public let input: PayloadStream?
    let connection: ServerConnectionHandler.Reference
    let slowReadTimeout: TimeAmount

    init(id: UInt64, method: String, token: String, payload: [UInt8], context: ExecutionContext, input: PayloadStream?,
         connection: ServerConnectionHandler.Reference, slowReadTimeout: TimeAmount) {
        self.id = id
        self.method = method
        self.token = token
        self.payload = payload
        self.context = context
        self.input = input
        self.connection = connection
        self.slowReadTimeout = slowReadTimeout
    }

    /// The request as a message.
    public func request<M: Message>(_: M.Type) throws(Status) -> M { try M(wire: payload) }

    /// Sends one item of a streamed answer, waiting while the client reads slower than
    /// the work produces.
    ///
    /// - Throws: `Status` `CANCELLED` once the call was cancelled or its connection
    ///   closed (stop producing then).
    public func send(_ item: [UInt8]) async throws(Status) {
        if let reason = context.stopReason { throw Status(reason == .deadlineExceeded ? .deadlineExceeded : .cancelled, "the call ended") }
        var envelope = Envelope.make(.streamItem, id: id)
        envelope.payload = .init(item)
        let frame = try FrameWriting.buffer(envelope, allocator: connection.channel.allocator)
        let written = connection.loop.flatSubmit { [connection, id] in connection.handler.value.writeItem(id, frame) }
        try await FrameWriting.backpressure(written, channel: connection.channel, slowReadTimeout: slowReadTimeout)
    }

    /// Sends one item whose message ends with a bytes field of `count` bytes that `fill`
    /// writes straight into the frame (see `FrameWriting.streamItem`): large data with no
    /// copy between its source and the socket's buffer.
    public func send(prefix: [UInt8], bytesField: Int, count: Int, fill: (UnsafeMutableRawBufferPointer) throws(Status) -> Void)
        async throws(Status) {
        if let reason = context.stopReason { throw Status(reason == .deadlineExceeded ? .deadlineExceeded : .cancelled, "the call ended") }
        let frame = try FrameWriting.streamItem(id: id, prefix: prefix, bytesField: bytesField, count: count,
                                                allocator: connection.channel.allocator, fill: fill)
        let written = connection.loop.flatSubmit { [connection, id] in connection.handler.value.writeItem(id, frame) }
        try await FrameWriting.backpressure(written, channel: connection.channel, slowReadTimeout: slowReadTimeout)
    }

    /// Sends one message of a streamed answer.
    public func send(_ message: some Message) async throws(Status) { try await send(try message.wireBytes()) }
}
