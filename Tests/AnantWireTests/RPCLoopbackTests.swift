import AnantColumnar
import AnantProto
import AnantWire
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A count shared with a test service's methods.
final class Tally: Sendable {
    private let count = Atomic<Int>(0)
    func add() { count.wrappingAdd(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// Answers in the order they arrived.
final class Arrivals: Sendable {
    private let items = Mutex<[UInt8]>([])
    func add(_ item: UInt8) { items.withLock { $0.append(item) } }
    var values: [UInt8] { items.withLock { $0 } }
}

/// The NIO server and client over a real socket on 127.0.0.1: every call shape, answers
/// out of order, cancellation, deadlines, backpressure, drain and a closed connection.
@Suite struct RPCLoopbackTests {
    /// Methods of a test service.
    static func methods(started: Tally = Tally(), stopped: Tally = Tally()) -> [RPCMethod] {
        [
            RPCMethod("t/Echo", shape: .unary) { call in call.payload },
            RPCMethod("t/Sleep", shape: .unary) { call in
                // Answers after the number of milliseconds in its first byte.
                try await Task.sleep(nanoseconds: UInt64(call.payload.first ?? 0) * 1_000_000)
                return call.payload
            },
            RPCMethod("t/Count", shape: .serverStream) { call in
                // Sends n items of m bytes each (n, m in the request's 2 + 4 bytes).
                let n = Int(call.payload[0]) << 8 | Int(call.payload[1])
                let size = call.payload[2...].reduce(0) { $0 << 8 | Int($1) }
                for i in 0..<n { try await call.send([UInt8](repeating: UInt8(truncatingIfNeeded: i), count: size)) }
                return []
            },
            RPCMethod("t/Sum", shape: .clientStream) { call in
                var total = 0
                for try await chunk in call.input! { total += chunk.count }
                return Array(String(total).utf8)
            },
            RPCMethod("t/Spin", shape: .unary) { call in
                // Work that polls its context until stopped.
                started.add()
                while !call.context.isStopped { try? await Task.sleep(nanoseconds: 1_000_000) }
                stopped.add()
                throw Status(.cancelled, "stopped")
            },
            RPCMethod("t/Fail", shape: .unary) { _ in throw Status(.notFound, "no such thing") },
            RPCMethod("t/Big", shape: .unary) { _ in [UInt8](repeating: 1, count: 2 << 20) },
        ]
    }

    static func withServer<T>(_ configure: (inout RPCServerConfiguration) -> Void = { _ in }, methods: [RPCMethod] = methods(),
                              _ body: (RPCServer, Int) async throws -> T) async throws -> T {
        var configuration = RPCServerConfiguration()
        configure(&configuration)
        let server = RPCServer(methods: methods, configuration: configuration, logger: Logger(label: "test"))
        let address = try await server.start(host: "127.0.0.1", port: 0)
        do {
            let result = try await body(server, address.port!)
            await server.drain()
            return result
        } catch {
            await server.drain()
            throw error
        }
    }

    @Test func unaryCallsAnswerOutOfOrderOnOneConnection() async throws {
        try await Self.withServer { _, port in
            let client = RPCClient(host: "127.0.0.1", port: port)
            defer { Task { await client.close() } }
            #expect(try await client.unary("t/Echo", [1, 2, 3]) == [1, 2, 3])
            #expect(try await client.unary("t/Echo", []) == [])
            // Slow first, fast second: the fast one is answered first.
            let order = Arrivals()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for ms: UInt8 in [120, 1] {
                    group.addTask {
                        let answer = try await client.unary("t/Sleep", [ms])
                        order.add(answer[0])
                    }
                }
                try await group.waitForAll()
            }
            #expect(order.values == [1, 120])
            await #expect(throws: Status(.notFound, "no such thing")) { try await client.unary("t/Fail", []) }
            let unknown = await #expect(throws: Status.self) { try await client.unary("t/Nope", []) }
            #expect(unknown?.code == .unimplemented)
        }
    }

    @Test func streamsBothWaysWithBackpressure() async throws {
        try await Self.withServer { _, port in
            let client = RPCClient(host: "127.0.0.1", port: port)
            defer { Task { await client.close() } }
            // 64 items of 256 KiB read slowly: the server's writes wait for the reader.
            var seen = 0, bytes = 0
            for try await item in try await client.serverStream("t/Count", [0, 64, 0, 4, 0, 0]) {
                #expect(item.allSatisfy { $0 == UInt8(truncatingIfNeeded: seen) })
                seen += 1
                bytes += item.count
                if seen % 16 == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
            }
            #expect(seen == 64 && bytes == 64 << 18)
            // An upload of 40 chunks.
            let answer = try await client.clientStream("t/Sum", []) { upload in
                for _ in 0..<40 { try await upload.send([UInt8](repeating: 7, count: 100_000)) }
            }
            #expect(String(decoding: answer, as: UTF8.self) == "4000000")
        }
    }

    @Test func callsFromTheConnectionsLoopSkipThePool() async throws {
        let started = Tally(), stopped = Tally()
        try await Self.withServer(methods: Self.methods(started: started, stopped: stopped)) { server, port in
            let client = RPCClient(host: "127.0.0.1", port: port)
            defer { Task { await client.close() } }
            let seen = try await client.onConnectionLoop {
                // The body's code runs on one event loop thread, before and after each call.
                func loop() -> ObjectIdentifier? { MultiThreadedEventLoopGroup.currentEventLoop.map { ObjectIdentifier($0) } }
                let first = loop()
                var onLoop = first != nil
                var answers = [[UInt8]]()
                for i: UInt8 in 0..<50 {
                    answers.append(try await client.unary("t/Echo", [i, i]))
                    onLoop = onLoop && loop() == first
                }
                // Every shape, and the answers come out of order as from anywhere else.
                let order = Arrivals()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for ms: UInt8 in [120, 1] { group.addTask { order.add(try await client.unary("t/Sleep", [ms])[0]) } }
                    try await group.waitForAll()
                }
                var items = 0
                for try await _ in try await client.serverStream("t/Count", [0, 8, 0, 0, 1, 0]) { items += 1 }
                let sum = try await client.clientStream("t/Sum", []) { upload in
                    for _ in 0..<8 { try await upload.send([UInt8](repeating: 1, count: 50_000)) }
                }
                // A deadline still ends a call, and the server's work stops.
                let late = await #expect(throws: Status.self) { try await client.unary("t/Spin", [], timeout: 0.2) }
                return (onLoop, answers, order.values, items, String(decoding: sum, as: UTF8.self), late?.code)
            }
            #expect(seen.0)
            #expect(seen.1 == (0..<50).map { [UInt8($0), UInt8($0)] })
            #expect(seen.2 == [1, 120])
            #expect(seen.3 == 8 && seen.4 == "400000")
            #expect(seen.5 == .deadlineExceeded)
            try await Self.waitUntil { stopped.value == 1 && server.inFlight == 0 }
            // A call from a task cancelled already is never sent: the server starts nothing.
            let refused = try await Task {
                try await client.onConnectionLoop { () async -> StatusCode? in
                    withUnsafeCurrentTask { $0?.cancel() }
                    do { _ = try await client.unary("t/Spin", []); return nil } catch { return (error as? Status)?.code }
                }
            }.value
            #expect(refused == .cancelled)
            #expect(try await client.unary("t/Echo", [7]) == [7])
            try await Self.waitUntil { server.inFlight == 0 }
            #expect(started.value == 1)
            // Cancelling the task that runs on the loop cancels its call.
            let task = Task { try await client.onConnectionLoop { try await client.unary("t/Spin", []) } }
            try await Self.waitUntil { started.value == 2 }
            task.cancel()
            let cancelled = await #expect(throws: Status.self) { try await task.value }
            #expect(cancelled?.code == .cancelled)
            try await Self.waitUntil { stopped.value == 2 && server.inFlight == 0 }
        }
    }

    @Test func methodsPlacedOnTheConnectionsLoopRunThereAndBehaveAsAnyOther() async throws {
        // Each answers 1 when its work ran on an event loop thread, 0 elsewhere; then the
        // same in `onPool`, given a closure literal and given a synchronous function (as a
        // method hands it its read).
        @Sendable func onLoop() -> UInt8 { MultiThreadedEventLoopGroup.currentEventLoop == nil ? 0 : 1 }
        let started = Tally(), stopped = Tally()
        let whereIs: @Sendable (RPCCall) async throws -> [UInt8] = { call in
            let synchronous: () -> UInt8 = onLoop
            return [onLoop(), await call.onPool { onLoop() }, await call.onPool(synchronous)]
        }
        let methods = Self.methods(started: started, stopped: stopped).map { $0.onConnectionLoop() } + [
            RPCMethod("t/WhereOnLoop", shape: .unary, run: whereIs).onConnectionLoop(),
            RPCMethod("t/WhereOnPool", shape: .unary, run: whereIs),
        ]
        try await Self.withServer(methods: methods) { server, port in
            let client = RPCClient(host: "127.0.0.1", port: port)
            defer { Task { await client.close() } }
            let placedOnLoop = try await client.unary("t/WhereOnLoop", []), placedOnPool = try await client.unary("t/WhereOnPool", [])
            #expect(placedOnLoop == [1, 0, 0])
            #expect(placedOnPool == [0, 0, 0])
            // The loop is not held while a call's work waits: a short call answers first.
            let order = Arrivals()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for ms: UInt8 in [120, 1] { group.addTask { order.add(try await client.unary("t/Sleep", [ms])[0]) } }
                try await group.waitForAll()
            }
            #expect(order.values == [1, 120])
            var items = 0
            for try await _ in try await client.serverStream("t/Count", [0, 8, 0, 0, 1, 0]) { items += 1 }
            #expect(items == 8)
            let sum = try await client.clientStream("t/Sum", []) { upload in
                for _ in 0..<8 { try await upload.send([UInt8](repeating: 1, count: 50_000)) }
            }
            #expect(String(decoding: sum, as: UTF8.self) == "400000")
            let failed = await #expect(throws: Status.self) { try await client.unary("t/Fail", []) }
            #expect(failed?.code == .notFound)
            // A deadline and a cancel still stop the work.
            try await Self.deadlineAndCancelStopTheSpin(client, server, started: started, stopped: stopped)
        }
    }

    @Test func immediateMethodsAnswerWithinTheReadOrHandTheRequestOn() async throws {
        // The answer names where it was made: "loop" or "pool", "task" or "no task".
        @Sendable func place() -> String {
            let loop = MultiThreadedEventLoopGroup.currentEventLoop == nil ? "pool" : "loop"
            return loop + (withUnsafeCurrentTask { $0 == nil } ? " no task" : " task")
        }
        @Sendable func answer(_ request: Anant_V1_GetRecordsRequest, _ where: String) throws -> Anant_V1_GetRecordsResponse {
            if request.kind == "fail" { throw Status(.notFound, "no kind fail") }
            var response = Anant_V1_GetRecordsResponse()
            response.records = (request.keys + [`where`]).map { key in
                var record = Anant_V1_EntityRecord()
                record.key = key
                return record
            }
            return response
        }
        let observed = Mutex<[String: [StatusCode]]>([:])
        let started = Tally(), stopped = Tally()
        let methods = Self.methods(started: started, stopped: stopped) + [
            // At most two keys are read at once; more go to the pool.
            RPCMethod.unary("t/Records", immediate: { (request: Anant_V1_GetRecordsRequest) in
                request.keys.count <= 2 ? try answer(request, place()) : nil
            }, otherwise: { request, call in
                #expect(!call.context.isStopped)
                return try answer(request, place())
            }),
            RPCMethod.immediate("t/Always") { (request: Anant_V1_GetRecordsRequest) in try answer(request, place()) },
        ]
        try await Self.withServer({ configuration in
            configuration.maximumInFlight = 1
            configuration.observe = { method, code, _ in observed.withLock { $0[method, default: []].append(code) } }
        }, methods: methods) { server, port in
            let client = RPCClient(host: "127.0.0.1", port: port)
            defer { Task { await client.close() } }
            @Sendable func keys(_ method: String, _ kind: String, _ keys: [String]) async throws(Status) -> [String] {
                var request = Anant_V1_GetRecordsRequest()
                request.kind = kind
                request.keys = keys
                return try await client.unary(method, request, as: Anant_V1_GetRecordsResponse.self).records.map(\.key)
            }
            #expect(try await keys("t/Records", "k", ["a", "b"]) == ["a", "b", "loop no task"])
            #expect(try await keys("t/Records", "k", ["a", "b", "c"]) == ["a", "b", "c", "pool task"])
            #expect(try await keys("t/Always", "k", []) == ["loop no task"])
            // From a caller on the connection's loop alike.
            let fromLoop = try await client.onConnectionLoop { try await keys("t/Always", "k", ["x"]) }
            #expect(fromLoop == ["x", "loop no task"])
            // What the answer throws is the call's status; a request that is not the
            // method's message is INVALID_ARGUMENT, and the connection goes on.
            await #expect(throws: Status(.notFound, "no kind fail")) { try await keys("t/Records", "fail", []) }
            let garbled = await #expect(throws: Status.self) { try await client.unary("t/Always", [0xFF, 0xFF, 0xFF]) }
            #expect(garbled?.code == .invalidArgument)
            #expect(try await keys("t/Always", "k", ["y"]) == ["y", "loop no task"])
            // An answer at once counts against the service's load like any call: with
            // one call running (and the limit at one) it is refused, retryable.
            let spin = Task { try await client.unary("t/Spin", []) }
            try await Self.waitUntil { started.value == 1 }
            let busy = await #expect(throws: Status.self) { try await keys("t/Always", "k", []) }
            #expect(busy?.code == .resourceExhausted && busy?.retryable == true)
            spin.cancel()
            try await Self.waitUntil { stopped.value == 1 && server.inFlight == 0 }
            #expect(try await keys("t/Always", "k", []) == ["loop no task"])
            let codes = observed.withLock { $0 }
            #expect(codes["t/Records"] == [.ok, .ok, .notFound])
            #expect(codes["t/Always"] == [.ok, .ok, .invalidArgument, .ok, .ok])
        }
    }

    @Test func busyPollingAfterAnAnswerFindsTheNextRequestOnAnyConnectionOfItsLoop() async throws {
        // One event loop, so that both clients' connections are on it; a window of 2 s,
        // far longer than any step of this test takes (and so each step's poll is still
        // running when the next request comes).
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let started = Tally(), stopped = Tally()
        var configuration = RPCServerConfiguration()
        configuration.busyPoll = .seconds(2)
        let methods = Self.methods(started: started, stopped: stopped) + [RPCMethod.immediate("t/Now") { (_: Anant_V1_GetRecordsRequest) in
            Anant_V1_GetRecordsResponse()
        }]
        let server = RPCServer(methods: methods, configuration: configuration, logger: Logger(label: "test"), group: group)
        let port = try await server.start(host: "127.0.0.1", port: 0).port!
        let a = RPCClient(host: "127.0.0.1", port: port), b = RPCClient(host: "127.0.0.1", port: port)
        @Sendable func now(_ client: RPCClient) async throws {
            let _: Anant_V1_GetRecordsResponse = try await client.unary("t/Now", Anant_V1_GetRecordsRequest())
        }
        do {
            // A's answer starts a poll; B's connection (waiting to be accepted) ends it.
            // B's answer starts the next, which runs out its window.
            try await now(a)
            try await now(b)
            #expect(server.busyPolls.found == 1)
            try await Self.waitUntil { server.busyPolls.expired == 1 }
            // B's next request came long after its answer: B's answer now starts no poll,
            // so B's third request finds none running. That answer, its request having
            // come soon after, starts one again, which A's request (on the other
            // connection) ends.
            try await now(b)
            try await now(b)
            #expect(server.busyPolls == (found: 1, expired: 1))
            try await now(a)
            #expect(server.busyPolls.found == 2)
            // No poll while other work runs in the service.
            let spin = Task { try await a.unary("t/Spin", []) }
            try await Self.waitUntil { started.value == 1 }
            try await now(b)
            try await now(b)
            #expect(server.busyPolls == (found: 2, expired: 1))
            spin.cancel()
            try await Self.waitUntil { stopped.value == 1 && server.inFlight == 0 }
            // A connection that closes ends a poll, even when it closes before the poll
            // begins (the client may hear its answer before the server starts polling).
            try await now(b)
            try await now(b)
            try await Self.waitUntil { server.busyPolls.found == 3 }
            await b.close()
            try await Self.waitUntil { server.busyPolls.found == 4 }
            #expect(server.busyPolls.expired == 1)
        } catch {
            await a.close()
            await server.drain()
            try await group.shutdownGracefully()
            throw error
        }
        await a.close()
        await server.drain()
        try await group.shutdownGracefully()
    }

    @Test func aClientPollsForTheAnswerOfItsOnlyCallOnceItsConnectionHasReadAnything() async throws {
        // The client on a loop of its own (its poller sees only this connection); a window
        // of 2 s, far longer than an answer takes here.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var configuration = RPCClientConfiguration()
        configuration.busyPoll = .seconds(2)
        let started = Tally(), stopped = Tally()
        try await Self.withServer(methods: Self.methods(started: started, stopped: stopped)) { server, port in
            let client = RPCClient(host: "127.0.0.1", port: port, configuration: configuration, group: group)
            // The first call's connection has read nothing yet: no poll (whether the
            // kernel counts received bytes is learnt from a connection that has).
            #expect(try await client.unary("t/Echo", [1]) == [1])
            #expect(client.busyPolls == (found: 0, expired: 0))
            for k: UInt8 in 2...5 { #expect(try await client.unary("t/Echo", [k]) == [k]) }
            #expect(client.busyPolls == (found: 4, expired: 0))
            // A long call, alone when sent, polls; a second call sent meanwhile does not
            // (two in flight), and its answer ends the first one's poll. The long call,
            // cancelled, then ends with no poll running.
            let spin = Task { try await client.unary("t/Spin", []) }
            try await Self.waitUntil { started.value == 1 }
            #expect(try await client.unary("t/Echo", [6]) == [6])
            #expect(client.busyPolls == (found: 5, expired: 0))
            spin.cancel()
            try await Self.waitUntil { stopped.value == 1 && server.inFlight == 0 }
            #expect(client.busyPolls == (found: 5, expired: 0))
            await client.close()
        }
        try await group.shutdownGracefully()
    }

    @Test func cancelAndDeadlineStopTheWork() async throws {
        let started = Tally(), stopped = Tally()
        try await Self.withServer(methods: Self.methods(started: started, stopped: stopped)) { server, port in
            let client = RPCClient(host: "127.0.0.1", port: port)
            defer { Task { await client.close() } }
            try await Self.deadlineAndCancelStopTheSpin(client, server, started: started, stopped: stopped)
        }
    }

    /// Two `t/Spin` calls, the service's first: one past its deadline (the client hears
    /// DEADLINE_EXCEEDED and the server's work stops), one whose task is cancelled (a
    /// cancel frame stops the work); then the connection still serves.
    static func deadlineAndCancelStopTheSpin(_ client: RPCClient, _ server: RPCServer, started: Tally, stopped: Tally) async throws {
        let late = await #expect(throws: Status.self) { try await client.unary("t/Spin", [], timeout: 0.2) }
        #expect(late?.code == .deadlineExceeded)
        let task = Task { try await client.unary("t/Spin", []) }
        try await waitUntil { started.value == 2 }
        task.cancel()
        let cancelled = await #expect(throws: Status.self) { try await task.value }
        #expect(cancelled?.code == .cancelled)
        try await waitUntil { stopped.value == 2 && server.inFlight == 0 }
        #expect(try await client.unary("t/Echo", [9]) == [9])
    }

    @Test func aClosedConnectionFailsItsCallsAndTheClientReconnects() async throws {
        let started = Tally(), stopped = Tally()
        var configuration = RPCServerConfiguration()
        configuration.drainGrace = .milliseconds(50)
        let server = RPCServer(methods: Self.methods(started: started, stopped: stopped), configuration: configuration, logger: Logger(label: "t"))
        let port = try await server.start(host: "127.0.0.1", port: 0).port!
        let client = RPCClient(host: "127.0.0.1", port: port)
        let spinning = Task { try await client.unary("t/Spin", []) }
        try await Self.waitUntil { started.value == 1 }
        // A drain whose grace passes closes the connection: the call fails UNAVAILABLE.
        await server.drain()
        let failure = await #expect(throws: Status.self) { try await spinning.value }
        #expect(failure?.code == .unavailable && failure?.retryable == true)
        try await Self.waitUntil { stopped.value == 1 }
        // Nothing listens now: connecting fails after its attempts, UNAVAILABLE.
        let refused = await #expect(throws: Status.self) { try await client.unary("t/Echo", [1]) }
        #expect(refused?.code == .unavailable)
        await client.close()
    }

    @Test func drainAnswersWhatRunsAndRefusesNewWork() async throws {
        let server = RPCServer(methods: Self.methods(), logger: Logger(label: "t"))
        let port = try await server.start(host: "127.0.0.1", port: 0).port!
        let client = RPCClient(host: "127.0.0.1", port: port)
        let slow = Task { try await client.unary("t/Sleep", [200]) }
        try await Self.waitUntil { server.inFlight == 1 }
        let draining = Task { await server.drain() }
        #expect(try await slow.value == [200])
        await draining.value
        await client.close()
    }

    @Test func idleConnectionsCloseAndClientsReconnect() async throws {
        // An idle time well above a loaded machine's pauses between two calls of a test: a
        // call sent just as the server closes an idle connection fails UNAVAILABLE.
        try await Self.withServer({ $0.idleTimeout = .milliseconds(2000) }) { server, port in
            let client = RPCClient(host: "127.0.0.1", port: port)
            defer { Task { await client.close() } }
            // A call whose task waits on a busy pool between connecting and sending (other
            // tests run beside this one) can meet the idle close on its way: it fails
            // UNAVAILABLE, retryable, and goes once more, as a client retries. A connection
            // closed under a call in flight would fail both attempts.
            func call(_ method: String, _ payload: [UInt8]) async throws -> [UInt8] {
                do { return try await client.unary(method, payload) } catch {
                    guard error.code == .unavailable, error.retryable else { throw error }
                    return try await client.unary(method, payload)
                }
            }
            #expect(try await call("t/Echo", [1]) == [1])
            #expect(server.connectionCount == 1)
            // A connection that never sends a byte is idle from its start.
            let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
            try await Self.waitUntil { server.connectionCount == 2 }
            // Nothing in flight, no traffic: the server closes both connections. (A call
            // sent while the close is on its way fails UNAVAILABLE, retryable: wait for the
            // client to see it.)
            try await Self.waitUntil { server.connectionCount == 0 && client.openConnections == 0 && !silent.isActive }
            // The next call reconnects.
            #expect(try await call("t/Echo", [2]) == [2])
            // A call in flight keeps its connection open past the idle time.
            for _ in 0..<10 { #expect(try await call("t/Sleep", [250]) == [250]) }
        }
    }

    @Test func aReaderThatStopsReadingIsCutOff() async throws {
        try await Self.withServer({ $0.slowReadTimeout = .milliseconds(300) }) { server, port in
            let client = RPCClient(host: "127.0.0.1", port: port)
            defer { Task { await client.close() } }
            // 400 items of 256 KiB (100 MiB): far more than the buffers on the way hold.
            var items = try await client.serverStream("t/Count", [1, 144, 0, 4, 0, 0]).makeAsyncIterator()
            #expect(try await items.next()?.count == 1 << 18)
            // The reader stops; the server's writes wait, then it closes the connection.
            try await Self.waitUntil { server.connectionCount == 0 }
            var received = 1
            let failure = await #expect(throws: Status.self) {
                while try await items.next() != nil { received += 1 }
            }
            #expect(failure?.code == .unavailable && received < 400)
            // The work stopped too, and the client reconnects for the next call.
            try await Self.waitUntil { server.inFlight == 0 }
            #expect(try await client.unary("t/Echo", [3]) == [3])
        }
    }

    @Test func anAnswerOverTheFrameMaximumIsRefusedNotSent() async throws {
        try await Self.withServer({ $0.maximumFrameBytes = 1 << 20 }) { (_: RPCServer, port: Int) async throws in
            let client = RPCClient(host: "127.0.0.1", port: port)
            defer { Task { await client.close() } }
            let refused = await #expect(throws: Status.self) { try await client.unary("t/Big", []) }
            #expect(refused?.code == .resourceExhausted)
            // The connection was not broken by a frame the client refuses.
            #expect(try await client.unary("t/Echo", [5]) == [5])
        }
    }

    /// Waits (polling every 2 ms, at most 10 s) until `condition` holds.
    static func waitUntil(_ condition: () -> Bool) async throws {
        let end = Date().addingTimeInterval(10)
        while !condition() {
            if Date() > end { throw Status(.deadlineExceeded, "the condition did not hold within 10 s") }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
    }
}
