import AnantColumnar

/// Row orders for sort and top-k: by the keys in turn (descending where asked), nulls
/// last, NaN above every number, ties kept in input order.
enum Sorting {
    /// The rows of `batch` in sorted order.
    static func order(_ batch: RecordBatch, _ keys: [SortKey]) throws(QueryError) -> [Int] {
        let comparator = try RowComparator(batch, keys)
        if let fast = comparator.integerKeyOrder(batch.rowCount) { return fast }
        return (0..<batch.rowCount).sorted { comparator.compare($0, $1) < 0 }
    }

    /// The first `n` rows of `batch` in sorted order, without sorting the rest.
    static func top(_ n: Int, _ batch: RecordBatch, _ keys: [SortKey]) throws(QueryError) -> [Int] {
        guard n > 0 else { return [] }
        let comparator = try RowComparator(batch, keys)
        var best = [Int]()
        best.reserveCapacity(n + 1)
        for row in 0..<batch.rowCount {
            if best.count == n, comparator.compare(row, best[n - 1]) >= 0 { continue }
            // Binary search for the insertion point (after equal rows: stable).
            var low = 0, high = best.count
            while low < high {
                let mid = (low + high) / 2
                if comparator.compare(best[mid], row) <= 0 { low = mid + 1 } else { high = mid }
            }
            best.insert(row, at: low)
            if best.count > n { best.removeLast() }
        }
        return best
    }
}

/// Compares rows of a batch by sort keys; rows that tie on every key compare by position.
struct RowComparator {
    private let parts: [(Int, Int) -> Int]
    private let single: (values: [Int64], descending: Bool)?

    init(_ batch: RecordBatch, _ keys: [SortKey]) throws(QueryError) {
        var parts = [(Int, Int) -> Int]()
        var single: (values: [Int64], descending: Bool)? = nil
        for key in keys {
            let column = try batch.requireColumn(key.column)
            let compare = try RowComparator.values(column)
            let descending = key.descending
            if keys.count == 1, column.nullCount == 0, case .int64(let c) = column { single = (c.values, descending) }
            if column.nullCount == 0 {
                parts.append(descending ? { a, b in -compare(a, b) } : compare)
            } else {
                parts.append { a, b in
                    let na = column.isNull(a), nb = column.isNull(b)
                    if na || nb { return na == nb ? 0 : (na ? 1 : -1) }
                    return descending ? -compare(a, b) : compare(a, b)
                }
            }
        }
        self.parts = parts
        self.single = single
    }

    func compare(_ a: Int, _ b: Int) -> Int {
        for part in parts {
            let order = part(a, b)
            if order != 0 { return order }
        }
        return a < b ? -1 : (a > b ? 1 : 0)
    }

    /// The order for one non-null Int64 key, by sorting (key, row) pairs directly.
    func integerKeyOrder(_ rows: Int) -> [Int]? {
        guard let single else { return nil }
        var pairs = (0..<rows).map { (single.descending ? ~single.values[$0] : single.values[$0], $0) }
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return pairs.map(\.1)
    }

    private static func values(_ column: Column) throws(QueryError) -> (Int, Int) -> Int {
        func order<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
        switch column {
        case .int32(let c): return { a, b in order(c.values[a], c.values[b]) }
        case .int64(let c): return { a, b in order(c.values[a], c.values[b]) }
        case .double(let c):
            return { a, b in
                let x = c.values[a], y = c.values[b]
                if x.isNaN || y.isNaN { return x.isNaN == y.isNaN ? 0 : (x.isNaN ? 1 : -1) }
                return order(x, y)
            }
        case .bool(let c): return { a, b in order(c.bits[a] ? 1 : 0, c.bits[b] ? 1 : 0) }
        case .string(let c): return { a, b in c.compareRows(a, b) }
        case .json: throw QueryError(.typeMismatch, "JSON columns cannot be sorted")
        }
    }
}
