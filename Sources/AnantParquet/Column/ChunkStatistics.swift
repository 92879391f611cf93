/// Column-chunk statistics for the writer, in the column's type order: signed for
/// integers, by value for doubles (NaN ignored, -0.0 as a minimum and +0.0 as a maximum
/// at zero, and no bounds when every value is NaN), false < true, unsigned bytes for
/// strings. Signed types also get the deprecated min/max fields, as pyarrow writes them.
/// Computed for every column chunk (its metadata) and every data page (its header, where
/// readers skip pages a filter rules out).
enum ChunkStatistics {
    /// Minimum and maximum in one pass, four independent lanes (the compare chains overlap),
    /// starting from `start`. NaN compares false both ways, so it never becomes a bound.
    private static func bounds<T: Comparable>(_ v: UnsafeBufferPointer<T>, from start: (T, T)) -> (T, T) {
        var l0 = start.0, l1 = start.0, l2 = start.0, l3 = start.0
        var h0 = start.1, h1 = start.1, h2 = start.1, h3 = start.1
        var i = 0
        while i + 4 <= v.count {
            let a = v[i], b = v[i + 1], c = v[i + 2], d = v[i + 3]
            l0 = a < l0 ? a : l0; h0 = a > h0 ? a : h0
            l1 = b < l1 ? b : l1; h1 = b > h1 ? b : h1
            l2 = c < l2 ? c : l2; h2 = c > h2 ? c : h2
            l3 = d < l3 ? d : l3; h3 = d > h3 ? d : h3
            i += 4
        }
        while i < v.count {
            l0 = v[i] < l0 ? v[i] : l0; h0 = v[i] > h0 ? v[i] : h0
            i += 1
        }
        for (l, h) in [(l1, h1), (l2, h2), (l3, h3)] {
            l0 = l < l0 ? l : l0; h0 = h > h0 ? h : h0
        }
        return (l0, h0)
    }

    private static func bounds<T: FixedWidthInteger>(_ values: ValueRun<T>, _ range: Range<Int>) -> (T, T)? {
        values.withUnsafeBufferPointer { all -> (T, T)? in
            let v = UnsafeBufferPointer(rebasing: all[range])
            guard let first = v.first else { return nil }
            return bounds(v, from: (first, first))
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
            guard let (low, high) = bounds(all, range) else { break }
            stats.minValue = bytes(low); stats.maxValue = bytes(high)
            stats.min = stats.minValue; stats.max = stats.maxValue
        case .int64(let all):
            guard let (low, high) = bounds(all, range) else { break }
            stats.minValue = bytes(low); stats.maxValue = bytes(high)
            stats.min = stats.minValue; stats.max = stats.maxValue
        case .double(let all):
            // Zeros get their sign below (-0.0 as a minimum, +0.0 as a maximum).
            var (low, high) = all.withUnsafeBufferPointer { v in
                bounds(UnsafeBufferPointer(rebasing: v[range]), from: (Double.infinity, -Double.infinity))
            }
            // Some value is not NaN exactly when the bounds met one.
            guard low <= high else { break }
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
