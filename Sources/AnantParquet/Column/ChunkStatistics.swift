/// Column-chunk statistics for the writer, in the column's type order: signed for
/// integers, by value for doubles (NaN ignored, -0.0 as a minimum and +0.0 as a maximum
/// at zero, and no bounds when every value is NaN), false < true, unsigned bytes for
/// strings. Signed types also get the deprecated min/max fields, as pyarrow writes them.
enum ChunkStatistics {
    /// Minimum and maximum in one pass over the buffer.
    private static func bounds<T: FixedWidthInteger>(_ values: [T]) -> (T, T)? {
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

    static func compute(_ values: WriterValues, nullCount: Int) -> Statistics {
        var stats = Statistics()
        stats.nullCount = Int64(nullCount)
        func bytes<T>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }
        switch values {
        case .boolean(let v):
            guard !v.isEmpty else { break }
            let low = !v.allSatisfy { $0 }, high = v.contains(true)
            stats.minValue = [low ? 0 : 1]
            stats.maxValue = [high ? 1 : 0]
        case .int32(let v):
            guard let (low, high) = bounds(v) else { break }
            stats.minValue = bytes(low); stats.maxValue = bytes(high)
            stats.min = stats.minValue; stats.max = stats.maxValue
        case .int64(let v):
            guard let (low, high) = bounds(v) else { break }
            stats.minValue = bytes(low); stats.maxValue = bytes(high)
            stats.min = stats.minValue; stats.max = stats.maxValue
        case .double(let v):
            var low = Double.infinity, high = -Double.infinity
            var seen = false
            for x in v where !x.isNaN {
                seen = true
                if x < low || (x == 0 && low == 0 && x.sign == .minus) { low = x }
                if x > high || (x == 0 && high == 0 && x.sign == .plus) { high = x }
            }
            guard seen else { break }
            if low == 0 { low = -0.0 }
            if high == 0 { high = 0.0 }
            stats.minValue = bytes(low); stats.maxValue = bytes(high)
            stats.min = stats.minValue; stats.max = stats.maxValue
        case .bytes(let column, let rows):
            guard var low = rows.first, var high = rows.first else { break }
            for row in rows.dropFirst() {
                if column.compareRows(row, low) < 0 { low = row }
                if column.compareRows(row, high) > 0 { high = row }
            }
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
