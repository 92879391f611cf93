import AnantColumnar

/// The running state of a group-by: its key table, one accumulator per aggregate, and the
/// position of each group's first row. Workers build one each from the morsels they take;
/// states merge (workers, then the parts of a split query, in any order) and finish into
/// the result, whose groups are in the order of their first rows — so the answer does not
/// depend on threads, on how morsels were shared out, or on how the query was split.
///
/// A row's position is its morsel's index in the scan (high 32 bits) and its row within
/// the morsel (low 32 bits): the same whichever worker or part reads it.
final class GroupState: @unchecked Sendable {
    let keys: [String]
    let aggregations: [Aggregation]
    /// Nil until the first batch fixes the key types.
    private(set) var table: KeyTable?
    private(set) var accumulators: [any Accumulator] = []
    /// Each group's first row position (`Int64.max` until it has one).
    private(set) var first: [Int64] = []

    /// The groups so far.
    var count: Int { table?.count ?? 0 }

    init(keys: [String], aggregations: [Aggregation]) {
        self.keys = keys
        self.aggregations = aggregations
    }

    /// A row position: morsel `morsel`, row `row`.
    static func position(morsel: Int, row: Int) -> Int64 { Int64(morsel) << 32 | Int64(row) }

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
        let count = table!.count
        if first.count < count { first.append(contentsOf: repeatElement(Int64.max, count: count - first.count)) }
        for accumulator in accumulators { accumulator.resize(count) }
        return ids
    }

    private func unknown(_ a: Aggregation, _ batch: RecordBatch) -> QueryError {
        let name = a.column ?? "*"
        return QueryError(.unknownColumn, "unknown column '\(name)' in \(a.function.rawValue)(\(name)) (columns: \(batch.schema.names.joined(separator: ", ")))")
    }

    /// Adds the rows of morsel `morsel`.
    func add(_ batch: RecordBatch, morsel: Int) throws(QueryError) {
        let ids = try groups(batch)
        let base = GroupState.position(morsel: morsel, row: 0)
        first.withUnsafeMutableBufferPointer { first in
            for (row, g) in ids.enumerated() where first[Int(g)] > base + Int64(row) { first[Int(g)] = base + Int64(row) }
        }
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
        for (t, s) in zip(targets, sources) where first[Int(t)] > pre.first[Int(s)] { first[Int(t)] = pre.first[Int(s)] }
        for (mine, theirs) in zip(accumulators, pre.accumulators) { try mine.merge(theirs, into: targets, from: sources) }
    }

    /// Adds another state of the same aggregates.
    func merge(_ other: GroupState) throws(QueryError) {
        guard let theirs = other.table else { return }
        guard let table else {
            table = theirs
            accumulators = other.accumulators
            first = other.first
            return
        }
        let mapping = table.merge(theirs)
        if first.count < table.count { first.append(contentsOf: repeatElement(Int64.max, count: table.count - first.count)) }
        for (g, t) in mapping.enumerated() where first[Int(t)] > other.first[g] { first[Int(t)] = other.first[g] }
        for (mine, others) in zip(accumulators, other.accumulators) {
            mine.resize(table.count)
            try mine.merge(others, into: mapping, from: nil)
        }
    }

    /// The groups in their first rows' order (ties, which only key-less aggregates have,
    /// by id): the key columns, then one column per aggregate.
    func finish() throws(QueryError) -> RecordBatch {
        guard let table else { throw QueryError(.invalidArgument, "the aggregate saw no input") }
        let order = (0..<Int32(table.count)).sorted { first[Int($0)] != first[Int($1)] ? first[Int($0)] < first[Int($1)] : $0 < $1 }
        let inOrder = order.elementsEqual(0..<Int32(table.count))
        var named = [(String, Column)]()
        for (key, column) in zip(keys, table.keyColumns()) { named.append((key, inOrder ? column : column.gather(order))) }
        for (a, accumulator) in zip(aggregations, accumulators) {
            let column = accumulator.finish(groups: table.count)
            named.append((a.name, inOrder ? column : column.gather(order)))
        }
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
