import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a piece of work may use and when it must stop: a thread budget, a deadline, a
/// cancellation flag and a memory budget.
///
/// Every long-running entry point of the libraries (query execution, hypergraph builds,
/// s-line graphs, components, distances, centralities, communities, imports and Parquet
/// writes) takes one. Their loops poll it between chunks of work (`check`, or the chunked
/// loops `forEachChunk`, which stop handing out chunks once the work is stopped) and throw
/// a typed `cancelled` or `deadlineExceeded` error, leaving nothing half-written.
///
/// Libraries never read the environment: executables build the context from their flags
/// (`anant --threads N`) and services from a request's deadline and their configuration.
/// A context is a value; copies share one cancellation flag, so cancelling any copy stops
/// the work of all.
public struct ExecutionContext: Sendable {
    /// The most threads the work may run on at once (1: everything on the calling thread).
    public var threads: Int
    /// When the work must stop, on the monotonic clock (`ExecutionContext.now`), in
    /// nanoseconds; nil for no deadline.
    public var deadline: UInt64?
    /// Bytes the work may hold decoded at once where it can bound itself (query scans
    /// decode fewer row groups side by side); nil for no bound.
    public var memoryBudget: Int?
    /// The flag `cancel()` sets; shared by every copy of this context.
    public let cancellation: CancellationFlag
    /// Where the chunked loops (`forEachChunk`) report how far they are, for a display;
    /// nil: nobody is watching.
    public var progress: ProgressSink?

    /// A context with the given budget; by default every processor, no deadline, no memory
    /// bound, and a fresh cancellation flag.
    public init(threads: Int = ExecutionContext.processorCount, deadline: UInt64? = nil, memoryBudget: Int? = nil,
                cancellation: CancellationFlag = CancellationFlag()) {
        self.threads = Swift.max(1, threads)
        self.deadline = deadline
        self.memoryBudget = memoryBudget
        self.cancellation = cancellation
    }

    /// Every processor, no deadline, no memory bound, never cancelled (a fresh flag each
    /// time: cancelling it stops only the work that was handed this copy).
    public static var `default`: ExecutionContext { ExecutionContext() }

    /// The processors online.
    public static let processorCount: Int = Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// The monotonic clock, in nanoseconds (the unit of `deadline`).
    public static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// A copy of this context with a deadline `seconds` from now (the earlier one wins).
    public func withTimeout(seconds: Double) -> ExecutionContext {
        var copy = self
        let limit = ExecutionContext.now &+ UInt64(Swift.max(0, Swift.min(seconds, 1e9)) * 1e9)
        copy.deadline = deadline.map { Swift.min($0, limit) } ?? limit
        return copy
    }

    /// A copy of this context allowed at most `threads` threads (and no more than it had).
    public func limited(toThreads threads: Int) -> ExecutionContext {
        var copy = self
        copy.threads = Swift.max(1, Swift.min(self.threads, threads))
        return copy
    }

    /// Stops the work: loops polling this context (or a copy) throw `cancelled`.
    public func cancel() { cancellation.cancel() }

    /// Why the work must stop now, or nil to go on. Cancellation wins over the deadline.
    public var stopReason: ColumnarError.Code? {
        if cancellation.isCancelled { return .cancelled }
        if let deadline, ExecutionContext.now >= deadline { return .deadlineExceeded }
        return nil
    }

    /// True when the work should stop (cancelled or past its deadline).
    @inline(__always) public var isStopped: Bool { stopReason != nil }

    /// Throws the module error `E` for a cancelled or expired context; returns otherwise.
    @inline(__always)
    public func check<E: InterruptibleError>(_: E.Type) throws(E) {
        if let reason = stopReason { throw E(interruption: ExecutionContext.interruption(reason)) }
    }

    /// The error a stopped context throws.
    public static func interruption(_ reason: ColumnarError.Code) -> ColumnarError {
        reason == .cancelled ? ColumnarError(.cancelled, "the work was cancelled")
            : ColumnarError(.deadlineExceeded, "the work ran past its deadline")
    }
}

/// The error of a module that long-running work can throw when its context stops: it is
/// made from the context's interruption (`cancelled` or `deadlineExceeded`), which it keeps
/// as its cause.
public protocol InterruptibleError: Error {
    init(interruption: ColumnarError)
}

/// How far the work is: each chunked loop (`forEachChunk`) is a phase, with its items done
/// of its total. Workers report as they finish chunks; a display reads `state`. Work made
/// of several loops (rounds, blocks) can report as one phase itself: `begin` once, then
/// `advance` per part, with the loops run on a copy of the context without the sink.
public final class ProgressSink: Sendable {
    private let phase = Atomic<Int>(0)
    private let done = Atomic<Int>(0)
    private let total = Atomic<Int>(0)

    public init() {}

    /// The current phase (1, 2, … as loops start), its items done and its total.
    public var state: (phase: Int, done: Int, total: Int) {
        (phase.load(ordering: .relaxed), done.load(ordering: .relaxed), total.load(ordering: .relaxed))
    }

    /// Starts a phase of `count` items.
    public func begin(total count: Int) {
        done.store(0, ordering: .relaxed)
        total.store(count, ordering: .relaxed)
        phase.add(1, ordering: .relaxed)
    }

    /// Counts `items` more done.
    public func advance(_ items: Int) { done.add(items, ordering: .relaxed) }
}

/// A cancellation flag shared by the copies of an `ExecutionContext`.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    /// Sets the flag (for good).
    public func cancel() { flag.store(true, ordering: .relaxed) }

    /// True once `cancel()` was called.
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

// MARK: Parallel loops within the budget

extension ExecutionContext {
    /// Runs `body(0) ... body(tasks - 1)`, every one of them, on at most `threads` threads
    /// (the calling thread among them). Tasks are handed out dynamically. It does not poll
    /// the context (every task runs, so that passes over slices stay whole): callers poll
    /// between passes.
    public func run(tasks: Int, _ body: @Sendable (Int) -> Void) {
        let workers = Swift.min(threads, tasks)
        if workers <= 1 {
            for t in 0..<tasks { body(t) }
            return
        }
        if workers == tasks {
            DispatchQueue.concurrentPerform(iterations: tasks, execute: body)
            return
        }
        let next = ChunkCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let t = next.take(1)
                if t >= tasks { return }
                body(t)
            }
        }
    }

    /// Splits `0 ..< count` into chunks of `chunk` items handed out dynamically to at most
    /// `workers` (default and at most: `threads`) workers; `body(worker, range)` sees its
    /// worker's index (below `threads`), so it can keep per-worker scratch state across
    /// the chunks it takes. Once the context is stopped no further chunk is handed out, and
    /// when the loop ends it throws the interruption as `E`: a caller never sees the
    /// results of a loop that did not finish.
    public func forEachChunk<E: InterruptibleError>(count: Int, chunk: Int, workers: Int? = nil, as _: E.Type,
                                                    _ body: @Sendable (_ worker: Int, _ range: Range<Int>) -> Void) throws(E) {
        guard count > 0 else { return try check(E.self) }
        let size = Swift.max(1, chunk)
        let next = ChunkCounter()
        let context = self
        progress?.begin(total: count)
        run(tasks: Swift.min(Swift.max(1, Swift.min(workers ?? threads, threads)), (count + size - 1) / size)) { worker in
            while !context.isStopped {
                let start = next.take(size)
                if start >= count { return }
                let end = Swift.min(start + size, count)
                body(worker, start..<end)
                context.progress?.advance(end - start)
            }
        }
        try check(E.self)
    }

    /// `body(0) ..< body(count)` on at most `threads` threads, scheduled dynamically, with
    /// each outcome in index order. Every item runs.
    public func results<T, E: Error>(count: Int, _ body: @Sendable (Int) throws(E) -> T) -> [Result<T, E>] {
        guard count > 0 else { return [] }
        var outcomes = [Result<T, E>?](repeating: nil, count: count)
        outcomes.withUnsafeMutableBufferPointer { slots in
            let out = SharedBuffer(slots)
            run(tasks: count) { k in
                do throws(E) { out[k] = .success(try body(k)) } catch { out[k] = .failure(error) }
            }
        }
        return outcomes.map { $0! }
    }

    /// `body(0) ..< body(count)` on at most `threads` threads, scheduled dynamically; the
    /// results in index order, or the error of the first item (in index order) that failed.
    public func map<T, E: Error>(count: Int, _ body: @Sendable (Int) throws(E) -> T) throws(E) -> [T] {
        var values = [T]()
        values.reserveCapacity(count)
        for outcome in results(count: count, body) { values.append(try outcome.get()) }
        return values
    }

    /// How many tasks to split `work` items into: one per thread, but none smaller than
    /// `grain` items.
    public func tasks(for work: Int, grain: Int = 1 << 16) -> Int {
        Swift.max(1, Swift.min(threads, work / grain))
    }
}

/// Slices of index ranges for parallel passes.
public enum Parallel {
    /// The `part`-th of `parts` nearly equal slices of `0 ..< count`.
    public static func slice(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }
}

/// The shared cursor of the dynamically scheduled loops.
private final class ChunkCounter: Sendable {
    private let next = Atomic<Int>(0)

    func take(_ size: Int) -> Int {
        next.add(size, ordering: .relaxed).oldValue
    }
}
