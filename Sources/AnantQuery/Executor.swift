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

    public init() {}
}

/// Runs optimised plans. A plan is cut into pipelines at the operators that need all
/// their input (aggregate, sort, top-k, limit, and the build side of a join); a pipeline
/// streams morsels (a row group of a Parquet file, or a slice of a table in memory)
/// through its filters, projections and join probes on every core into its sink.
final class Executor: Sendable {
    private let counters = Mutex(ScanStatistics())
    let options: QueryOptions

    init(options: QueryOptions = QueryOptions()) {
        self.options = options
    }

    var statistics: ScanStatistics { counters.withLock { $0 } }

    /// Rows per morsel of a table in memory.
    static let memoryMorselRows = 1 << 17

    // MARK: Plans

    func run(_ node: LazyFrame.Node) throws(QueryError) -> RecordBatch {
        switch node {
        case .aggregate(let input, let keys, let aggregations):
            if let eager = try eagerAggregate(input, keys: keys, aggregations: aggregations) { return eager }
            return try aggregate(try pipeline(input), keys: keys, aggregations: aggregations)
        case .sort(let input, let keys):
            let batch = try collect(try pipeline(input))
            return batch.gather(try Sorting.order(batch, keys))
        case .topK(let input, let keys, let n):
            let p = try pipeline(input)
            let partial = try drive(p) { _, batch throws(QueryError) in batch.gather(try Sorting.top(n, batch, keys)) }
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

    private func pipeline(_ node: LazyFrame.Node) throws(QueryError) -> Pipeline {
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
            let build = try JoinBuild(try run(right), keys: rightOn, probeKeys: leftOn, kind: kind)
            var p = try pipeline(left)
            p.steps.append(.probe(build))
            return p
        case .aggregate, .sort, .topK, .limit:
            return Pipeline(source: .batch(try run(node)))
        }
    }

    // MARK: Morsels

    private enum Morsel {
        /// `wide`: too few row groups to keep every core busy, so a row group's columns
        /// decode in parallel.
        case rowGroup(file: Int, group: Int, wide: Bool)
        case rows(Range<Int>)
    }

    private func morsels(_ p: Pipeline) throws(QueryError) -> [Morsel] {
        switch p.source {
        case .batch(let batch):
            let size = Executor.memoryMorselRows
            if batch.rowCount <= size { return [.rows(0..<batch.rowCount)] }
            return stride(from: 0, to: batch.rowCount, by: size).map { .rows($0..<min($0 + size, batch.rowCount)) }
        case .parquet(let readers, _, let filter):
            let pruning = filter.flatMap(Optimizer.prunePredicate)
            let equalities = filter.map(Optimizer.equalityTests) ?? []
            var out = [Morsel]()
            var total = 0, skipped = 0, dictionaryBytes = 0
            for (f, reader) in readers.enumerated() {
                total += reader.metadata.rowGroups.count
                for g in reader.rowGroups(matching: pruning) where reader.metadata.rowGroups[g].numRows > 0 {
                    let (excluded, bytes) = try Executor.dictionaryExcludes(reader, g, equalities)
                    dictionaryBytes += bytes
                    if excluded { skipped += 1 } else { out.append(.rowGroup(file: f, group: g, wide: false)) }
                }
            }
            if out.count < 2 * Parallel.processorCount {
                out = out.map { if case .rowGroup(let f, let g, _) = $0 { return .rowGroup(file: f, group: g, wide: true) }; return $0 }
            }
            counters.withLock { [skipped, dictionaryBytes] in
                $0.rowGroups += total
                $0.rowGroupsSkippedByDictionary += skipped
                $0.bytesRead += dictionaryBytes
            }
            return out
        }
    }

    /// Whether a row group's dictionaries rule out an equality conjunct of the filter
    /// (none of its values occurs in the column), and the dictionary bytes read to tell.
    static func dictionaryExcludes(_ reader: ParquetFileReader, _ group: Int,
                                   _ equalities: [(column: String, values: [ScalarValue])]) throws(QueryError) -> (Bool, Int) {
        var bytes = 0
        for (column, values) in equalities {
            let found: (values: Column, bytes: Int)?
            do { found = try reader.dictionary(rowGroup: group, column: column) } catch {
                throw QueryError(.source, "\((reader.source as? MappedFileSource)?.path ?? "file"), row group \(group): \(error.message)")
            }
            guard let found else { continue }
            bytes += found.bytes
            let present = values.contains { value in
                !value.isNull && ((try? found.values.matching(.equal, value).setCount) ?? 1) > 0
            }
            if !present { return (true, bytes) }
        }
        return (false, bytes)
    }

    /// The morsel's rows after the pipeline's steps.
    private func produce(_ p: Pipeline, _ morsel: Morsel?) throws(QueryError) -> RecordBatch {
        try produceView(p, morsel).materialize()
    }

    /// The morsel's rows after the pipeline's steps, not yet copied out.
    private func produceView(_ p: Pipeline, _ morsel: Morsel?) throws(QueryError) -> MorselView {
        var view: MorselView
        var steps = p.steps[...]
        switch (p.source, morsel) {
        case (.batch(let all), .rows(let range)?):
            if range == 0..<all.rowCount {
                view = MorselView(base: all, rows: nil, shared: true)
            } else if p.steps.isEmpty {
                view = MorselView(base: all.slice(range), rows: nil)
            } else if case .filter(let predicate) = p.steps[0] {
                // Only the filter's columns are copied out of the table; the selection
                // then names the matching rows of the table itself.
                let tested = try MorselView(base: all, rows: nil).columns(predicate.columns.sorted())
                let slice = tested.schema.count == 0 ? RecordBatch.empty(rowCount: range.count) : tested.slice(range)
                let offset = Int32(range.lowerBound)
                view = MorselView(base: all, rows: try predicate.selection(slice).setIndices().map { Int32($0) + offset }, shared: true)
                steps = steps.dropFirst()
            } else {
                // The steps narrow a selection of the table; nothing is copied until the end.
                view = MorselView(base: all, rows: range.map { Int32($0) }, shared: true)
            }
        case (.batch(let all), _):
            view = MorselView(base: all.slice(0..<0), rows: nil)
        case (.parquet(let readers, let columns, let filter), .rowGroup(let f, let g, let wide)?):
            view = try scan(readers[f], path: f, group: g, columns: columns, filter: filter, parallel: wide)
        case (.parquet(let readers, let columns, _), _):
            // No row group can match: an empty batch with the scan's columns.
            let schema = readers[0].columnarSchema
            var named = [(String, Column)]()
            for name in columns {
                guard let field = schema.field(named: name) else { throw QueryError(.unknownColumn, "unknown column '\(name)'") }
                named.append((name, .nulls(field.type, count: 0)))
            }
            view = MorselView(base: try Executor.batch(named), rows: nil)
        }
        for step in steps {
            switch step {
            case .filter(let predicate):
                try view.filter(predicate)
            case .select(let columns, false) where columns.allSatisfy({ $0.1 == .column($0.0) }):
                // Columns passed through: the selection stays a selection.
                try view.project(columns.map(\.0))
            case .select(let columns, let keepInput):
                let batch = view.materialize()
                var out = keepInput ? batch : RecordBatch.empty(rowCount: batch.rowCount)
                for (name, expr) in columns {
                    let column = try expr.evaluate(batch)
                    do { out = try out.setting(name, column) } catch { throw QueryError(.invalidArgument, error.message) }
                }
                view = MorselView(base: out, rows: nil)
            case .probe(let build):
                view = try build.probe(view)
            }
        }
        return view
    }

    /// Reads one row group: the filter's columns first, the others only for matching rows.
    private func scan(_ reader: ParquetFileReader, path: Int, group: Int, columns: [String], filter: Expr?, parallel: Bool) throws(QueryError) -> MorselView {
        // The row group's file pages leave resident memory once decoded: a scan holds what
        // it decoded, not the part of the file it has passed.
        defer { reader.releasePages(rowGroup: group) }
        do {
            let rows = Int(reader.metadata.rowGroups[group].numRows)
            guard let filter else {
                let batch = try reader.readRowGroup(group, columns: columns, parallel: parallel)
                let bytes = try reader.compressedBytes(rowGroup: group, columns: columns)
                counters.withLock { $0.rowGroupsRead += 1; $0.bytesRead += bytes; $0.rowsRead += rows }
                return MorselView(base: batch, rows: nil)
            }
            let tested = filter.columns.sorted()
            let first = try reader.readRowGroup(group, columns: tested, parallel: parallel)
            var bytes = try reader.compressedBytes(rowGroup: group, columns: tested)
            let selection = try filter.selection(first)
            let matches = selection.setCount
            let rest = columns.filter { !tested.contains($0) }
            var second: RecordBatch? = nil
            if matches > 0 && !rest.isEmpty {
                second = try reader.readRowGroup(group, columns: rest, parallel: parallel)
                bytes += try reader.compressedBytes(rowGroup: group, columns: rest)
            }
            counters.withLock { [bytes] in $0.rowGroupsRead += 1; $0.bytesRead += bytes; $0.rowsRead += rows }
            if matches == 0 {
                let schema = reader.columnarSchema
                return MorselView(base: try Executor.batch(columns.map { ($0, .nulls(schema.field(named: $0)?.type ?? .int64, count: 0)) }), rows: nil)
            }
            // The decoded columns and the matching rows: gathered once, at the pipeline's end.
            var named = [(String, Column)]()
            for name in columns { named.append((name, try (tested.contains(name) ? first : second ?? first).column(named: name))) }
            return MorselView(base: try Executor.batch(named), rows: matches == rows ? nil : selection.setIndices().map { Int32($0) })
        } catch let error as ParquetError {
            throw QueryError(.source, "\((reader.source as? MappedFileSource)?.path ?? "file \(path)"), row group \(group): \(error.message)")
        } catch let error as ColumnarError {
            throw QueryError(.source, error.message)
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError(.source, "\(error)")
        }
    }

    static func batch(_ named: [(String, Column)]) throws(QueryError) -> RecordBatch {
        do { return try RecordBatch(named) } catch { throw QueryError(.invalidArgument, error.message) }
    }

    /// Runs the pipeline on every core, `consume(worker, batch)` for each morsel's output;
    /// the values it returns in morsel order. A pipeline with no morsel runs once on an
    /// empty batch, so that its output has its columns.
    private func drive<T>(_ p: Pipeline, _ consume: @Sendable (_ worker: Int, RecordBatch) throws(QueryError) -> T) throws(QueryError) -> [T] {
        try drive(p, produce: produce, consume)
    }

    private func drive<M, T>(_ p: Pipeline, produce: @Sendable (Pipeline, Morsel?) throws(QueryError) -> M,
                             _ consume: @Sendable (_ worker: Int, M) throws(QueryError) -> T) throws(QueryError) -> [T] {
        let list = try morsels(p)
        if list.isEmpty { return [try consume(0, try produce(p, nil))] }
        let work = UncheckedSendable(list)
        var outcomes = [Result<T, QueryError>?](repeating: nil, count: list.count)
        let workers = try concurrency(p, list)
        outcomes.withUnsafeMutableBufferPointer { slots in
            let out = SharedBuffer(slots)
            Parallel.forEachChunk(count: list.count, chunk: 1, workers: workers) { worker, range in
                for m in range {
                    out[m] = Result { () throws(QueryError) -> T in try consume(worker, try produce(p, work.value[m])) }
                }
            }
        }
        var values = [T]()
        values.reserveCapacity(list.count)
        for outcome in outcomes { values.append(try outcome!.get()) }
        return values
    }

    /// How many morsels may be decoded at once under the memory budget: a row group's
    /// columns take about their uncompressed size decoded, and as much again while the
    /// filter's matches are gathered.
    private func concurrency(_ p: Pipeline, _ list: [Morsel]) throws(QueryError) -> Int {
        guard let budget = options.memoryBudget, case .parquet(let readers, let columns, let filter) = p.source else { return Parallel.processorCount }
        let names = Array(Set(columns).union(filter?.columns ?? []))
        var largest = 1
        for morsel in list {
            guard case .rowGroup(let f, let g, _) = morsel else { continue }
            var bytes = 0
            for name in names {
                guard let field = readers[f].schema.fields.firstIndex(where: { $0.name == name }) else { continue }
                for leaf in readers[f].schema.columns(ofField: field) {
                    bytes += Int(readers[f].metadata.rowGroups[g].columns[leaf.index].metaData?.totalUncompressedSize ?? 0)
                }
            }
            largest = max(largest, 2 * bytes)
        }
        return max(1, min(Parallel.processorCount, budget / largest))
    }

    // MARK: Sinks

    /// Every row of the pipeline: the morsels' selections, then one copy into the result.
    private func collect(_ p: Pipeline) throws(QueryError) -> RecordBatch {
        if case .batch(let batch) = p.source, p.steps.isEmpty { return batch }
        // A morsel keeps its source columns until the result is assembled only when most of
        // their rows survive (and no memory budget asks otherwise); a selective morsel is
        // copied out at once, so memory stays bounded by what the query returns.
        let deferrable = options.memoryBudget == nil
        return MorselView.assemble(try drive(p, produce: produceView) { _, view in
            deferrable && view.cheapToHold ? view : MorselView(base: view.materialize(), rows: nil)
        })
    }

    /// The first `n` rows: morsels run a wave at a time, in order, until enough rows came.
    private func limit(_ p: Pipeline, _ n: Int) throws(QueryError) -> RecordBatch {
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
            let results = Parallel.results(count: wave.count) { k throws(QueryError) in try self.produce(p, wave[k]) }
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
    private func eagerAggregate(_ input: LazyFrame.Node, keys: [String], aggregations: [Aggregation]) throws(QueryError) -> RecordBatch? {
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
        let build = try JoinBuild(try run(right), keys: rightOn, probeKeys: leftOn, kind: kind)
        var joined = Pipeline(source: .batch(pre))
        joined.steps = [.probe(build)]
        let grouped = try aggregate(joined, keys: keys, aggregations: finals)
        var named = [(String, Column)]()
        for key in keys { named.append((key, try grouped.requireColumn(key))) }
        for (i, a) in aggregations.enumerated() {
            var column = try grouped.requireColumn("__final\(i)")
            if a.function == .mean {
                let sums = try Accumulator.doubles(column), counts = try Accumulator.integers(try grouped.requireColumn("__final\(i)n"))
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
    private func aggregate(_ p: Pipeline, keys: [String], aggregations: [Aggregation]) throws(QueryError) -> RecordBatch {
        final class Partial: @unchecked Sendable {
            var table: KeyTable? = nil
            var accumulators: [Accumulator] = []
        }
        let partials = (0..<Parallel.processorCount).map { _ in Partial() }
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
                for (a, input) in zip(aggregations, inputs) { partial.accumulators.append(try Accumulator.make(a, input?.dataType)) }
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
