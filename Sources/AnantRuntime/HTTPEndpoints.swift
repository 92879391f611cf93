import AnantColumnar
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import Synchronization

/// The service's HTTP port: `/healthz` (200 while the process serves), `/readyz` (200
/// once the service is ready and until it drains, 503 otherwise) and `/metrics`
/// (Prometheus text). Anything else is 404; methods other than GET and HEAD are 405.
public final class HTTPEndpoints: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let ready = Atomic<Bool>(false)
    private let channel = Mutex<(any Channel)?>(nil)

    public init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    /// Marks the service ready (or not: draining).
    public func setReady(_ value: Bool) { ready.store(value, ordering: .relaxed) }

    /// Starts listening; the bound address.
    public func start(host: String, port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> SocketAddress {
        let bound = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(Handler(endpoints: self))
                }
            }
            .bind(host: host, port: port).get()
        channel.withLock { $0 = bound }
        guard let address = bound.localAddress else { throw Status(.internal, "the HTTP socket has no address") }
        return address
    }

    public func stop() async {
        let bound = channel.withLock { $0 }
        try? await bound?.close()
    }

    fileprivate func answer(_ path: String) -> (HTTPResponseStatus, String, [UInt8]) {
        switch path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path {
        case "/healthz": return (.ok, "text/plain; charset=utf-8", Array("ok\n".utf8))
        case "/readyz":
            return ready.load(ordering: .relaxed)
                ? (.ok, "text/plain; charset=utf-8", Array("ready\n".utf8))
                : (.serviceUnavailable, "text/plain; charset=utf-8", Array("not ready\n".utf8))
        case "/metrics": return (.ok, "text/plain; version=0.0.4; charset=utf-8", registry.emitToBuffer())
        default: return (.notFound, "text/plain; charset=utf-8", Array("not found: /healthz, /readyz or /metrics\n".utf8))
        }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let endpoints: HTTPEndpoints
        var head: HTTPRequestHead?

        init(endpoints: HTTPEndpoints) { self.endpoints = endpoints }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let request): head = request
            case .body: break
            case .end:
                guard let request = head else { return }
                head = nil
                let (status, type, body) = request.method == .GET || request.method == .HEAD
                    ? endpoints.answer(request.uri) : (.methodNotAllowed, "text/plain; charset=utf-8", Array("GET only\n".utf8))
                var headers = HTTPHeaders([("content-type", type), ("content-length", "\(body.count)")])
                if !request.isKeepAlive { headers.add(name: "connection", value: "close") }
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
                if request.method != .HEAD {
                    context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
                }
                let keepAlive = request.isKeepAlive, channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                    if !keepAlive { channel.close(promise: nil) }
                }
            }
        }
    }
}
