import AnantColumnar
import AnantParquet
import Synchronization

/// What a query's scans read.
public struct ScanStatistics: Sendable, Hashable {
    /// Row groups in the scanned files.
    public var rowGroups = 0
    /// Row groups decoded (the others were ruled out by their statistics).
    public var rowGroupsRead = 0
    /// Compressed bytes of the column chunks decoded.
    public var bytesRead = 0
    /// Rows decoded by the scans (before filters).
    public var rowsRead = 0
    /// Row groups skipped because their dictionary pages hold none of the values an
    /// equality filter asks for (counted in `rowGroups`, not in `rowGroupsRead`).
    public var rowGroupsSkippedByDictionary = 0
    /// Data pages of the row groups read that stayed compressed: their header statistics
    /// ruled a one-column filter out, or no matching row fell in them.
    public var pagesSkipped = 0

    public init() {}
}

/// Runs optimised plans. A plan is cut into pipelines at the operators that need all
/// their input (aggregate, sort, top-k, limit, and the build side of a join); a pipeline
/// streams morsels (a row group of a Parquet file, or a slice of a table in memory)
/// through its filters, projections and join probes on every core into its sink.
final class Executor: Sendable {
    let counters = Mutex(ScanStatistics())
    /// The readers the scans used (their skipped pages count in the statistics).
    let readers = Mutex([ObjectIdentifier: ParquetFileReader]())
    let options: QueryOptions

    init(options: QueryOptions = QueryOptions()) {
        self.options = options
    }

    /// The query's threads, deadline, cancellation and memory budget.
    var context: ExecutionContext { options.context }

    var statistics: ScanStatistics {
        var statistics = counters.withLock { $0 }
        statistics.pagesSkipped = readers.withLock { $0.values.reduce(0) { $0 + $1.pagesSkipped } }
        return statistics
    }

    /// Rows per morsel of a table in memory.
    static let memoryMorselRows = 1 << 17

    // MARK: Plans

    func run(_ node: LazyFrame.Node) throws(QueryError) -> RecordBatch {
        switch node {
        case .aggregate(let input, let keys, let aggregations):
            return try aggregateState(input, keys: keys, aggregations: aggregations).finish()
        case .sort(let input, let keys):
            let batch = try collect(try pipeline(input))
            return batch.gather(try Sorting.order(batch, keys))
        case .topK(let input, let keys, let n):
            let p = try pipeline(input)
            let partial = try drive(p) { _, _, batch throws(QueryError) in batch.gather(try Sorting.top(n, batch, keys)) }
            let candidates = RecordBatch.concatenating(partial)
            return candidates.gather(try Sorting.top(n, candidates, keys))
        case .limit(let input, let n):
            return try limit(try pipeline(input), n)
        default:
            return try collect(try pipeline(node))
        }
    }

    /// A source and the streaming steps over it.
    struct Pipeline: Sendable {
        enum Source: Sendable {
            case parquet([ParquetFileReader], columns: [String], filter: Expr?)
            case batch(RecordBatch)
        }

        enum Step: Sendable {
            case filter(Expr)
            case select([(String, Expr)], keepInput: Bool)
            case probe(JoinBuild)
        }

        var source: Source
        var steps: [Step] = []
    }

    func pipeline(_ node: LazyFrame.Node) throws(QueryError) -> Pipeline {
        switch node {
        case .scan(.memory(let batch), let columns, let filter):
            var p = Pipeline(source: .batch(batch))
            if let filter { p.steps.append(.filter(filter)) }
            if let columns, columns != batch.schema.names { p.steps.append(.select(columns.map { ($0, .column($0)) }, keepInput: false)) }
            return p
        case .scan(.parquet(let paths), let columns, let filter):
            var readers = [ParquetFileReader]()
            for path in paths { readers.append(try Optimizer.openParquet(path)) }
            let names: [String]
            if let columns { names = columns } else { names = try Optimizer.sourceSchema(.parquet(paths)).names }
            return Pipeline(source: .parquet(readers, columns: names, filter: filter))
        case .filter(let input, let predicate):
            var p = try pipeline(input)
            p.steps.append(.filter(predicate))
            return p
        case .select(let input, let columns, let keepInput):
            var p = try pipeline(input)
            p.steps.append(.select(columns, keepInput: keepInput))
            return p
        case .join(let left, let right, let leftOn, let rightOn, let kind):
            let build = try JoinBuild(try run(right), keys: rightOn, probeKeys: leftOn, kind: kind, context: context)
            var p = try pipeline(left)
            p.steps.append(.probe(build))
            return p
        case .aggregate, .sort, .topK, .limit:
            return Pipeline(source: .batch(try run(node)))
        }
    }
}
