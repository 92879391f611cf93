import AnantColumnar

/// An arithmetic operator.
public enum ArithmeticOperator: String, Sendable, Hashable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
}

/// A string predicate.
public enum StringPredicate: String, Sendable, Hashable {
    case contains, startsWith = "starts_with", endsWith = "ends_with"
}

/// A column expression, evaluated over whole batches.
///
/// Semantics follow SQL and polars: comparisons and arithmetic with a null give null;
/// `and`/`or`/`not` use three-valued logic; a filter keeps rows whose predicate is true.
/// Integers and doubles mix numerically (NaN above every number, equal to itself); `/`
/// always gives a double, integer `+ - * %` stay integers (overflow is an error);
/// strings compare byte-wise.
public indirect enum Expr: Sendable, Hashable, CustomStringConvertible {
    case column(String)
    case literal(ScalarValue)
    case compare(ComparisonOperator, Expr, Expr)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case not(Expr)
    case arithmetic(ArithmeticOperator, Expr, Expr)
    case negate(Expr)
    case isNull(Expr)
    case isNotNull(Expr)
    case isIn(Expr, [ScalarValue])
    case string(StringPredicate, Expr, String)

    /// The columns the expression reads.
    public var columns: Set<String> {
        switch self {
        case .column(let name): return [name]
        case .literal: return []
        case .compare(_, let a, let b), .and(let a, let b), .or(let a, let b), .arithmetic(_, let a, let b):
            return a.columns.union(b.columns)
        case .not(let a), .negate(let a), .isNull(let a), .isNotNull(let a), .isIn(let a, _), .string(_, let a, _):
            return a.columns
        }
    }

    /// The conjuncts of an `and` chain.
    public var conjuncts: [Expr] {
        if case .and(let a, let b) = self { return a.conjuncts + b.conjuncts }
        return [self]
    }

    /// A name for the expression's output column: the column's own name, else its text.
    public var outputName: String {
        if case .column(let name) = self { return name }
        return description
    }

    public var description: String {
        func literal(_ v: ScalarValue) -> String {
            switch v {
            case .string(let s): return "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
            case .null: return "null"
            default: return v.description
            }
        }
        switch self {
        case .column(let name):
            return name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) && !(name.first?.isNumber ?? true) ? name : "`\(name)`"
        case .literal(let v): return literal(v)
        case .compare(let op, let a, let b): return "(\(a) \(op.rawValue) \(b))"
        case .and(let a, let b): return "(\(a) and \(b))"
        case .or(let a, let b): return "(\(a) or \(b))"
        case .not(let a): return "(not \(a))"
        case .arithmetic(let op, let a, let b): return "(\(a) \(op.rawValue) \(b))"
        case .negate(let a): return "(-\(a))"
        case .isNull(let a): return "(\(a) is null)"
        case .isNotNull(let a): return "(\(a) is not null)"
        case .isIn(let a, let values): return "(\(a) in (\(values.map(literal).joined(separator: ", "))))"
        case .string(let f, let a, let s): return "\(f.rawValue)(\(a), \(literal(.string(s))))"
        }
    }
}

/// Failures of queries: bad expressions, unknown columns, type errors.
public typealias QueryError = AnantError<QueryErrorCode>

/// The codes of `QueryError`.
public enum QueryErrorCode: String, AnantErrorCode {
    case syntax, unknownColumn, typeMismatch, overflow, invalidArgument, source, interrupted
}
