import AnantColumnar
import AnantHypergraph
import AnantQuery

/// The part of an operation's work one task covers.
public enum WorkRange: Sendable, Hashable {
    /// The whole operation (it does not decompose, or runs on one worker).
    case whole
    /// Nodes `range` (dense indices): per-node answers computed independently
    /// (degrees), whose rows append in task order.
    case nodes(Range<Int>)
    /// Source vertices `range` of the s-line graph: BFS sources, line-graph rows,
    /// component unions.
    case sources(Range<Int>)
    /// Part `index` of `count` of a query's scan (its share of the row groups, or of the
    /// slices of a table in memory).
    case part(index: Int, count: Int)
}

/// One task of a planned operation.
public struct OperationTask: Sendable, Hashable {
    /// The operation the task is part of.
    public var operation: Operation
    /// The work it covers.
    public var range: WorkRange
    /// Its position among the plan's tasks (partials merge in this order where order
    /// matters: line-graph rows, reach summaries).
    public var index: Int

    public init(operation: Operation, range: WorkRange, index: Int) {
        self.operation = operation
        self.range = range
        self.index = index
    }
}

/// Splits an operation into tasks: over nodes for per-node answers (degrees), over
/// ranges of source vertices for the global ones (line-graph rows, component unions, BFS
/// sources), whole for the rest. Compute workers and the in-process executor share it, so
/// an answer does not depend on where its parts ran.
public enum Planner {
    /// The tasks of `operation` on a hypergraph of `h`'s shape, in at most `parts` parts.
    /// Source ranges split at multiples of `SLineGraph.betweennessBlock`, so that every
    /// part sums whole blocks.
    public static func tasks(for operation: Operation, on h: Hypergraph, parts: Int) throws(OperationError) -> [OperationTask] {
        try tasks(for: operation, edgeCount: h.edgeCount, nodeCount: h.nodeCount, parts: parts)
    }

    /// The tasks of `operation` on a hypergraph of `edgeCount` edges and `nodeCount`
    /// nodes (a dataset version's manifest gives both), in at most `parts` parts: what the
    /// gateway plans before any worker has built the hypergraph.
    public static func tasks(for operation: Operation, edgeCount: Int, nodeCount: Int, parts: Int) throws(OperationError) -> [OperationTask] {
        try operation.validate()
        guard parts >= 1 else { throw OperationError(.invalidArgument, "a plan needs at least one part (got \(parts))") }
        func make(_ ranges: [WorkRange]) -> [OperationTask] {
            ranges.enumerated().map { OperationTask(operation: operation, range: $1, index: $0) }
        }
        switch operation {
        case .degree(_, _, let nodes) where nodes.isEmpty:
            return make(split(nodeCount, parts, block: 1).map(WorkRange.nodes))
        case .components(let s, let vertices, _):
            let count = s == 1 ? edgeCount : (vertices == .edges ? edgeCount : nodeCount)
            return make(split(count, parts, block: 1).map(WorkRange.sources))
        case .lineGraph(_, let vertices), .diameter(_, let vertices, _):
            return make(split(vertices == .edges ? edgeCount : nodeCount, parts, block: 1).map(WorkRange.sources))
        case .centrality(let measure, _, let vertices, _, _, _, _, _, nil) where measure.isS:
            let block = measure == .betweenness ? SLineGraph.betweennessBlock : 1
            return make(split(vertices == .edges ? edgeCount : nodeCount, parts, block: block).map(WorkRange.sources))
        default:
            return make([.whole])
        }
    }

    /// Whether the tasks of `operation` answer rows of the answer itself, appended in task
    /// order (`PartialResult.result`): a merge then needs no hypergraph, and a gateway
    /// passes the rows through as they came. Component unions, betweenness sums and BFS
    /// summaries merge over the hypergraph instead.
    public static func mergesByAppending(_ operation: Operation) -> Bool {
        switch operation {
        case .components, .diameter: false
        case .centrality(let measure, _, _, _, _, _, _, _, let approximation): !measure.isS || approximation != nil
        default: true
        }
    }

    /// The tasks of a query whose plan is `frame`, in `parts` parts (one when the plan
    /// does not stream from a scan, so that splitting it would only repeat work).
    public static func tasks(forQuery spec: QuerySpec, frame: LazyFrame, parts: Int) throws -> [OperationTask] {
        try spec.validate()
        guard parts >= 1 else { throw OperationError(.invalidArgument, "a plan needs at least one part (got \(parts))") }
        // More parts than a scan has morsels leave parts empty; a plan is capped well above
        // any worker count.
        let count = try frame.splits() ? Swift.min(parts, Planner.maximumQueryParts) : 1
        return (0..<count).map { OperationTask(operation: .query(spec), range: .part(index: $0, count: count), index: $0) }
    }

    /// The most parts a query is split into.
    public static let maximumQueryParts = 4096

    /// `0 ..< count` in at most `parts` nearly equal ranges cut at multiples of `block`
    /// (one empty range when `count` is 0).
    static func split(_ count: Int, _ parts: Int, block: Int) -> [Range<Int>] {
        let blocks = (count + block - 1) / block
        let n = Swift.max(1, Swift.min(parts, blocks))
        return (0..<n).map { p in
            Swift.min(count, blocks * p / n * block)..<Swift.min(count, blocks * (p + 1) / n * block)
        }
    }
}
