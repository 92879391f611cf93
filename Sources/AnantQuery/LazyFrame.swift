import AnantColumnar

/// Where a scan reads: Parquet files sharing one schema, or a batch in memory.
public enum TableSource: Sendable {
    case parquet([String])
    case memory(RecordBatch)
}

/// An aggregate function of `group_by(...).agg(...)`.
public enum AggregateFunction: String, Sendable, Hashable, CaseIterable {
    /// Rows (with no column) or non-null values (with one).
    case count
    case sum, mean, min, max
    /// Distinct non-null values.
    case nUnique = "n_unique"
}

/// One aggregate output: a function of a column (or of the rows, for `count`), named.
public struct Aggregation: Sendable, Hashable {
    public var function: AggregateFunction
    public var column: String?
    public var name: String

    public init(_ function: AggregateFunction, _ column: String? = nil, as name: String? = nil) {
        self.function = function
        self.column = column
        self.name = name ?? (column.map { "\(function.rawValue)_\($0)" } ?? function.rawValue)
    }

    /// Parses `function(column) [as name]`, `count(*)` or `count()` counting rows.
    public static func parse(_ text: String) throws(QueryError) -> Aggregation {
        func trimmed(_ s: Substring, _ drop: Set<Character> = [" "]) -> String {
            var s = s
            while let c = s.first, drop.contains(c) { s = s.dropFirst() }
            while let c = s.last, drop.contains(c) { s = s.dropLast() }
            return String(s)
        }
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        var name: String? = nil
        var body = trimmed(Substring(text))
        if parts.count >= 3, parts[parts.count - 2].lowercased() == "as" {
            name = String(parts[parts.count - 1])
            body = parts.dropLast(2).joined(separator: " ")
        }
        guard let open = body.firstIndex(of: "("), body.hasSuffix(")"),
              let function = AggregateFunction(rawValue: trimmed(body[..<open]).lowercased()) else {
            throw QueryError(.syntax, "'\(text)' is not an aggregate: use count(*), count(x), sum(x), mean(x), min(x), max(x) or n_unique(x), optionally 'as name'")
        }
        let argument = trimmed(body[body.index(after: open)..<body.index(before: body.endIndex)])
        let column = argument.isEmpty || argument == "*" ? nil : trimmed(Substring(argument), ["`"])
        guard column != nil || function == .count else { throw QueryError(.syntax, "\(function.rawValue)() needs a column") }
        return Aggregation(function, column, as: name)
    }
}

/// A sort key: a column, ascending unless `descending`; nulls last.
public struct SortKey: Sendable, Hashable {
    public var column: String
    public var descending: Bool

    public init(_ column: String, descending: Bool = false) {
        self.column = column
        self.descending = descending
    }
}

/// How a join keeps rows.
public enum JoinKind: String, Sendable, Hashable {
    /// Rows with a match on both sides.
    case inner
    /// Every left row; right columns null where nothing matches.
    case left
}

/// How a query runs.
public struct QueryOptions: Sendable {
    /// The threads, deadline, cancellation and memory budget of the query. Its memory
    /// budget bounds the bytes the scans hold decoded at once: fewer row groups are decoded
    /// side by side when they would not fit (one at a time at least); without one, one
    /// row group per thread.
    public var context: ExecutionContext

    public init(context: ExecutionContext = .default) {
        self.context = context
    }
}

/// A lazy query, built like a polars LazyFrame and run by `collect()`: the optimiser
/// pushes projections and predicates into the scans (row groups pruned by statistics,
/// filter columns decoded first), then execution streams morsels (row groups, or slices
/// of a table in memory) through filters and projections on every core into the
/// aggregate, join, sort or collect that ends the pipeline.
public struct LazyFrame: Sendable {
    indirect enum Node: Sendable {
        case scan(TableSource, columns: [String]?, filter: Expr?)
        case filter(Node, Expr)
        case select(Node, [(String, Expr)], keepInput: Bool)
        case aggregate(Node, keys: [String], aggregations: [Aggregation])
        case join(Node, Node, leftOn: [String], rightOn: [String], kind: JoinKind)
        case sort(Node, [SortKey])
        case limit(Node, Int)
        /// The first `n` rows in sort order (the optimiser's fusion of a sort and a limit).
        case topK(Node, [SortKey], Int)
    }

    let node: Node

    /// Reads a source.
    public static func scan(_ source: TableSource) -> LazyFrame { LazyFrame(node: .scan(source, columns: nil, filter: nil)) }

    /// Keeps the rows where `predicate` is true.
    public func filter(_ predicate: Expr) -> LazyFrame { LazyFrame(node: .filter(node, predicate)) }

    /// Exactly these columns, computed by the expressions.
    public func select(_ columns: [(String, Expr)]) -> LazyFrame { LazyFrame(node: .select(node, columns, keepInput: false)) }

    /// Exactly these columns, by name.
    public func select(_ names: [String]) -> LazyFrame { select(names.map { ($0, .column($0)) }) }

    /// All columns, plus (or replacing) the computed ones.
    public func withColumns(_ columns: [(String, Expr)]) -> LazyFrame { LazyFrame(node: .select(node, columns, keepInput: true)) }

    /// One row per distinct key, with the aggregates.
    public func groupBy(_ keys: [String], _ aggregations: [Aggregation]) -> LazyFrame {
        LazyFrame(node: .aggregate(node, keys: keys, aggregations: aggregations))
    }

    /// Rows of both sides with equal keys (the right side's key columns are dropped).
    public func join(_ other: LazyFrame, on keys: [String], kind: JoinKind = .inner) -> LazyFrame {
        join(other, leftOn: keys, rightOn: keys, kind: kind)
    }

    public func join(_ other: LazyFrame, leftOn: [String], rightOn: [String], kind: JoinKind = .inner) -> LazyFrame {
        LazyFrame(node: .join(node, other.node, leftOn: leftOn, rightOn: rightOn, kind: kind))
    }

    /// Rows ordered by the keys (stable; nulls last).
    public func sort(_ keys: [SortKey]) -> LazyFrame { LazyFrame(node: .sort(node, keys)) }

    /// The first `n` rows.
    public func limit(_ n: Int) -> LazyFrame { LazyFrame(node: .limit(node, n)) }

    /// Runs the query.
    public func collect(options: QueryOptions = QueryOptions()) throws(QueryError) -> RecordBatch {
        try profile(options: options).result
    }

    /// Runs the query and reports what its scans read.
    public func profile(options: QueryOptions = QueryOptions()) throws(QueryError) -> (result: RecordBatch, statistics: ScanStatistics) {
        let executor = Executor(options: options)
        let result = try executor.run(try Optimizer.optimize(node))
        return (result, executor.statistics)
    }

    /// The names of the columns the query produces.
    public func columnNames() throws(QueryError) -> [String] {
        try Optimizer.names(node)
    }

    /// The optimised plan, one operator per line.
    public func explain() throws(QueryError) -> String {
        Optimizer.describe(try Optimizer.optimize(node))
    }
}
