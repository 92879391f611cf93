import AnantColumnar
import NIOCore

/// Reading a connection only as fast as its slowest stream is consumed. Every inbound
/// stream of a connection (an upload's chunks at a server, a streamed answer at a client)
/// is a `NIOThrowingAsyncSequenceProducer` with a high and a low watermark: when one is
/// full, the connection stops reading from its socket (TCP then pushes back on the peer);
/// when every stream has room again, reading resumes. So no peer is ever answered by
/// unbounded buffering. Lives on the connection's event loop.
final class InboundFlow {
    private let channel: any Channel
    private var full: Set<UInt64> = []

    init(channel: any Channel) { self.channel = channel }

    /// Records what a stream's `yield` said.
    func yielded(_ result: NIOThrowingAsyncSequenceProducer<[UInt8], any Error, Watermark, FlowDelegate>.Source.YieldResult, id: UInt64) {
        if result == .stopProducing, full.insert(id).inserted { update() }
    }

    /// A stream has room again, or ended.
    func drained(_ id: UInt64) {
        if full.remove(id) != nil { update() }
    }

    /// True while the connection's own writes wait for the peer to read: reading stops
    /// too, so a peer that sends without reading cannot queue answers without bound.
    var writesBlocked = false {
        didSet { if writesBlocked != oldValue { update() } }
    }

    /// Whether the connection reads from its socket (no stream full, writes not blocked).
    var isReading: Bool { full.isEmpty && !writesBlocked }

    private func update() {
        let read = isReading
        channel.setOption(ChannelOptions.autoRead, value: read).whenComplete { _ in }
        if read { channel.read() }
    }

    typealias Watermark = NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark

    /// A new inbound stream for call `id`: its source (fed on the loop) and the sequence
    /// its consumer reads; `terminated` runs on the loop when the consumer stops reading.
    static func stream(id: UInt64, loop: any EventLoop, flow: NIOLoopBound<InboundFlow>, terminated: @escaping @Sendable () -> Void = {})
        -> NIOThrowingAsyncSequenceProducer<[UInt8], any Error, Watermark, FlowDelegate>.NewSequence {
        NIOThrowingAsyncSequenceProducer.makeSequence(
            elementType: [UInt8].self, failureType: (any Error).self,
            backPressureStrategy: Watermark(lowWatermark: 2, highWatermark: 8), finishOnDeinit: false,
            delegate: FlowDelegate(id: id, loop: loop, flow: flow, terminated: terminated))
    }
}

/// Tells a connection's `InboundFlow` that a stream's consumer wants more or has gone.
struct FlowDelegate: NIOAsyncSequenceProducerDelegate {
    let id: UInt64
    let loop: any EventLoop
    let flow: NIOLoopBound<InboundFlow>
    let terminated: @Sendable () -> Void

    func produceMore() {
        loop.execute { [flow, id] in flow.value.drained(id) }
    }

    func didTerminate() {
        loop.execute { [flow, id, terminated] in
            flow.value.drained(id)
            terminated()
        }
    }
}

/// A stream of payloads (an upload's chunks, a streamed answer's items), read with
/// backpressure on the connection it comes from.
public struct PayloadStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let base: NIOThrowingAsyncSequenceProducer<[UInt8], any Error, InboundFlow.Watermark, FlowDelegate>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: NIOThrowingAsyncSequenceProducer<[UInt8], any Error, InboundFlow.Watermark, FlowDelegate>.AsyncIterator

        /// The next payload; nil at the end.
        ///
        /// - Throws: `Status`: the call failed, was cancelled or its connection closed.
        public mutating func next() async throws -> [UInt8]? {
            do { return try await base.next() } catch { throw Status(transport: error) }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator()) }
}
