import AnantColumnar
import Logging
import NIOCore

/// One server connection on its event loop: cuts bytes into frames (`FrameDecoder`),
/// lets `ServerConnectionState` decide what each envelope means, and carries out its
/// actions: answers at once a method that can (`RPCMethod.unary(_:immediate:otherwise:)`),
/// else starts its work as a task where the method is placed (the shared pool, or this
/// connection's loop), feeds an upload's input,
/// cancels, answers. Every call ends exactly once: answered, failed, expired or cancelled.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How a call's task and the work it sends reach this handler from off the loop.
    struct Reference: Sendable {
        let channel: any Channel
        let loop: any EventLoop
        let handler: NIOLoopBound<ServerConnectionHandler>
    }

    private struct Running {
        let serial: UInt64
        let method: RPCMethod
        let context: ExecutionContext
        let started: UInt64
        var task: Task<Void, Never>?
        var input: NIOThrowingAsyncSequenceProducer<[UInt8], any Error, InboundFlow.Watermark, FlowDelegate>.Source?
        var timer: Scheduled<Void>?
    }

    private let server: RPCServer
    private let channel: any Channel
    private var decoder: FrameDecoder
    private var state: ServerConnectionState
    private var calls: [UInt64: Running] = [:]
    private var serials: UInt64 = 0
    private var unwritable: Scheduled<Void>?
    /// Runs while a frame is partly received (`RPCServerConfiguration.frameTimeout`).
    private var partialFrame: Scheduled<Void>?
    /// The last read, or the last answer: the connection is idle
    /// (`RPCServerConfiguration.idleTimeout`) from then while no call runs.
    private var lastActivity = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?
    /// The loop's poller (`RPCServerConfiguration.busyPoll`) and the count of the bytes
    /// read from the socket it watches; when this connection's last short call was
    /// answered and whether its request after that came within the poller's window (so
    /// polling after an answer is likely to find the next request); whether the last read
    /// brought one whole request and nothing more (a client sending many requests at once
    /// is not waiting on each answer, and polling would take a core it needs).
    private let poller: (poller: BusyPoller, reads: ReadCounter)?
    private var answeredAt: NIODeadline?
    private var callsClosely = true
    private var readOneRequest = false
    private lazy var flow = InboundFlow(channel: channel)
    private var reference: Reference {
        Reference(channel: channel, loop: channel.eventLoop, handler: NIOLoopBound(self, eventLoop: channel.eventLoop))
    }

    /// Made on `channel`'s loop; `reads` heads its pipeline when the server polls.
    init(server: RPCServer, channel: any Channel, reads: ReadCounter?) {
        self.server = server
        self.channel = channel
        self.decoder = FrameDecoder(maximumFrameBytes: server.configuration.maximumFrameBytes)
        self.state = ServerConnectionState(maximumInFlight: server.configuration.maximumInFlightPerConnection)
        self.poller = reads.map { (BusyPoller.of(channel.eventLoop), $0) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if !server.opened(reference) {
            // The server drains, or holds its most connections: this one is closed at once.
            context.close(promise: nil)
        } else {
            checkIdle(in: server.configuration.idleTimeout)
            if let poller { poller.poller.watch(channel, reads: poller.reads) }
        }
        context.fireChannelActive()
    }

    /// Closes the connection once it has been idle for the idle timeout: nothing read and
    /// no call running or ended since (a TLS handshake that never completes reads nothing
    /// here, so it is idle too). Checked by a timer, not at every read and write.
    private func checkIdle(in delay: TimeAmount) {
        let reference = reference
        idleCheck = channel.eventLoop.scheduleTask(in: delay) { reference.handler.value.idleCheckDue() }
    }

    private func idleCheckDue() {
        let timeout = server.configuration.idleTimeout
        let idleUntil = lastActivity + timeout
        if calls.isEmpty, idleUntil <= .now() {
            server.logger.debug("closing an idle connection")
            return channel.close(promise: nil)
        }
        checkIdle(in: calls.isEmpty ? idleUntil - .now() : timeout)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = .now()
        if poller != nil, let answeredAt {
            callsClosely = lastActivity - answeredAt < server.configuration.busyPoll
            self.answeredAt = nil
        }
        let buffer = unwrapInboundIn(data)
        server.metrics.bytesIn.increment(by: buffer.readableBytes)
        var frames: [[UInt8]]
        do { frames = try decoder.feed(buffer.readableBytesView) } catch {
            return breakProtocol(error, context: context)
        }
        if !frames.isEmpty {
            partialFrame?.cancel()
            partialFrame = nil
        }
        watchPartialFrame()
        readOneRequest = frames.count == 1 && decoder.buffered == 0
        for k in frames.indices {
            let received: (envelope: Envelope, payload: [UInt8]?)
            do { received = try EnvelopeCodec.decode(taking: &frames[k]) } catch { return breakProtocol(error, context: context) }
            for action in state.received(received.envelope, payload: received.payload, now: WireClock.unixNanos) { perform(action, context: context) }
        }
    }

    /// Starts the frame timer when a frame has begun and none runs; when it fires with the
    /// frame still partial, the connection closes (unless the server itself had stopped
    /// reading: then it waits another period).
    private func watchPartialFrame() {
        guard decoder.buffered > 0, partialFrame == nil else { return }
        let reference = reference
        partialFrame = channel.eventLoop.scheduleTask(in: server.configuration.frameTimeout) {
            reference.handler.value.partialFrameExpired()
        }
    }

    private func partialFrameExpired() {
        partialFrame = nil
        guard decoder.buffered > 0 else { return }
        guard flow.isReading else { return watchPartialFrame() }
        server.logger.notice("closing a connection whose frame did not arrive whole in time",
                             metadata: ["seconds": "\(Double(server.configuration.frameTimeout.nanoseconds) / 1e9)"])
        channel.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        unwritable?.cancel()
        partialFrame?.cancel()
        idleCheck?.cancel()
        poller?.poller.unwatch(channel)
        for action in state.closed() {
            if case .cancel(let id) = action { stop(id) }
        }
        server.closed(channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        server.logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// A peer that stops reading: reading stops too (so it cannot make the server queue
    /// answers without bound), and after the slow-read timeout the connection closes.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if channel.isWritable {
            unwritable?.cancel()
            unwritable = nil
            flow.writesBlocked = false
        } else {
            flow.writesBlocked = true
            if unwritable == nil {
                let channel = self.channel
                unwritable = channel.eventLoop.scheduleTask(in: server.configuration.slowReadTimeout) { channel.close(promise: nil) }
            }
        }
        context.fireChannelWritabilityChanged()
    }

    private func breakProtocol(_ error: any Error, context: ChannelHandlerContext) {
        server.logger.notice("closing a connection that broke the protocol", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    private func perform(_ action: ServerConnectionState.Action, context: ChannelHandlerContext) {
        switch action {
        case .start(let id, let method, let deadline, let token, let payload):
            start(id: id, name: method, deadline: deadline, token: token, payload: payload)
        case .cancel(let id):
            stop(id)
            _ = state.finished(id)
        case .input(let id, let payload, let end):
            guard let source = calls[id]?.input else { return }
            if !payload.isEmpty { flow.yielded(source.yield(payload), id: id) }
            if end {
                source.finish()
                calls[id]?.input = nil
            }
        case .send(let envelope):
            write(envelope)
        case .close(let status):
            breakProtocol(status, context: context)
        }
    }

    private func start(id: UInt64, name: String, deadline: UInt64, token: String, payload: [UInt8]) {
        // The token first: an unauthenticated client learns nothing, not even which methods exist.
        if let required = server.configuration.token, !Self.same(token, required) {
            _ = state.finished(id)
            return answer(id: id, shape: .unary, .failure(Status(
                .unauthenticated, token.isEmpty ? "the request carries no token" : "the request's token is not accepted here")))
        }
        guard let method = server.methods[name] else {
            _ = state.finished(id)
            return answer(id: id, shape: .unary, .failure(Status(.unimplemented, "no method \(WireNames.printable(name)) on this service")))
        }
        guard server.load.acquire() else {
            _ = state.finished(id)
            return answer(id: id, shape: method.shape,
                          .failure(Status(.resourceExhausted, "the service already runs \(server.load.limit) requests; try again", retryable: true)))
        }
        server.metrics.inFlight.increment()
        if let immediate = method.immediate {
            let started = ExecutionContext.now
            let outcome: Result<[UInt8], Status>?
            do { outcome = try immediate(payload).map { .success($0) } } catch { outcome = .failure(server.configuration.status(error)) }
            if let outcome {
                let nanoseconds = ExecutionContext.now - started
                server.workEnded(name, outcome, nanoseconds: nanoseconds)
                _ = state.finished(id)
                server.metrics.finished(method: name, code: outcome.code, nanoseconds: nanoseconds)
                answer(id: id, shape: .unary, outcome)
                if let poller {
                    answeredAt = lastActivity
                    if callsClosely, readOneRequest, calls.isEmpty, server.load.count == 0 {
                        poller.poller.poll(after: channel, for: server.configuration.busyPoll) { [server] in server.pollEnded(found: $0) }
                    }
                }
                return closeIfDrained()
            }
        }
        let execution = ExecutionContext(threads: server.configuration.threadsPerRequest, deadline: WireClock.monotonic(deadline))
        serials += 1
        let serial = serials
        var running = Running(serial: serial, method: method, context: execution, started: WireClock.unixNanos)
        var input: PayloadStream? = nil
        if method.shape == .clientStream {
            let stream = InboundFlow.stream(id: id, loop: channel.eventLoop, flow: NIOLoopBound(flow, eventLoop: channel.eventLoop))
            running.input = stream.source
            input = PayloadStream(base: stream.sequence)
        }
        let call = RPCCall(id: id, serial: serial, method: name, token: token, payload: payload, context: execution, input: input,
                           connection: reference, slowReadTimeout: server.configuration.slowReadTimeout,
                           maximumFrameBytes: server.configuration.maximumFrameBytes)
        if deadline != 0 {
            let reference = reference
            running.timer = channel.eventLoop.scheduleTask(in: .nanoseconds(WireClock.delay(until: deadline))) {
                reference.handler.value.expire(id, serial: serial)
            }
        }
        calls[id] = running
        let reference = reference
        let server = server
        let work: @Sendable () async -> Void = {
            let outcome: Result<[UInt8], Status>
            let started = ExecutionContext.now
            do { outcome = .success(try await method.run(call)) } catch {
                var status = server.configuration.status(error)
                // The work stopped because the call's own deadline passed (its poll can see
                // the deadline before the call's timer fires): the deadline's status.
                if status.code == .cancelled, call.context.stopReason == .deadlineExceeded {
                    status = Status(.deadlineExceeded, "the call's deadline passed (\(status.message))")
                }
                // A call this method made to another service ran out of its own time, well
                // before this call's (100 ms: the clocks of the two deadlines differ): the
                // caller may try again (UNAVAILABLE); it is not its deadline.
                if status.code == .deadlineExceeded, call.context.stopReason == nil,
                   call.context.deadline.map({ ExecutionContext.now + 100_000_000 < $0 }) ?? true {
                    status = Status(.unavailable, "a service this one called did not answer in time: \(status.message)", retryable: true)
                }
                outcome = .failure(status)
            }
            server.workEnded(name, outcome, nanoseconds: ExecutionContext.now - started)
            reference.loop.execute { reference.handler.value.finish(id, serial: serial, outcome) }
        }
        switch method.placement {
        case .pool: running.task = Task(operation: work)
        case .connectionLoop: running.task = Task(executorPreference: EventLoopTaskExecutor(channel.eventLoop), operation: work)
        }
        calls[id]?.task = running.task
    }

    /// Compares two tokens in time that depends only on their lengths.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) { difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
        return difference == 0
    }

    /// Stops call `id`'s work (its answer will not be sent).
    private func stop(_ id: UInt64, code: StatusCode = .cancelled) {
        guard let running = calls.removeValue(forKey: id) else { return }
        running.context.cancel()
        running.task?.cancel()
        running.timer?.cancel()
        running.input?.finish(Status(.cancelled, "the call was cancelled"))
        flow.drained(id)
        server.metrics.finished(method: running.method.name, code: code, nanoseconds: WireClock.unixNanos &- running.started)
    }

    /// Call `id`'s work ended: its answer, unless the call was cancelled meanwhile.
    func finish(_ id: UInt64, serial: UInt64, _ outcome: Result<[UInt8], Status>) {
        guard calls[id]?.serial == serial, let running = calls.removeValue(forKey: id), state.finished(id) else { return }
        running.timer?.cancel()
        running.input?.finish()
        flow.drained(id)
        server.metrics.finished(method: running.method.name, code: outcome.code, nanoseconds: WireClock.unixNanos &- running.started)
        answer(id: id, shape: running.method.shape, outcome)
        closeIfDrained()
    }

    /// Call `id`'s deadline passed: its work stops and the client hears `DEADLINE_EXCEEDED`.
    func expire(_ id: UInt64, serial: UInt64) {
        guard let running = calls[id], running.serial == serial else { return }
        stop(id, code: .deadlineExceeded)
        _ = state.finished(id)
        answer(id: id, shape: running.method.shape, .failure(Status(.deadlineExceeded, "the call's deadline passed")))
        closeIfDrained()
    }

    private func answer(id: UInt64, shape: RPCMethod.Shape, _ outcome: Result<[UInt8], Status>) {
        lastActivity = .now()
        var envelope = Envelope.make(shape == .serverStream ? .endOfStream : .response, id: id)
        var payload: [UInt8]? = nil
        switch outcome {
        case .success(let answer):
            if shape == .serverStream { envelope.fail(Status(.ok, "")) } else { payload = answer }
        case .failure(let status):
            envelope.fail(status)
        }
        write(envelope, payload: payload)
    }

    private func write(_ envelope: Envelope, payload: [UInt8]? = nil) {
        do {
            var frame = try FrameWriting.buffer(envelope, payload: payload, allocator: channel.allocator)
            if frame.readableBytes - 4 > server.configuration.maximumFrameBytes {
                // An answer the client would refuse (and close the connection over): its status instead.
                var refusal = Envelope.make(envelope.kind, id: envelope.requestID)
                refusal.fail(Status(.resourceExhausted, "the answer of \(frame.readableBytes - 4) bytes is over the frame maximum of \(server.configuration.maximumFrameBytes); ask for less (a limit, fewer keys)"))
                frame = try FrameWriting.buffer(refusal, allocator: channel.allocator)
            }
            server.metrics.bytesOut.increment(by: frame.readableBytes)
            channel.writeAndFlush(frame, promise: nil)
        } catch {
            server.logger.error("cannot send an answer", metadata: ["error": "\(error)"])
            channel.close(promise: nil)
        }
    }

    /// Writes one stream item of call `id`; fails when the call is no longer running.
    func writeItem(_ id: UInt64, serial: UInt64, _ frame: ByteBuffer) -> EventLoopFuture<Void> {
        guard calls[id]?.serial == serial else { return channel.eventLoop.makeFailedFuture(Status(.cancelled, "the call ended")) }
        server.metrics.bytesOut.increment(by: frame.readableBytes)
        return channel.writeAndFlush(frame)
    }

    /// The server drains: no new request starts here, and the connection closes once its
    /// requests have answered.
    func drain() {
        state.drain()
        closeIfDrained()
    }

    private func closeIfDrained() {
        if state.draining, calls.isEmpty { channel.close(promise: nil) }
    }
}
