import AnantColumnar
import AnantParquet

/// The operators that end pipelines: collect, limit, group-by.
extension Executor {
    // MARK: Sinks

    /// Every row of the pipeline: the morsels' selections, then one copy into the result.
    func collect(_ p: Pipeline, part: QueryPart? = nil) throws(QueryError) -> RecordBatch {
        if part == nil, case .batch(let batch) = p.source, p.steps.isEmpty { return batch }
        // A morsel keeps its source columns until the result is assembled only when most of
        // their rows survive (and no memory budget asks otherwise); a selective morsel is
        // copied out at once, so memory stays bounded by what the query returns.
        let deferrable = options.context.memoryBudget == nil
        return MorselView.assemble(try drive(p, part: part, produce: produceView) { _, _, view in
            deferrable && view.cheapToHold ? view : MorselView(base: view.materialize(), rows: nil)
        }, context: options.context)
    }

    /// The first `n` rows: morsels run a wave at a time, in order, until enough rows came.
    func limit(_ p: Pipeline, _ n: Int) throws(QueryError) -> RecordBatch {
        guard n > 0 else { return try collect(p).slice(0..<0) }
        if case .batch(let batch) = p.source, p.steps.isEmpty { return batch.slice(0..<min(n, batch.rowCount)) }
        let list = try morsels(p)
        if list.isEmpty { return try produce(p, nil) }
        var parts = [RecordBatch]()
        var rows = 0
        var next = 0
        let workers = try concurrency(p, list)
        while next < list.count && rows < n {
            let wave = Array(list[next..<min(list.count, next + workers)])
            next += wave.count
            try context.check(QueryError.self)
            let results = context.results(count: wave.count) { k throws(QueryError) in try self.produce(p, wave[k]) }
            for r in results {
                let batch = try r.get()
                parts.append(batch)
                rows += batch.rowCount
            }
        }
        let all = RecordBatch.concatenating(parts)
        return all.slice(0..<min(n, all.rowCount))
    }

    /// Aggregation of a join, grouped below it first ("eager aggregation"): when every
    /// aggregate reads the left side, the left rows are grouped by the join keys (and any
    /// left group keys) before they meet the right side, and each pre-aggregated group's
    /// state is merged into the final groups of the join rows it meets: every left row of
    /// a pre-aggregated group meets the same right rows, so the answer is the same as
    /// grouping the joined rows, whatever the join's multiplicity — exactly, sums of
    /// doubles included, and in the same group order (first rows). A join of ten million
    /// incidences to their edges then moves a row per edge instead of a row per incidence.
    func eagerAggregate(_ input: LazyFrame.Node, keys: [String], aggregations: [Aggregation], part: QueryPart? = nil) throws(QueryError) -> GroupState? {
        var input = input
        // The optimiser's trimming selection (columns passed through) does not matter here.
        if case .select(let inner, let columns, _) = input, columns.allSatisfy({ $0.1 == .column($0.0) }) { input = inner }
        guard case .join(let left, let right, let leftOn, let rightOn, let kind) = input else { return nil }
        let leftNames = try Optimizer.names(left)
        let rightOutput = Set(Optimizer.joinRightNames(leftNames, try Optimizer.names(right), rightOn).map(\.output))
        guard aggregations.allSatisfy({ a in a.column.map(leftNames.contains) ?? true }),
              keys.allSatisfy({ leftNames.contains($0) || rightOutput.contains($0) }),
              keys.contains(where: rightOutput.contains) else { return nil }
        var preKeys = leftOn
        for key in keys where leftNames.contains(key) && !preKeys.contains(key) { preKeys.append(key) }
        let pre = try groupState(try pipeline(left), keys: preKeys, aggregations: aggregations, part: part)
        let build = try JoinBuild(try run(right), keys: rightOn, probeKeys: leftOn, kind: kind, context: context)
        let source = "__pre_aggregated_group"
        var joined = Pipeline(source: .batch(try pre.keyBatch(source: source)))
        joined.steps = [.probe(build)]
        let states = (0..<context.threads).map { _ in GroupState(keys: keys, aggregations: aggregations) }
        _ = try drive(joined, contiguous: true) { run, _, batch throws(QueryError) in try states[run].add(batch, from: pre, source: source) }
        return try merged(states)
    }

    /// The group state of an aggregate's input (of `part`'s share of its morsels, with
    /// one): eagerly below a join where that applies, else by grouping the input's rows.
    func aggregateState(_ input: LazyFrame.Node, keys: [String], aggregations: [Aggregation], part: QueryPart? = nil) throws(QueryError) -> GroupState {
        if let eager = try eagerAggregate(input, keys: keys, aggregations: aggregations, part: part) { return eager }
        return try groupState(try pipeline(input), keys: keys, aggregations: aggregations, part: part)
    }

    /// The merged group state of the pipeline's morsels (of `part`'s share, with one):
    /// one state per contiguous run of morsels, merged in run order, so that groups come
    /// in the order of their first rows.
    func groupState(_ p: Pipeline, keys: [String], aggregations: [Aggregation], part: QueryPart? = nil) throws(QueryError) -> GroupState {
        let states = (0..<context.threads).map { _ in GroupState(keys: keys, aggregations: aggregations) }
        _ = try drive(p, part: part, contiguous: true) { run, _, batch throws(QueryError) in try states[run].add(batch) }
        return try merged(states)
    }

    /// The states of consecutive runs, merged in run order.
    private func merged(_ states: [GroupState]) throws(QueryError) -> GroupState {
        let result = states[0]
        for other in states.dropFirst() { try result.merge(other, context: context) }
        return result
    }
}
