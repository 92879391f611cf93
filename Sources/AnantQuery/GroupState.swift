import AnantColumnar

/// The running state of a group-by: its key table and one accumulator per aggregate. A
/// key table numbers groups in the order their first rows arrive, so a state built from a
/// contiguous run of morsels, in morsel order, holds its groups in first-row order; and
/// merging the states of consecutive runs in run order (workers' chunks, then the parts of
/// a split query) appends each run's new groups in that order. The result's groups are
/// then in the order of their first rows, whatever the thread count or the split.
final class GroupState: @unchecked Sendable {
    let keys: [String]
    let aggregations: [Aggregation]
    /// Nil until the first batch fixes the key types.
    private(set) var table: KeyTable?
    private(set) var accumulators: [any Accumulator] = []

    /// The groups so far.
    var count: Int { table?.count ?? 0 }

    init(keys: [String], aggregations: [Aggregation]) {
        self.keys = keys
        self.aggregations = aggregations
    }

    /// The group of every row of `batch` (creating groups as they come), sized state.
    private func groups(_ batch: RecordBatch, like pre: GroupState? = nil) throws(QueryError) -> [Int32] {
        var keyColumns = [Column]()
        for key in keys {
            do { keyColumns.append(try batch.column(named: key)) } catch {
                throw QueryError(.unknownColumn, "unknown group key '\(key)' (columns: \(batch.schema.names.joined(separator: ", ")))")
            }
        }
        if table == nil {
            table = KeyTable(types: keyColumns.map(\.dataType))
            if let pre { accumulators = pre.accumulators.map { $0.emptyCopy() } }
            for a in aggregations where pre == nil {
                let type = a.column.flatMap { try? batch.column(named: $0).dataType }
                if a.column != nil && type == nil { throw unknown(a, batch) }
                accumulators.append(try Accumulators.make(a, type))
            }
        }
        let ids = try table!.insert(keyColumns, rows: batch.rowCount)
        for accumulator in accumulators { accumulator.resize(table!.count) }
        return ids
    }

    private func unknown(_ a: Aggregation, _ batch: RecordBatch) -> QueryError {
        let name = a.column ?? "*"
        return QueryError(.unknownColumn, "unknown column '\(name)' in \(a.function.rawValue)(\(name)) (columns: \(batch.schema.names.joined(separator: ", ")))")
    }

    /// Adds the rows of the next morsel of this state's run.
    func add(_ batch: RecordBatch) throws(QueryError) {
        let ids = try groups(batch)
        for (a, accumulator) in zip(aggregations, accumulators) {
            var input: Column? = nil
            if let name = a.column {
                do { input = try batch.column(named: name) } catch { throw unknown(a, batch) }
            }
            try accumulator.update(ids, input)
        }
    }

    /// Adds pre-aggregated groups: row k of `batch` carries, in column `source`, the group
    /// of `pre` (a state of the same aggregates) whose values it brings (eager aggregation
    /// below a join; a group may arrive on several rows).
    func add(_ batch: RecordBatch, from pre: GroupState, source: String) throws(QueryError) {
        let targets = try groups(batch, like: pre)
        guard case .int64(let column) = try batch.requireColumn(source) else {
            throw QueryError(.invalidArgument, "the pre-aggregated group column '\(source)' is not Int64")
        }
        let sources = column.values.map { Int32(truncatingIfNeeded: $0) }
        for (mine, theirs) in zip(accumulators, pre.accumulators) { try mine.merge(theirs, into: targets, from: sources) }
    }

    /// Adds the state of the run that follows this one's (its new groups come after
    /// this one's, in its order), within `context`'s threads.
    func merge(_ other: GroupState, context: ExecutionContext) throws(QueryError) {
        guard let theirs = other.table else { return }
        guard let table else {
            table = theirs
            accumulators = other.accumulators
            return
        }
        let mapping = table.merge(theirs, context: context)
        for (mine, others) in zip(accumulators, other.accumulators) {
            mine.resize(table.count)
            try mine.merge(others, into: mapping, from: nil)
        }
    }

    /// Sets the key table and the accumulators (a state that crossed the wire).
    func restore(table: KeyTable, accumulators: [any Accumulator]) {
        self.table = table
        self.accumulators = accumulators
    }

    /// The groups, in id order: the key columns, then one column per aggregate.
    func finish() throws(QueryError) -> RecordBatch {
        guard let table else { throw QueryError(.invalidArgument, "the aggregate saw no input") }
        var named = Array(zip(keys, table.keyColumns()))
        for (a, accumulator) in zip(aggregations, accumulators) { named.append((a.name, try accumulator.finish(groups: table.count))) }
        return try Executor.batch(named)
    }

    /// The groups' key columns (in id order) and a column of their ids, named `source`:
    /// the input of a join that meets pre-aggregated groups.
    func keyBatch(source: String) throws(QueryError) -> RecordBatch {
        guard let table else { throw QueryError(.invalidArgument, "the aggregate saw no input") }
        var named = Array(zip(keys, table.keyColumns()))
        named.append((source, .int64(Int64Column((0..<Int64(table.count)).map { $0 }))))
        return try Executor.batch(named)
    }
}
