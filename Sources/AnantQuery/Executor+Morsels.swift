import AnantColumnar
import AnantParquet

/// Morsels and the scans that produce them.
extension Executor {
    // MARK: Morsels

    enum Morsel {
        /// `wide`: too few row groups to keep every core busy, so a row group's columns
        /// decode in parallel.
        case rowGroup(file: Int, group: Int, wide: Bool)
        case rows(Range<Int>)
    }

    func morsels(_ p: Pipeline) throws(QueryError) -> [Morsel] {
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
            if out.count < 2 * context.threads {
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
    func produce(_ p: Pipeline, _ morsel: Morsel?) throws(QueryError) -> RecordBatch {
        try produceView(p, morsel).materialize()
    }

    /// The morsel's rows after the pipeline's steps, not yet copied out.
    func produceView(_ p: Pipeline, _ morsel: Morsel?) throws(QueryError) -> MorselView {
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
    func scan(_ reader: ParquetFileReader, path: Int, group: Int, columns: [String], filter: Expr?, parallel: Bool) throws(QueryError) -> MorselView {
        // The row group's file pages leave resident memory once decoded: a scan holds what
        // it decoded, not the part of the file it has passed.
        defer { reader.releasePages(rowGroup: group) }
        readers.withLock { $0[reader.identity] = reader }
        do {
            let rows = Int(reader.metadata.rowGroups[group].numRows)
            guard let filter else {
                let batch = try reader.readRowGroup(group, columns: columns, parallel: parallel)
                let bytes = try reader.compressedBytes(rowGroup: group, columns: columns)
                counters.withLock { $0.rowGroupsRead += 1; $0.bytesRead += bytes; $0.rowsRead += rows }
                return MorselView(base: batch, rows: nil)
            }
            let tested = filter.columns.sorted()
            // A filter on one column whose bounds Parquet statistics can test skips that
            // column's pages whose header statistics rule the filter out (no row there passes).
            var (first, skipped) = try reader.readFilterColumns(tested, rowGroup: group, pruning: Optimizer.prunePredicate(filter),
                                                                parallel: parallel)
            var selection = try filter.selection(first)
            for range in skipped { selection.clear(range) }
            var bytes = try reader.compressedBytes(rowGroup: group, columns: tested)
            let matches = selection.setCount
            let rest = columns.filter { !tested.contains($0) }
            if matches == 0 {
                counters.withLock { [bytes] in $0.rowGroupsRead += 1; $0.bytesRead += bytes; $0.rowsRead += rows }
                let schema = reader.columnarSchema
                return MorselView(base: try Executor.batch(columns.map { ($0, .nulls(schema.field(named: $0)?.type ?? .int64, count: 0)) }), rows: nil)
            }
            var second: RecordBatch? = nil
            var matching: [Int]? = nil
            if !rest.isEmpty {
                if matches < rows {
                    // The other columns at the matching rows only (pages without one stay compressed).
                    let indices = selection.setIndices()
                    second = try reader.readRowGroup(group, columns: rest, rows: indices, parallel: parallel)
                    first = first.gather(indices)
                    matching = indices
                } else {
                    second = try reader.readRowGroup(group, columns: rest, parallel: parallel)
                }
                bytes += try reader.compressedBytes(rowGroup: group, columns: rest)
            }
            counters.withLock { [bytes] in $0.rowGroupsRead += 1; $0.bytesRead += bytes; $0.rowsRead += rows }
            var named = [(String, Column)]()
            for name in columns { named.append((name, try (tested.contains(name) ? first : second ?? first).column(named: name))) }
            // Without other columns, the tested ones and the matching rows: gathered once, at the pipeline's end.
            let selected = matching != nil || matches == rows ? nil : selection.setIndices().map { Int32($0) }
            return MorselView(base: try Executor.batch(named), rows: selected)
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

    /// Runs the pipeline on every core, `consume(slot, morsel, batch)` for each morsel's
    /// output (`morsel` its index in the scan); the values it returns in morsel order. With
    /// `part`, only that part's share of the morsels runs. `slot` is the worker; with
    /// `contiguous`, the morsels are cut into one run per worker instead and `slot` numbers
    /// the run (runs in morsel order, each taken in order by one worker) — what an
    /// order-sensitive sink needs. A pipeline (or part) with no morsel runs once on an
    /// empty batch, so that its output has its columns.
    func drive<T>(_ p: Pipeline, part: QueryPart? = nil, contiguous: Bool = false,
                  _ consume: @Sendable (_ slot: Int, _ morsel: Int, RecordBatch) throws(QueryError) -> T) throws(QueryError) -> [T] {
        try drive(p, part: part, contiguous: contiguous, produce: produce, consume)
    }

    func drive<M, T>(_ p: Pipeline, part: QueryPart? = nil, contiguous: Bool = false, produce: @Sendable (Pipeline, Morsel?) throws(QueryError) -> M,
                     _ consume: @Sendable (_ slot: Int, _ morsel: Int, M) throws(QueryError) -> T) throws(QueryError) -> [T] {
        let list = try morsels(p)
        let range = part?.share(of: list.count) ?? 0..<list.count
        if range.isEmpty { return [try consume(0, range.lowerBound, try produce(p, nil))] }
        let work = UncheckedSendable(list)
        var outcomes = [Result<T, QueryError>?](repeating: nil, count: range.count)
        let workers = try concurrency(p, Array(list[range]))
        let chunk = contiguous ? (range.count + workers - 1) / workers : 1
        let first = range.lowerBound
        let context = self.context
        try outcomes.withUnsafeMutableBufferPointer { slots throws(QueryError) in
            let out = SharedBuffer(slots)
            try context.forEachChunk(count: range.count, chunk: chunk, workers: workers, as: QueryError.self) { worker, run in
                let slot = contiguous ? run.lowerBound / chunk : worker
                for k in run {
                    if context.isStopped { return }
                    let m = first + k
                    out[k] = Result { () throws(QueryError) -> T in try consume(slot, m, try produce(p, work.value[m])) }
                }
            }
        }
        var values = [T]()
        values.reserveCapacity(range.count)
        for outcome in outcomes { values.append(try outcome!.get()) }
        return values
    }

    /// How many morsels may be decoded at once under the memory budget: a row group's
    /// columns take about their uncompressed size decoded, and as much again while the
    /// filter's matches are gathered.
    func concurrency(_ p: Pipeline, _ list: [Morsel]) throws(QueryError) -> Int {
        guard let budget = context.memoryBudget, case .parquet(let readers, let columns, let filter) = p.source else { return context.threads }
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
        return max(1, min(context.threads, budget / largest))
    }
}
