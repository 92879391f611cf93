import AnantColumnar

/// A row filter over top-level columns: comparisons with literals, null tests, and/or/not.
///
/// It prunes row groups by their statistics (`mayMatch`) and filters rows of decoded
/// batches (`evaluate`). Comparisons with null are false, as in SQL.
public indirect enum ParquetPredicate: Sendable, Hashable, CustomStringConvertible {
    case compare(column: String, ComparisonOperator, ScalarValue)
    case isNull(column: String)
    case isNotNull(column: String)
    case and(ParquetPredicate, ParquetPredicate)
    case or(ParquetPredicate, ParquetPredicate)
    case not(ParquetPredicate)

    public var description: String {
        switch self {
        case .compare(let c, let op, let v):
            if case .string(let s) = v { return "\(c) \(op.rawValue) '\(s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''"))'" }
            return "\(c) \(op.rawValue) \(v)"
        case .isNull(let c): return "\(c) is null"
        case .isNotNull(let c): return "\(c) is not null"
        case .and(let a, let b): return "(\(a) and \(b))"
        case .or(let a, let b): return "(\(a) or \(b))"
        case .not(let a): return "not \(a)"
        }
    }

    /// The columns the predicate reads.
    public var columns: Set<String> {
        switch self {
        case .compare(let c, _, _), .isNull(let c), .isNotNull(let c): return [c]
        case .and(let a, let b), .or(let a, let b): return a.columns.union(b.columns)
        case .not(let a): return a.columns
        }
    }

    /// Which rows of `batch` match, as a selection bitmap. Logic is SQL's three-valued
    /// logic: a comparison with null is unknown, `not unknown` is unknown, and only rows
    /// whose predicate is true are selected.
    public func evaluate(_ batch: RecordBatch) throws(ParquetError) -> Bitmap {
        try truth(batch).isTrue
    }

    /// Rows where the predicate is true, and rows where it is known (true or false).
    private struct Truth {
        var isTrue: Bitmap
        var isKnown: Bitmap
        var isFalse: Bitmap { isKnown.intersection(isTrue.inverted()) }
    }

    private func truth(_ batch: RecordBatch) throws(ParquetError) -> Truth {
        switch self {
        case .compare(let name, let op, let literal):
            let column = try ParquetPredicate.column(batch, name)
            do {
                let known = literal.isNull ? Bitmap(count: batch.rowCount, value: false) : column.validRows()
                return Truth(isTrue: try column.matching(op, literal), isKnown: known)
            } catch {
                throw ParquetError(.invalidArgument, "in the filter on column '\(name)': \(error.message)")
            }
        case .isNull(let name):
            return Truth(isTrue: try ParquetPredicate.column(batch, name).nullRows(), isKnown: Bitmap(count: batch.rowCount, value: true))
        case .isNotNull(let name):
            return Truth(isTrue: try ParquetPredicate.column(batch, name).validRows(), isKnown: Bitmap(count: batch.rowCount, value: true))
        case .and(let a, let b):
            let x = try a.truth(batch), y = try b.truth(batch)
            return Truth(isTrue: x.isTrue.intersection(y.isTrue),
                         isKnown: x.isKnown.intersection(y.isKnown).union(x.isFalse).union(y.isFalse))
        case .or(let a, let b):
            let x = try a.truth(batch), y = try b.truth(batch)
            return Truth(isTrue: x.isTrue.union(y.isTrue),
                         isKnown: x.isKnown.intersection(y.isKnown).union(x.isTrue).union(y.isTrue))
        case .not(let a):
            let x = try a.truth(batch)
            return Truth(isTrue: x.isFalse, isKnown: x.isKnown)
        }
    }

    private static func column(_ batch: RecordBatch, _ name: String) throws(ParquetError) -> Column {
        do { return try batch.column(named: name) } catch {
            throw ParquetError(.invalidArgument, "the filter names column '\(name)', which the file does not have (columns: \(batch.schema.names.joined(separator: ", ")))")
        }
    }
}
