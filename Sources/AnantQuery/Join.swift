import AnantColumnar
import CAnantSystem

/// The build side of a hash join: the right table, its keys in a `KeyTable`, and for each
/// key the chain of right rows holding it. Probing is read-only, so every core probes
/// its own morsels against one build.
final class JoinBuild: @unchecked Sendable {
    let right: RecordBatch
    let keys: [String]
    let probeKeys: [String]
    let kind: JoinKind
    private let table: KeyTable
    /// First right row of each key, and the next row with the same key (-1 ends).
    private let head: [Int32]
    private let next: [Int32]
    /// Whether every key has exactly one right row (the common dimension-table join).
    private let unique: Bool
    /// Whether the key table's id of a key is the right row holding it.
    private let idIsRow: Bool

    init(_ right: RecordBatch, keys: [String], probeKeys: [String], kind: JoinKind, context: ExecutionContext) throws(QueryError) {
        self.right = right
        self.keys = keys
        self.probeKeys = probeKeys
        self.kind = kind
        guard right.rowCount < Int(Int32.max) else { throw QueryError(.invalidArgument, "the right side of a join holds more than 2^31 rows") }
        var columns = [Column]()
        for key in keys {
            do { columns.append(try right.column(named: key)) } catch {
                throw QueryError(.unknownColumn, "unknown join key '\(key)' on the right (columns: \(right.schema.names.joined(separator: ", ")))")
            }
        }
        // Distinct integer keys (a dimension table's ids): the table is built on every core.
        if columns.count == 1, case .int64(let c) = columns[0], c.nullCount == 0, let table = KeyTable.distinctKeys(c.values, context: context) {
            self.table = table
            head = []
            next = []
            unique = true
            idIsRow = true
            return
        }
        let table = KeyTable(types: columns.map(\.dataType))
        let ids = try table.insert(columns, rows: right.rowCount)
        self.table = table
        // Every row a key of its own, none null: ids were handed out in row order, so a
        // key's id is its row, and no chains are needed (the common dimension table).
        if table.count == right.rowCount, columns.allSatisfy({ $0.nullCount == 0 }) {
            head = []
            next = []
            unique = true
            idIsRow = true
            return
        }
        var valid = Bitmap(count: right.rowCount, value: true)
        for column in columns where column.nullCount > 0 { valid = valid.intersection(column.validRows()) }
        var head = [Int32](repeating: -1, count: table.count)
        var next = [Int32](repeating: -1, count: right.rowCount)
        var unique = true
        // Chains built from the last row back, so that they list rows in table order.
        for row in stride(from: right.rowCount - 1, through: 0, by: -1) where valid[row] {
            let id = Int(ids[row])
            if head[id] >= 0 { unique = false }
            next[row] = head[id]
            head[id] = Int32(row)
        }
        self.head = head
        self.next = next
        self.unique = unique
        idIsRow = false
    }

    /// The joined rows of a left batch: its columns, then the right side's non-key
    /// columns (null where a left join found no match).
    func probe(_ left: MorselView) throws(QueryError) -> MorselView {
        for key in probeKeys where !left.names.contains(key) {
            throw QueryError(.unknownColumn, "unknown join key '\(key)' on the left (columns: \(left.names.joined(separator: ", ")))")
        }
        // An inner join on one unique integer key, under a selection: lookup and match in
        // one pass, straight from the key column to the source rows and right rows.
        if idIsRow, kind == .inner, probeKeys.count == 1, left.parts.count == 1, let selected = left.parts[0].rows,
           let index = left.parts[0].base.schema.index(of: probeKeys[0]), case .int64(let keys) = left.parts[0].base.columns[index],
           keys.nullCount == 0, case .int64 = try right.requireColumn(self.keys[0]), let (base, slots) = table.directTable {
            let limit = Int64(slots.count)
            return try slots.withUnsafeBufferPointer { slots throws(QueryError) in
                try keys.values.withUnsafeBufferPointer { v throws(QueryError) in
                    try compacted(left, selected) { i, selected in
                        if i + 16 < selected.count { anant_prefetch(slots.baseAddress! + Int(truncatingIfNeeded: v[Int(selected[i + 16])] &- base)) }
                        let (offset, overflow) = v[Int(selected[i])].subtractingReportingOverflow(base)
                        return !overflow && offset >= 0 && offset < limit ? slots[Int(offset)] : -1
                    }
                }
            }
        }
        // One integer key under a selection: looked up in place, not gathered first.
        if probeKeys.count == 1, left.parts.count == 1, let rows = left.parts[0].rows, !left.parts[0].nullable,
           let index = left.parts[0].base.schema.index(of: probeKeys[0]), case .int64(let keys) = left.parts[0].base.columns[index],
           case .int64 = try right.requireColumn(self.keys[0]), let ids = table.lookupDirect(keys, rows: rows) {
            return try match(left, ids)
        }
        let columns = try left.columns(probeKeys).columns
        for (l, r) in zip(columns, try keys.map { k throws(QueryError) in try right.requireColumn(k) }) {
            let numeric: Set<DataType> = [.int32, .int64]
            guard l.dataType == r.dataType || (numeric.contains(l.dataType) && numeric.contains(r.dataType)) else {
                throw QueryError(.typeMismatch, "join keys of different types: \(l.dataType) on the left, \(r.dataType) on the right")
            }
        }
        return try match(left, try table.lookup(columns, rows: left.rowCount))
    }

    /// The joined rows, given the key table's id of every left row (-1: no match).
    private func match(_ left: MorselView, _ ids: [Int32]) throws(QueryError) -> MorselView {
        var leftRows = [Int32](), rightRows = [Int32]()
        var unmatched = false
        if idIsRow, kind == .inner, left.parts.count == 1, let selected = left.parts[0].rows {
            // The common case in one pass: matched rows go straight to their source rows.
            return try ids.withUnsafeBufferPointer { ids throws(QueryError) in
                try compacted(left, selected) { i, _ in ids[i] }
            }
        }
        if idIsRow {
            // One right row per key, and no chain to walk: compact the matches.
            let n = ids.count
            let keepAll = kind == .left
            leftRows = [Int32](unsafeUninitializedCapacity: n) { l, lc in
                rightRows = [Int32](unsafeUninitializedCapacity: n) { r, rc in
                    var k = 0
                    ids.withUnsafeBufferPointer { ids in
                        for row in 0..<n {
                            let id = ids[row]
                            if id >= 0 || keepAll {
                                l[k] = Int32(row)
                                r[k] = id
                                k += 1
                            }
                        }
                    }
                    rc = k
                }
                lc = rightRows.count
            }
            unmatched = keepAll && rightRows.contains { $0 < 0 }
        } else {
            leftRows.reserveCapacity(left.rowCount)
            rightRows.reserveCapacity(left.rowCount)
            ids.withUnsafeBufferPointer { ids in
                head.withUnsafeBufferPointer { head in
                    next.withUnsafeBufferPointer { next in
                        for row in 0..<ids.count {
                            if row + 16 < ids.count, ids[row + 16] >= 0 { anant_prefetch(head.baseAddress! + Int(ids[row + 16])) }
                            let id = ids[row]
                            var r = id >= 0 ? head[Int(id)] : -1
                            if r < 0 {
                                if kind == .left { leftRows.append(Int32(row)); rightRows.append(-1); unmatched = true }
                                continue
                            }
                            while r >= 0 {
                                leftRows.append(Int32(row)); rightRows.append(r)
                                r = next[Int(r)]
                            }
                        }
                    }
                }
            }
        }
        // Each left row gives at most one row when keys are unique, at least one in a left join.
        let everyLeftRowOnce = leftRows.count == left.rowCount && (unique || kind == .left)
        // The left columns keep their sources, under the matched rows; the right side's
        // columns join as a part of their own. Nothing is copied until the result is.
        var view = left
        if !everyLeftRowOnce { view.narrow(leftRows) }
        return try withRightPart(view, rightRows, unmatched: unmatched)
    }

    /// An inner join on unique keys under a one-part selection: `id(i, selected)` is the
    /// right row of the `i`-th selected left row (negative: no match); the matches are
    /// compacted in one branch-free pass, straight to their source rows.
    @inline(__always)
    private func compacted(_ left: MorselView, _ selected: [Int32],
                           _ id: (Int, UnsafeBufferPointer<Int32>) -> Int32) throws(QueryError) -> MorselView {
        let n = selected.count
        var count = 0
        var rightRows = [Int32]()
        let sourceRows = [Int32](unsafeUninitializedCapacity: n) { l, lc in
            rightRows = [Int32](unsafeUninitializedCapacity: n) { r, rc in
                selected.withUnsafeBufferPointer { selected in
                    for i in 0..<n {
                        let match = id(i, selected)
                        l[count] = selected[i]
                        r[count] = match
                        count &+= match >= 0 ? 1 : 0
                    }
                }
                rc = count
            }
            lc = count
        }
        var view = left
        view.parts[0].rows = sourceRows
        view.rowCountOverride(count)
        return try withRightPart(view, rightRows, unmatched: false)
    }

    /// The joined view: the left side's parts, then the right side's columns under the
    /// matched right rows.
    private func withRightPart(_ view: MorselView, _ rightRows: [Int32], unmatched: Bool) throws(QueryError) -> MorselView {
        var named = [(String, Column)]()
        for (source, output) in Optimizer.joinRightNames(view.names, right.schema.names, keys) {
            named.append((output, try right.requireColumn(source)))
        }
        guard !named.isEmpty else { return view }
        return MorselView(parts: view.parts + [MorselView.Part(base: try Executor.batch(named), rows: rightRows, nullable: unmatched, shared: true)],
                          rowCount: view.rowCount)
    }
}

extension RecordBatch {
    /// The column named `name`, or a query error listing the columns.
    func requireColumn(_ name: String) throws(QueryError) -> Column {
        guard let index = schema.index(of: name) else {
            throw QueryError(.unknownColumn, "unknown column '\(name)' (columns: \(schema.names.joined(separator: ", ")))")
        }
        return columns[index]
    }
}
