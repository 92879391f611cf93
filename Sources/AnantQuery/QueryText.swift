import AnantColumnar

/// The query language's list forms, as the CLI options and a client's query text use
/// them: comma-separated items (`--select`, `--sort`, `--agg`, `--with`), `EXPR as NAME`,
/// sort keys and aggregate lists.
public enum QueryText {
    /// Splits at commas outside parentheses and quotes; items trimmed, empty ones dropped.
    public static func topLevelItems(_ text: String) -> [String] {
        var items = [String](), current = "", depth = 0, quoted = false
        for c in text {
            if c == "'" { quoted.toggle() }
            if !quoted {
                if c == "(" { depth += 1 }
                if c == ")" { depth -= 1 }
                if c == ",", depth == 0 {
                    items.append(current)
                    current = ""
                    continue
                }
            }
            current.append(c)
        }
        items.append(current)
        return items.map(trimmed).filter { !$0.isEmpty }
    }

    /// A plain comma-separated list of names (group keys, join keys).
    public static func names(_ text: String) -> [String] {
        text.split(separator: ",").map { trimmed(String($0)) }.filter { !$0.isEmpty }
    }

    /// 'EXPR as NAME', or 'EXPR' named by its text (a bare column keeps its name).
    public static func named(_ text: String) throws(QueryError) -> (String, Expr) {
        let lower = text.lowercased()
        if let range = lower.ranges(of: " as ").last {
            let name = trimmed(String(text[range.upperBound...]))
            let body = String(text[..<range.lowerBound])
            if !name.isEmpty, !name.contains(" "), !name.contains("'") {
                var bare = Substring(name)
                while bare.first == "`" { bare = bare.dropFirst() }
                while bare.last == "`" { bare = bare.dropLast() }
                return (String(bare), try Expr.parse(body))
            }
        }
        let expr = try Expr.parse(text)
        return (expr.outputName, expr)
    }

    /// 'column [asc|desc]'.
    public static func sortKey(_ text: String) throws(QueryError) -> SortKey {
        let words = text.split(separator: " ").map(String.init)
        guard let column = words.first, words.count <= 2 else { throw QueryError(.syntax, "a sort key is 'column [asc|desc]', not '\(text)'") }
        switch words.count == 2 ? words[1].lowercased() : "asc" {
        case "asc": return SortKey(column)
        case "desc": return SortKey(column, descending: true)
        default: throw QueryError(.syntax, "a sort key is 'column [asc|desc]', not '\(text)'")
        }
    }

    /// Aggregates separated by commas: `count(*) as n, sum(weight) as w`.
    public static func aggregations(_ text: String) throws(QueryError) -> [Aggregation] {
        var out = [Aggregation]()
        for item in topLevelItems(text) { out.append(try Aggregation.parse(item)) }
        return out
    }

    private static func trimmed(_ text: String) -> String {
        var s = Substring(text)
        while let c = s.first, c == " " || c == "\t" || c == "\n" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" { s = s.dropLast() }
        return String(s)
    }
}
