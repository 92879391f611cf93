import AnantColumnar

extension ParquetPredicate {
    /// Parses a filter such as `weight > 0.9 and (label = 'cat_01' or edge_id <= 100)`.
    ///
    /// Grammar: `or` of `and` of `not`/parenthesised terms; a term is `column op literal`
    /// (op: = == != <> < <= > >=), `column is [not] null`, or a Boolean column alone
    /// (`column = true`). Literals: integers, decimals,
    /// 'single' or "double" quoted strings, true, false. Columns are names, or `back-quoted`
    /// when they hold spaces or operators.
    public static func parse(_ text: String) throws(ParquetError) -> ParquetPredicate {
        var parser = PredicateParser(Array(text.unicodeScalars))
        let predicate = try parser.orExpression()
        parser.skipSpaces()
        guard parser.atEnd else { throw parser.failure("unexpected text") }
        return predicate
    }
}

private struct PredicateParser {
    let text: [Unicode.Scalar]
    var position = 0

    init(_ text: [Unicode.Scalar]) { self.text = text }

    var atEnd: Bool { position >= text.count }

    func failure(_ what: String) -> ParquetError {
        let shown = String(String.UnicodeScalarView(text))
        return ParquetError(.invalidArgument, "cannot parse the filter '\(shown)' at character \(position + 1): \(what)")
    }

    mutating func skipSpaces() {
        while position < text.count, text[position].properties.isWhitespace { position += 1 }
    }

    mutating func keyword(_ word: String) -> Bool {
        skipSpaces()
        let scalars = Array(word.unicodeScalars)
        guard position + scalars.count <= text.count else { return false }
        for (i, s) in scalars.enumerated() where Character(text[position + i]).lowercased() != String(s) { return false }
        let after = position + scalars.count
        if after < text.count, isIdentifier(text[after]) { return false }
        position = after
        return true
    }

    func peekKeyword(_ word: String) -> Bool {
        var copy = self
        return copy.keyword(word)
    }

    mutating func orExpression() throws(ParquetError) -> ParquetPredicate {
        var left = try andExpression()
        while keyword("or") { left = .or(left, try andExpression()) }
        return left
    }

    mutating func andExpression() throws(ParquetError) -> ParquetPredicate {
        var left = try unary()
        while keyword("and") { left = .and(left, try unary()) }
        return left
    }

    mutating func unary() throws(ParquetError) -> ParquetPredicate {
        if keyword("not") { return .not(try unary()) }
        skipSpaces()
        if position < text.count, text[position] == "(" {
            position += 1
            let inner = try orExpression()
            skipSpaces()
            guard position < text.count, text[position] == ")" else { throw failure("expected ')'") }
            position += 1
            return inner
        }
        let column = try identifier()
        if keyword("is") {
            let negated = keyword("not")
            guard keyword("null") else { throw failure("expected 'null' after 'is'") }
            return negated ? .isNotNull(column: column) : .isNull(column: column)
        }
        // A Boolean column on its own means `column = true`.
        skipSpaces()
        if atEnd || text[position] == ")" || peekKeyword("and") || peekKeyword("or") {
            return .compare(column: column, .equal, .bool(true))
        }
        let op = try comparison()
        return .compare(column: column, op, try literal())
    }

    func isIdentifier(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || s.properties.numericType != nil || s == "_" || s == "."
    }

    mutating func identifier() throws(ParquetError) -> String {
        skipSpaces()
        guard position < text.count else { throw failure("expected a column name") }
        if text[position] == "`" {
            let start = position + 1
            guard let end = text[start...].firstIndex(of: "`") else { throw failure("unterminated `quoted` column name") }
            position = end + 1
            return String(String.UnicodeScalarView(text[start..<end]))
        }
        let start = position
        while position < text.count, isIdentifier(text[position]) { position += 1 }
        guard position > start else { throw failure("expected a column name") }
        return String(String.UnicodeScalarView(text[start..<position]))
    }

    mutating func comparison() throws(ParquetError) -> ComparisonOperator {
        skipSpaces()
        let operators: [(String, ComparisonOperator)] = [("<=", .lessOrEqual), (">=", .greaterOrEqual), ("!=", .notEqual),
                                                         ("<>", .notEqual), ("==", .equal), ("=", .equal), ("<", .less), (">", .greater)]
        for (symbol, op) in operators {
            let scalars = Array(symbol.unicodeScalars)
            if position + scalars.count <= text.count, Array(text[position..<(position + scalars.count)]) == scalars {
                position += scalars.count
                return op
            }
        }
        throw failure("expected a comparison (=, !=, <, <=, >, >=)")
    }

    mutating func literal() throws(ParquetError) -> ScalarValue {
        skipSpaces()
        guard position < text.count else { throw failure("expected a value") }
        let first = text[position]
        if first == "'" || first == "\"" {
            position += 1
            var value = String.UnicodeScalarView()
            while true {
                guard position < text.count else { throw failure("unterminated string") }
                let s = text[position]
                position += 1
                if s == first {
                    if position < text.count, text[position] == first {
                        value.append(s)
                        position += 1
                        continue
                    }
                    break
                }
                value.append(s)
            }
            return .string(String(value))
        }
        if keyword("true") { return .bool(true) }
        if keyword("false") { return .bool(false) }
        let start = position
        while position < text.count, text[position].properties.numericType != nil || "+-.eE".unicodeScalars.contains(text[position]) {
            position += 1
        }
        let token = String(String.UnicodeScalarView(text[start..<position]))
        if let integer = Int64(token) { return .int(integer) }
        if let number = Double(token) { return .double(number) }
        throw failure("expected a number, a quoted string, true or false")
    }
}
