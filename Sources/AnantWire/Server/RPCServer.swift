import AnantColumnar
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A server's limits and behaviour.
public struct RPCServerConfiguration: Sendable {
    /// The largest frame accepted (and sent).
    public var maximumFrameBytes = 16 << 20
    /// Requests one connection may run at once.
    public var maximumInFlightPerConnection = 64
    /// Requests the whole service may run at once.
    public var maximumInFlight = 256
    /// Connections open at once; one more is closed as soon as it is accepted, so no
    /// client can take every file descriptor the service needs for its own calls.
    public var maximumConnections = 4096
    /// Threads the work of one request may use.
    public var threadsPerRequest = ExecutionContext.processorCount
    /// A connection with nothing in flight and no traffic for this long is closed.
    public var idleTimeout: TimeAmount = .seconds(300)
    /// A connection whose reader takes no bytes of a stream for this long is closed.
    public var slowReadTimeout: TimeAmount = .seconds(30)
    /// A connection whose frame has not arrived whole this long after its first byte is
    /// closed (a peer dripping bytes holds nothing for long); time the server itself
    /// stops reading, for back pressure, does not count.
    public var frameTimeout: TimeAmount = .seconds(30)
    /// How long a drain waits for requests in flight before it cancels them.
    public var drainGrace: TimeAmount = .seconds(20)
    /// After answering a short call at once (`RPCMethod.unary(_:immediate:otherwise:)`),
    /// with nothing else running in the service, poll the loop's connections this long
    /// for the next request before the loop's thread sleeps (`BusyPoller`): a client's
    /// next request is then read with no wake-up. Only on a connection whose last
    /// request came within this long of the answer before it, so a client that calls
    /// now and then costs one window, not one per call. Zero: never.
    public var busyPoll: TimeAmount = .zero
    /// The token every request must carry (the cluster token between services); nil
    /// accepts any. Compared in constant time, never logged.
    public var token: String? = nil
    /// The status of an error a method's work throws (`Status` as it is by default; a
    /// service passes its modules' mapping).
    public var status: @Sendable (any Error) -> Status = { Status(transport: $0) }
    /// Serve over TLS with this context (`WireTLS.server`); nil: plaintext.
    public var tls: NIOSSLContext? = nil
    /// Told of every call a method ran, as it ends: the method, its status code and how
    /// long it took (a service's own request counts, the gateway's status page).
    public var observe: (@Sendable (_ method: String, _ code: StatusCode, _ nanos: UInt64) -> Void)? = nil

    public init() {}
}

/// Counts the requests a whole service runs, against its limit.
final class ServiceLoad: Sendable {
    private let running = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    var count: Int { running.load(ordering: .relaxed) }

    func acquire() -> Bool {
        if running.wrappingAdd(1, ordering: .relaxed).newValue <= limit { return true }
        running.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func release() { running.wrappingSubtract(1, ordering: .relaxed) }
}

/// An RPC server: listens, answers each request at once when its method can, else runs its
/// work where the method is placed (the shared pool or the connection's event loop,
/// `RPCMethod.Placement`), and drains.
public final class RPCServer: Sendable {
    let methods: [String: RPCMethod]
    let configuration: RPCServerConfiguration
    let logger: Logger
    let load: ServiceLoad
    let metrics: WireMetrics
    private let group: any EventLoopGroup
    private let state = Mutex<(channel: (any Channel)?, connections: [ObjectIdentifier: ServerConnectionHandler.Reference], draining: Bool)>(
        (nil, [:], false))
    private let polls = BusyPollCounts()

    public init(methods: [RPCMethod], configuration: RPCServerConfiguration = .init(), logger: Logger,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.methods = Dictionary(methods.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.configuration = configuration
        self.logger = logger
        self.load = ServiceLoad(limit: configuration.maximumInFlight)
        self.metrics = WireMetrics()
        self.group = group
    }

    /// Starts listening on `host:port` (port 0: any free port); the bound address.
    public func start(host: String, port: Int) async throws -> SocketAddress {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 256 << 10, high: 1 << 20))
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let reads = configuration.busyPoll > .zero ? ReadCounter() : nil
                    if let reads { try channel.pipeline.syncOperations.addHandler(reads) }
                    if let tls = configuration.tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.addHandler(ServerConnectionHandler(server: self, channel: channel, reads: reads))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        // A poll on the listener's loop ends when a connection waits to be accepted.
        if configuration.busyPoll > .zero {
            try await channel.eventLoop.submit { BusyPoller.of(channel.eventLoop).watch(listener: channel) }.get()
        }
        let drainingAlready = state.withLock { state -> Bool in
            state.channel = channel
            return state.draining
        }
        if drainingAlready { try? await channel.close() }
        guard let address = channel.localAddress else { throw Status(.internal, "the listening socket has no address") }
        return address
    }

    func opened(_ connection: ServerConnectionHandler.Reference) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.draining, state.connections.count < configuration.maximumConnections else { return false }
            state.connections[ObjectIdentifier(connection.channel)] = connection
            return true
        }
        if accepted { metrics.connections.increment() }
        return accepted
    }

    /// A busy poll after one of this server's answers ended (`BusyPoller`).
    func pollEnded(found: Bool) {
        polls.ended(found: found)
        (found ? metrics.pollsFound : metrics.pollsExpired).increment()
    }

    func closed(_ channel: any Channel) {
        if state.withLock({ $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }) != nil { metrics.connections.decrement() }
    }

    /// Drains: stops accepting connections and requests (new requests are answered
    /// `UNAVAILABLE`, retryable), waits up to the grace period for the requests in flight,
    /// cancels what still runs, and closes every connection.
    public func drain() async {
        let (listener, connections) = state.withLock { state in
            state.draining = true
            return (state.channel, Array(state.connections.values))
        }
        try? await listener?.close()
        for connection in connections { connection.loop.execute { connection.handler.value.drain() } }
        // The work of a request reports its end on its own thread; a drain looks every 5 ms.
        let end = NIODeadline.now() + configuration.drainGrace
        // Each connection closes itself once its calls have answered (its work ends before
        // its answer is written, so the connections are what to wait for).
        while (load.count > 0 || connectionCount > 0) && NIODeadline.now() < end { try? await Task.sleep(nanoseconds: 5_000_000) }
        if load.count > 0 { logger.warning("drain grace passed; cancelling requests in flight", metadata: ["requests": "\(load.count)"]) }
        let remaining = state.withLock { Array($0.connections.values) }
        for connection in remaining { try? await connection.channel.close() }
    }

    /// The work of a call on method `name` ended after `nanoseconds`, with `outcome`:
    /// observed, and its load let go (its answer is the connection's to write).
    func workEnded(_ name: String, _ outcome: Result<[UInt8], Status>, nanoseconds: UInt64) {
        configuration.observe?(name, outcome.code, nanoseconds)
        load.release()
        metrics.inFlight.decrement()
    }

    /// Connections open now.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Requests running now.
    public var inFlight: Int { load.count }

    /// Busy polls so far (`RPCServerConfiguration.busyPoll`): those that found input on
    /// a connection (or its close), and those whose window passed first.
    public var busyPolls: (found: Int, expired: Int) { polls.value }
}

extension Result<[UInt8], Status> {
    /// The call's status code.
    var code: StatusCode { if case .failure(let status) = self { status.code } else { .ok } }
}
