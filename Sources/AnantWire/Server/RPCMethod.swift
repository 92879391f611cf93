import AnantColumnar
import SwiftProtobuf

/// One method a server answers: its wire name (`"anant.v1.Storage/Stat"`), its shape and
/// its work. The work runs where its placement says, is handed the call (its request, its
/// input for an upload, its execution context), and returns the answer's payload; what it
/// throws becomes the call's status (through the server's error mapping).
public struct RPCMethod: Sendable {
    /// Where a call's work runs.
    public enum Placement: Sendable {
        /// A task of the shared pool: any work (the default).
        case pool
        /// A task on the event loop of the call's connection. The call then skips two
        /// thread crossings, to the pool and back, each a wake-up of an idle core: tens of
        /// microseconds on a virtual machine, most of a small call's round trip. Only for
        /// short work that never waits on a lock held for long: while it runs, the I/O
        /// of every connection on that loop waits. A call whose request turns out large
        /// moves its work to the pool (`RPCCall.onPool`).
        case connectionLoop
    }

    /// How the messages of a call flow.
    public enum Shape: Sendable {
        /// One request, one response.
        case unary
        /// One request, then a stream of items the work sends, then an end of stream.
        case serverStream
        /// A request and a stream of items from the client (`RPCCall.input`), one response.
        case clientStream
    }

    public let name: String
    public let shape: Shape
    public private(set) var placement = Placement.pool
    let run: @Sendable (RPCCall) async throws -> [UInt8]
    /// A unary method's answer given within the read of the request, on the connection's
    /// loop: the request's payload in, the answer's out, or nil to leave the request to
    /// `run` (see `unary(_:immediate:otherwise:)`).
    private(set) var immediate: (@Sendable ([UInt8]) throws -> [UInt8]?)? = nil

    public init(_ name: String, shape: Shape, run: @escaping @Sendable (RPCCall) async throws -> [UInt8]) {
        self.name = name
        self.shape = shape
        self.run = run
    }

    /// The same method, its calls' work on the connection's event loop (`Placement`).
    public func onConnectionLoop() -> RPCMethod {
        var method = self
        method.placement = .connectionLoop
        return method
    }

    /// A unary method on typed messages.
    public static func unary<Request: Message, Response: Message>(
        _ name: String, _ body: @escaping @Sendable (Request, RPCCall) async throws -> Response
    ) -> RPCMethod {
        RPCMethod(name, shape: .unary) { call in try await body(try call.request(Request.self), call).wireBytes() }
    }

    /// A unary method whose answer is ready at once: `answer` runs within the read of the
    /// request, on the connection's event loop, and its answer is written before the loop
    /// reads on. No task is made and nothing is queued or handed between threads (with
    /// the client's open connection taken at once, 14 of the metadata service's 104 µs of
    /// user CPU for a one-key `GetRecords`). When `answer` returns nil
    /// (a request that turns out large), `body` answers instead, as a task of the shared
    /// pool. Only for work of microseconds that never waits: while it runs, the I/O of
    /// every connection on that loop waits. A call answered at once cannot be cancelled,
    /// and its deadline is checked when it starts (it is over before a cancel or a timer
    /// could be seen).
    public static func unary<Request: Message, Response: Message>(
        _ name: String, immediate answer: @escaping @Sendable (Request) throws -> Response?,
        otherwise body: @escaping @Sendable (Request, RPCCall) async throws -> Response
    ) -> RPCMethod {
        var method = unary(name, body)
        method.immediate = { payload in try answer(try Request(wire: payload))?.wireBytes() }
        return method
    }

    /// A unary method always answered at once (`unary(_:immediate:otherwise:)`).
    public static func immediate<Request: Message, Response: Message>(
        _ name: String, _ answer: @escaping @Sendable (Request) throws -> Response
    ) -> RPCMethod {
        unary(name, immediate: answer) { request, _ in try answer(request) }
    }

    /// A server-streamed method: `body` sends the items (`call.send`).
    public static func serverStream<Request: Message>(_ name: String, _ body: @escaping @Sendable (Request, RPCCall) async throws -> Void)
        -> RPCMethod {
        RPCMethod(name, shape: .serverStream) { call in
            try await body(try call.request(Request.self), call)
            return []
        }
    }

    /// A client-streamed method: `body` reads the request (`call.request`) and the items
    /// (`call.input`), and answers once.
    public static func clientStream<Response: Message>(_ name: String, _ body: @escaping @Sendable (RPCCall) async throws -> Response)
        -> RPCMethod {
        RPCMethod(name, shape: .clientStream) { call in try await body(call).wireBytes() }
    }
}

extension Message {
    /// The message's bytes.
    ///
    /// - Throws: `Status` `INTERNAL` (a message that cannot encode is a bug).
    public func wireBytes() throws(Status) -> [UInt8] {
        do { return try serializedBytes() } catch { throw Status(.internal, "cannot encode \(Self.protoMessageName): \(error)") }
    }

    /// The message of a payload.
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT` when the bytes are not one.
    public init(wire bytes: [UInt8]) throws(Status) {
        do { self = try Self(serializedBytes: bytes) } catch {
            throw Status(.invalidArgument, "a payload that is not a \(Self.protoMessageName) (\(bytes.count) bytes): \(error)")
        }
    }
}
