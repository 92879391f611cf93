import AnantColumnar
import AnantProto
import Foundation

/// A client connection's calls in flight, matched to answers by request id: a pure state
/// machine. Ids are given out in increasing order; answers may arrive in any order; a
/// call's deadline, its cancellation and the connection's closing each end it with one
/// status, exactly once.
public struct ClientCallTable: Sendable {
    /// How a call's stream of answers goes on or ends.
    public enum Event: Sendable, Equatable {
        /// One item of a streamed answer.
        case item(id: UInt64, payload: [UInt8])
        /// A unary answer, or the end of a stream (with its last payload, if any).
        case finished(id: UInt64, payload: [UInt8])
        /// The call failed.
        case failed(id: UInt64, status: Status)
    }

    private struct Call: Sendable {
        var deadline: UInt64
        var streaming: Bool
    }

    private var next: UInt64 = 1
    private var calls: [UInt64: Call] = [:]

    public init() {}

    /// The id the next call will have.
    public var nextID: UInt64 { next }

    /// Calls in flight.
    public var count: Int { calls.count }

    /// Starts a call: its id and the request envelope to send.
    public mutating func start(method: String, payload: [UInt8], deadline: UInt64 = 0, token: String = "",
                               streaming: Bool = false) -> (id: UInt64, request: Envelope) {
        let id = next
        next += 1
        calls[id] = Call(deadline: deadline, streaming: streaming)
        var request = Envelope.make(.request, id: id, method: method)
        request.deadlineUnixNanos = deadline
        request.authToken = token
        request.payload = .init(payload)
        return (id, request)
    }

    /// What a received envelope means; nil for one that belongs to no call in flight (a
    /// late answer to a call that already ended) or a pong. `payload`: its payload, when
    /// the codec took it apart from the envelope.
    public mutating func received(_ envelope: Envelope, payload separate: [UInt8]? = nil) -> Event? {
        let id = envelope.requestID
        // Pings and pongs share the id space of calls but are not answers to them.
        if envelope.kind == .ping || envelope.kind == .pong { return nil }
        guard let call = calls[id] else { return nil }
        let payload: [UInt8] = if case .payload(let bytes) = envelope.content(separate) { bytes } else { [] }
        switch envelope.kind {
        case .response, .endOfStream:
            calls[id] = nil
            if let failure = envelope.failure, failure.code != .ok { return .failed(id: id, status: failure) }
            return .finished(id: id, payload: payload)
        case .streamItem where call.streaming:
            return .item(id: id, payload: payload)
        default:
            calls[id] = nil
            return .failed(id: id, status: Status(.internal, "the server answered with an envelope of kind \(envelope.kind)"))
        }
    }

    /// Cancels a call: the cancel envelope to send and the call's end, nil when it is not
    /// in flight.
    public mutating func cancel(_ id: UInt64) -> (Envelope, Event)? {
        guard calls.removeValue(forKey: id) != nil else { return nil }
        return (Envelope.make(.cancel, id: id), .failed(id: id, status: Status(.cancelled, "the call was cancelled")))
    }

    /// Ends the calls whose deadline passed by `now` (Unix nanoseconds): a cancel envelope
    /// for the server and a `DEADLINE_EXCEEDED` end for each.
    public mutating func expire(now: UInt64) -> [(Envelope, Event)] {
        let due = calls.filter { $0.value.deadline != 0 && $0.value.deadline <= now }.keys.sorted()
        return due.map { id in
            calls[id] = nil
            return (Envelope.make(.cancel, id: id), .failed(id: id, status: Status(.deadlineExceeded, "the call's deadline passed")))
        }
    }

    /// The connection closed: every call in flight fails with `reason` (by default
    /// `UNAVAILABLE`, retryable).
    public mutating func closed(_ reason: Status = Status(.unavailable, "the connection closed", retryable: true)) -> [Event] {
        defer { calls = [:] }
        return calls.keys.sorted().map { .failed(id: $0, status: reason) }
    }
}
