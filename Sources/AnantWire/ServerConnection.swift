import AnantColumnar
import AnantProto

/// What a server does with each envelope a connection brings: a pure state machine (no
/// channel, no clock of its own), so that every rule is tested alone. The NIO handler
/// feeds it envelopes and carries out its actions.
///
/// Rules: a request starts unless the server is draining (`UNAVAILABLE`, retryable), the
/// connection has `maximumInFlight` requests running (`RESOURCE_EXHAUSTED`, retryable),
/// it names no method (`INVALID_ARGUMENT`) or its deadline has passed
/// (`DEADLINE_EXCEEDED`). A stream item or end of stream feeds a running request's input
/// (an upload's chunks). A cancel stops a running request (a late cancel, item or end is
/// ignored: the request may have just ended). A ping is answered by a pong. A request
/// whose id is already running, or a response a client has no business sending, breaks
/// the protocol: the connection closes (an answer under a running id would end that call
/// at the client while its work goes on).
public struct ServerConnectionState: Sendable {
    /// What the connection must do.
    public enum Action: Sendable, Equatable {
        /// Run `method` for request `id` (where it is placed), with the request's deadline
        /// (Unix nanoseconds, 0 for none), auth token and payload.
        case start(id: UInt64, method: String, deadline: UInt64, token: String, payload: [UInt8])
        /// Stop the work of request `id`.
        case cancel(id: UInt64)
        /// Hand an input chunk (the payload) to request `id`'s work; `end` marks the last.
        case input(id: UInt64, payload: [UInt8], end: Bool)
        /// Send this envelope now.
        case send(Envelope)
        /// Close the connection: the peer broke the protocol.
        case close(Status)
    }

    /// Requests a connection may run at once.
    public let maximumInFlight: Int
    /// The requests running.
    public private(set) var inFlight: Set<UInt64> = []
    /// True once the server drains: no new request starts.
    public private(set) var draining = false

    public init(maximumInFlight: Int) {
        precondition(maximumInFlight >= 1, "at least one request in flight")
        self.maximumInFlight = maximumInFlight
    }

    /// The actions for one received envelope, `now` being the Unix time in nanoseconds;
    /// `payload`: its payload, when the codec took it apart from the envelope.
    public mutating func received(_ envelope: Envelope, payload separate: [UInt8]? = nil, now: UInt64) -> [Action] {
        let id = envelope.requestID
        func refuse(_ code: StatusCode, _ message: String, retryable: Bool = false) -> [Action] {
            var answer = Envelope.make(.response, id: id, method: envelope.method)
            answer.fail(Status(code, message, retryable: retryable))
            return [.send(answer)]
        }
        switch envelope.kind {
        case .request:
            if draining { return refuse(.unavailable, "the server is shutting down; try another replica or again", retryable: true) }
            if inFlight.contains(id) { return [.close(Status(.invalidArgument, "request id \(id) is already running on this connection"))] }
            if inFlight.count >= maximumInFlight {
                return refuse(.resourceExhausted, "this connection already runs \(maximumInFlight) requests; wait for an answer", retryable: true)
            }
            if envelope.method.isEmpty { return refuse(.invalidArgument, "a request names no method") }
            if envelope.deadlineUnixNanos != 0 && envelope.deadlineUnixNanos <= now {
                return refuse(.deadlineExceeded, "the request's deadline passed before it started")
            }
            let payload: [UInt8]
            switch envelope.content(separate) {
            case .payload(let bytes): payload = bytes
            case .none: payload = []
            case .status: return refuse(.invalidArgument, "a request carries a status instead of a payload")
            }
            inFlight.insert(id)
            return [.start(id: id, method: envelope.method, deadline: envelope.deadlineUnixNanos, token: envelope.authToken, payload: payload)]
        case .cancel:
            return inFlight.contains(id) ? [.cancel(id: id)] : []
        case .streamItem, .endOfStream:
            guard inFlight.contains(id) else { return [] }
            switch envelope.content(separate) {
            case .status: return [.cancel(id: id)]
            case .payload(let payload): return [.input(id: id, payload: payload, end: envelope.kind == .endOfStream)]
            case .none: return [.input(id: id, payload: [], end: envelope.kind == .endOfStream)]
            }
        case .ping:
            return [.send(Envelope.make(.pong, id: id))]
        case .pong:
            return []
        case .response:
            return [.close(Status(.invalidArgument, "a client sends requests, their input, cancels and pings, not responses"))]
        case .unspecified, .UNRECOGNIZED:
            return refuse(.invalidArgument, "an envelope of unknown kind \(envelope.kind)")
        }
    }

    /// Request `id`'s work ended (answered, failed or cancelled): whether its final answer
    /// is still to be sent (false when it was not running).
    public mutating func finished(_ id: UInt64) -> Bool {
        inFlight.remove(id) != nil
    }

    /// Stops accepting requests; those running go on.
    public mutating func drain() { draining = true }

    /// The connection closed: every running request is to be cancelled.
    public mutating func closed() -> [Action] {
        defer { inFlight = [] }
        return inFlight.sorted().map { .cancel(id: $0) }
    }
}
