extension Column {
    /// The rows at `indices`, where a negative index gives a null row: the building block
    /// of left joins and of aligning a property table to dense element indices.
    public func gather(nullable indices: [Int32]) -> Column {
        var validity = Bitmap(count: indices.count, value: true)
        for (k, i) in indices.enumerated() where i < 0 || isNull(Int(i)) { validity[k] = false }
        let valid: Bitmap? = validity.setCount == indices.count ? nil : validity
        let safe = indices.map { Swift.max($0, 0) }
        if count == 0 {
            return Column.nulls(dataType, count: indices.count)
        }
        switch gather(safe) {
        case .int32(var c): c.validity = valid; return .int32(clearNulls(c, valid))
        case .int64(var c): c.validity = valid; return .int64(clearNulls(c, valid))
        case .double(var c): c.validity = valid; return .double(clearNulls(c, valid))
        case .bool(var c):
            c.validity = valid
            if let valid { for k in 0..<c.count where !valid[k] { c.bits[k] = false } }
            return .bool(c)
        case .string(let c): return .string(Column.nullingStrings(c, valid))
        case .json(let c): return .json(Column.nullingStrings(c, valid))
        }
    }

    private func clearNulls<V>(_ column: PrimitiveColumn<V>, _ valid: Bitmap?) -> PrimitiveColumn<V> {
        guard let valid else { return column }
        var out = column
        for k in 0..<out.count where !valid[k] { out.values[k] = .zero }
        return out
    }

    private static func nullingStrings(_ column: StringColumn, _ valid: Bitmap?) -> StringColumn {
        guard let valid else { return column }
        var out = StringColumn()
        for k in 0..<column.count {
            if valid[k] { column.withUTF8(k) { out.append(utf8: $0) } } else { out.appendNull() }
        }
        return out
    }
}
