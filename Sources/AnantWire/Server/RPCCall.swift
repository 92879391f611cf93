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
    let maximumFrameBytes: Int
    /// Tells this call from a later one that reuses its id after a cancel.
    let serial: UInt64
    let pending = PendingBytes()

    init(id: UInt64, serial: UInt64, method: String, token: String, payload: [UInt8], context: ExecutionContext, input: PayloadStream?,
         connection: ServerConnectionHandler.Reference, slowReadTimeout: TimeAmount, maximumFrameBytes: Int) {
        self.id = id
        self.serial = serial
        self.maximumFrameBytes = maximumFrameBytes
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

    /// Runs `body` on the shared pool: for the long work of a method placed on the
    /// connection's loop (`RPCMethod.Placement.connectionLoop`), such as a request that
    /// turns out large. Elsewhere it only runs `body`.
    public func onPool<T: Sendable, Failure: Error>(_ body: () async throws(Failure) -> T) async throws(Failure) -> T {
        try await withTaskExecutorPreference(globalConcurrentExecutor) { () async throws(Failure) -> T in
            // The preference alone moves nothing, and `body` may be a synchronous function
            // converted to async, which runs where it is called: the task goes back to its
            // executor, now the pool, before it runs `body`.
            await Task.yield()
            return try await body()
        }
    }

    /// Sends one item of a streamed answer, waiting while the client reads slower than
    /// the work produces.
    ///
    /// - Throws: `Status` `CANCELLED` once the call was cancelled or its connection
    ///   closed (stop producing then).
    public func send(_ item: [UInt8]) async throws(Status) {
        if let reason = context.stopReason { throw Status(reason == .deadlineExceeded ? .deadlineExceeded : .cancelled, "the call ended") }
        try await write(try FrameWriting.buffer(Envelope.make(.streamItem, id: id), payload: item, allocator: connection.channel.allocator))
    }

    /// Sends one item whose message ends with a bytes field of `count` bytes that `fill`
    /// writes straight into the frame (see `FrameWriting.streamItem`): large data with no
    /// copy between its source and the socket's buffer.
    public func send(prefix: [UInt8], bytesField: Int, count: Int, fill: (UnsafeMutableRawBufferPointer) throws(Status) -> Void)
        async throws(Status) {
        if let reason = context.stopReason { throw Status(reason == .deadlineExceeded ? .deadlineExceeded : .cancelled, "the call ended") }
        try await write(try FrameWriting.streamItem(id: id, prefix: prefix, bytesField: bytesField, count: count,
                                                    allocator: connection.channel.allocator, fill: fill))
    }

    private func write(_ frame: ByteBuffer) async throws(Status) {
        guard frame.readableBytes - 4 <= maximumFrameBytes else {
            throw Status(.resourceExhausted, "an answer item of \(frame.readableBytes - 4) bytes is over the frame maximum of \(maximumFrameBytes)")
        }
        let written = connection.loop.flatSubmit { [connection, id, serial] in connection.handler.value.writeItem(id, serial: serial, frame) }
        try await FrameWriting.backpressure(written, bytes: frame.readableBytes, pending: pending, channel: connection.channel,
                                            slowReadTimeout: slowReadTimeout)
    }

    /// Sends one message of a streamed answer.
    public func send(_ message: some Message) async throws(Status) { try await send(try message.wireBytes()) }
}
