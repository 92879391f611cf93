import AnantColumnar
import AnantQuery
import Dispatch
import Testing

/// A group-by over 10 million rows stops promptly with `QueryError.interrupted` when its
/// context is cancelled or its deadline passes.
@Suite struct QueryCancellationTests {
    static let rows: RecordBatch = {
        let n = 10_000_000
        let keys = [Int64](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = Int64((i &* 7919) % 1_000_003) }
            count = n
        }
        let values = [Double](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = Double(i % 1000) / 7 }
            count = n
        }
        return try! RecordBatch([("key", .int64(Int64Column(keys))), ("value", .double(DoubleColumn(values)))])
    }()

    static var query: LazyFrame {
        LazyFrame.scan(.memory(rows)).groupBy(["key"], [Aggregation(.count, as: "n"), Aggregation(.sum, "value", as: "total")])
    }

    /// Runs the query on another thread with `context`; its error and when it ended.
    private func run(_ context: ExecutionContext, cancelAfter seconds: Double?) throws -> (QueryError, cancelledAt: UInt64, endedAt: UInt64) {
        final class Box: @unchecked Sendable { var error: (any Error)?; var cancelledAt: UInt64 = 0; var endedAt: UInt64 = 0 }
        let box = Box(), done = DispatchSemaphore(value: 0)
        let query = Self.query
        DispatchQueue.global().async {
            do { _ = try query.collect(options: QueryOptions(context: context)) } catch { box.error = error }
            box.endedAt = ExecutionContext.now
            done.signal()
        }
        if let seconds {
            DispatchQueue(label: "canceller").asyncAfter(deadline: .now() + seconds) { box.cancelledAt = ExecutionContext.now; context.cancel() }
        }
        guard done.wait(timeout: .now() + 300) == .success else { throw QueryError(.invalidArgument, "the query did not stop within 300 s") }
        let error = try #require(box.error as? QueryError, "the query finished or failed otherwise: \(String(describing: box.error))")
        return (error, box.cancelledAt, box.endedAt)
    }

    @Test func cancellingAGroupByStopsItPromptly() throws {
        _ = Self.rows
        let context = ExecutionContext(threads: 2)
        let (error, cancelledAt, endedAt) = try run(context, cancelAfter: 0.05)
        #expect(error.code == .interrupted)
        #expect((error.underlying as? ColumnarError)?.code == .cancelled)
        #expect(cancelledAt > 0 && Double(endedAt &- cancelledAt) / 1e9 < 10)
    }

    @Test func aDeadlineStopsAGroupByPromptly() throws {
        _ = Self.rows
        let context = ExecutionContext(threads: 2).withTimeout(seconds: 0.05)
        let (error, _, endedAt) = try run(context, cancelAfter: nil)
        #expect(error.code == .interrupted)
        #expect((error.underlying as? ColumnarError)?.code == .deadlineExceeded)
        #expect(Double(endedAt &- context.deadline!) / 1e9 < 10)
    }

    @Test func theSameQueryFinishesWithoutAStop() throws {
        let small = try RecordBatch([("key", .int64(Int64Column([1, 2, 1]))), ("value", .double(DoubleColumn([0.5, 1, 2])))])
        let result = try LazyFrame.scan(.memory(small)).groupBy(["key"], [Aggregation(.sum, "value", as: "total")])
            .sort([SortKey("key")]).collect(options: QueryOptions(context: ExecutionContext(threads: 2).withTimeout(seconds: 60)))
        #expect(result.columns[1] == .double(DoubleColumn([2.5, 1])))
    }
}
