import AnantColumnar
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The value of an expression over a batch: a column, or one value for every row.
enum Vector {
    case column(Column)
    case constant(ScalarValue)

    func column(rows: Int) throws(QueryError) -> Column {
        switch self {
        case .column(let c): return c
        case .constant(let v):
            do { return try Column(type: v.isNull ? .int64 : Column.inferType(of: [v]), values: [ScalarValue](repeating: v, count: rows)) } catch {
                throw QueryError(.typeMismatch, error.message)
            }
        }
    }
}

extension Expr {
    /// The expression's value for every row of `batch`.
    public func evaluate(_ batch: RecordBatch) throws(QueryError) -> Column {
        try vector(batch).column(rows: batch.rowCount)
    }

    /// The rows where the expression is true (null and false rows are dropped).
    public func selection(_ batch: RecordBatch) throws(QueryError) -> Bitmap {
        switch try vector(batch) {
        case .constant(let v):
            if case .bool(let b) = v { return Bitmap(count: batch.rowCount, value: b) }
            if v.isNull { return Bitmap(count: batch.rowCount, value: false) }
            throw QueryError(.typeMismatch, "the filter \(self) gives \(v), not a Boolean")
        case .column(.bool(let c)):
            return c.validity.map { c.bits.intersection($0) } ?? c.bits
        case .column(let c):
            throw QueryError(.typeMismatch, "the filter \(self) gives \(c.dataType) values, not Booleans")
        }
    }

    func vector(_ batch: RecordBatch) throws(QueryError) -> Vector {
        let rows = batch.rowCount
        switch self {
        case .column(let name):
            do { return .column(try batch.column(named: name)) } catch {
                throw QueryError(.unknownColumn, "unknown column '\(name)' (columns: \(batch.schema.names.joined(separator: ", ")))")
            }
        case .literal(let v):
            return .constant(v)
        case .compare(let op, let a, let b):
            return try Expr.compare(op, try a.vector(batch), try b.vector(batch), rows: rows, context: self)
        case .and(let a, let b):
            return try Expr.logic(try a.vector(batch), try b.vector(batch), rows: rows, and: true, context: self)
        case .or(let a, let b):
            return try Expr.logic(try a.vector(batch), try b.vector(batch), rows: rows, and: false, context: self)
        case .not(let a):
            switch try a.vector(batch) {
            case .constant(.bool(let v)): return .constant(.bool(!v))
            case .constant(.null): return .constant(.null)
            case .column(.bool(let c)): return .column(.bool(BoolColumn(bits: c.bits.inverted(), validity: c.validity)))
            default: throw QueryError(.typeMismatch, "not needs a Boolean in \(self)")
            }
        case .arithmetic(let op, let a, let b):
            return try Expr.arithmetic(op, try a.vector(batch), try b.vector(batch), rows: rows, context: self)
        case .negate(let a):
            return try Expr.arithmetic(.subtract, .constant(.int(0)), try a.vector(batch), rows: rows, context: self)
        case .isNull(let a), .isNotNull(let a):
            let wantNull: Bool
            if case .isNull = self { wantNull = true } else { wantNull = false }
            switch try a.vector(batch) {
            case .constant(let v): return .constant(.bool(v.isNull == wantNull))
            case .column(let c): return .column(.bool(BoolColumn(bits: wantNull ? c.nullRows() : c.validRows())))
            }
        case .isIn(let a, let values):
            return try Expr.membership(try a.vector(batch), values, rows: rows, context: self)
        case .string(let function, let a, let text):
            return try Expr.stringTest(function, try a.vector(batch), text, rows: rows, context: self)
        }
    }

    // MARK: Comparison

    private static func compare(_ op: ComparisonOperator, _ a: Vector, _ b: Vector, rows: Int, context: Expr) throws(QueryError) -> Vector {
        switch (a, b) {
        case (.constant(let x), .constant(let y)):
            if x.isNull || y.isNull { return .constant(.null) }
            guard let order = x.order(comparedTo: y) else { throw mismatch(context, x.typeDescription, y.typeDescription) }
            return .constant(.bool(op.holds(order)))
        case (.column(let c), .constant(let v)):
            return try compareColumn(c, op, v, context: context)
        case (.constant(let v), .column(let c)):
            return try compareColumn(c, op.flipped, v, context: context)
        case (.column(let x), .column(let y)):
            return .column(.bool(try compareColumns(x, op, y, rows: rows, context: context)))
        }
    }

    private static func compareColumn(_ c: Column, _ op: ComparisonOperator, _ v: ScalarValue, context: Expr) throws(QueryError) -> Vector {
        if v.isNull { return .constant(.null) }
        do {
            return .column(.bool(BoolColumn(bits: try c.matching(op, v), validity: c.nullCount > 0 ? c.validRows() : nil)))
        } catch {
            throw QueryError(.typeMismatch, "in \(context): \(error.message)")
        }
    }

    private static func compareColumns(_ x: Column, _ op: ComparisonOperator, _ y: Column, rows: Int, context: Expr) throws(QueryError) -> BoolColumn {
        let validity = both(x, y)
        var bits = Bitmap(count: rows, value: false)
        switch (x, y) {
        case (.int64(let a), .int64(let b)):
            a.values.withUnsafeBufferPointer { p in b.values.withUnsafeBufferPointer { q in
                bits = Bitmap(words: bitWords(rows) { op.holds(p[$0] < q[$0] ? -1 : p[$0] > q[$0] ? 1 : 0) }, count: rows)
            } }
        case (.string(let a), .string(let b)):
            bits = Bitmap(words: bitWords(rows) { op.holds(a.compare(row: $0, with: b, row: $0)) }, count: rows)
        default:
            guard let p = numbers(x), let q = numbers(y) else {
                // Booleans, JSON and mixed kinds: value by value.
                var out = [Bool](repeating: false, count: rows)
                for row in 0..<rows where !x.isNull(row) && !y.isNull(row) {
                    guard let order = x[row].order(comparedTo: y[row]) else { throw mismatch(context, x.dataType.rawValue, y.dataType.rawValue) }
                    out[row] = op.holds(order)
                }
                return BoolColumn(bits: Bitmap(out), validity: validity)
            }
            bits = Bitmap(words: bitWords(rows) { row in
                let (u, w) = (p(row), q(row))
                let order = u.isNaN || w.isNaN ? (u.isNaN == w.isNaN ? 0 : (u.isNaN ? 1 : -1)) : (u < w ? -1 : u > w ? 1 : 0)
                return op.holds(order)
            }, count: rows)
        }
        return BoolColumn(bits: validity.map { bits.intersection($0) } ?? bits, validity: validity)
    }

    // MARK: Logic

    private static func logic(_ a: Vector, _ b: Vector, rows: Int, and: Bool, context: Expr) throws(QueryError) -> Vector {
        func truth(_ v: Vector) throws(QueryError) -> (isTrue: Bitmap, isKnown: Bitmap) {
            switch v {
            case .constant(.bool(let x)): return (Bitmap(count: rows, value: x), Bitmap(count: rows, value: true))
            case .constant(.null): return (Bitmap(count: rows, value: false), Bitmap(count: rows, value: false))
            case .column(.bool(let c)):
                let known = c.validity ?? Bitmap(count: rows, value: true)
                return (c.bits.intersection(known), known)
            default: throw QueryError(.typeMismatch, "\(and ? "and" : "or") needs Booleans in \(context)")
            }
        }
        let (x, y) = (try truth(a), try truth(b))
        let xFalse = x.isKnown.intersection(x.isTrue.inverted()), yFalse = y.isKnown.intersection(y.isTrue.inverted())
        let isTrue = and ? x.isTrue.intersection(y.isTrue) : x.isTrue.union(y.isTrue)
        let known = and ? x.isKnown.intersection(y.isKnown).union(xFalse).union(yFalse)
            : x.isKnown.intersection(y.isKnown).union(x.isTrue).union(y.isTrue)
        return .column(.bool(BoolColumn(bits: isTrue, validity: known.setCount == rows ? nil : known)))
    }

    // MARK: Arithmetic

    private static func arithmetic(_ op: ArithmeticOperator, _ a: Vector, _ b: Vector, rows: Int, context: Expr) throws(QueryError) -> Vector {
        if case .constant(let x) = a, case .constant(let y) = b {
            if x.isNull || y.isNull { return .constant(.null) }
            return .constant(try scalarArithmetic(op, x, y, context: context))
        }
        let x = try a.column(rows: rows), y = try b.column(rows: rows)
        let validity = both(x, y)
        let integral = [DataType.int32, .int64].contains(x.dataType) && [DataType.int32, .int64].contains(y.dataType)
        if integral && op != .divide {
            let (p, q) = (integers(x)!, integers(y)!)
            var out = [Int64](repeating: 0, count: rows)
            var nulls = validity ?? Bitmap(count: rows, value: true)
            for row in 0..<rows where nulls[row] {
                guard let (value, overflow) = integerArithmetic(op, p(row), q(row)) else { nulls[row] = false; continue }
                if overflow { throw QueryError(.overflow, "integer overflow in \(context) at row \(row)") }
                out[row] = value
            }
            return .column(.int64(PrimitiveColumn(out, validity: nulls.setCount == rows ? nil : nulls)))
        }
        guard let p = numbers(x), let q = numbers(y) else { throw mismatch(context, x.dataType.rawValue, y.dataType.rawValue) }
        let out = (0..<rows).map { row -> Double in
            let (u, w) = (p(row), q(row))
            switch op {
            case .add: return u + w
            case .subtract: return u - w
            case .multiply: return u * w
            case .divide: return u / w
            case .remainder: return fmod(u, w)
            }
        }
        return .column(.double(PrimitiveColumn(out.enumerated().map { validity?[$0.offset] == false ? 0 : $0.element }, validity: validity)))
    }

    /// `u op w` for integer `+ - * %` with its overflow flag; nil for `x % 0`, which is
    /// null (as in polars).
    @inline(__always)
    private static func integerArithmetic(_ op: ArithmeticOperator, _ u: Int64, _ w: Int64) -> (Int64, Bool)? {
        switch op {
        case .add: return u.addingReportingOverflow(w)
        case .subtract: return u.subtractingReportingOverflow(w)
        case .multiply: return u.multipliedReportingOverflow(by: w)
        case .divide, .remainder:
            if w == 0 { return nil }
            return u.remainderReportingOverflow(dividingBy: w)
        }
    }

    private static func scalarArithmetic(_ op: ArithmeticOperator, _ x: ScalarValue, _ y: ScalarValue, context: Expr) throws(QueryError) -> ScalarValue {
        if case .int(let u) = x, case .int(let w) = y, op != .divide {
            guard let (value, overflow) = integerArithmetic(op, u, w) else { return .null }
            if overflow { throw QueryError(.overflow, "integer overflow in \(context)") }
            return .int(value)
        }
        guard let u = x.doubleValue, let w = y.doubleValue else { throw mismatch(context, x.typeDescription, y.typeDescription) }
        switch op {
        case .add: return .double(u + w)
        case .subtract: return .double(u - w)
        case .multiply: return .double(u * w)
        case .divide: return .double(u / w)
        case .remainder: return .double(fmod(u, w))
        }
    }

    // MARK: Membership and strings

    private static func membership(_ a: Vector, _ values: [ScalarValue], rows: Int, context: Expr) throws(QueryError) -> Vector {
        let candidates = values.filter { !$0.isNull }
        func member(_ v: ScalarValue) throws(QueryError) -> Bool {
            for c in candidates {
                if let order = v.order(comparedTo: c) {
                    if order == 0 { return true }
                } else if !(v.doubleValue != nil && c.doubleValue != nil) && v.typeDescription != c.typeDescription {
                    throw mismatch(context, v.typeDescription, c.typeDescription)
                }
            }
            return false
        }
        switch a {
        case .constant(let v): return v.isNull ? .constant(.null) : .constant(.bool(try member(v)))
        case .column(let c):
            var bits = Bitmap(count: rows, value: false)
            switch c {
            case .int64(let ints) where candidates.allSatisfy({ if case .int = $0 { return true }; return false }):
                let set = Set(candidates.compactMap { if case .int(let v) = $0 { return v }; return nil })
                bits = Bitmap(words: ints.values.withUnsafeBufferPointer { p in bitWords(rows) { set.contains(p[$0]) } }, count: rows)
            case .string(let strings) where candidates.allSatisfy({ if case .string = $0 { return true }; return false }):
                let set = Set(candidates.compactMap { if case .string(let v) = $0 { return Array(v.utf8) }; return nil })
                bits = Bitmap(words: bitWords(rows) { row in strings.withUTF8(row) { set.contains(Array($0)) } }, count: rows)
            default:
                var out = [Bool](repeating: false, count: rows)
                for row in 0..<rows where !c.isNull(row) { out[row] = try member(c[row]) }
                bits = Bitmap(out)
            }
            let validity = c.nullCount > 0 ? c.validRows() : nil
            return .column(.bool(BoolColumn(bits: validity.map { bits.intersection($0) } ?? bits, validity: validity)))
        }
    }

    private static func stringTest(_ function: StringPredicate, _ a: Vector, _ text: String, rows: Int, context: Expr) throws(QueryError) -> Vector {
        let needle = Array(text.utf8)
        func test(_ hay: UnsafeBufferPointer<UInt8>) -> Bool {
            guard hay.count >= needle.count else { return false }
            if needle.isEmpty { return true }
            return needle.withUnsafeBufferPointer { n in
                switch function {
                case .startsWith: return memcmp(hay.baseAddress!, n.baseAddress!, n.count) == 0
                case .endsWith: return memcmp(hay.baseAddress! + (hay.count - n.count), n.baseAddress!, n.count) == 0
                case .contains: return ByteStrings.contains(hay, n)
                }
            }
        }
        switch a {
        case .constant(.string(let s)): return .constant(.bool(Array(s.utf8).withUnsafeBufferPointer(test)))
        case .constant(.null): return .constant(.null)
        case .column(.string(let c)):
            let bits = Bitmap(words: bitWords(rows) { row in c.withUTF8(row, test) }, count: rows)
            return .column(.bool(BoolColumn(bits: c.validity.map { bits.intersection($0) } ?? bits, validity: c.validity)))
        default:
            throw QueryError(.typeMismatch, "\(function.rawValue) needs a string in \(context)")
        }
    }

    // MARK: Helpers

    private static func mismatch(_ context: Expr, _ a: String, _ b: String) -> QueryError {
        QueryError(.typeMismatch, "cannot combine \(a) and \(b) in \(context)")
    }

    /// Rows valid in both columns (nil: all).
    private static func both(_ x: Column, _ y: Column) -> Bitmap? {
        switch (x.nullCount > 0, y.nullCount > 0) {
        case (false, false): return nil
        case (true, false): return x.validRows()
        case (false, true): return y.validRows()
        case (true, true): return x.validRows().intersection(y.validRows())
        }
    }

    private static func numbers(_ c: Column) -> ((Int) -> Double)? {
        switch c {
        case .int32(let v): return { Double(v.values[$0]) }
        case .int64(let v): return { Double(v.values[$0]) }
        case .double(let v): return { v.values[$0] }
        default: return nil
        }
    }

    private static func integers(_ c: Column) -> ((Int) -> Int64)? {
        switch c {
        case .int32(let v): return { Int64(v.values[$0]) }
        case .int64(let v): return { v.values[$0] }
        default: return nil
        }
    }
}

/// Bit words for rows 0 ..< count from a per-row test, a word at a time.
@inline(__always)
func bitWords(_ count: Int, _ test: (Int) -> Bool) -> [UInt64] {
    var words = [UInt64](repeating: 0, count: (count + 63) >> 6)
    words.withUnsafeMutableBufferPointer { out in
        for w in 0..<out.count {
            let start = w << 6
            var word: UInt64 = 0
            for i in start..<Swift.min(start + 64, count) { word |= UInt64(test(i) ? 1 : 0) << UInt64(i - start) }
            out[w] = word
        }
    }
    return words
}

extension ComparisonOperator {
    /// The operator with its operands swapped (a < b ⇔ b > a).
    var flipped: ComparisonOperator {
        switch self {
        case .less: return .greater
        case .lessOrEqual: return .greaterOrEqual
        case .greater: return .less
        case .greaterOrEqual: return .lessOrEqual
        default: return self
        }
    }
}
