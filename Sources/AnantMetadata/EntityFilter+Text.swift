import AnantColumnar
import AnantQuery

extension EntityFilter {
    /// A filter from AnantQuery's expression text: comparisons of a field with a literal
    /// (`score >= 10`, `tag != 'x'`), `in (...)`, `starts_with(field, 'p')`, `is null`,
    /// `is not null`, combined with `and`, `or`, `not` and parentheses.
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT` for text that does not parse or uses what an
    ///   entity filter has no form for (arithmetic, two fields compared).
    public init(text: String) throws(Status) {
        let expr: Expr
        do { expr = try Expr.parse(text) } catch { throw Status(.invalidArgument, "filter \"\(text)\": \(error.message)") }
        self = try EntityFilter(expr, text: text)
    }

    init(_ expr: Expr, text: String) throws(Status) {
        func unsupported() -> Status {
            Status(.invalidArgument, "filter \"\(text)\": \(expr) has no entity filter form (compare a field with a value)")
        }
        switch expr {
        case .and(let a, let b): self = .and([try EntityFilter(a, text: text), try EntityFilter(b, text: text)])
        case .or(let a, let b): self = .or([try EntityFilter(a, text: text), try EntityFilter(b, text: text)])
        case .not(let a): self = .not(try EntityFilter(a, text: text))
        case .isNull(.column(let name)): self = .isNull(name)
        case .isNotNull(.column(let name)): self = .isNotNull(name)
        case .isIn(.column(let name), let values): self = .within(name, values.map(\.jsonValue))
        case .string(.startsWith, .column(let name), let prefix): self = .prefix(name, prefix)
        case .compare(let op, .column(let name), .literal(let value)):
            self = EntityFilter.comparison(op, name, value.jsonValue)
        case .compare(let op, .literal(let value), .column(let name)):
            // `3 < score` is `score > 3`.
            let flipped: ComparisonOperator = switch op {
            case .less: .greater
            case .lessOrEqual: .greaterOrEqual
            case .greater: .less
            case .greaterOrEqual: .lessOrEqual
            default: op
            }
            self = EntityFilter.comparison(flipped, name, value.jsonValue)
        default: throw unsupported()
        }
    }

    static func comparison(_ op: ComparisonOperator, _ name: String, _ value: JSONValue) -> EntityFilter {
        switch op {
        case .equal: .equals(name, value)
        case .notEqual: .not(.equals(name, value))
        case .less: .range(name, lower: nil, upper: value, upperInclusive: false)
        case .lessOrEqual: .range(name, lower: nil, upper: value, upperInclusive: true)
        case .greater: .range(name, lower: value, lowerInclusive: false, upper: nil)
        case .greaterOrEqual: .range(name, lower: value, lowerInclusive: true, upper: nil)
        }
    }
}
