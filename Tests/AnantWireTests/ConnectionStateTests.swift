import AnantColumnar
import AnantProto
import AnantWire
import Foundation
import Testing

/// The server's and the client's connection state machines, without a channel.
@Suite struct ConnectionStateTests {
    static func request(_ id: UInt64, _ method: String = "anant.v1.Storage/Stat", deadline: UInt64 = 0) -> Envelope {
        var e = Envelope.make(.request, id: id, method: method)
        e.deadlineUnixNanos = deadline
        e.payload = Data([1, 2, 3])
        return e
    }

    static func status(_ actions: [ServerConnectionState.Action]) -> StatusCode? {
        guard actions.count == 1, case .send(let e) = actions[0] else { return nil }
        return e.failure?.code
    }

    @Test func serverStartsCancelsLimitsAndDrains() {
        var server = ServerConnectionState(maximumInFlight: 2)
        #expect(server.received(Self.request(1), now: 10) == [.start(id: 1, method: "anant.v1.Storage/Stat", deadline: 0, token: "", payload: [1, 2, 3])])
        // The same id again breaks the protocol: the connection closes (an answer under a
        // running id would end that call at the client).
        #expect(server.received(Self.request(1), now: 10) == [.close(Status(.invalidArgument, "request id 1 is already running on this connection"))])
        #expect(server.inFlight == [1])
        // Input chunks of a running request; late ones are ignored.
        var chunk = Envelope.make(.streamItem, id: 1)
        chunk.payload = Data([4, 5])
        #expect(server.received(chunk, now: 10) == [.input(id: 1, payload: [4, 5], end: false)])
        #expect(server.received(Envelope.make(.endOfStream, id: 1), now: 10) == [.input(id: 1, payload: [], end: true)])
        #expect(server.received(Envelope.make(.endOfStream, id: 42), now: 10).isEmpty)
        _ = server.received(Self.request(2), now: 10)
        // Over the limit: RESOURCE_EXHAUSTED, retryable.
        let over = server.received(Self.request(3), now: 10)
        #expect(Self.status(over) == .resourceExhausted)
        if case .send(let e) = over[0] { #expect(e.failure?.retryable == true && e.requestID == 3) }
        // Cancel of a running request; a late or unknown cancel is ignored.
        #expect(server.received(Envelope.make(.cancel, id: 2), now: 10) == [.cancel(id: 2)])
        #expect(server.received(Envelope.make(.cancel, id: 99), now: 10).isEmpty)
        #expect(server.finished(2) && !server.finished(2))
        // Deadlines already past, requests without a method, pings, and kinds a client
        // must not send.
        #expect(Self.status(server.received(Self.request(4, deadline: 5), now: 10)) == .deadlineExceeded)
        #expect(Self.status(server.received(Self.request(5, ""), now: 10)) == .invalidArgument)
        #expect(server.received(Envelope.make(.ping, id: 6), now: 10) == [.send(Envelope.make(.pong, id: 6))])
        for kind in [Anant_V1_EnvelopeKind.unspecified, .UNRECOGNIZED(99)] {
            #expect(Self.status(server.received(Envelope.make(kind, id: 7), now: 10)) == .invalidArgument)
        }
        if case .close(let status)? = server.received(Envelope.make(.response, id: 7), now: 10).first {
            #expect(status.code == .invalidArgument)
        } else {
            Issue.record("a response from a client must close the connection")
        }
        // Draining: new requests are UNAVAILABLE (retryable); running ones go on.
        server.drain()
        #expect(Self.status(server.received(Self.request(8), now: 10)) == .unavailable)
        #expect(server.inFlight == [1])
        // Closing cancels what runs.
        #expect(server.closed() == [.cancel(id: 1)])
        #expect(server.inFlight.isEmpty)
    }

    @Test func clientMatchesAnswersOutOfOrderAndEndsEveryCallOnce() {
        var calls = ClientCallTable()
        let (a, requestA) = calls.start(method: "m", payload: [9], deadline: 100)
        let (b, _) = calls.start(method: "m", payload: [], streaming: true)
        let (c, _) = calls.start(method: "m", payload: [])
        #expect(requestA.kind == .request && requestA.deadlineUnixNanos == 100 && a < b && b < c)
        // Answers out of order; stream items then the end.
        var answer = Envelope.make(.response, id: c)
        answer.payload = Data([7])
        #expect(calls.received(answer) == .finished(id: c, payload: [7]))
        var item = Envelope.make(.streamItem, id: b)
        item.payload = Data([1])
        #expect(calls.received(item) == .item(id: b, payload: [1]))
        // A late answer to an ended call is dropped; pings and pongs that share a call's
        // id are not its answer.
        #expect(calls.received(answer) == nil)
        #expect(calls.received(Envelope.make(.pong, id: b)) == nil && calls.received(Envelope.make(.ping, id: b)) == nil)
        #expect(calls.count == 2)
        // Deadlines: a cancel frame for the server and DEADLINE_EXCEEDED, once.
        let expired = calls.expire(now: 100)
        #expect(expired.count == 1 && expired[0].0.kind == .cancel && expired[0].1 == .failed(id: a, status: Status(.deadlineExceeded, "the call's deadline passed")))
        #expect(calls.expire(now: 1000).isEmpty)
        // A failure status ends a call as failed.
        var failed = Envelope.make(.endOfStream, id: b)
        failed.fail(Status(.dataLoss, "checksum"))
        #expect(calls.received(failed) == .failed(id: b, status: Status(.dataLoss, "checksum")))
        // The connection closing fails what is left with UNAVAILABLE (retryable).
        let (d, _) = calls.start(method: "m", payload: [])
        let (e, _) = calls.start(method: "m", payload: [])
        #expect(calls.cancel(e)?.1 == .failed(id: e, status: Status(.cancelled, "the call was cancelled")))
        #expect(calls.cancel(e) == nil)
        #expect(calls.closed() == [.failed(id: d, status: Status(.unavailable, "the connection closed", retryable: true))])
        #expect(calls.count == 0)
    }
}
