import AnantColumnar

/// One part of a query split in `count` parts: the `index`-th share of the morsels (row
/// groups, or slices of a table in memory) its streaming scan reads.
public struct QueryPart: Sendable, Hashable {
    public let index: Int
    public let count: Int

    public init(_ index: Int, of count: Int) throws(QueryError) {
        guard count >= 1, index >= 0, index < count else {
            throw QueryError(.invalidArgument, "a query part is 0 ..< count of at least one part (got \(index) of \(count))")
        }
        self.index = index
        self.count = count
    }

    /// The morsels of this part, of `morsels` in all: nearly equal shares, in order.
    func share(of morsels: Int) -> Range<Int> {
        func cut(_ k: Int) -> Int {
            let (high, low) = morsels.multipliedFullWidth(by: k)
            return count.dividingFullWidth((high, low)).quotient
        }
        return cut(index)..<cut(index + 1)
    }
}

/// What one part of a split query computes: the rows of its share (for a plan without a
/// group-by), or its groups' running state (exact sums, first rows). `LazyFrame.merge`
/// combines the parts' partials, in part order, into the answer `collect()` gives.
public struct QueryPartial: @unchecked Sendable {
    enum Content {
        case rows(RecordBatch)
        case groups(GroupState)
    }

    let content: Content

    /// The rows (or groups) the part produced.
    public var count: Int {
        switch content {
        case .rows(let batch): batch.rowCount
        case .groups(let state): state.count
        }
    }
}

extension LazyFrame {
    /// A plan cut where a split query merges: the core runs on every part's share of the
    /// morsels (a streaming pipeline, or a group-by over one); `post` rebuilds the steps
    /// after it (sort, top-k, limit, and filters and selections above a group-by) over the
    /// merged core.
    struct Cut {
        var core: Node
        var post: (Node) -> Node
        /// Whether the core streams from a scan: each part then reads only its own share.
        /// (A core over a materialised input — a sort below a group-by — splits correctly
        /// but every part computes that input whole.)
        var streams: Bool
    }

    static func cut(_ node: Node) -> Cut {
        func above(_ input: Node, _ wrap: @escaping (Node) -> Node) -> Cut {
            var inner = cut(input)
            let post = inner.post
            inner.post = { wrap(post($0)) }
            return inner
        }
        switch node {
        case .sort(let input, let keys):
            return above(input) { .sort($0, keys) }
        case .limit(let input, let n):
            return above(input) { .limit($0, n) }
        case .topK(let input, let keys, let n):
            return above(input) { .topK($0, keys, n) }
        case .filter(let input, let predicate) where !streams(input):
            return above(input) { .filter($0, predicate) }
        case .select(let input, let columns, let keepInput) where !streams(input):
            return above(input) { .select($0, columns, keepInput: keepInput) }
        case .aggregate(let input, _, _):
            return Cut(core: node, post: { $0 }, streams: streams(input))
        default:
            return Cut(core: node, post: { $0 }, streams: streams(node))
        }
    }

    /// Whether a node is a pipeline streaming from a scan (filters, selections, join probes).
    static func streams(_ node: Node) -> Bool {
        switch node {
        case .scan: true
        case .filter(let input, _), .select(let input, _, _): streams(input)
        case .join(let left, _, _, _, _): streams(left)
        case .aggregate, .sort, .limit, .topK: false
        }
    }

    /// Whether splitting the query saves work: its group-by, or its rows, stream from a
    /// scan whose morsels the parts share out. (Any query splits correctly; one that does
    /// not stream would compute its input whole in every part.)
    public func splits() throws(QueryError) -> Bool {
        LazyFrame.cut(try Optimizer.optimize(node)).streams
    }

    /// Runs one part of the query: its share of the morsels through the plan's core.
    public func partial(_ part: QueryPart, options: QueryOptions = QueryOptions()) throws(QueryError) -> QueryPartial {
        let cut = LazyFrame.cut(try Optimizer.optimize(node))
        let executor = Executor(options: options)
        if case .aggregate(let input, let keys, let aggregations) = cut.core {
            return QueryPartial(content: .groups(try executor.aggregateState(input, keys: keys, aggregations: aggregations, part: part)))
        }
        return QueryPartial(content: .rows(try executor.collect(try executor.pipeline(cut.core), part: part)))
    }

    /// The answer from the partials of every part, given in part order: the same, byte
    /// for byte, as `collect()`, for any number of parts. Merging consumes the partials
    /// (their group states merge into the first).
    public func merge(_ partials: [QueryPartial], options: QueryOptions = QueryOptions()) throws(QueryError) -> RecordBatch {
        let cut = LazyFrame.cut(try Optimizer.optimize(node))
        guard let head = partials.first else { throw QueryError(.invalidArgument, "a merge needs the partial of at least one part") }
        let merged: RecordBatch
        switch head.content {
        case .rows:
            var batches = [RecordBatch]()
            for partial in partials {
                guard case .rows(let batch) = partial.content else { throw QueryError(.invalidArgument, "partials of different kinds cannot merge") }
                batches.append(batch)
            }
            merged = RecordBatch.concatenating(batches)
        case .groups(let state):
            for partial in partials.dropFirst() {
                guard case .groups(let other) = partial.content else { throw QueryError(.invalidArgument, "partials of different kinds cannot merge") }
                try state.merge(other, context: options.context)
            }
            merged = try state.finish()
        }
        return try Executor(options: options).run(cut.post(.scan(.memory(merged), columns: nil, filter: nil)))
    }
}
