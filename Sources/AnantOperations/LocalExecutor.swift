import AnantColumnar
import AnantHypergraph
import AnantQuery

/// What one task computes: a partial answer that `LocalExecutor.merge` combines with the
/// other tasks' partials (in task order) into the operation's result.
public enum PartialResult: Sendable {
    /// Component unions over a range of sources (merged as sets).
    case components(ComponentPartial)
    /// Betweenness sums over a range of sources (added exactly).
    case betweenness(BetweennessPartial)
    /// Breadth-first-search summaries of a range of sources (concatenated in order).
    case reach([ReachSummary])
    /// Rows of the answer itself: the whole answer of an operation that does not
    /// decompose, or a range's share of one whose rows are computed independently
    /// (degrees of a range of nodes, line-graph rows of a range of sources), appended
    /// in task order.
    case result(OperationResult)
}

/// Runs operations in this process: plans them (`Planner`), runs every task, merges the
/// partials. With `parts` above 1 it runs the same split the gateway fans out to workers,
/// which gives the same answer, byte for byte, as one part.
public struct LocalExecutor: Sendable {
    /// The threads, deadline and cancellation of the work.
    public var context: ExecutionContext

    public init(context: ExecutionContext = .default) {
        self.context = context
    }

    /// The answer of `operation` on `h`, computed in `parts` tasks.
    ///
    /// - Throws: `OperationError` for invalid parameters, the hypergraph's errors for
    ///   unknown ids or disconnected line graphs, `interrupted` when the context stops.
    public func run(_ operation: Operation, on h: Hypergraph, parts: Int = 1) throws -> OperationResult {
        let tasks = try Planner.tasks(for: operation, on: h, parts: parts)
        var partials = [PartialResult]()
        for task in tasks {
            try context.check(OperationError.self)
            partials.append(try run(task, on: h))
        }
        return try merge(operation, partials, on: h)
    }

    /// The answer of `operation` on `input` (a dataset, a file, a hypergraph in memory),
    /// computed in `parts` tasks: queries scan the input's tables, the other operations
    /// its hypergraph.
    public func run(_ operation: Operation, on input: OperationInput, parts: Int = 1) throws -> OperationResult {
        guard case .query(let spec) = operation else { return try run(operation, on: try input.hypergraph(context: context), parts: parts) }
        return try query(spec, on: input, parts: parts).result
    }

    /// A query's answer (a table named `rows`) on `input`, in `parts` tasks, each its
    /// share of the scan's row groups; the partials merge exactly, so the rows are the
    /// same, byte for byte, for any number of parts. Run whole (one part, or a plan that
    /// does not stream), it also reports what the scans read.
    public func query(_ spec: QuerySpec, on input: OperationInput, parts: Int = 1) throws -> (result: OperationResult, statistics: ScanStatistics?) {
        let frame = try spec.frame(on: input, context: context)
        let options = QueryOptions(context: context)
        let tasks = try Planner.tasks(forQuery: spec, frame: frame, parts: parts)
        func rows(_ batch: RecordBatch) -> OperationResult { OperationResult(tables: [NamedTable("rows", batch)]) }
        if tasks.count == 1 {
            let (batch, statistics) = try frame.profile(options: options)
            return (rows(batch), statistics)
        }
        var partials = [QueryPartial]()
        for task in tasks {
            try context.check(OperationError.self)
            guard case .part(let index, let count) = task.range else { continue }
            partials.append(try frame.partial(try QueryPart(index, of: count), options: options))
        }
        return (rows(try frame.merge(partials, options: options)), nil)
    }

    /// One task's partial answer.
    public func run(_ task: OperationTask, on h: Hypergraph) throws -> PartialResult {
        switch (task.operation, task.range) {
        case (.degree(let s, let maxSize, _), .nodes(let range)):
            guard range.lowerBound >= 0, range.upperBound <= h.nodeCount else {
                throw OperationError(.invalidArgument, "degree: the node range \(range.lowerBound)..<\(range.upperBound) is outside the \(h.nodeCount) nodes")
            }
            let degrees = try h.degrees(of: range, s: s, maxSize: maxSize)
            return .result(try Self.table("degrees", [("node", h.ids(Array(range), .nodes)), ("degree", .int64(Int64Column(degrees.map(Int64.init))))]))
        case (.components(let s, let vertices, _), .sources(let range)):
            return .components(try h.sComponentPartial(s: s, edges: vertices == .edges, sources: range, context: context))
        case (.lineGraph(let s, let vertices), .sources(let range)):
            return .result(try Self.pairs(try h.sLinePairs(s: s, edges: vertices == .edges, sources: range, context: context), s: s, vertices, h))
        case (.centrality(.betweenness, let s, let vertices, _, _, _, _, _, nil), .sources(let range)):
            let graph = try h.sLineGraph(s: s, edges: vertices == .edges, context: context)
            return .betweenness(try graph.betweennessPartial(sources: range, context: context))
        case (.centrality(_, let s, let vertices, _, _, _, _, _, nil), .sources(let range)), (.diameter(let s, let vertices, _), .sources(let range)):
            return .reach(try h.sReachSummaries(s: s, edges: vertices == .edges, sources: range, context: context))
        default:
            return .result(try whole(task.operation, on: h))
        }
    }

    /// Combines the tasks' partials, in task order, into the operation's result.
    public func merge(_ operation: Operation, _ partials: [PartialResult], on h: Hypergraph) throws -> OperationResult {
        switch operation {
        case .degree(_, _, let nodes) where nodes.isEmpty:
            let result = try Self.appending(partials, "degree")
            guard let rows = result.table("degrees")?.rowCount, rows == h.nodeCount else { throw Self.misshapen("degree", result.table("degrees")?.rowCount ?? 0, h.nodeCount) }
            return result
        case .components(let s, let vertices, let singletons):
            try Self.requireKinds(partials, "components") { if case .components = $0 { true } else { false } }
            var merged: ComponentPartial? = nil
            let elements = s == 1 ? h.nodeCount : (vertices == .edges ? h.edgeCount : h.nodeCount)
            for case .components(let part) in partials {
                let shape = part.shape
                guard shape.s == s, shape.ofEdges == (vertices == .edges), shape.count == elements else {
                    throw Self.damaged("component partials for \(shape.count) elements at s=\(shape.s), the operation has \(elements) at s=\(s)")
                }
                if merged == nil { merged = part } else { try merged!.merge(part) }
            }
            guard let merged else { throw OperationError(.invalidArgument, "components: no partial to merge") }
            let groups = merged.components(of: h, includeSingletons: singletons)
            return try Self.components(Hypergraph.inNumberingOrder(groups), vertices, h)
        case .lineGraph:
            return try Self.appending(partials, "line-graph")
        case .centrality(let measure, let s, let vertices, let raw, let normalized, let withoutSingletons, let top, let perComponent, nil) where measure.isS:
            let n = vertices == .edges ? h.edgeCount : h.nodeCount
            var values = [Double]()
            if measure == .betweenness {
                try Self.requireKinds(partials, "betweenness") { if case .betweenness = $0 { true } else { false } }
                var total = BetweennessPartial(vertices: n)
                for case .betweenness(let part) in partials {
                    guard part.sums.count == n else { throw Self.misshapen("betweenness", part.sums.count, n) }
                    total.merge(part)
                }
                let factor = raw ? 1 : Self.pairFactor(n)
                values = raw ? total.values : total.values.map { $0 * factor }
            } else {
                let summaries = try Self.reach(partials, n)
                switch measure {
                case .closeness: values = summaries.map { $0.distanceSum > 0 ? Double($0.reached - 1) / Double($0.distanceSum) : 0 }
                case .harmonic:
                    let factor = normalized ? Self.pairFactor(n) : 1
                    values = summaries.map { $0.reciprocalSum * factor }
                default:
                    // Within each component, every vertex's farthest reach is its eccentricity.
                    values = perComponent ? summaries.map { Double($0.farthest) }
                        : try Self.connected(summaries, s: s, vertices, instead: "--components gives eccentricities within each component").map { Double($0.farthest) }
                }
            }
            return try centrality(measure, values, s: s, vertices, withoutSingletons: withoutSingletons, top: top, h)
        case .diameter(let s, let vertices, let perComponent):
            let summaries = try Self.reach(partials, vertices == .edges ? h.edgeCount : h.nodeCount)
            if !perComponent {
                let d = try Self.connected(summaries, s: s, vertices, instead: "--components gives each component's diameter").map(\.farthest).max()!
                return OperationResult(scalars: [NamedScalar("s", .int(Int64(s))), NamedScalar("diameter", .int(Int64(d)))])
            }
            let components = try h.sConnectedComponents(s: s, edges: vertices == .edges, includeSingletons: true, context: context)
            return try Self.diameters(components, summaries, s: s, vertices, h)
        default:
            guard partials.count == 1, case .result(let result) = partials[0] else {
                throw OperationError(.invalidArgument, "\(operation.name): expected one whole partial, got \(partials.count)")
            }
            return result
        }
    }
}

// MARK: Results

extension LocalExecutor {
    static func table(_ name: String, _ columns: [(String, Column)], scalars: [NamedScalar] = []) throws -> OperationResult {
        OperationResult(tables: [NamedTable(name, try RecordBatch(columns))], scalars: scalars)
    }

    static func id(_ id: ElementID) -> ScalarValue {
        switch id {
        case .int(let v): .int(v)
        case .string(let s): .string(s)
        }
    }

    /// HyperNetX's normalising factor 2 / ((n - 1)(n - 2)), 1 for n ≤ 2.
    static func pairFactor(_ count: Int) -> Double { Hypergraph.pairFactor(count) }

    /// The reach summaries of the partials, in order: one per vertex of the `n`.
    static func reach(_ partials: [PartialResult], _ n: Int) throws -> [ReachSummary] {
        try requireKinds(partials, "reach") { if case .reach = $0 { true } else { false } }
        var out = [ReachSummary]()
        for case .reach(let part) in partials { out += part }
        guard out.count == n else { throw misshapen("reach", out.count, n) }
        guard out.allSatisfy({ (1...max(1, n)).contains($0.reached) && (0..<max(1, n)).contains($0.farthest) && $0.distanceSum >= 0 }) else {
            throw damaged("a reach summary outside the \(n) vertices")
        }
        return out
    }

    /// Partials of another kind than the operation's: a worker answered something else.
    /// The `result` partials of a split operation, appended in task order.
    static func appending(_ partials: [PartialResult], _ kind: String) throws -> OperationResult {
        try requireKinds(partials, kind) { if case .result = $0 { true } else { false } }
        var parts = [OperationResult]()
        for case .result(let part) in partials { parts.append(part) }
        return try OperationResult(appending: parts)
    }

    static func requireKinds(_ partials: [PartialResult], _ kind: String, _ matches: (PartialResult) -> Bool) throws {
        guard !partials.isEmpty, partials.allSatisfy(matches) else { throw damaged("expected \(kind) partials, got others") }
    }

    /// Partials that cannot be what a worker computed: damaged on the way, or from
    /// another version (`INTERNAL`: the request itself was fine).
    static func damaged(_ what: String) -> Status {
        Status(.internal, "a task's partial result is damaged: \(what)")
    }

    /// The error of partials that do not fit the hypergraph (from another version, or
    /// damaged on the way).
    static func misshapen(_ kind: String, _ count: Int, _ expected: Int) -> Status {
        damaged("\(kind) partial results cover \(count) vertices, the hypergraph has \(expected)")
    }

    /// The summaries of a connected s-line graph, or HyperNetX's error naming what to do
    /// `instead` when there are several components.
    static func connected(_ summaries: [ReachSummary], s: Int, _ vertices: Vertices, instead: String) throws -> [ReachSummary] {
        guard !summaries.isEmpty, summaries.allSatisfy({ $0.reached == summaries.count }) else {
            let kind = vertices == .edges ? "edge" : "node"
            throw HypergraphError(.notConnected, "the hypergraph is not s-connected for s=\(s): its \(kind) \(s)-line graph has "
                                  + (summaries.isEmpty ? "no vertices" : "several components; \(instead)"))
        }
        return summaries
    }

    /// One row per member: the component's number (1 = largest) and the member's id.
    static func components(_ groups: [[Int]], _ vertices: Vertices, _ h: Hypergraph) throws -> OperationResult {
        var number = [Int64](), members = [Int]()
        for (k, group) in groups.enumerated() {
            number += repeatElement(Int64(k + 1), count: group.count)
            members += group
        }
        return try table("components", [("component", .int64(Int64Column(number))), (String(vertices.rawValue.dropLast()), h.ids(members, vertices))],
                         scalars: [NamedScalar("count", .int(Int64(groups.count)))])
    }

    /// The pairs as a table of required columns (source, target, overlap).
    static func pairs(_ pairs: LinePairs, s: Int, _ vertices: Vertices, _ h: Hypergraph) throws -> OperationResult {
        let (sources, targets) = (h.ids(pairs.sources.map(Int.init), vertices), h.ids(pairs.targets.map(Int.init), vertices))
        let schema = try Schema([Field("source", sources.dataType, nullable: false), Field("target", targets.dataType, nullable: false),
                                 Field("overlap", .int64, nullable: false)])
        let table = try RecordBatch(schema: schema, columns: [sources, targets, .int64(Int64Column(pairs.overlaps.map(Int64.init)))])
        return OperationResult(tables: [NamedTable("pairs", table)],
                               scalars: [NamedScalar("s", .int(Int64(s))), NamedScalar("vertices", .int(Int64(vertices == .edges ? h.edgeCount : h.nodeCount)))])
    }

    /// Components by diameter, largest first: one row per member. Each keeps its number
    /// (`Hypergraph.inNumberingOrder`), the one `components` gives it.
    static func diameters(_ components: [[Int]], _ summaries: [ReachSummary], s: Int, _ vertices: Vertices, _ h: Hypergraph) throws -> OperationResult {
        let components = Hypergraph.inNumberingOrder(components)
        let diameters = components.map { members in members.map { summaries[$0].farthest }.max() ?? 0 }
        let order = components.indices.sorted { diameters[$0] != diameters[$1] ? diameters[$0] > diameters[$1] : $0 < $1 }
        var number = [Int64](), diameter = [Int64](), members = [Int]()
        for c in order {
            number += repeatElement(Int64(c + 1), count: components[c].count)
            diameter += repeatElement(Int64(diameters[c]), count: components[c].count)
            members += components[c]
        }
        return try table("diameters", [("component", .int64(Int64Column(number))), ("diameter", .int64(Int64Column(diameter))),
                                       (String(vertices.rawValue.dropLast()), h.ids(members, vertices))],
                         scalars: [NamedScalar("s", .int(Int64(s))), NamedScalar("maximum", .int(Int64(diameters.max() ?? 0)))])
    }

    /// Vertices by value, best first (ties by index), optionally without those lacking
    /// s-neighbours, the `top` first.
    func centrality(_ measure: CentralityMeasure, _ values: [Double], s: Int, _ vertices: Vertices, withoutSingletons: Bool,
                    top: Int?, _ h: Hypergraph) throws -> OperationResult {
        var kept = Array(values.indices)
        if withoutSingletons && measure.isS {
            let lonely = Set(try h.sConnectedComponents(s: s, edges: vertices == .edges, includeSingletons: true, context: context)
                .filter { $0.count == 1 }.map { $0[0] })
            kept.removeAll { lonely.contains($0) }
        }
        kept.sort { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
        if let top { kept = Array(kept.prefix(top)) }
        let column: Column = measure == .eccentricity ? .int64(Int64Column(kept.map { Int64(values[$0]) }))
            : .double(DoubleColumn(kept.map { values[$0] }))
        return try Self.table("centrality", [(String(vertices.rawValue.dropLast()), h.ids(kept, vertices)), (measure.rawValue, column)])
    }
}

// MARK: Streamed line graphs

extension LocalExecutor {
    /// Writes the s-line graph's pairs (the table `line-graph` answers) to `path`, block of
    /// sources by block: each block's pairs are found, written and dropped before the
    /// next, so memory holds one block (about `blockEntries` neighbour entries, estimated
    /// from the degrees; fewer under the context's memory budget), not the graph. The
    /// file holds the same rows, in the same order, as the answer gathered whole.
    public func writeLineGraph(s: Int, of vertices: Vertices, on h: Hypergraph, to path: String,
                               blockEntries: Int = 1 << 22) throws -> (pairs: Int, vertices: Int) {
        try Operation.lineGraph(s: s, of: vertices).validate()
        let edges = vertices == .edges
        let n = edges ? h.edgeCount : h.nodeCount
        // A pair costs about 36 bytes in a block (12 found, 24 in the table), beside 16
        // bytes per vertex that the budget check counts for every block.
        var block = Swift.max(1, blockEntries)
        if let budget = context.memoryBudget {
            let available = (budget - 16 * n) / 36
            guard available > 0 else {
                throw HypergraphError(.tooLarge, "line-graph: the memory budget of \(budget >> 20) MiB does not hold the index of its \(n) \(vertices.rawValue) (16 bytes each) beside any pairs; raise --memory-budget")
            }
            block = Swift.min(block, available)
        }
        let empty = try Self.pairs(LinePairs(), s: s, vertices, h)
        guard let schema = empty.tables.first?.table.schema else { throw OperationError(.invalidArgument, "line-graph: no pairs table") }
        let writer = try TableFileWriter(path: path, schema: schema)
        // One display for the whole write: the blocks' own loops report to nobody.
        var quiet = context
        quiet.progress = nil
        context.progress?.begin(total: n)
        var start = 0
        while start < n {
            try context.check(OperationError.self)
            var end = start, entries = 0
            while end < n {
                let next = h.sLineEntryBound(s: s, edges: edges, sources: end..<(end + 1))
                if end > start && entries + next > block { break }
                entries += next
                end += 1
            }
            let pairs = try h.sLinePairs(s: s, edges: edges, sources: start..<end, gathered: false, context: quiet)
            if pairs.count > 0, let table = try Self.pairs(pairs, s: s, vertices, h).tables.first?.table { try writer.write(table) }
            context.progress?.advance(end - start)
            start = end
        }
        try writer.close()
        return (writer.rows, n)
    }
}
