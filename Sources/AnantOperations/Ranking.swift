import AnantColumnar

/// How `--top K` cuts an operation's answer: the one rule behind every per-element
/// command's `--top`.
public enum Ranking: Sendable, Hashable {
    /// Rows by the number in `column` of table `table`, highest first; ties keep the
    /// answer's order.
    case values(table: String, column: String)
    /// The first K groups of consecutive rows sharing `column`'s value in table `table`:
    /// answers that list groups best first (components and communities largest first,
    /// diameters longest first).
    case groups(table: String, column: String)
}

extension Operation {
    /// The ranking `--top` keeps the head of; nil for answers without one (listings,
    /// single values, hypergraphs).
    public var ranking: Ranking? {
        switch self {
        case .degree: .values(table: "degrees", column: "degree")
        case .centrality(let measure, _, _, _, _, _, _, _, _): .values(table: "centrality", column: measure.rawValue)
        case .lineGraph: .values(table: "pairs", column: "overlap")
        case .components: .groups(table: "components", column: "component")
        case .communities: .groups(table: "communities", column: "community")
        case .diameter(_, _, true): .groups(table: "diameters", column: "component")
        default: nil
        }
    }
}

extension OperationResult {
    /// The answer cut to the first `k` of `operation`'s ranking; other tables and the
    /// scalars (totals among them) stay as they are, and `top_of` says how many elements
    /// (rows, or groups) the ranking had.
    ///
    /// - Throws: `OperationError.invalidArgument` for k < 1, an operation without a
    ///   ranking, or a result without the ranked table.
    public func top(_ k: Int, of operation: Operation) throws(OperationError) -> OperationResult {
        guard k >= 1 else { throw OperationError(.invalidArgument, "\(operation.name): top must be at least 1 (got \(k))") }
        guard let ranking = operation.ranking else {
            throw OperationError(.invalidArgument, "\(operation.name) answers no ranking to take the top of; --top applies to degree, centrality, line-graph, components, communities and diameter --components")
        }
        let (name, columnName) = switch ranking {
        case .values(let table, let column), .groups(let table, let column): (table, column)
        }
        guard let index = tables.firstIndex(where: { $0.name == name }),
              let c = tables[index].table.schema.names.firstIndex(of: columnName) else {
            throw OperationError(.invalidArgument, "\(operation.name): the result has no column '\(columnName)' in a table '\(name)' to rank")
        }
        let table = tables[index].table, column = table.columns[c]
        let rows: [Int], total: Int
        switch ranking {
        case .values:
            func number(_ row: Int) -> Double {
                switch column[row] {
                case .int(let v): Double(v)
                case .double(let v): v.isNaN ? -.infinity : v
                default: -.infinity
                }
            }
            let values = (0..<table.rowCount).map(number)
            rows = Array((0..<table.rowCount).sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }.prefix(k))
            total = table.rowCount
        case .groups:
            let groups = OperationRenderer.runs(table, c)
            rows = Array(0..<(groups.prefix(k).last?.upperBound ?? 0))
            total = groups.count
        }
        var out = self
        out.tables[index].table = table.gather(rows)
        out.scalars.append(NamedScalar("top_of", .int(Int64(total))))
        return out
    }
}
