import AnantColumnar
import AnantProto
import AnantTestSupport
import AnantWire
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Seeded random frames against a real `anant-storage`: random bytes, lengths up to
/// 2^32−1, zero lengths, truncated frames, malformed protobuf, unknown methods, wrong and
/// unknown kinds, garbage payloads to real methods. The server must never crash, its
/// memory must stay bounded, and a well-behaved client must keep getting correct answers
/// throughout. `ANANT_FUZZ_FRAMES` sets the count (20,000 in CI; `bench/run wire` more).
@Suite struct WireFuzzTests {
    @Test(.timeLimit(.minutes(10))) func randomFramesNeverHurtTheServer() async throws {
        let frames = ProcessInfo.processInfo.environment["ANANT_FUZZ_FRAMES"].flatMap(Int.init) ?? 20_000
        let root = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let service = try ServiceProcess(StorageServiceTests.binary, ["--root", root.path, "--max-frame-mb", "4"])
        let client = RPCClient(host: "127.0.0.1", port: service.rpcPort)
        let bytes = try Shards.parquet(rows: 50_000, seed: 77)
        let stored = try await Shards.put(client, Shards.descriptor("fuzz", bytes: bytes), bytes).shard

        // The well-behaved client, all along.
        let done = Flag()
        let good = Task { () -> (ok: Int, failures: [String]) in
            var ok = 0, failures = [String]()
            while !done.isSet {
                do {
                    let stat: Anant_V1_StatResponse = try await client.unary("anant.v1.Storage/Stat", Anant_V1_StatRequest(), timeout: 10)
                    let (got, _) = try await Shards.get(client, stored)
                    if stat.shardCount == 1 && got == bytes { ok += 1 } else { failures.append("a wrong answer") }
                } catch { failures.append("\(error)") }
            }
            return (ok, failures)
        }
        // The fuzzer blocks on its sockets: on a thread of its own, not the task pool the
        // good client needs. Warm up, then measure memory from there.
        let port = service.rpcPort
        let (fuzzer, before, after) = try await Self.onThread { () throws -> (Fuzzer, Int, Int) in
            var fuzzer = Fuzzer(seed: 0x5EED, port: port)
            try fuzzer.run(frames: min(2_000, frames / 10))
            let before = service.residentBytes
            try fuzzer.run(frames: frames)
            return (fuzzer, before, service.residentBytes)
        }
        done.set()
        let (ok, failures) = await good.value
        print("fuzz: \(frames) frames on \(fuzzer.connections) connections; good client \(ok) answers; checked answers \(fuzzer.unimplementedSeen) UNIMPLEMENTED, \(fuzzer.invalidSeen) INVALID_ARGUMENT; resident \(before >> 20) → \(after >> 20) MiB")
        #expect(failures.isEmpty, "the good client failed: \(failures.prefix(3))")
        #expect(ok >= 3, "the good client got only \(ok) answers")
        #expect(fuzzer.unimplementedSeen > 0 && fuzzer.invalidSeen > 0, "answers to well-framed bad requests were checked")
        #expect(service.process.isRunning, "the server died: \(service.log.suffix(2000))")
        #expect(after < before + 32 << 20, "resident memory grew from \(before >> 20) MiB to \(after >> 20) MiB")
        await client.close()
        #expect(try service.stop() == 0)
    }
}

extension WireFuzzTests {
    /// Runs blocking work on a thread of its own; its result.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}

/// A flag set once, read from another task.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}


/// Sends seeded bad frames on fresh connections (a broken frame ends its connection).
struct Fuzzer {
    var state: UInt64
    let port: Int
    var unimplementedSeen = 0
    var connections = 0
    var invalidSeen = 0

    init(seed: UInt64, port: Int) {
        state = seed
        self.port = port
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    mutating func randomBytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }

    static func frame(_ body: [UInt8]) -> [UInt8] { FrameDecoder.header(body.count) + body }

    static func envelope(_ kind: Anant_V1_EnvelopeKind, id: UInt64, method: String = "", payload: [UInt8]? = nil) -> [UInt8] {
        var e = Envelope.make(kind, id: id, method: method)
        if let payload { e.payload = Data(payload) }
        return (try? e.serializedBytes()) ?? []
    }

    /// Sends `frames` frames, a few per connection.
    mutating func run(frames: Int) throws {
        var sent = 0
        while sent < frames {
            connections += 1
            let fd = try connect()
            defer { close(fd) }
            let perConnection = 1 + below(8)
            var broken = false
            for step in 0..<perConnection where !broken {
                sent += 1
                let kind = below(10)
                // On some connections, a first well-framed bad request is answered: check it.
                let check = step == 0 && connections % 25 == 0 && (kind == 4 || kind == 6)
                var out: [UInt8]
                switch kind {
                case 0: out = randomBytes(1 + below(512))
                case 1:  // A length up to 2^32−1, then a little of its body.
                    out = FrameDecoder.header(Int(UInt32.max) - below(1 << 20)) + randomBytes(below(64))
                    broken = true
                case 2: out = [0, 0, 0, 0]; broken = true
                case 3:  // Truncated: the header promises more than comes.
                    let length = 16 + below(4096)
                    out = FrameDecoder.header(length) + randomBytes(below(length))
                    broken = true
                case 4: out = Self.frame(Self.envelope(.request, id: next(), method: "anant.v1.Nope/\(next() % 1000)", payload: []))
                case 5: out = Self.frame(randomBytes(1 + below(256)))  // Malformed protobuf (mostly).
                case 6:  // A real method, a garbage payload.
                    let method = ["anant.v1.Storage/Scan", "anant.v1.Storage/GetShard", "anant.v1.Storage/ListShards",
                                  "anant.v1.Storage/DeleteVersion"][below(4)]
                    out = Self.frame(Self.envelope(.request, id: next(), method: method, payload: [0x0A, 0xFF, 0xFF] + randomBytes(below(32))))
                case 7:  // Wrong kinds: responses, unspecified, unknown values, stray items and cancels.
                    var e = Envelope.make(.response, id: next())
                    e.kind = Anant_V1_EnvelopeKind(rawValue: [0, 2, 3, 4, 5, 6, 7, 8, 99][below(9)]) ?? .unspecified
                    e.payload = Data(randomBytes(below(16)))
                    out = Self.frame((try? e.serializedBytes()) ?? [])
                case 8:  // A well-formed request with an over-long body header claim.
                    out = FrameDecoder.header(4 << 20 + 1 + below(1000))
                    broken = true
                default:  // A request with no method, a status instead of a payload, or a far deadline.
                    var e = Envelope.make(.request, id: next())
                    switch below(3) {
                    case 0: e.method = "anant.v1.Storage/Stat"; e.fail(Status(.internal, "x"))
                    case 1: e.method = "anant.v1.Storage/Stat"; e.deadlineUnixNanos = UInt64.max - UInt64(below(1000)); e.payload = Data()
                    default: break
                    }
                    out = Self.frame((try? e.serializedBytes()) ?? [])
                }
                guard send(fd, out) else { broken = true; break }
                if check {
                    if let answer = readFrame(fd), let code = (try? Envelope(frame: answer))?.failure?.code {
                        if code == .unimplemented { unimplementedSeen += 1 }
                        if code == .invalidArgument { invalidSeen += 1 }
                    }
                }
            }
        }
    }

    func connect() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw Status(.unavailable, "cannot connect to the server: \(String(cString: strerror(errno)))")
        }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// False once the server closed the connection.
    func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// One frame's body, or nil (closed, timed out).
    func readFrame(_ fd: Int32) -> [UInt8]? {
        func exactly(_ count: Int) -> [UInt8]? {
            var out = [UInt8](repeating: 0, count: count), got = 0
            while got < count {
                let n = out[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return nil }
                got += n
            }
            return out
        }
        guard let header = exactly(4) else { return nil }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length < 1 << 20 else { return nil }
        return exactly(length)
    }
}
