import AnantCluster
import AnantColumnar
import AnantOperations
import AnantProto
import AnantWire
import Foundation
import Logging
import Synchronization

/// A live compute worker as the gateway sees it.
public struct ComputeWorker: Sendable, Hashable {
    public var id: String
    public var address: String
}

/// How a job's tasks are sent out: bounded attempts, and when a task runs much longer
/// than the ones already done, a speculative copy on another worker.
public struct FanOutPolicy: Sendable {
    /// Attempts per task, the first included (retries go to another worker when there is one).
    public var maximumAttempts = 3
    /// A task still running after this multiple of the median finished task's time, once
    /// this share of the tasks is done, gets a speculative copy on another worker.
    public var stragglerFactor = 3.0
    public var stragglerShare = 0.5
    /// Never speculate on a task younger than this.
    public var minimumStragglerNanos: UInt64 = 200_000_000
    /// The most bytes of partial results one job may receive (the request's memory
    /// budget, `--request-memory-mb`); past it the job stops with `RESOURCE_EXHAUSTED`
    /// and its running tasks are cancelled. Nil: no limit.
    public var budgetBytes: Int? = nil

    public init() {}
}

/// One job's progress, shared by its task drivers: which tasks are done and how long they
/// took, for speculation and for the status page.
final class JobProgress: Sendable {
    struct State {
        var done = 0
        var durations = [UInt64]()
        var extraAttempts = 0
    }

    let total: Int
    let state = Mutex(State())
    /// Told whenever a task finishes or another attempt starts (a Run asking for progress
    /// passes it on to the client).
    let listener = Mutex<(@Sendable () -> Void)?>(nil)

    init(total: Int) { self.total = total }

    func finished(after nanos: UInt64) {
        state.withLock {
            $0.done += 1
            $0.durations.append(nanos)
        }
        listener.withLock { $0 }?()
    }

    /// Another attempt of a task started (a retry or a speculative copy).
    func attempted() {
        state.withLock { $0.extraAttempts += 1 }
        listener.withLock { $0 }?()
    }

    /// Whether a task running for `nanos` is a straggler.
    func isStraggler(_ nanos: UInt64, _ policy: FanOutPolicy) -> Bool {
        guard nanos >= policy.minimumStragglerNanos else { return false }
        return state.withLock { s in
            guard total > 1, Double(s.done) >= Double(total) * policy.stragglerShare, !s.durations.isEmpty else { return false }
            let median = s.durations.sorted()[s.durations.count / 2]
            return Double(nanos) > Double(max(median, 1)) * policy.stragglerFactor
        }
    }
}

/// Sends a job's tasks to compute workers and collects their partial results in task
/// order (each the items of the task's streamed answer). A task whose worker fails in a
/// way another worker could mend (it is gone, overloaded, lost its storage) is sent to
/// another worker with the next attempt
/// number; a straggler gets a speculative copy; the first answer of a task wins and
/// later ones are dropped. An error of the request itself (a bad id, a disconnected line
/// graph) ends the job at once.
struct FanOut: Sendable {
    let clients: ServiceClients
    let policy: FanOutPolicy
    let logger: Logger
    /// Told of a worker an attempt could not reach (the gateway asks the registry again).
    var unreachable: @Sendable (ComputeWorker) -> Void = { _ in }

    private enum Event: Sendable {
        case answer(attempt: UInt32, worker: ComputeWorker, Result<[TaskItem], Status>)
        case tick
    }

    /// The partials of `tasks` (each in the items it came in), in task order; `deadline`
    /// on `ExecutionContext.now`'s clock. With `deliver`, each partial goes to it instead,
    /// as its task finishes (one call at a time, in the order the tasks finish), and the
    /// answer is empty.
    func run(_ tasks: [Anant_V1_Task], on workers: [ComputeWorker], deadline: UInt64?, progress: JobProgress,
             deliver: (@Sendable (Int, [TaskItem.Partial]) async throws -> Void)? = nil) async throws(Status) -> [[TaskItem.Partial]] {
        guard !workers.isEmpty else { throw Status(.unavailable, "no live compute worker: start one (anant-compute --metadata ...)", retryable: true) }
        guard !tasks.isEmpty else { return [] }
        // One task at a time on each worker (a task uses all of the worker's threads), the
        // next task to the worker that is free first: a plan of more tasks than workers
        // balances tasks of uneven work. A task's worker is free once its answer starts to
        // stream (it computes the whole answer first), so that its next task runs while the
        // answer crosses to the gateway. The partials go to `deliver` from a task of their
        // own, so that forwarding one never holds up a launch; no task starts while twice as
        // many answers as there are workers wait to be delivered (a slow client holds back
        // the job, not the gateway's memory; one answer a worker was too few to keep the
        // workers busy while the client read).
        let (events, sink) = AsyncStream<Outcome>.makeStream()
        let (deliveries, feed) = AsyncStream<(Int, [TaskItem.Partial])>.makeStream()
        do {
            return try await withThrowingTaskGroup(of: Void.self) { group in
                var free = Array(workers.indices), next = 0, undelivered = 0
                func launch() {
                    while next < tasks.count, !free.isEmpty, undelivered < 2 * workers.count {
                        let (index, worker) = (next, free.removeFirst())
                        next += 1
                        group.addTask {
                            do {
                                let answer = try await drive(tasks[index], first: worker, workers, deadline: deadline, progress: progress) {
                                    sink.yield(.streaming(task: index, worker: worker))
                                }
                                // The task's own worker is free again, unless it failed and
                                // another one answered.
                                let own = answer.worker == worker || !answer.firstFailed
                                sink.yield(.answered(task: index, freeing: own ? worker : nil, answer.partial))
                            } catch { sink.yield(.failed(error as? Status ?? Status(.cancelled, "the job stopped: \(error)"))) }
                        }
                    }
                }
                if let deliver {
                    group.addTask {
                        var sent = 0
                        do {
                            for await (index, partial) in deliveries {
                                try Task.checkCancellation()  // a job that failed sends nothing more
                                try await deliver(index, partial)
                                sent += 1
                                sink.yield(.deliveredOne)
                            }
                        } catch {
                            sink.yield(.failed(error as? Status ?? Status(.cancelled, "the job stopped: \(error)")))
                            return
                        }
                        sink.yield(sent == tasks.count ? .delivered : .failed(Status(.cancelled, "the job stopped before its rows were sent")))
                    }
                }
                launch()
                var out = [[TaskItem.Partial]?](repeating: nil, count: tasks.count)
                var released = Set<Int>()  // the tasks whose worker is free again
                var received = 0, finished = 0, delivered = deliver == nil
                for await event in events {
                    switch event {
                    case .streaming(let index, let worker):
                        if released.insert(index).inserted { free.append(worker); launch() }
                    case .answered(let index, let worker, let partial):
                        received += partial.reduce(0) { $0 + $1.tableBytes }
                        finished += 1
                        if let budget = policy.budgetBytes, received > budget {
                            throw Status(.resourceExhausted, "the answer would exceed the request's memory budget of \(Self.mebibytes(budget)) "
                                         + "(--request-memory-mb): \(Self.mebibytes(received)) after \(finished) of \(tasks.count) tasks")
                        }
                        if deliver != nil {
                            undelivered += 1
                            feed.yield((index, partial))
                        } else { out[index] = partial }
                        if released.insert(index).inserted, let worker { free.append(worker) }
                        launch()
                        if finished == tasks.count { feed.finish() }
                    case .deliveredOne:
                        undelivered -= 1
                        launch()
                    case .delivered: delivered = true
                    case .failed(let status): throw status
                    }
                    if finished == tasks.count, delivered { break }
                }
                guard finished == tasks.count, delivered else { throw Status(.cancelled, "the job stopped: its request was cancelled") }
                return deliver == nil ? out.map { $0! } : []
            }
        } catch {
            feed.finish()
            throw error as? Status ?? Status(.cancelled, "the job stopped: \(error)")
        }
    }

    /// What the tasks of a job tell the loop that launches them.
    private enum Outcome: Sendable {
        /// The task's answer began to stream from its own worker, which computes no more
        /// for it.
        case streaming(task: Int, worker: Int)
        /// The task's answer, and its worker when that is free again.
        case answered(task: Int, freeing: Int?, [TaskItem.Partial])
        /// One more partial went to `deliver`.
        case deliveredOne
        /// Every partial went to `deliver`.
        case delivered
        case failed(Status)
    }

    /// The bytes a partial result holds: its Arrow IPC tables as they came, the encoded
    /// size of the others (vectors over the vertices, group states).
    static func bytes(of partial: Anant_V1_PartialResult) -> Int {
        switch partial.kind {
        case .result(let result): return result.tables.reduce(0) { $0 + $1.table.arrowIpc.count } + result.scalars.count * 32
        case .query(let query):
            if case .rows(let rows) = query.content { return rows.arrowIpc.count }
            return ((try? query.serializedBytes()) as [UInt8]?)?.count ?? 0
        default: return ((try? partial.serializedBytes()) as [UInt8]?)?.count ?? 0
        }
    }

    static func mebibytes(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

    /// A task's answer: the worker that gave it, and whether the task's first worker failed it.
    private struct Answer: Sendable {
        var worker: Int
        var partial: [TaskItem.Partial]
        var firstFailed: Bool
    }

    /// One task to its first answer. `streaming` hears when the answer of the attempt on
    /// the task's first worker begins to arrive.
    private func drive(_ task: Anant_V1_Task, first: Int, _ workers: [ComputeWorker], deadline: UInt64?,
                       progress: JobProgress, streaming: @escaping @Sendable () -> Void) async throws -> Answer {
        let started = ExecutionContext.now
        return try await withThrowingTaskGroup(of: Event.self) { group -> Answer in
            var attempts: UInt32 = 0, inFlight = 0, tried = [Int](), speculated = false, firstFailed = false
            var last = Status(.unavailable, "task \(task.taskID) was not run")
            func launch() {
                // The next worker not yet tried, else the least recently tried one.
                let pick = (0..<workers.count).map { (first + $0) % workers.count }.first { !tried.contains($0) } ?? tried.removeFirst()
                tried.append(pick)
                attempts += 1
                inFlight += 1
                var attempt = task
                attempt.attempt = attempts
                let worker = workers[pick], clients = self.clients
                // Without a deadline an attempt still ends: a worker that froze without closing
                // its connection fails the attempt after an hour.
                let timeout = deadline.map { Double($0 > ExecutionContext.now ? $0 - ExecutionContext.now : 0) / 1e9 } ?? 3600
                group.addTask {
                    do {
                        let client = try clients.client(worker.address)
                        var request = Anant_V1_RunTaskRequest()
                        request.task = attempt
                        var items = [TaskItem]()
                        for try await payload in try await client.serverStream(ClusterMethods.runTask, try request.wireBytes(), timeout: timeout) {
                            if items.isEmpty, pick == first { streaming() }
                            items.append(try TaskItem(wire: payload))
                        }
                        return .answer(attempt: attempt.attempt, worker: worker, .success(items))
                    } catch {
                        return .answer(attempt: attempt.attempt, worker: worker, .failure(error as? Status ?? Status(.unavailable, "\(error)")))
                    }
                }
            }
            func tick() { group.addTask { try? await Task.sleep(nanoseconds: 50_000_000); return .tick } }
            launch()
            tick()
            while let event = try await group.next() {
                switch event {
                case .tick:
                    if !speculated, inFlight > 0, workers.count > 1, attempts < UInt32(policy.maximumAttempts),
                       progress.isStraggler(ExecutionContext.now - started, policy) {
                        speculated = true
                        progress.attempted()
                        logger.info("speculative copy", metadata: ["task": "\(task.taskID)", "attempt": "\(attempts + 1)"])
                        launch()
                    }
                    if inFlight > 0 { tick() }
                case .answer(let attempt, let worker, .success(let items)):
                    inFlight -= 1
                    // An answer to another task or attempt than this one sent is stale.
                    guard !items.isEmpty, items.allSatisfy({ $0.taskID == task.taskID && $0.attempt == attempt && $0.partial != nil }) else {
                        logger.warning("stale answer dropped", metadata: ["task": "\(task.taskID)", "worker": "\(worker.id)"])
                        if inFlight == 0 { throw Status(.internal, "task \(task.taskID): every answer was stale") }
                        continue
                    }
                    group.cancelAll()
                    progress.finished(after: ExecutionContext.now - started)
                    return Answer(worker: workers.firstIndex(of: worker) ?? first, partial: items.compactMap(\.partial), firstFailed: firstFailed)
                case .answer(let attempt, let worker, .failure(let status)):
                    inFlight -= 1
                    guard Self.mendable(status) else { group.cancelAll(); throw status }
                    if status.code == .unavailable { unreachable(worker) }
                    if worker == workers[first] { firstFailed = true }
                    last = status
                    logger.notice("task failed", metadata: ["task": "\(task.taskID)", "attempt": "\(attempt)", "worker": "\(worker.id)",
                                                            "code": "\(status.code.name)"])
                    if inFlight == 0 {
                        guard attempts < UInt32(policy.maximumAttempts) else { throw last }
                        progress.attempted()
                        launch()
                    }
                }
            }
            throw last
        }
    }

    /// Whether another worker could succeed where one failed (an answer that is not a
    /// `RunTaskResponse` is `INTERNAL`: the worker's fault, tried on another).
    static func mendable(_ status: Status) -> Bool {
        switch status.code {
        case .unavailable, .resourceExhausted, .internal, .dataLoss, .unknown, .aborted: true
        default: false
        }
    }
}
