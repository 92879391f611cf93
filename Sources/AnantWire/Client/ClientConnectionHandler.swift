import AnantColumnar
import NIOCore
import NIOSSL

/// One client connection on its event loop: frames out and in, `ClientCallTable` to
/// match answers to calls, and each call's waiting side (a promise for one answer, a
/// stream for many). A closed connection fails every call on it with `UNAVAILABLE`.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    typealias StreamSource = NIOThrowingAsyncSequenceProducer<[UInt8], any Error, InboundFlow.Watermark, FlowDelegate>.Source

    /// Where a call's answer goes.
    enum Waiter {
        case one(EventLoopPromise<[UInt8]>)
        case many(StreamSource)
    }

    /// Marks a call from the task that made it; on the loop only.
    final class Ticket: @unchecked Sendable {
        var id: UInt64?
        var cancelled = false
    }

    private let channel: any Channel
    private var decoder: FrameDecoder
    private var table = ClientCallTable()
    private var waiters: [UInt64: Waiter] = [:]
    private var timers: [UInt64: Scheduled<Void>] = [:]
    private var closedReason: Status?
    private(set) lazy var flow = InboundFlow(channel: channel)
    /// The loop's poller (`RPCClientConfiguration.busyPoll`) and the count of the bytes
    /// read from the socket it watches, its window, when the last unary request was sent
    /// and whether the answer before it came within the window.
    private let poller: (poller: BusyPoller, reads: ReadCounter)?
    private let busyPoll: TimeAmount
    private let pollEnded: @Sendable (_ found: Bool) -> Void
    private var sentAt: NIODeadline?
    private var answersClosely = true

    /// Made on `channel`'s loop; `reads` heads its pipeline when the client polls.
    init(channel: any Channel, maximumFrameBytes: Int, busyPoll: TimeAmount, reads: ReadCounter?,
         pollEnded: @escaping @Sendable (_ found: Bool) -> Void) {
        self.channel = channel
        self.decoder = FrameDecoder(maximumFrameBytes: maximumFrameBytes)
        self.busyPoll = busyPoll
        self.pollEnded = pollEnded
        self.poller = reads.map { (BusyPoller.of(channel.eventLoop), $0) }
    }

    /// Calls in flight.
    var count: Int { table.count }

    /// Sends a request; its answer goes to `waiter`.
    func start(method: String, payload: [UInt8], deadline: UInt64, token: String, streaming: Bool, waiter: Waiter, ticket: Ticket) {
        if let closedReason { return fail(waiter, closedReason) }
        if ticket.cancelled { return fail(waiter, Status(.cancelled, "the call was cancelled")) }
        let (id, request) = table.start(method: method, payload: payload, deadline: deadline, token: token, streaming: streaming)
        ticket.id = id
        waiters[id] = waiter
        if deadline != 0 {
            let bound = NIOLoopBound(self, eventLoop: channel.eventLoop)
            timers[id] = channel.eventLoop.scheduleTask(in: .nanoseconds(WireClock.delay(until: deadline))) {
                bound.value.expire(at: deadline)
            }
        }
        send(request)
        // One unary call in flight, whose answer came soon last time: the loop polls for
        // it rather than sleeping (`BusyPoller`).
        if let poller, !streaming {
            sentAt = .now()
            if answersClosely, table.count == 1 { poller.poller.poll(after: channel, for: busyPoll, ended: pollEnded) }
        }
    }

    /// Sends a request whose answer is a stream: the stream, read with backpressure.
    /// Ending its iteration early cancels the call.
    func startStream(method: String, payload: [UInt8], deadline: UInt64, token: String, ticket: Ticket) -> PayloadStream {
        let loop = channel.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        // Ids are given in order: the call's id is the table's next one.
        let stream = InboundFlow.stream(id: table.nextID, loop: loop, flow: NIOLoopBound(flow, eventLoop: loop)) {
            bound.value.cancel(ticket)
        }
        start(method: method, payload: payload, deadline: deadline, token: token, streaming: true, waiter: .many(stream.source), ticket: ticket)
        return PayloadStream(base: stream.sequence)
    }

    /// Sends one item of an upload (or its end); fails when the call is over (the server
    /// answered early, or the call failed).
    func sendItem(_ ticket: Ticket, payload: [UInt8], end: Bool) -> EventLoopFuture<Void> {
        guard let id = ticket.id, waiters[id] != nil else {
            return channel.eventLoop.makeFailedFuture(Status(.cancelled, "the call already ended"))
        }
        let envelope = Envelope.make(end ? .endOfStream : .streamItem, id: id)
        do { return channel.writeAndFlush(try FrameWriting.buffer(envelope, payload: end ? nil : payload, allocator: channel.allocator)) } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
    }

    /// True once the call of `ticket` has its answer (or failed).
    func isOver(_ ticket: Ticket) -> Bool {
        guard let id = ticket.id else { return ticket.cancelled }
        return waiters[id] == nil
    }

    /// Cancels the call of `ticket` (the task that made it was cancelled, or its stream's
    /// reader stopped).
    func cancel(_ ticket: Ticket) {
        ticket.cancelled = true
        guard let id = ticket.id, let (envelope, event) = table.cancel(id) else { return }
        send(envelope)
        deliver(event)
    }

    private func expire(at deadline: UInt64) {
        for (envelope, event) in table.expire(now: deadline) {
            send(envelope)
            deliver(event)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        if let poller { poller.poller.watch(channel, reads: poller.reads) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let sentAt {
            answersClosely = NIODeadline.now() - sentAt < busyPoll
            self.sentAt = nil
        }
        let buffer = unwrapInboundIn(data)
        var frames: [[UInt8]]
        do { frames = try decoder.feed(buffer.readableBytesView) } catch {
            // A TLS server fails every plaintext attempt alike: not retryable.
            return close(Status(.unavailable, "the server sent a bad frame: \(error.message)", retryable: error.code != .failedPrecondition))
        }
        for k in frames.indices {
            let envelope: Envelope, payload: [UInt8]?
            do { (envelope, payload) = try EnvelopeCodec.decode(taking: &frames[k]) } catch {
                return close(Status(.unavailable, "the server sent a frame that is not an Envelope", retryable: true))
            }
            if envelope.kind == .ping { send(Envelope.make(.pong, id: envelope.requestID)) }
            if let event = table.received(envelope, payload: payload) { deliver(event) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        poller?.poller.unwatch(channel)
        closedDown(closedReason ?? Status(.unavailable, "the connection to the server closed", retryable: true))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A refused TLS handshake (an unknown CA, a wrong name, a plaintext server) fails
        // again on every attempt: not retryable.
        if error is NIOSSLError || error is BoringSSLError {
            close(Status(.unavailable, "the TLS handshake with the server failed: \(error)", retryable: false))
        } else {
            close(Status(.unavailable, "the connection failed: \(error)", retryable: true))
        }
    }

    private func close(_ reason: Status) {
        if closedReason == nil { closedReason = reason }
        channel.close(promise: nil)
    }

    private func closedDown(_ reason: Status) {
        if closedReason == nil { closedReason = reason }
        for event in table.closed(reason) { deliver(event) }
    }

    private func deliver(_ event: ClientCallTable.Event) {
        switch event {
        case .item(let id, let payload):
            guard case .many(let source)? = waiters[id] else { return }
            flow.yielded(source.yield(payload), id: id)
        case .finished(let id, let payload):
            timers.removeValue(forKey: id)?.cancel()
            switch waiters.removeValue(forKey: id) {
            case .one(let promise)?: promise.succeed(payload)
            case .many(let source)?:
                source.finish()
                flow.drained(id)
            case nil: break
            }
        case .failed(let id, let status):
            timers.removeValue(forKey: id)?.cancel()
            if let waiter = waiters.removeValue(forKey: id) { fail(waiter, status) }
            flow.drained(id)
        }
    }

    private func fail(_ waiter: Waiter, _ status: Status) {
        switch waiter {
        case .one(let promise): promise.fail(status)
        case .many(let source): source.finish(status)
        }
    }

    private func send(_ envelope: Envelope) {
        do { channel.writeAndFlush(try FrameWriting.buffer(envelope, allocator: channel.allocator), promise: nil) } catch {
            close(Status(.internal, "cannot encode a request: \(error)"))
        }
    }

    /// True once the connection can take no more calls.
    var isClosed: Bool { closedReason != nil || !channel.isActive }
}
