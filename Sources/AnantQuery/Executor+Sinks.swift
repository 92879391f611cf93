import AnantColumnar
import AnantParquet

/// The operators that end pipelines: collect, limit, group-by.
extension Executor {
    // MARK: Sinks

    /// Every row of the pipeline: the morsels' selections, then one copy into the result.
    func collect(_ p: Pipeline) throws(QueryError) -> RecordBatch {
        if case .batch(let batch) = p.source, p.steps.isEmpty { return batch }
        // A morsel keeps its source columns until the result is assembled only when most of
        // their rows survive (and no memory budget asks otherwise); a selective morsel is
        // copied out at once, so memory stays bounded by what the query returns.
        let deferrable = options.context.memoryBudget == nil
        return MorselView.assemble(try drive(p, produce: produceView) { _, view in
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
    /// aggregate reads the left side and is count, sum, mean, min or max, the left rows are
    /// grouped by the join keys (and any left group keys) before they meet the right side,
    /// and the partial results are combined after: every left row of a partial group meets
    /// the same right rows, so sums of counts and sums, and extremes of extremes, give the
    /// same answer, whatever the join's multiplicity. A join of ten million incidences to
    /// their edges then moves a row per edge instead of a row per incidence.
    func eagerAggregate(_ input: LazyFrame.Node, keys: [String], aggregations: [Aggregation]) throws(QueryError) -> RecordBatch? {
        var input = input
        // The optimiser's trimming selection (columns passed through) does not matter here.
        if case .select(let inner, let columns, _) = input, columns.allSatisfy({ $0.1 == .column($0.0) }) { input = inner }
        guard case .join(let left, let right, let leftOn, let rightOn, let kind) = input else { return nil }
        let leftNames = try Optimizer.names(left)
        let rightOutput = Set(Optimizer.joinRightNames(leftNames, try Optimizer.names(right), rightOn).map(\.output))
        let decomposable: Set<AggregateFunction> = [.count, .sum, .mean, .min, .max]
        guard aggregations.allSatisfy({ a in decomposable.contains(a.function) && (a.column.map(leftNames.contains) ?? true) }),
              keys.allSatisfy({ leftNames.contains($0) || rightOutput.contains($0) }),
              keys.contains(where: rightOutput.contains) else { return nil }
        var preKeys = leftOn
        for key in keys where leftNames.contains(key) && !preKeys.contains(key) { preKeys.append(key) }
        var partials = [Aggregation](), finals = [Aggregation]()
        for (i, a) in aggregations.enumerated() {
            switch a.function {
            case .count, .sum:
                partials.append(Aggregation(a.function, a.column, as: "__partial\(i)"))
                finals.append(Aggregation(.sum, "__partial\(i)", as: "__final\(i)"))
            case .min, .max:
                partials.append(Aggregation(a.function, a.column, as: "__partial\(i)"))
                finals.append(Aggregation(a.function, "__partial\(i)", as: "__final\(i)"))
            case .mean:
                partials.append(Aggregation(.sum, a.column, as: "__partial\(i)"))
                partials.append(Aggregation(.count, a.column, as: "__partial\(i)n"))
                finals.append(Aggregation(.sum, "__partial\(i)", as: "__final\(i)"))
                finals.append(Aggregation(.sum, "__partial\(i)n", as: "__final\(i)n"))
            case .nUnique:
                return nil
            }
        }
        let pre = try aggregate(try pipeline(left), keys: preKeys, aggregations: partials)
        let build = try JoinBuild(try run(right), keys: rightOn, probeKeys: leftOn, kind: kind, context: context)
        var joined = Pipeline(source: .batch(pre))
        joined.steps = [.probe(build)]
        let grouped = try aggregate(joined, keys: keys, aggregations: finals)
        var named = [(String, Column)]()
        for key in keys { named.append((key, try grouped.requireColumn(key))) }
        for (i, a) in aggregations.enumerated() {
            var column = try grouped.requireColumn("__final\(i)")
            if a.function == .mean {
                let sums = try Accumulators.doubles(column), counts = try Accumulators.integers(try grouped.requireColumn("__final\(i)n"))
                let valid = counts.map { $0 > 0 }
                column = .double(DoubleColumn(zip(sums, counts).map { $1 > 0 ? $0 / Double($1) : 0 },
                                              validity: valid.allSatisfy { $0 } ? nil : Bitmap(valid)))
            }
            named.append((a.name, column))
        }
        return try Executor.batch(named)
    }

    /// Group-by: each worker aggregates the morsels it takes into its own table, then the
    /// tables merge.
    func aggregate(_ p: Pipeline, keys: [String], aggregations: [Aggregation]) throws(QueryError) -> RecordBatch {
        final class Partial: @unchecked Sendable {
            var table: KeyTable? = nil
            var accumulators: [any Accumulator] = []
        }
        let partials = (0..<context.threads).map { _ in Partial() }
        _ = try drive(p) { worker, batch throws(QueryError) in
            let partial = partials[worker]
            var keyColumns = [Column]()
            for key in keys {
                do { keyColumns.append(try batch.column(named: key)) } catch {
                    throw QueryError(.unknownColumn, "unknown group key '\(key)' (columns: \(batch.schema.names.joined(separator: ", ")))")
                }
            }
            var inputs = [Column?]()
            for a in aggregations {
                guard let name = a.column else { inputs.append(nil); continue }
                do { inputs.append(try batch.column(named: name)) } catch {
                    throw QueryError(.unknownColumn, "unknown column '\(name)' in \(a.function.rawValue)(\(name)) (columns: \(batch.schema.names.joined(separator: ", ")))")
                }
            }
            if partial.table == nil {
                partial.table = KeyTable(types: keyColumns.map(\.dataType))
                for (a, input) in zip(aggregations, inputs) { partial.accumulators.append(try Accumulators.make(a, input?.dataType)) }
            }
            let table = partial.table!
            let groups = try table.insert(keyColumns, rows: batch.rowCount)
            for (accumulator, input) in zip(partial.accumulators, inputs) {
                accumulator.resize(table.count)
                try accumulator.update(groups, input)
            }
        }
        let used = partials.filter { $0.table != nil }
        guard let result = used.first, let table = result.table else {
            throw QueryError(.invalidArgument, "the aggregate saw no input")
        }
        for other in used.dropFirst() {
            let mapping = table.merge(other.table!)
            for (mine, theirs) in zip(result.accumulators, other.accumulators) {
                mine.resize(table.count)
                try mine.merge(theirs, mapping)
            }
        }
        var named = Array(zip(keys, table.keyColumns()))
        for (a, accumulator) in zip(aggregations, result.accumulators) { named.append((a.name, accumulator.finish(groups: table.count))) }
        return try Executor.batch(named)
    }
}
