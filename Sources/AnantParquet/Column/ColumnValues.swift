import AnantColumnar

/// The non-null values of one column slice, in the physical form the writer encodes,
/// with the definition level of every row.
enum WriterValues {
    case boolean([Bool])
    case int32(ValueRun<Int32>)
    case int64(ValueRun<Int64>)
    case double(ValueRun<Double>)
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

    /// Appends values `range` encoded as `encoding` (PLAIN, DELTA_BINARY_PACKED for
    /// integers, BYTE_STREAM_SPLIT for doubles) to `out`.
    func encode(_ range: Range<Int>, as encoding: Encoding, into out: inout [UInt8]) {
        switch (self, encoding) {
        case (.int32(let v), .deltaBinaryPacked):
            v.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &out) }
        case (.int64(let v), .deltaBinaryPacked):
            v.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &out) }
        case (.double(let v), .byteStreamSplit):
            v.withUnsafeBufferPointer { ByteStreamSplitEncoder.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &out) }
        default:
            precondition(encoding == .plain, "the writer encodes \(encoding) only for integers or doubles")
            PlainEncoder.encode(self, range, into: &out)
        }
    }

    /// The non-null values of `column` (rows `range`) and the rows' null flags.
    static func extract(_ column: Column, _ range: Range<Int>) -> (WriterValues, nulls: [Bool]?) {
        let nullCount = column.nullCount
        let nulls: [Bool]? = nullCount == 0 ? nil : range.map { column.isNull($0) }
        func present<V>(_ values: [V]) -> ValueRun<V> {
            // Without nulls the rows are the values: shared, not copied.
            guard let nulls else { return ValueRun(values, range) }
            var out = [V]()
            out.reserveCapacity(range.count)
            for (k, row) in range.enumerated() where !nulls[k] { out.append(values[row]) }
            return ValueRun(out)
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

/// Values `range` of a shared array, addressed from 0: a column's rows handed to the
/// encoders without a copy.
struct ValueRun<T> {
    let base: [T]
    let offset: Int
    let count: Int

    init(_ base: [T], _ range: Range<Int>) {
        self.base = base
        self.offset = range.lowerBound
        self.count = range.count
    }

    init(_ values: [T]) { self.init(values, 0..<values.count) }

    func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<T>) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = base.withUnsafeBufferPointer { all in
            do throws(E) { return .success(try body(UnsafeBufferPointer(rebasing: all[offset..<offset + count]))) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
