import AnantColumnar

extension Expr {
    /// Parses an expression:
    ///
    ///     or:        and ("or" and)*
    ///     and:       not ("and" not)*
    ///     not:       "not" not | predicate
    ///     predicate: sum [(= | == | != | <> | < | <= | > | >=) sum | is [not] null | [not] in (literal, ...)]
    ///     sum:       product ((+ | -) product)*
    ///     product:   unary ((* | / | %) unary)*
    ///     unary:     - unary | primary
    ///     primary:   number | 'string' | true | false | null | name | `name` | ( or )
    ///                | contains(expr, 'text') | starts_with(expr, 'text') | ends_with(expr, 'text')
    ///
    /// Keywords are case-insensitive; strings double a quote to contain one.
    ///
    /// Limits (text from the network reaches it): 64 KiB of text, nesting 128 deep, 4,096
    /// operators; beyond them the text is refused, never recursed into without bound.
    public static func parse(_ text: String) throws(QueryError) -> Expr {
        guard text.utf8.count <= ExprParser.maximumBytes else {
            throw QueryError(.syntax, "an expression of \(text.utf8.count) bytes is over the limit of \(ExprParser.maximumBytes)")
        }
        var parser = ExprParser(Array(text.utf8))
        let expr = try parser.or()
        parser.skipSpace()
        guard parser.atEnd else { throw parser.error("unexpected '\(parser.rest)'") }
        return expr
    }
}

struct ExprParser {
    static let maximumBytes = 64 << 10
    static let maximumDepth = 128
    static let maximumOperators = 4096
    let bytes: [UInt8]
    var position = 0
    var depth = 0
    var operators = 0

    /// Runs a nested parse, refusing nesting past the limit.
    mutating func nested(_ body: (inout ExprParser) throws(QueryError) -> Expr) throws(QueryError) -> Expr {
        depth += 1
        defer { depth -= 1 }
        guard depth <= ExprParser.maximumDepth else { throw error("the expression nests deeper than \(ExprParser.maximumDepth) levels") }
        return try body(&self)
    }

    /// Counts one more operator, refusing more than the limit.
    mutating func count() throws(QueryError) {
        operators += 1
        guard operators <= ExprParser.maximumOperators else { throw error("the expression has more than \(ExprParser.maximumOperators) operators") }
    }

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }
    var rest: String { String(decoding: bytes[position...].prefix(20), as: UTF8.self) }

    func error(_ what: String) -> QueryError {
        QueryError(.syntax, "cannot parse the expression at character \(position + 1): \(what)")
    }

    mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    /// Consumes `symbol` (after spaces) when it comes next.
    mutating func take(_ symbol: String) -> Bool {
        skipSpace()
        let s = Array(symbol.utf8)
        guard position + s.count <= bytes.count, Array(bytes[position..<position + s.count]) == s else { return false }
        position += s.count
        return true
    }

    /// Consumes a keyword (case-insensitive, not followed by a name character).
    mutating func keyword(_ word: String) -> Bool {
        skipSpace()
        let w = Array(word.utf8)
        guard position + w.count <= bytes.count else { return false }
        for (k, c) in w.enumerated() where lower(bytes[position + k]) != c { return false }
        if position + w.count < bytes.count, isNameByte(bytes[position + w.count]) { return false }
        position += w.count
        return true
    }

    private func lower(_ c: UInt8) -> UInt8 { (0x41...0x5A).contains(c) ? c + 32 : c }
    private func isNameByte(_ c: UInt8) -> Bool { c == 0x5F || (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || c >= 0x80 }

    mutating func or() throws(QueryError) -> Expr {
        var left = try and()
        while keyword("or") {
            try count()
            left = .or(left, try and())
        }
        return left
    }

    mutating func and() throws(QueryError) -> Expr {
        var left = try not()
        while keyword("and") {
            try count()
            left = .and(left, try not())
        }
        return left
    }

    mutating func not() throws(QueryError) -> Expr {
        let save = position
        if keyword("not") {
            // `not in` belongs to a predicate; here `not` negates what follows.
            return .not(try nested { (p: inout ExprParser) throws(QueryError) in try p.not() })
        }
        position = save
        return try predicate()
    }

    mutating func predicate() throws(QueryError) -> Expr {
        let left = try sum()
        let operators: [(String, ComparisonOperator)] = [("==", .equal), ("!=", .notEqual), ("<>", .notEqual), ("<=", .lessOrEqual),
                                                         (">=", .greaterOrEqual), ("=", .equal), ("<", .less), (">", .greater)]
        for (symbol, op) in operators where take(symbol) { return .compare(op, left, try sum()) }
        let save = position
        if keyword("is") {
            let negated = keyword("not")
            guard keyword("null") else { throw error("expected null after is\(negated ? " not" : "")") }
            return negated ? .isNotNull(left) : .isNull(left)
        }
        position = save
        let negated = keyword("not")
        if keyword("in") {
            guard take("(") else { throw error("expected ( after in") }
            var values = [ScalarValue]()
            repeat {
                guard case .literal(let value) = try unary() else { throw error("in (...) takes literals") }
                values.append(value)
            } while take(",")
            guard take(")") else { throw error("expected ) to close in (...)") }
            return negated ? .not(.isIn(left, values)) : .isIn(left, values)
        }
        position = save
        return left
    }

    mutating func sum() throws(QueryError) -> Expr {
        var left = try product()
        while true {
            if take("+") {
                try count()
                left = .arithmetic(.add, left, try product())
            } else if take("-") {
                try count()
                left = .arithmetic(.subtract, left, try product())
            } else {
                return left
            }
        }
    }

    mutating func product() throws(QueryError) -> Expr {
        var left = try unary()
        while true {
            let op: ArithmeticOperator
            if take("*") { op = .multiply } else if take("/") { op = .divide } else if take("%") { op = .remainder } else { return left }
            try count()
            left = .arithmetic(op, left, try unary())
        }
    }

    mutating func unary() throws(QueryError) -> Expr {
        if take("-") {
            let inner = try nested { (p: inout ExprParser) throws(QueryError) in try p.unary() }
            switch inner {
            case .literal(.int(let v)) where v != .min: return .literal(.int(-v))
            case .literal(.double(let v)): return .literal(.double(-v))
            default: return .negate(inner)
            }
        }
        return try primary()
    }

    mutating func primary() throws(QueryError) -> Expr {
        skipSpace()
        guard !atEnd else { throw error("the expression ends too early") }
        if take("(") {
            let inner = try nested { (p: inout ExprParser) throws(QueryError) in try p.or() }
            guard take(")") else { throw error("expected )") }
            return inner
        }
        let c = bytes[position]
        if c == 0x27 { return .literal(.string(try quoted(0x27))) }
        if c == 0x60 { return .column(try quoted(0x60)) }
        if (0x30...0x39).contains(c) || c == 0x2E { return .literal(try number()) }
        if keyword("true") { return .literal(.bool(true)) }
        if keyword("false") { return .literal(.bool(false)) }
        if keyword("null") { return .literal(.null) }
        guard isNameByte(c) else { throw error("unexpected '\(rest)'") }
        let start = position
        while position < bytes.count, isNameByte(bytes[position]) { position += 1 }
        let name = String(decoding: bytes[start..<position], as: UTF8.self)
        let functions: [String: StringPredicate] = ["contains": .contains, "starts_with": .startsWith, "ends_with": .endsWith]
        if let function = functions[name.lowercased()], take("(") {
            let target = try or()
            guard take(","), case .literal(.string(let text)) = try primary() else {
                throw error("\(name)(expression, 'text') takes a quoted string second")
            }
            guard take(")") else { throw error("expected ) to close \(name)(...)") }
            return .string(function, target, text)
        }
        return .column(name)
    }

    private mutating func quoted(_ quote: UInt8) throws(QueryError) -> String {
        position += 1
        var out = [UInt8]()
        while position < bytes.count {
            if bytes[position] == quote {
                if position + 1 < bytes.count, bytes[position + 1] == quote {
                    out.append(quote)
                    position += 2
                    continue
                }
                position += 1
                return String(decoding: out, as: UTF8.self)
            }
            out.append(bytes[position])
            position += 1
        }
        throw error("an unterminated \(quote == 0x27 ? "string" : "quoted name")")
    }

    private mutating func number() throws(QueryError) -> ScalarValue {
        let start = position
        while position < bytes.count, (0x30...0x39).contains(bytes[position]) || [0x2E, 0x65, 0x45].contains(bytes[position])
            || ((bytes[position] == 0x2B || bytes[position] == 0x2D) && [0x65, 0x45].contains(bytes[position - 1])) {
            position += 1
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if let value = Int64(text) { return .int(value) }
        if let value = Double(text) { return .double(value) }
        throw error("'\(text)' is not a number")
    }
}
