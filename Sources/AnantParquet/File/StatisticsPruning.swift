import AnantColumnar

/// Decides from column statistics — a row group's, or a data page's — whether rows
/// matching a predicate may exist there. Unknown means "may": only provably empty row
/// groups or pages are skipped.
///
/// Rules (PARQUET.md §9): `min_value`/`max_value` follow the column order; the deprecated
/// `min`/`max` are used only for signed integers and floats; NaN bounds are ignored;
/// byte strings compare unsigned, as strings do here; truncated bounds still bound.
struct StatisticsPruning {
    /// How many rows the statistics describe.
    let rows: Int64
    /// A column's statistics and leaf, when known.
    let statistics: (String) -> (Statistics, ColumnDescriptor)?

    /// The statistics of row group `rowGroup`.
    init(reader: ParquetFileReader, rowGroup: Int) {
        rows = reader.metadata.rowGroups[rowGroup].numRows
        statistics = { name in
            guard let field = try? reader.fieldIndex(named: name), let leaf = reader.flatLeaf(ofField: field),
                  let stats = reader.metadata.rowGroups[rowGroup].columns[leaf.index].metaData?.statistics else { return nil }
            return (stats, leaf)
        }
    }

    /// The statistics of one data page (`rows` entries) of the flat column `leaf`, named `name`.
    init(page statistics: Statistics?, rows: Int, of leaf: ColumnDescriptor, named name: String) {
        self.rows = Int64(rows)
        self.statistics = { wanted in wanted == name ? statistics.map { ($0, leaf) } : nil }
    }

    func mayMatch(_ predicate: ParquetPredicate) -> Bool {
        switch predicate {
        case .and(let a, let b): return mayMatch(a) && mayMatch(b)
        case .or(let a, let b): return mayMatch(a) || mayMatch(b)
        case .not: return true
        case .isNull(let name):
            guard let (stats, _) = statistics(name), let nulls = stats.nullCount else { return true }
            return nulls > 0
        case .isNotNull(let name):
            guard let (stats, _) = statistics(name), let nulls = stats.nullCount else { return true }
            return nulls < rows
        case .compare(let name, let op, let literal):
            guard !literal.isNull else { return false }
            guard let (stats, leaf) = statistics(name) else { return true }
            if let nulls = stats.nullCount, nulls == rows { return false }
            // Writers leave NaN out of float bounds, yet NaN sorts above every number: a
            // float chunk may hold rows above its max, and a NaN literal has no bound.
            let floating = leaf.physicalType == .float || leaf.physicalType == .double
            if floating && [.greater, .greaterOrEqual, .notEqual].contains(op) { return true }
            if literal.doubleValue?.isNaN == true { return true }
            guard let (low, high) = bounds(stats, leaf),
                  let lowOrder = low.order(comparedTo: literal),
                  let highOrder = high.order(comparedTo: literal) else { return true }
            switch op {
            case .equal: return lowOrder <= 0 && highOrder >= 0
            case .notEqual: return !(lowOrder == 0 && highOrder == 0)
            case .less: return lowOrder < 0
            case .lessOrEqual: return lowOrder <= 0
            case .greater: return highOrder > 0
            case .greaterOrEqual: return highOrder >= 0
            }
        }
    }

    /// The (min, max) as comparable values, when the column's type and statistics allow.
    private func bounds(_ stats: Statistics, _ leaf: ColumnDescriptor) -> (ScalarValue, ScalarValue)? {
        var signedOrder = false
        switch leaf.physicalType {
        case .int32, .int64:
            if case .integer(_, false)? = leaf.logicalType { return nil }
            if case .decimal? = leaf.logicalType { return nil }
            signedOrder = true
        case .float, .double: signedOrder = true
        case .byteArray:
            switch leaf.logicalType {
            case .string?, .enumeration?, .json?, nil: break
            default: return nil
            }
        default: return nil
        }
        let low = stats.minValue ?? (signedOrder ? stats.min : nil)
        let high = stats.maxValue ?? (signedOrder ? stats.max : nil)
        guard let low, let high, let a = decode(low, leaf), let b = decode(high, leaf) else { return nil }
        return (a, b)
    }

    private func decode(_ bytes: [UInt8], _ leaf: ColumnDescriptor) -> ScalarValue? {
        func load<T>(_: T.Type) -> T? {
            guard bytes.count == MemoryLayout<T>.size else { return nil }
            return bytes.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
        }
        switch leaf.physicalType {
        case .int32: return load(Int32.self).map { .int(Int64($0)) }
        case .int64: return load(Int64.self).map { .int($0) }
        case .float: return load(Float.self).flatMap { $0.isNaN ? nil : .double(Double($0)) }
        case .double: return load(Double.self).flatMap { $0.isNaN ? nil : .double($0) }
        case .byteArray: return .string(String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }
}
