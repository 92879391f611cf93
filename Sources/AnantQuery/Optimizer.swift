import AnantColumnar
import AnantParquet

/// Rewrites a plan before it runs: predicates move down to the scans (through selections,
/// sorts, group keys and joins), projections move down so that scans decode only the
/// columns something above reads, and a sort under a limit becomes a top-k.
enum Optimizer {
    static func optimize(_ node: LazyFrame.Node) throws(QueryError) -> LazyFrame.Node {
        let pushed = try pushPredicates(node, [])
        return try pushProjections(fuseTopK(pushed), nil)
    }

    // MARK: Output columns

    /// The names of a node's output columns, in order.
    static func names(_ node: LazyFrame.Node) throws(QueryError) -> [String] {
        switch node {
        case .scan(let source, let columns, _):
            if let columns { return columns }
            return try sourceSchema(source).names
        case .filter(let input, _), .sort(let input, _), .limit(let input, _), .topK(let input, _, _):
            return try names(input)
        case .select(let input, let columns, let keepInput):
            guard keepInput else { return columns.map(\.0) }
            var out = try names(input)
            for (name, _) in columns where !out.contains(name) { out.append(name) }
            return out
        case .aggregate(_, let keys, let aggregations):
            return keys + aggregations.map(\.name)
        case .join(let left, let right, _, let rightOn, _):
            let leftNames = try names(left)
            return leftNames + joinRightNames(leftNames, try names(right), rightOn).map(\.output)
        }
    }

    /// The right side's columns a join appends (its keys dropped), renamed with a `_right`
    /// suffix where the left side has the name already (as polars does).
    static func joinRightNames(_ leftNames: [String], _ rightNames: [String], _ rightOn: [String]) -> [(source: String, output: String)] {
        var taken = Set(leftNames)
        var out = [(source: String, output: String)]()
        for name in rightNames where !rightOn.contains(name) {
            var output = name
            while taken.contains(output) { output += "_right" }
            taken.insert(output)
            out.append((name, output))
        }
        return out
    }

    /// The schema of a scan's source (the first file's, for Parquet).
    static func sourceSchema(_ source: TableSource) throws(QueryError) -> Schema {
        switch source {
        case .memory(let batch): return batch.schema
        case .parquet(let paths):
            guard let first = paths.first else { throw QueryError(.source, "the scan names no Parquet file") }
            return try openParquet(first).columnarSchema
        }
    }

    static func openParquet(_ path: String) throws(QueryError) -> ParquetFileReader {
        do { return try ParquetFileReader(path: path) } catch {
            throw QueryError(.source, "\(path): \(error.message)")
        }
    }

    // MARK: Predicates

    private static func conjunction(_ parts: [Expr]) -> Expr? {
        guard var out = parts.first else { return nil }
        for part in parts.dropFirst() { out = .and(out, part) }
        return out
    }

    private static func wrap(_ node: LazyFrame.Node, _ pending: [Expr]) -> LazyFrame.Node {
        conjunction(pending).map { .filter(node, $0) } ?? node
    }

    /// Moves the conjuncts of `pending` (filters above `node`) as far down as they stay
    /// correct; those that cannot move wrap the node as a filter.
    private static func pushPredicates(_ node: LazyFrame.Node, _ pending: [Expr]) throws(QueryError) -> LazyFrame.Node {
        switch node {
        case .scan(let source, let columns, let filter):
            let all = (filter?.conjuncts ?? []) + pending
            return .scan(source, columns: columns, filter: conjunction(all))
        case .filter(let input, let predicate):
            return try pushPredicates(input, predicate.conjuncts + pending)
        case .sort(let input, let keys):
            return .sort(try pushPredicates(input, pending), keys)
        case .select(let input, let columns, let keepInput):
            // A conjunct moves below when every column it reads passes through unchanged.
            let computed = Dictionary(columns.map { ($0.0, $0.1) }, uniquingKeysWith: { _, last in last })
            let passes: (String) -> Bool = { name in
                if let expr = computed[name] { return expr == .column(name) }
                return keepInput
            }
            let (down, up) = pending.partitioned { $0.columns.allSatisfy(passes) }
            return wrap(.select(try pushPredicates(input, down), columns, keepInput: keepInput), up)
        case .aggregate(let input, let keys, let aggregations):
            let (down, up) = pending.partitioned { $0.columns.isSubset(of: Set(keys)) }
            return wrap(.aggregate(try pushPredicates(input, down), keys: keys, aggregations: aggregations), up)
        case .join(let left, let right, let leftOn, let rightOn, let kind):
            let leftNames = Set(try names(left))
            let rightNames = try names(right)
            // Right columns that keep their own name in the output.
            let rightKept = Set(joinRightNames(Array(leftNames), rightNames, rightOn).filter { $0.source == $0.output }.map(\.source))
            var toLeft = [Expr](), toRight = [Expr](), up = [Expr]()
            for conjunct in pending {
                let columns = conjunct.columns
                if columns.isSubset(of: leftNames) {
                    toLeft.append(conjunct)
                } else if kind == .inner, columns.isSubset(of: rightKept) {
                    toRight.append(conjunct)
                } else {
                    up.append(conjunct)
                }
            }
            return wrap(.join(try pushPredicates(left, toLeft), try pushPredicates(right, toRight),
                              leftOn: leftOn, rightOn: rightOn, kind: kind), up)
        case .limit(let input, let n):
            return wrap(.limit(try pushPredicates(input, []), n), pending)
        case .topK(let input, let keys, let n):
            return wrap(.topK(try pushPredicates(input, []), keys, n), pending)
        }
    }

    // MARK: Top-k

    private static func fuseTopK(_ node: LazyFrame.Node) -> LazyFrame.Node {
        switch node {
        case .limit(.sort(let input, let keys), let n): return .topK(fuseTopK(input), keys, n)
        case .limit(let input, let n): return .limit(fuseTopK(input), n)
        case .scan: return node
        case .filter(let input, let e): return .filter(fuseTopK(input), e)
        case .select(let input, let c, let k): return .select(fuseTopK(input), c, keepInput: k)
        case .aggregate(let input, let k, let a): return .aggregate(fuseTopK(input), keys: k, aggregations: a)
        case .join(let l, let r, let lo, let ro, let kind): return .join(fuseTopK(l), fuseTopK(r), leftOn: lo, rightOn: ro, kind: kind)
        case .sort(let input, let keys): return .sort(fuseTopK(input), keys)
        case .topK(let input, let keys, let n): return .topK(fuseTopK(input), keys, n)
        }
    }

    // MARK: Projections

    /// Rewrites `node` to produce at least `required` (every column when nil), reading as
    /// few columns as possible; a node whose output would carry columns nothing above
    /// reads is trimmed by a selection.
    private static func pushProjections(_ node: LazyFrame.Node, _ required: [String]?) throws(QueryError) -> LazyFrame.Node {
        func union(_ a: [String]?, _ b: some Sequence<String>) -> [String]? {
            guard var a else { return nil }
            for name in b where !a.contains(name) { a.append(name) }
            return a
        }
        func trimmed(_ rewritten: LazyFrame.Node) throws(QueryError) -> LazyFrame.Node {
            guard let required, try names(rewritten) != required else { return rewritten }
            return .select(rewritten, required.map { ($0, .column($0)) }, keepInput: false)
        }
        switch node {
        case .scan(let source, let columns, let filter):
            let available: [String]
            if let columns { available = columns } else { available = try sourceSchema(source).names }
            for name in required ?? [] where !available.contains(name) {
                throw QueryError(.unknownColumn, "unknown column '\(name)' (columns: \(available.joined(separator: ", ")))")
            }
            for name in filter?.columns.sorted() ?? [] where !available.contains(name) {
                throw QueryError(.unknownColumn, "unknown column '\(name)' in the filter \(filter!) (columns: \(available.joined(separator: ", ")))")
            }
            return .scan(source, columns: required.map { r in available.filter { r.contains($0) } } ?? available, filter: filter)
        case .filter(let input, let predicate):
            return try trimmed(.filter(try pushProjections(input, union(required, predicate.columns.sorted())), predicate))
        case .sort(let input, let keys):
            return try trimmed(.sort(try pushProjections(input, union(required, keys.map(\.column))), keys))
        case .topK(let input, let keys, let n):
            return try trimmed(.topK(try pushProjections(input, union(required, keys.map(\.column))), keys, n))
        case .limit(let input, let n):
            return .limit(try pushProjections(input, required), n)
        case .select(let input, let columns, let keepInput):
            let kept = required.map { r in columns.filter { r.contains($0.0) } } ?? columns
            var reads = [String]()
            for (_, expr) in kept { for c in expr.columns.sorted() where !reads.contains(c) { reads.append(c) } }
            if keepInput {
                let computed = Set(columns.map(\.0))
                let below: [String]? = required.map { r in r.filter { !computed.contains($0) } }
                let rewritten = LazyFrame.Node.select(try pushProjections(input, union(below, reads)), kept, keepInput: true)
                return try trimmed(rewritten)
            }
            return .select(try pushProjections(input, reads), kept, keepInput: false)
        case .aggregate(let input, let keys, let aggregations):
            var reads = keys
            for a in aggregations { if let c = a.column, !reads.contains(c) { reads.append(c) } }
            return .aggregate(try pushProjections(input, reads), keys: keys, aggregations: aggregations)
        case .join(let left, let right, let leftOn, let rightOn, let kind):
            guard leftOn.count == rightOn.count, !leftOn.isEmpty else {
                throw QueryError(.invalidArgument, "a join needs as many left keys as right keys, at least one (got \(leftOn) and \(rightOn))")
            }
            let leftNames = try names(left), rightNames = try names(right)
            for key in leftOn where !leftNames.contains(key) {
                throw QueryError(.unknownColumn, "unknown join key '\(key)' on the left (columns: \(leftNames.joined(separator: ", ")))")
            }
            for key in rightOn where !rightNames.contains(key) {
                throw QueryError(.unknownColumn, "unknown join key '\(key)' on the right (columns: \(rightNames.joined(separator: ", ")))")
            }
            guard let required else {
                return .join(try pushProjections(left, nil), try pushProjections(right, nil), leftOn: leftOn, rightOn: rightOn, kind: kind)
            }
            // Output names depend on which left columns exist, so the left side keeps its
            // columns that collide with right ones; the right side keeps what is read.
            let rightOut = joinRightNames(leftNames, rightNames, rightOn)
            let leftKeep = leftNames.filter { name in required.contains(name) || leftOn.contains(name) || rightNames.contains(name) }
            let rightKeep = rightNames.filter { name in
                rightOn.contains(name) || rightOut.contains { $0.source == name && required.contains($0.output) }
            }
            return try trimmed(.join(try pushProjections(left, leftKeep), try pushProjections(right, rightKeep),
                                     leftOn: leftOn, rightOn: rightOn, kind: kind))
        }
    }

    // MARK: Explain

    /// The plan, one operator per line, children indented.
    static func describe(_ node: LazyFrame.Node, indent: String = "") -> String {
        let next = indent + "  "
        switch node {
        case .scan(let source, let columns, let filter):
            var line = indent + "scan "
            switch source {
            case .parquet(let paths): line += paths.count == 1 ? "parquet \(paths[0])" : "parquet (\(paths.count) files)"
            case .memory(let batch): line += "memory (\(batch.rowCount) rows)"
            }
            line += " columns [\(columns?.joined(separator: ", ") ?? "*")]"
            if let filter {
                line += " filter \(filter)"
                if case .parquet = source, let pruning = prunePredicate(filter) { line += " prune row groups by \(pruning)" }
            }
            return line
        case .filter(let input, let e): return indent + "filter \(e)\n" + describe(input, indent: next)
        case .select(let input, let columns, let keep):
            let text = columns.map { name, expr in expr == .column(name) ? name : "\(expr) as \(name)" }.joined(separator: ", ")
            return indent + (keep ? "with_columns " : "select ") + text + "\n" + describe(input, indent: next)
        case .aggregate(let input, let keys, let aggregations):
            let aggs = aggregations.map { "\($0.function.rawValue)(\($0.column ?? "*")) as \($0.name)" }.joined(separator: ", ")
            return indent + "group_by [\(keys.joined(separator: ", "))] agg \(aggs)\n" + describe(input, indent: next)
        case .join(let l, let r, let lo, let ro, let kind):
            return indent + "\(kind.rawValue) join on [\(lo.joined(separator: ", "))] = [\(ro.joined(separator: ", "))]\n"
                + describe(l, indent: next) + "\n" + describe(r, indent: next)
        case .sort(let input, let keys):
            return indent + "sort \(sortText(keys))\n" + describe(input, indent: next)
        case .topK(let input, let keys, let n):
            return indent + "top \(n) by \(sortText(keys))\n" + describe(input, indent: next)
        case .limit(let input, let n):
            return indent + "limit \(n)\n" + describe(input, indent: next)
        }
    }

    private static func sortText(_ keys: [SortKey]) -> String {
        keys.map { $0.column + ($0.descending ? " desc" : "") }.joined(separator: ", ")
    }

    // MARK: Row-group pruning

    /// The part of a scan filter that Parquet statistics can test: the conjuncts that
    /// translate exactly (comparisons of a column with a literal, null tests, `is_in`,
    /// and/or/not of those). Nil when none does.
    static func prunePredicate(_ filter: Expr) -> ParquetPredicate? {
        var parts = [ParquetPredicate]()
        for conjunct in filter.conjuncts { if let p = exact(conjunct) { parts.append(p) } }
        guard var out = parts.first else { return nil }
        for p in parts.dropFirst() { out = .and(out, p) }
        return out
    }

    /// The conjuncts of a scan filter that hold only for listed values of a column
    /// (`c = v`, `v = c`, `c in (...)`): row groups whose dictionary holds none of the
    /// values cannot match.
    static func equalityTests(_ filter: Expr) -> [(column: String, values: [ScalarValue])] {
        filter.conjuncts.compactMap { conjunct in
            switch conjunct {
            case .compare(.equal, .column(let c), .literal(let v)), .compare(.equal, .literal(let v), .column(let c)): return (c, [v])
            case .isIn(.column(let c), let values): return (c, values)
            default: return nil
            }
        }
    }

    private static func exact(_ e: Expr) -> ParquetPredicate? {
        switch e {
        case .compare(let op, .column(let c), .literal(let v)) where !v.isNull:
            return .compare(column: c, op, v)
        case .compare(let op, .literal(let v), .column(let c)) where !v.isNull:
            return .compare(column: c, op.flipped, v)
        case .isNull(.column(let c)): return .isNull(column: c)
        case .isNotNull(.column(let c)): return .isNotNull(column: c)
        case .isIn(.column(let c), let values):
            let tests = values.filter { !$0.isNull }.map { ParquetPredicate.compare(column: c, .equal, $0) }
            guard var out = tests.first else { return nil }
            for t in tests.dropFirst() { out = .or(out, t) }
            return out
        case .and(let a, let b):
            guard let x = exact(a), let y = exact(b) else { return nil }
            return .and(x, y)
        case .or(let a, let b):
            guard let x = exact(a), let y = exact(b) else { return nil }
            return .or(x, y)
        case .not(let a):
            return negation(a)
        default:
            return nil
        }
    }

    /// `not e` as a predicate without `not` where the statistics can test it: comparisons
    /// invert (`not x < 5` holds exactly where `x >= 5` does, nulls excluded from both),
    /// and/or swap by De Morgan's laws.
    private static func negation(_ e: Expr) -> ParquetPredicate? {
        switch e {
        case .compare(let op, .column(let c), .literal(let v)) where !v.isNull:
            return .compare(column: c, op.inverted, v)
        case .compare(let op, .literal(let v), .column(let c)) where !v.isNull:
            return .compare(column: c, op.flipped.inverted, v)
        case .isNull(.column(let c)): return .isNotNull(column: c)
        case .isNotNull(.column(let c)): return .isNull(column: c)
        case .and(let a, let b):
            guard let x = negation(a), let y = negation(b) else { return nil }
            return .or(x, y)
        case .or(let a, let b):
            guard let x = negation(a), let y = negation(b) else { return nil }
            return .and(x, y)
        case .not(let a):
            return exact(a)
        default:
            return exact(e).map { .not($0) }
        }
    }
}

extension ComparisonOperator {
    /// The operator that holds exactly where this one fails (between non-null values).
    var inverted: ComparisonOperator {
        switch self {
        case .equal: return .notEqual
        case .notEqual: return .equal
        case .less: return .greaterOrEqual
        case .lessOrEqual: return .greater
        case .greater: return .lessOrEqual
        case .greaterOrEqual: return .less
        }
    }
}

extension Array {
    /// The elements that satisfy `test`, and those that do not, each in order.
    func partitioned(_ test: (Element) throws -> Bool) rethrows -> ([Element], [Element]) {
        var yes = [Element](), no = [Element]()
        for e in self { if try test(e) { yes.append(e) } else { no.append(e) } }
        return (yes, no)
    }
}

extension Expr {
    /// The part of this filter that a Parquet reader can apply itself (statistics pruning
    /// and row tests): the conjuncts that translate exactly; nil when none does. Rows it
    /// keeps must still pass the whole filter.
    public var parquetPredicate: ParquetPredicate? { Optimizer.prunePredicate(self) }
}
