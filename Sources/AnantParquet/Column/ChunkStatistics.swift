/// Column-chunk statistics for the writer, in the column's type order: signed for
/// integers, by value for doubles (NaN ignored, -0.0 as a minimum and +0.0 as a maximum
/// at zero, and no bounds when every value is NaN), false < true, unsigned bytes for
/// strings. Signed types also get the deprecated min/max fields, as pyarrow writes them.
/// Computed for every column chunk (its metadata) and every data page (its header, where
/// readers skip pages a filter rules out).
enum ChunkStatistics {
    /// Minimum and maximum in one pass over the buffer.
    private static func bounds<T: FixedWidthInteger>(_ values: ArraySlice<T>) -> (T, T)? {
        values.withUnsafeBufferPointer { v -> (T, T)? in
            guard let first = v.first else { return nil }
            var low = first, high = first
            for x in v {
                low = Swift.min(low, x)
                high = Swift.max(high, x)
            }
            return (low, high)
        }
    }

    /// The statistics of the values in `range` (all of them when nil). Byte-string bounds
    /// longer than `maximumBytes` are left out (a page header should stay small).
    static func compute(_ values: WriterValues, in range: Range<Int>? = nil, nullCount: Int, maximumBytes: Int = .max) -> Statistics {
        var stats = Statistics()
        stats.nullCount = Int64(nullCount)
        func bytes<T>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }
        let range = range ?? 0..<values.count
        switch values {
        case .boolean(let all):
            let v = all[range]
            guard !v.isEmpty else { break }
            let low = !v.allSatisfy { $0 }, high = v.contains(true)
            stats.minValue = [low ? 0 : 1]
            stats.maxValue = [high ? 1 : 0]
        case .int32(let all):
            guard let (low, high) = bounds(all[range]) else { break }
            stats.minValue = bytes(low); stats.maxValue = bytes(high)
            stats.min = stats.minValue; stats.max = stats.maxValue
        case .int64(let all):
            guard let (low, high) = bounds(all[range]) else { break }
            stats.minValue = bytes(low); stats.maxValue = bytes(high)
            stats.min = stats.minValue; stats.max = stats.maxValue
        case .double(let all):
            var low = Double.infinity, high = -Double.infinity
            var seen = false
            for x in all[range] where !x.isNaN {
                seen = true
                if x < low || (x == 0 && low == 0 && x.sign == .minus) { low = x }
                if x > high || (x == 0 && high == 0 && x.sign == .plus) { high = x }
            }
            guard seen else { break }
            if low == 0 { low = -0.0 }
            if high == 0 { high = 0.0 }
            stats.minValue = bytes(low); stats.maxValue = bytes(high)
            stats.min = stats.minValue; stats.max = stats.maxValue
        case .bytes(let column, let all):
            let rows = all[range]
            guard var low = rows.first, var high = rows.first else { break }
            for row in rows.dropFirst() {
                if column.compareRows(row, low) < 0 { low = row }
                if column.compareRows(row, high) > 0 { high = row }
            }
            guard column.byteRange(low).count <= maximumBytes, column.byteRange(high).count <= maximumBytes else { break }
            stats.minValue = Array(column.bytes[column.byteRange(low)])
            stats.maxValue = Array(column.bytes[column.byteRange(high)])
        }
        if stats.minValue != nil {
            stats.isMinValueExact = true
            stats.isMaxValueExact = true
        }
        return stats
    }
}
