import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Polls an event loop's connections for their next request for a short while after a
/// short call is answered, instead of letting the loop's thread sleep at once
/// (`RPCServerConfiguration.busyPoll`).
///
/// Why: a request that reaches a sleeping thread must wake it first. On a virtual machine
/// that wake-up, of a processor halted in the host, costs tens of microseconds (45 µs each
/// way on the machine this was measured on, where a loopback C ping-pong takes 106 µs
/// between two processors and 16 µs on one). A client sending its next request while the
/// thread still polls is read with no wake-up at all.
///
/// How: a chain of tasks on the loop, each asking every connection of the loop whether
/// bytes wait to be read: whether the socket has received more than the loop has read
/// from it (`TCP_INFO`'s count of bytes received, in which a close counts one, asked of
/// the socket through NIO's socket options, against a `ReadCounter` at the head of the
/// connection's pipeline), and the server's listening socket whether a connection waits
/// to be accepted. The chain ends as soon as one has, or a connection closed, or the
/// window passed; the loop then reads from its sockets as always. While the chain runs
/// the loop's other tasks still run between its steps, and nothing of the loop waits on
/// another connection's poll. One chain at a time per loop, and none on a loop with more
/// than `maximumWatched` connections.
///
/// One poller per event loop thread, shared by the servers and clients whose connections
/// the loop holds, so that a chain watches all of them. Used only on its loop's thread.
final class BusyPoller {
    /// The most connections of one loop polled; a loop with more does not poll.
    static let maximumWatched = 16

    private static let current = ThreadSpecificVariable<NIOLoopBoundBox<BusyPoller>>()

    /// The poller of `loop`, the calling thread's.
    static func of(_ loop: any EventLoop) -> BusyPoller {
        loop.preconditionInEventLoop()
        if let poller = current.currentValue { return poller.value }
        let poller = BusyPoller(loop: loop)
        current.currentValue = NIOLoopBoundBox(poller, eventLoop: loop)
        return poller
    }

    private let loop: any EventLoop
    /// The loop's connections, each with the bytes the loop has read from it.
    private var channels: [ObjectIdentifier: (channel: any Channel, reads: ReadCounter)] = [:]
    /// The listening sockets on this loop.
    private var listeners: [ObjectIdentifier: any Channel] = [:]
    /// The chain running now: when it ends, and whom to tell how it ended (true when it
    /// found input, false when its window passed).
    private var chain: (until: NIODeadline, ended: @Sendable (_ found: Bool) -> Void)?

    /// Whether the kernel counts the bytes a socket received, found at the first poll.
    private var kernelCounts: Bool?
    /// The bytes read from the watched sockets when the last chain ended.
    private var readsAtLastEnd: UInt64?

    private var readsSoFar: UInt64 { channels.values.reduce(0) { $0 &+ $1.reads.bytes } }

    private init(loop: any EventLoop) { self.loop = loop }

    /// Watches `channel`, whose pipeline begins with `reads`.
    func watch(_ channel: any Channel, reads: ReadCounter) { channels[ObjectIdentifier(channel)] = (channel, reads) }

    func unwatch(_ channel: any Channel) { channels.removeValue(forKey: ObjectIdentifier(channel)) }

    /// Watches a listening socket on this loop until it closes: a connection waiting to be
    /// accepted ends a chain.
    func watch(listener: any Channel) {
        let key = ObjectIdentifier(listener)
        listeners[key] = listener
        let bound = NIOLoopBound(self, eventLoop: loop)
        listener.closeFuture.whenComplete { _ in bound.value.listeners.removeValue(forKey: key) }
    }

    /// Polls for `window` after a short exchange on `channel`, unless a chain runs
    /// already or the loop has too many connections; `ended` is told how it ended.
    func poll(after channel: any Channel, for window: TimeAmount, ended: @escaping @Sendable (_ found: Bool) -> Void) {
        // A chain begins only once the loop has read from a socket since the last one
        // ended, which it does only after asking the kernel for every socket's events
        // (the chain ends in the loop's tasks; a read comes after the next wait for
        // events). So chains begun from tasks (a client's calls) cannot follow one
        // another while sockets the poller does not watch (another server's, an HTTP
        // endpoint's) wait: each waits at most one window.
        guard chain == nil, channels.count <= Self.maximumWatched, readsAtLastEnd != readsSoFar else { return }
        // A kernel without the count (before Linux 4.1) reads 0 for a connection the loop
        // has read from: nothing polls there. Found once, on the first such connection.
        if kernelCounts == nil {
            guard let reads = channels[ObjectIdentifier(channel)]?.reads.bytes, reads > 0 else { return }
            // A socket that cannot tell (closed meanwhile) decides nothing.
            guard let info = TCPInfo(channel) else { return }
            kernelCounts = info.bytesReceived > 0
        }
        guard kernelCounts == true else { return }
        chain = (.now() + window, ended)
        step()
    }

    private func step() {
        guard let chain else { return }
        // A closed connection (no information) counts as input: the loop has its close to see to.
        let found = channels.values.contains(where: { (TCPInfo($0.channel)?.bytesReceived ?? .max) > $0.reads.bytes })
            || listeners.values.contains(where: { (TCPInfo($0)?.acceptQueue ?? 0) > 0 })
        if found || NIODeadline.now() >= chain.until {
            self.chain = nil
            readsAtLastEnd = readsSoFar
            return chain.ended(found)
        }
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.execute { bound.value.step() }
    }

    /// Linux's `struct tcp_info` (232 bytes) of a socket, of which two fields are read.
    private struct TCPInfo: Sendable {
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

        /// `tcpi_bytes_received`: the bytes a connection has received so far.
        var bytesReceived: UInt64 { withUnsafeBytes(of: words) { $0.load(fromByteOffset: 128, as: UInt64.self) } }
        /// `tcpi_unacked`, of a listening socket: the connections waiting to be accepted.
        var acceptQueue: UInt32 { withUnsafeBytes(of: words) { $0.load(fromByteOffset: 24, as: UInt32.self) } }

        private init() {}

        /// The information of `channel`'s socket, asked on its loop (where the answer is
        /// there at once); nil when it is closed or cannot tell.
        init?(_ channel: any Channel) {
            #if os(Linux)
            guard channel.isActive, let socket = channel as? any SocketOptionProvider else { return nil }
            var info: TCPInfo? = nil
            socket.unsafeGetSocketOption(level: SocketOptionLevel(IPPROTO_TCP), name: SocketOptionName(TCP_INFO)).whenSuccess { (read: TCPInfo) in
                info = read
            }
            guard let info else { return nil }
            self = info
            #else
            return nil
            #endif
        }
    }
}

/// Counts the bytes its channel reads from the socket: the first handler of a pipeline
/// whose connection a `BusyPoller` watches (ahead of TLS, so it counts what the socket
/// delivered).
final class ReadCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private(set) var bytes: UInt64 = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytes += UInt64(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }
}

/// How a server's or a client's busy polls ended.
final class BusyPollCounts: Sendable {
    private let found = Atomic<Int>(0), expired = Atomic<Int>(0)

    func ended(found wasFound: Bool) {
        if wasFound { found.add(1, ordering: .relaxed) } else { expired.add(1, ordering: .relaxed) }
    }

    var value: (found: Int, expired: Int) { (found.load(ordering: .relaxed), expired.load(ordering: .relaxed)) }
}
