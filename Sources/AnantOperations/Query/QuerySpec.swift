import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantQuery

/// A query as a request carries it: the table to scan and each step as the query text
/// a user writes (`anant query`'s options). Steps run in this order: scan, metrics, join,
/// computed columns, filter, group-by, selection, sort, limit.
public struct QuerySpec: Sendable, Hashable {
    /// The table to scan.
    public var table: DatasetTable
    /// Attach per-node (or per-edge) metrics to the nodes (or edges) table: degree or
    /// size, s-components for s = 1, 2, 3, and s = 1 betweenness and closeness for up to
    /// `QuerySpec.centralityLimit` elements.
    public var metrics: Bool
    /// A join with another table of the input, or with a Parquet file.
    public var join: Join?
    /// Computed columns, 'EXPR as NAME'.
    public var computed: [String]
    /// A row filter.
    public var filter: String?
    /// Group keys (with `aggregations`).
    public var groupBy: [String]
    /// Aggregate lists, 'count(*) as n, sum(weight) as w'.
    public var aggregations: [String]
    /// Output columns, 'EXPR [as NAME], ...'.
    public var select: [String]
    /// Sort keys, 'col [desc], ...'.
    public var sort: [String]
    /// At most this many rows.
    public var limit: Int?

    /// The other side of a join.
    public struct Join: Sendable, Hashable {
        /// A table of the input (`incidences`, `nodes`, `edges`) or a Parquet file's path.
        public var table: String
        public var leftOn: [String]
        public var rightOn: [String]
        public var kind: JoinKind

        public init(table: String, leftOn: [String], rightOn: [String], kind: JoinKind = .inner) {
            (self.table, self.leftOn, self.rightOn, self.kind) = (table, leftOn, rightOn, kind)
        }
    }

    /// Above this many nodes (or edges) metrics leave out betweenness and closeness.
    public static let centralityLimit = 20_000

    public init(table: DatasetTable = .incidences, metrics: Bool = false, join: Join? = nil, computed: [String] = [],
                filter: String? = nil, groupBy: [String] = [], aggregations: [String] = [], select: [String] = [],
                sort: [String] = [], limit: Int? = nil) {
        (self.table, self.metrics, self.join, self.computed, self.filter) = (table, metrics, join, computed, filter)
        (self.groupBy, self.aggregations, self.select, self.sort, self.limit) = (groupBy, aggregations, select, sort, limit)
    }

    /// Checks what can be checked without the input: the texts parse, the limit is not
    /// negative, a group-by has aggregates, metrics attach to nodes or edges, a join has
    /// as many keys on both sides.
    public func validate() throws(OperationError) {
        func invalid(_ message: String) -> OperationError { OperationError(.invalidArgument, "query: \(message)") }
        if let limit, limit < 0 { throw invalid("the limit must not be negative (got \(limit)); leave it out for every row") }
        if !groupBy.isEmpty, aggregations.isEmpty { throw invalid("a group-by needs at least one aggregate, such as count(*)") }
        if metrics, table == .incidences { throw invalid("metrics attach to the nodes or the edges table, not incidences") }
        if let join {
            if join.table.isEmpty { throw invalid("a join needs a table: incidences, nodes, edges or a Parquet file") }
            if join.leftOn.isEmpty || join.leftOn.count != join.rightOn.count {
                throw invalid("a join needs the same number of keys on both sides, at least one (got \(join.leftOn.count) and \(join.rightOn.count))")
            }
        }
        do { _ = try steps() } catch { throw OperationError(.invalidArgument, "query: \(error.message)", underlying: error) }
    }

    /// The parsed steps.
    struct Steps {
        var computed: [(String, Expr)]
        var filter: Expr?
        var aggregations: [Aggregation]
        var select: [(String, Expr)]
        var sort: [SortKey]
    }

    func steps() throws(QueryError) -> Steps {
        var steps = Steps(computed: [], filter: nil, aggregations: [], select: [], sort: [])
        for text in computed { steps.computed.append(try QueryText.named(text)) }
        steps.filter = try filter.map { text throws(QueryError) in try Expr.parse(text) }
        for text in aggregations { steps.aggregations += try QueryText.aggregations(text) }
        for item in select.flatMap(QueryText.topLevelItems) { steps.select.append(try QueryText.named(item)) }
        for item in sort.flatMap(QueryText.topLevelItems) { steps.sort.append(try QueryText.sortKey(item)) }
        return steps
    }

    /// The lazy plan of the query on `input`.
    public func frame(on input: OperationInput, context: ExecutionContext = .default) throws -> LazyFrame {
        try validate()
        let steps = try steps()
        var frame = try input.frame(table, context: context)
        if metrics {
            let h = try input.hypergraph(context: context)
            let edges = table == .edges
            let count = edges ? h.edgeCount : h.nodeCount
            var centralities: ([Double], [Double])? = nil
            // Above the element limit, or with a line graph over the memory budget, the
            // centralities are left out.
            if count <= QuerySpec.centralityLimit {
                let computed = Result { () throws(HypergraphError) -> ([Double], [Double]) in
                    (try h.sBetweennessCentrality(s: 1, edges: edges, context: context), try h.sClosenessCentrality(s: 1, edges: edges, context: context))
                }
                switch computed {
                case .success(let values): centralities = values
                case .failure(let error): if error.code != .tooLarge { throw error }
                }
            }
            let table = try h.metricsTable(edges: edges, centralities: centralities, context: context)
            frame = frame.join(.scan(.memory(table)), on: [edges ? "edge" : "node"], kind: .left)
        }
        if let join {
            let right: LazyFrame = if let named = DatasetTable(rawValue: join.table) { try input.frame(named, context: context) } else { .scan(.parquet([join.table])) }
            frame = frame.join(right, leftOn: join.leftOn, rightOn: join.rightOn, kind: join.kind)
        }
        if !steps.computed.isEmpty { frame = frame.withColumns(steps.computed) }
        if let filter = steps.filter { frame = frame.filter(filter) }
        if !steps.aggregations.isEmpty { frame = frame.groupBy(groupBy, steps.aggregations) }
        if !steps.select.isEmpty { frame = frame.select(steps.select) }
        if !steps.sort.isEmpty { frame = frame.sort(steps.sort) }
        if let limit { frame = frame.limit(limit) }
        return frame
    }
}

extension Hypergraph {
    /// One row per node (or edge): its id, degree (or size), its s-component's number for
    /// s = 1, 2, 3 (the number `components` prints: 1 = largest, `inNumberingOrder`), and
    /// s = 1 betweenness and closeness when given.
    public func metricsTable(edges: Bool, centralities: (betweenness: [Double], closeness: [Double])?,
                             context: ExecutionContext = .default) throws -> RecordBatch {
        let count = edges ? edgeCount : nodeCount
        var named: [(String, Column)] = [
            (edges ? "edge" : "node", edges ? self.edges.column : nodes.column),
            (edges ? "size" : "degree", .int64(Int64Column((edges ? edgeSizes() : nodeDegrees()).map(Int64.init)))),
        ]
        for s in 1...3 {
            var component = [Int64](repeating: 0, count: count)
            let found = try sConnectedComponents(s: s, edges: edges, includeSingletons: true, context: context)
            for (k, members) in Hypergraph.inNumberingOrder(found).enumerated() {
                for v in members { component[v] = Int64(k + 1) }
            }
            named.append(("component_s\(s)", .int64(Int64Column(component))))
        }
        if let centralities {
            named += [("betweenness_s1", .double(DoubleColumn(centralities.betweenness))), ("closeness_s1", .double(DoubleColumn(centralities.closeness)))]
        }
        return try RecordBatch(named)
    }
}
