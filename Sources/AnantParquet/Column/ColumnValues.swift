import AnantColumnar

/// The non-null values of one column slice, in the physical form the writer encodes,
/// with the definition level of every row.
enum WriterValues {
    case boolean([Bool])
    case int32([Int32])
    case int64([Int64])
    case double([Double])
    /// Byte strings: the column and the rows holding values.
    case bytes(StringColumn, rows: [Int])

    var count: Int {
        switch self {
        case .boolean(let v): return v.count
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        case .double(let v): return v.count
        case .bytes(_, let rows): return rows.count
        }
    }

    /// PLAIN size of values `range`.
    func plainSize(_ range: Range<Int>) -> Int {
        switch self {
        case .boolean: return (range.count + 7) / 8
        case .int32: return 4 * range.count
        case .int64, .double: return 8 * range.count
        case .bytes(let c, let rows):
            var total = 4 * range.count
            for i in range { total += c.byteRange(rows[i]).count }
            return total
        }
    }

    /// The non-null values of `column` (rows `range`) and the rows' null flags.
    static func extract(_ column: Column, _ range: Range<Int>) -> (WriterValues, nulls: [Bool]?) {
        let nullCount = column.nullCount
        let nulls: [Bool]? = nullCount == 0 ? nil : range.map { column.isNull($0) }
        func present<V>(_ values: [V]) -> [V] {
            guard let nulls else { return Array(values[range]) }
            var out = [V]()
            out.reserveCapacity(range.count)
            for (k, row) in range.enumerated() where !nulls[k] { out.append(values[row]) }
            return out
        }
        switch column {
        case .int32(let c): return (.int32(present(c.values)), nulls)
        case .int64(let c): return (.int64(present(c.values)), nulls)
        case .double(let c): return (.double(present(c.values)), nulls)
        case .bool(let c):
            var out = [Bool]()
            out.reserveCapacity(range.count)
            for (k, row) in range.enumerated() where nulls?[k] != true { out.append(c.bits[row]) }
            return (.boolean(out), nulls)
        case .string(let c), .json(let c):
            let rows = nulls == nil ? Array(range) : range.enumerated().filter { !nulls![$0.offset] }.map(\.element)
            return (.bytes(c, rows: rows), nulls)
        }
    }
}
