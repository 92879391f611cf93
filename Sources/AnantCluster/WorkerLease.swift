import AnantColumnar
import AnantProto
import AnantWire
import Logging
import Synchronization

/// A worker's place in the metadata service's registry: registered once the worker
/// listens, renewed by a heartbeat at the interval the registry asks for (registering
/// again when the lease ran out), withdrawn on shutdown.
public final class WorkerLease: Sendable {
    /// What a heartbeat reports.
    public struct Load: Sendable {
        public var tasksInFlight: UInt32
        public var bytesUsed: UInt64
        public var bytesFree: UInt64

        public init(tasksInFlight: UInt32 = 0, bytesUsed: UInt64 = 0, bytesFree: UInt64 = 0) {
            (self.tasksInFlight, self.bytesUsed, self.bytesFree) = (tasksInFlight, bytesUsed, bytesFree)
        }
    }

    static let prefix = "anant.v1.Metadata/"
    private let metadata: RPCClient
    private let request: Anant_V1_RegisterWorkerRequest
    private let state: Mutex<(id: String, interval: UInt64)>
    private let load: @Sendable () -> Load
    private let logger: Logger

    /// The worker's id in the registry (a new one after a re-registration).
    public var workerID: String { state.withLock { $0.id } }

    /// Registers the worker; `heartbeats()` then keeps its lease. While the metadata
    /// service cannot be reached (it starts after this worker, its name does not resolve
    /// yet), registration is tried again, backing off, for up to `within` seconds.
    ///
    /// - Throws: the metadata service's status when it refuses, or is still unreachable
    ///   after `within` seconds.
    public init(role: Anant_V1_WorkerRole, metadata: RPCClient, rpcAddress: String, httpAddress: String, logger: Logger,
                within: Double = 60, load: @escaping @Sendable () -> Load) async throws(Status) {
        var request = Anant_V1_RegisterWorkerRequest()
        request.role = role
        request.rpcAddress = rpcAddress
        request.httpAddress = httpAddress
        let end = ContinuousClock.now + .milliseconds(Int(within * 1000))
        var pause = 0.1
        var answer: Anant_V1_RegisterWorkerResponse
        while true {
            do {
                answer = try await metadata.unary(Self.prefix + "RegisterWorker", request, timeout: 10)
                break
            } catch where error.code == .unavailable && ContinuousClock.now < end {
                logger.warning("the metadata service is not reachable yet; registering again", metadata: [
                    "metadata": "\(metadata.host):\(metadata.port)", "in": "\(pause) s", "error": "\(error.message)"])
                try? await Task.sleep(nanoseconds: UInt64(pause * 1e9))
                pause = min(pause * 2, 2)
            }
        }
        self.metadata = metadata
        self.request = request
        state = Mutex((answer.worker.workerID, max(answer.heartbeatIntervalNanos, 10_000_000)))
        self.load = load
        self.logger = logger
        logger.info("registered", metadata: ["worker": "\(answer.worker.workerID)", "metadata": "\(metadata.host):\(metadata.port)"])
    }

    /// Heartbeats at the registry's interval until the calling task is cancelled.
    public func heartbeats() async {
        while !Task.isCancelled {
            let interval = state.withLock { $0.interval }
            try? await Task.sleep(nanoseconds: interval)
            if Task.isCancelled { return }
            await beat(load(), logger: logger)
        }
    }

    private func beat(_ load: Load, logger: Logger) async {
        var beat = Anant_V1_HeartbeatRequest()
        beat.workerID = workerID
        beat.tasksInFlight = load.tasksInFlight
        beat.bytesUsed = load.bytesUsed
        beat.bytesFree = load.bytesFree
        do {
            let _: Anant_V1_HeartbeatResponse = try await metadata.unary(Self.prefix + "Heartbeat", beat, timeout: 5)
        } catch where error.code == .notFound {
            // The lease ran out (the worker was stalled or metadata restarted): register anew.
            do {
                let answer: Anant_V1_RegisterWorkerResponse = try await metadata.unary(Self.prefix + "RegisterWorker", request, timeout: 5)
                state.withLock { $0 = (answer.worker.workerID, max(answer.heartbeatIntervalNanos, 10_000_000)) }
                logger.notice("registered again", metadata: ["worker": "\(answer.worker.workerID)"])
            } catch { logger.warning("cannot register again", metadata: ["error": "\(error)"]) }
        } catch {
            logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
        }
    }

    /// Withdraws the worker from the registry (after its heartbeats stopped).
    public func withdraw() async {
        var request = Anant_V1_DeregisterWorkerRequest()
        request.workerID = workerID
        let _: Anant_V1_DeregisterWorkerResponse? = try? await metadata.unary(Self.prefix + "DeregisterWorker", request, timeout: 2)
    }
}
