import AnantColumnar
import NIOCore
import NIOPosix
import NIOSSL
import SwiftProtobuf
import Synchronization

/// A client's connection settings.
public struct RPCClientConfiguration: Sendable {
    /// Connections to the server, used in turn (calls are multiplexed on each).
    public var connections = 1
    /// The largest frame accepted (and sent).
    public var maximumFrameBytes = 16 << 20
    /// The token sent with every request.
    public var token = ""
    /// Attempts to connect for one call, the first at once, then after a backoff that
    /// doubles from `firstBackoff` up to `maximumBackoff` (with jitter).
    public var connectAttempts = 5
    public var firstBackoff: TimeAmount = .milliseconds(25)
    public var maximumBackoff: TimeAmount = .seconds(1)
    public var connectTimeout: TimeAmount = .seconds(5)
    /// A reader that takes nothing of an upload's connection for this long closes it.
    public var slowReadTimeout: TimeAmount = .seconds(30)
    /// Connect over TLS with this context (`WireTLS.client`); nil: plaintext.
    public var tls: NIOSSLContext? = nil
    /// With one unary call in flight on a connection, poll the connection's event loop
    /// this long for the answer before its thread sleeps, when the answer before came
    /// within this long (`RPCServerConfiguration.busyPoll` is the server's side). Zero:
    /// never.
    public var busyPoll: TimeAmount = .microseconds(200)

    public init() {}
}

/// A client of one service: requests multiplexed by id on pooled connections (answers
/// may come in any order), deadlines, cancellation that follows the calling task, and
/// reconnection with backoff. A call pending on a connection that closes fails with
/// `UNAVAILABLE` (retryable); it is never sent again on its own, since the server may
/// have run it.
public final class RPCClient: Sendable {
    public let host: String
    public let port: Int
    public let configuration: RPCClientConfiguration
    private let group: any EventLoopGroup
    private let slots: [SlotBox]
    private let turn = Atomic<Int>(0)
    private let polls = BusyPollCounts()

    private struct Slot {
        var connection: Connection?
        var pending: EventLoopFuture<Connection>?
    }

    private final class SlotBox: Sendable {
        let state = Mutex(Slot())
    }

    struct Connection: Sendable {
        let channel: any Channel
        let handler: NIOLoopBound<ClientConnectionHandler>

        /// Runs `body` on the connection's event loop: at once when the caller is on it
        /// (`onConnectionLoop`), else queued there.
        func onLoop(_ body: @escaping @Sendable () -> Void) {
            if channel.eventLoop.inEventLoop { body() } else { channel.eventLoop.execute(body) }
        }

        /// Starts a call (`onLoop`), unless the calling task is cancelled already: its
        /// cancellation handler has only queued the cancel, which a start run at once
        /// would overtake, sending a call the caller is told was cancelled.
        func start(answering promise: EventLoopPromise<[UInt8]>, _ body: @escaping @Sendable () -> Void) throws(Status) {
            guard !Task.isCancelled else {
                let cancelled = Status(.cancelled, "the call was cancelled")
                promise.fail(cancelled)
                throw cancelled
            }
            onLoop(body)
        }
    }

    public init(host: String, port: Int, configuration: RPCClientConfiguration = .init(),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.host = host
        self.port = port
        self.configuration = configuration
        self.group = group
        self.slots = (0..<max(1, configuration.connections)).map { _ in SlotBox() }
    }

    /// A client of `address` ("HOST:PORT").
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT` for an address that is not one.
    public convenience init(address: String, configuration: RPCClientConfiguration = .init()) throws(Status) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port),
              colon != address.startIndex
        else { throw Status(.invalidArgument, "an address must be HOST:PORT with a port of 1 to 65535, not \"\(address)\"") }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host, port: port, configuration: configuration)
    }

    /// Connections open now (a connection the server closed counts until the client has
    /// seen it close).
    public var openConnections: Int {
        slots.reduce(0) { count, slot in count + (slot.state.withLock { $0.connection?.channel.isActive ?? false } ? 1 : 0) }
    }

    /// Busy polls so far (`RPCClientConfiguration.busyPoll`): those that found the
    /// answer (or other input on the loop), and those whose window passed first.
    public var busyPolls: (found: Int, expired: Int) { polls.value }

    /// Closes every connection (calls in flight fail with `UNAVAILABLE`).
    public func close() async {
        for slot in slots {
            let connection = slot.state.withLock { slot -> Connection? in
                defer { slot.connection = nil }
                return slot.connection
            }
            try? await connection?.channel.close()
        }
    }

    /// Runs `body` as a task whose code runs on the event loop of one of the client's
    /// connections (made now if need be). A call from `body` is then written and its
    /// answer taken on that one thread: two thread crossings fewer per call than from
    /// the shared pool (each crossing costs a wake-up of an idle core, tens of
    /// microseconds on a virtual machine). For sequences of short calls whose latency
    /// counts; `body` must not block or run long (no file I/O, no heavy decoding), since
    /// it holds up the I/O of every connection on that loop. With several connections,
    /// calls from `body` keep to the one on its loop while it stays open.
    ///
    /// - Throws: `Status` `UNAVAILABLE` when no connection could be made; what `body` throws.
    public func onConnectionLoop<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let connection = try await connect(before: 0)
        return try await withTaskExecutorPreference(EventLoopTaskExecutor(connection.channel.eventLoop), operation: body)
    }

    // MARK: Calls

    /// A unary call: its answer's payload.
    ///
    /// - Throws: `Status`: the server's, `DEADLINE_EXCEEDED` after `timeout` seconds,
    ///   `CANCELLED` when the calling task is cancelled, `UNAVAILABLE` when no connection
    ///   could be made or it closed.
    public func unary(_ method: String, _ payload: [UInt8], timeout: Double? = nil) async throws(Status) -> [UInt8] {
        let connection = try await connect(before: timeout.map { WireClock.deadline(in: $0) } ?? 0)
        let deadline = timeout.map { WireClock.deadline(in: $0) } ?? 0
        let ticket = ClientConnectionHandler.Ticket()
        let promise = connection.channel.eventLoop.makePromise(of: [UInt8].self)
        let token = configuration.token
        do {
            return try await withTaskCancellationHandler {
                try connection.start(answering: promise) {
                    connection.handler.value.start(method: method, payload: payload, deadline: deadline, token: token, streaming: false,
                                                   waiter: .one(promise), ticket: ticket)
                }
                return try await promise.futureResult.get()
            } onCancel: {
                connection.channel.eventLoop.execute { connection.handler.value.cancel(ticket) }
            }
        } catch { throw Status(transport: error) }
    }

    /// A unary call on typed messages.
    public func unary<Response: Message>(_ method: String, _ request: some Message, as _: Response.Type = Response.self,
                                         timeout: Double? = nil) async throws(Status) -> Response {
        try Response(wire: try await unary(method, try request.wireBytes(), timeout: timeout))
    }

    /// A server-streamed call: the items, read with backpressure. Ending the iteration
    /// early (or cancelling the reading task) cancels the call.
    public func serverStream(_ method: String, _ payload: [UInt8], timeout: Double? = nil) async throws(Status) -> PayloadStream {
        let deadline = timeout.map { WireClock.deadline(in: $0) } ?? 0
        let connection = try await connect(before: deadline)
        let ticket = ClientConnectionHandler.Ticket()
        let token = configuration.token
        let loop = connection.channel.eventLoop
        do {
            return try await loop.submit {
                connection.handler.value.startStream(method: method, payload: payload, deadline: deadline, token: token, ticket: ticket)
            }.get()
        } catch { throw Status(transport: error) }
    }

    /// A client-streamed call: sends the request, then what `upload` sends, then the end
    /// of the stream; the server's one answer.
    public func clientStream(_ method: String, _ payload: [UInt8], timeout: Double? = nil,
                             upload: (Upload) async throws -> Void) async throws(Status) -> [UInt8] {
        let deadline = timeout.map { WireClock.deadline(in: $0) } ?? 0
        let connection = try await connect(before: deadline)
        let ticket = ClientConnectionHandler.Ticket()
        let promise = connection.channel.eventLoop.makePromise(of: [UInt8].self)
        let token = configuration.token
        let writer = Upload(connection: connection, ticket: ticket, slowReadTimeout: configuration.slowReadTimeout)
        do {
            return try await withTaskCancellationHandler {
                try connection.start(answering: promise) {
                    connection.handler.value.start(method: method, payload: payload, deadline: deadline, token: token, streaming: false,
                                                   waiter: .one(promise), ticket: ticket)
                }
                do {
                    try await upload(writer)
                    try await writer.finish()
                } catch {
                    // A send fails once the call is over: the server answered early (a
                    // refusal) or the connection closed; the answer says which.
                    let over = try await connection.channel.eventLoop.submit { connection.handler.value.isOver(ticket) }.get()
                    if !over {
                        connection.channel.eventLoop.execute { connection.handler.value.cancel(ticket) }
                        throw error as? Status ?? Status(.cancelled, "the upload stopped: \(error)")
                    }
                }
                return try await promise.futureResult.get()
            } onCancel: {
                connection.channel.eventLoop.execute { connection.handler.value.cancel(ticket) }
            }
        } catch { throw Status(transport: error) }
    }

    /// The sending side of an upload.
    public struct Upload: Sendable {
        let connection: Connection
        let ticket: ClientConnectionHandler.Ticket
        let slowReadTimeout: TimeAmount
        let pending = PendingBytes()

        /// Sends one item, waiting while the server reads slower than this sends.
        public func send(_ payload: [UInt8]) async throws(Status) {
            let written = connection.channel.eventLoop.flatSubmit { [connection, ticket] in
                connection.handler.value.sendItem(ticket, payload: payload, end: false)
            }
            try await FrameWriting.backpressure(written, bytes: payload.count + 32, pending: pending, channel: connection.channel,
                                                slowReadTimeout: slowReadTimeout)
        }

        /// Sends one message.
        public func send(_ message: some Message) async throws(Status) { try await send(try message.wireBytes()) }

        func finish() async throws(Status) {
            let written = connection.channel.eventLoop.flatSubmit { [connection, ticket] in
                connection.handler.value.sendItem(ticket, payload: [], end: true)
            }
            do { try await written.get() } catch { throw Status(transport: error) }
        }
    }

    // MARK: Connections

    /// A live connection, made now if need be, trying again with backoff.
    func connect(before deadline: UInt64) async throws(Status) -> Connection {
        // A caller on one of the connections' event loops (`onConnectionLoop`) keeps to it.
        if slots.count > 1, let local = slots.lazy.compactMap({ slot in
            slot.state.withLock { state in state.connection.flatMap { $0.channel.isActive && $0.channel.eventLoop.inEventLoop ? $0 : nil } }
        }).first {
            return local
        }
        let slot = slots[Int(UInt(bitPattern: turn.wrappingAdd(1, ordering: .relaxed).oldValue) % UInt(slots.count))]
        // The slot's connection is open (every call but a connection's first): returned
        // at once, with no future, continuation and cancellation handler to wait through.
        if let open = slot.state.withLock({ state in state.connection.flatMap { $0.channel.isActive ? $0 : nil } }) { return open }
        var backoff = configuration.firstBackoff
        var lastError: (any Error)? = nil
        for attempt in 0..<max(1, configuration.connectAttempts) {
            if attempt > 0 {
                let jittered = Int64(Double(backoff.nanoseconds) * Double.random(in: 0.5...1.0))
                if deadline != 0, WireClock.remaining(until: deadline) < UInt64(jittered) { break }
                do { try await Task.sleep(nanoseconds: UInt64(jittered)) } catch { throw Status(.cancelled, "the call was cancelled") }
                backoff = min(backoff * 2, configuration.maximumBackoff)
            }
            let future = slot.state.withLock { state -> EventLoopFuture<Connection>? in
                if let connection = state.connection, connection.channel.isActive { return connection.channel.eventLoop.makeSucceededFuture(connection) }
                state.connection = nil
                if let pending = state.pending { return pending }
                let pending = makeConnection()
                state.pending = pending
                return pending
            }!
            do {
                let connection = try await Self.value(of: future)
                slot.state.withLock { state in
                    if state.pending === future { state.pending = nil }
                    state.connection = connection
                }
                return connection
            } catch is CancellationError {
                // The connection goes on being made for later calls; this one stops waiting.
                throw Status(.cancelled, "the call was cancelled")
            } catch {
                slot.state.withLock { state in if state.pending === future { state.pending = nil } }
                lastError = error
            }
        }
        throw Status(.unavailable, "cannot connect to \(host):\(port): \(lastError.map { "\($0)" } ?? "the deadline passed")", retryable: true)
    }

    /// The value of `future`, or `CancellationError` as soon as the calling task is
    /// cancelled (a connect to an address that does not answer takes its whole timeout).
    static func value<T: Sendable>(of future: EventLoopFuture<T>) async throws -> T {
        let once = ResumeOnce<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                once.continuation.withLock { $0 = continuation }
                future.whenComplete { result in once.resume(result.mapError { $0 }) }
                if Task.isCancelled { once.resume(.failure(CancellationError())) }
            }
        } onCancel: {
            once.resume(.failure(CancellationError()))
        }
    }

    private func makeConnection() -> EventLoopFuture<Connection> {
        let maximum = configuration.maximumFrameBytes, tls = configuration.tls, host = host, busyPoll = configuration.busyPoll
        let polls = polls
        return ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 256 << 10, high: 1 << 20))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let reads = busyPoll > .zero ? ReadCounter() : nil
                    if let reads { try channel.pipeline.syncOperations.addHandler(reads) }
                    if let tls { try channel.pipeline.syncOperations.addHandler(WireTLS.clientHandler(tls, host: host)) }
                    try channel.pipeline.syncOperations.addHandler(ClientConnectionHandler(channel: channel, maximumFrameBytes: maximum, busyPoll: busyPoll,
                                                                                             reads: reads, pollEnded: polls.ended))
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self)
                return Connection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
            }
    }
}

/// A continuation resumed once, by whichever comes first.
final class ResumeOnce<T: Sendable>: Sendable {
    let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func resume(_ result: Result<T, any Error>) { continuation.withLock { $0.take() }?.resume(with: result) }
}
