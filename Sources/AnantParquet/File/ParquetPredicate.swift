import AnantColumnar

/// A comparison operator of a predicate.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}

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

    /// Which rows of `batch` match.
    public func evaluate(_ batch: RecordBatch) throws(ParquetError) -> [Bool] {
        switch self {
        case .compare(let name, let op, let literal):
            let column = try ParquetPredicate.column(batch, name)
            return try (0..<batch.rowCount).map { row throws(ParquetError) in
                let value = column[row]
                if value.isNull || literal.isNull { return false }
                // NaN is unordered: every comparison but != is false.
                if value.doubleValue?.isNaN == true || literal.doubleValue?.isNaN == true { return op == .notEqual }
                guard let order = ParquetPredicate.compare(value, literal) else {
                    throw ParquetError(.invalidArgument, "cannot compare column '\(name)' (\(column.dataType)) with \(literal)")
                }
                return op.holds(order)
            }
        case .isNull(let name):
            let column = try ParquetPredicate.column(batch, name)
            return (0..<batch.rowCount).map { column.isNull($0) }
        case .isNotNull(let name):
            let column = try ParquetPredicate.column(batch, name)
            return (0..<batch.rowCount).map { !column.isNull($0) }
        case .and(let a, let b):
            return zip(try a.evaluate(batch), try b.evaluate(batch)).map { $0 && $1 }
        case .or(let a, let b):
            return zip(try a.evaluate(batch), try b.evaluate(batch)).map { $0 || $1 }
        case .not(let a):
            return try a.evaluate(batch).map { !$0 }
        }
    }

    private static func column(_ batch: RecordBatch, _ name: String) throws(ParquetError) -> Column {
        do { return try batch.column(named: name) } catch {
            throw ParquetError(.invalidArgument, "the filter names column '\(name)', which the file does not have (columns: \(batch.schema.names.joined(separator: ", ")))")
        }
    }

    /// Three-way comparison of two non-null values of compatible kinds (nil: incompatible,
    /// or a NaN).
    static func compare(_ a: ScalarValue, _ b: ScalarValue) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : x > y ? 1 : 0
        case (.string(let x), .string(let y)):
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : x.utf8.elementsEqual(y.utf8) ? 0 : 1
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        default:
            guard let x = a.doubleValue, let y = b.doubleValue else { return nil }
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : x > y ? 1 : 0
        }
    }
}

extension ComparisonOperator {
    func holds(_ order: Int) -> Bool {
        switch self {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        }
    }
}
