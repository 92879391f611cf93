import AnantColumnar
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import Synchronization

/// What a page of the HTTP port answers.
public struct HTTPPage: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var headers: [(String, String)]

    public init(status: Int = 200, contentType: String = "text/html; charset=utf-8", body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A plain-text answer.
    public static func text(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPPage {
        HTTPPage(status: status, contentType: "text/plain; charset=utf-8", body: Array((text + "\n").utf8), headers: headers)
    }
}

/// A service's own page on its HTTP port (the gateway's `/status`): given the request's
/// `Authorization` header (nil without one), the answer.
public typealias HTTPPageHandler = @Sendable (_ authorization: String?) async -> HTTPPage

/// The service's HTTP port: `/healthz` (200 while the process serves), `/readyz` (200
/// once the service is ready and until it drains, 503 otherwise), `/metrics`
/// (Prometheus text) and the service's own pages. Anything else is 404; methods other
/// than GET and HEAD are 405.
public final class HTTPEndpoints: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let pages: [String: HTTPPageHandler]
    private let ready = Atomic<Bool>(false)
    private let channel = Mutex<(any Channel)?>(nil)

    public init(registry: PrometheusCollectorRegistry, pages: [String: HTTPPageHandler] = [:]) {
        self.registry = registry
        self.pages = pages
    }

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

    fileprivate func answer(_ path: String, authorization: String?) async -> HTTPPage {
        let path = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        switch path {
        case "/healthz": return .text(200, "ok")
        case "/readyz": return ready.load(ordering: .relaxed) ? .text(200, "ready") : .text(503, "not ready")
        case "/metrics": return HTTPPage(contentType: "text/plain; version=0.0.4; charset=utf-8", body: registry.emitToBuffer())
        default:
            if let page = pages[path] { return await page(authorization) }
            return .text(404, "not found: " + (["/healthz", "/readyz", "/metrics"] + pages.keys.sorted()).joined(separator: ", "))
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
                guard request.method == .GET || request.method == .HEAD else {
                    return respond(context, request, .text(405, "GET only"))
                }
                let endpoints = self.endpoints, uri = request.uri, authorization = request.headers.first(name: "authorization")
                let promise = context.eventLoop.makePromise(of: HTTPPage.self)
                promise.completeWithTask { await endpoints.answer(uri, authorization: authorization) }
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                promise.futureResult.whenSuccess { page in bound.value.0.respond(bound.value.1, request, page) }
            }
        }

        private func respond(_ context: ChannelHandlerContext, _ request: HTTPRequestHead, _ page: HTTPPage) {
            var headers = HTTPHeaders([("content-type", page.contentType), ("content-length", "\(page.body.count)")] + page.headers)
            if !request.isKeepAlive { headers.add(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: page.status),
                                                                 headers: headers))), promise: nil)
            if request.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: page.body)))), promise: nil)
            }
            let keepAlive = request.isKeepAlive, channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }
}
