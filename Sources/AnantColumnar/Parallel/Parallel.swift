import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fork-join parallelism for hot loops (Dispatch's `concurrentPerform`, which runs on the
/// calling thread plus a pool sized to the machine). Shared by every layer above.
public enum Parallel {
    /// The number of threads parallel work uses: the CPUs online, or `ANANT_THREADS` when
    /// set to a positive number (1 makes every parallel loop run on the calling thread).
    public static let processorCount: Int = {
        if let text = getenv("ANANT_THREADS"), let value = Int(String(cString: text)), value > 0 { return value }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }()

    /// Runs `body(0) ... body(tasks - 1)`, concurrently when `tasks > 1` (and more than one
    /// thread is allowed).
    public static func run(tasks: Int, _ body: @Sendable (Int) -> Void) {
        if tasks <= 1 || processorCount == 1 {
            for t in 0..<tasks { body(t) }
        } else {
            DispatchQueue.concurrentPerform(iterations: tasks, execute: body)
        }
    }

    /// Splits `0 ..< count` into chunks of `chunk` items handed out dynamically to
    /// `processorCount` workers; `body(worker, range)` sees its worker's index, so it can
    /// keep per-worker scratch state (indexed by worker) across the chunks it takes.
    /// At most `workers` workers run at once (default: `processorCount`).
    public static func forEachChunk(count: Int, chunk: Int, workers: Int? = nil, _ body: @Sendable (_ worker: Int, _ range: Range<Int>) -> Void) {
        guard count > 0 else { return }
        let size = max(1, chunk)
        let next = ChunkCounter()
        run(tasks: min(max(1, min(workers ?? processorCount, processorCount)), (count + size - 1) / size)) { worker in
            while true {
                let start = next.take(size)
                if start >= count { return }
                body(worker, start..<min(start + size, count))
            }
        }
    }

    /// `body(0) ..< body(count)` on every core, scheduled dynamically (uneven items balance
    /// themselves), with each outcome in index order.
    public static func results<T, E: Error>(count: Int, _ body: @Sendable (Int) throws(E) -> T) -> [Result<T, E>] {
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

    /// `body(0) ..< body(count)` on every core, scheduled dynamically; the results in index
    /// order, or the error of the first item (in index order) that failed.
    public static func map<T, E: Error>(count: Int, _ body: @Sendable (Int) throws(E) -> T) throws(E) -> [T] {
        var values = [T]()
        values.reserveCapacity(count)
        for outcome in results(count: count, body) { values.append(try outcome.get()) }
        return values
    }

    /// How many tasks to split `work` items into: one per processor, but none smaller
    /// than `grain` items.
    public static func tasks(for work: Int, grain: Int = 1 << 16) -> Int {
        max(1, min(processorCount, work / grain))
    }

    /// The `part`-th of `parts` nearly equal slices of `0 ..< count`.
    public static func slice(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }
}

/// A pointer handed to parallel tasks that write disjoint parts of one buffer (or only
/// read it). The tasks, not the type system, guarantee the absence of races.
public struct SharedBuffer<Element>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Element>
    public let count: Int

    public init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        base = buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 0x10)!
        count = buffer.count
    }

    public init(_ buffer: UnsafeBufferPointer<Element>) {
        base = UnsafeMutablePointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 0x10)!)
        count = buffer.count
    }

    @inline(__always) public subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }
}

/// A value handed to parallel tasks that only read it (or write disjoint parts of
/// storage it points to). The tasks, not the type system, guarantee the absence of races.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public var value: Value
    public init(_ value: Value) { self.value = value }
}

/// The shared cursor of `Parallel.forEachChunk`.
private final class ChunkCounter: Sendable {
    private let next = Atomic<Int>(0)

    func take(_ size: Int) -> Int {
        next.add(size, ordering: .relaxed).oldValue
    }
}
