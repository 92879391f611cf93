import AnantColumnar
import AnantQuery
import Testing

/// Parsing and evaluating expressions: precedence, three-valued logic, arithmetic, errors.
@Suite struct ExprTests {
    let batch = try! RecordBatch(schema: Schema([Field("a", .int64), Field("b", .double), Field("s", .string), Field("f", .bool)]), columns: [
        .int64(Int64Column(optionals: [1, 2, nil, 4])), .double(DoubleColumn(optionals: [0.5, .nan, 2, nil])),
        .string(StringColumn(optionals: ["alpha", "beta", nil, "alphabet"])), .bool(BoolColumn(optionals: [true, nil, false, true])),
    ])

    func values(_ text: String) throws -> [ScalarValue] {
        let column = try Expr.parse(text).evaluate(batch)
        return (0..<column.count).map { column[$0] }
    }

    @Test func precedenceAndParsing() throws {
        #expect(try Expr.parse("a + 2 * 3 > 6 and not f or s = 'x'").description == "((((a + (2 * 3)) > 6) and (not f)) or (s = 'x'))")
        #expect(try Expr.parse("`odd name` in (1, 'two', -3.5)").description == "(`odd name` in (1, 'two', -3.5))")
        #expect(try Expr.parse("contains(s, 'it''s') and x is not null").description == "(contains(s, 'it''s') and (x is not null))")
        for bad in ["a >", "(a", "a in 1", "'open", "contains(s)", "a = = 1", ""] {
            #expect(throws: QueryError.self, "\(bad)") { try Expr.parse(bad) }
        }
    }

    @Test func threeValuedLogic() throws {
        #expect(try values("a > 1") == [.bool(false), .bool(true), .null, .bool(true)])
        #expect(try values("a > 1 or f") == [.bool(true), .bool(true), .null, .bool(true)])
        #expect(try values("a > 1 and f") == [.bool(false), .null, .bool(false), .bool(true)])
        #expect(try values("not (a > 1)") == [.bool(true), .bool(false), .null, .bool(false)])
        #expect(try values("a is null") == [.bool(false), .bool(false), .bool(true), .bool(false)])
        // NaN sorts above every number and equals itself.
        #expect(try values("b > 1") == [.bool(false), .bool(true), .bool(true), .null])
        #expect(try Expr.parse("a > 1").selection(batch) == Bitmap([false, true, false, true]))
    }

    @Test func arithmeticAndFunctions() throws {
        #expect(try values("a * 2 + 1") == [.int(3), .int(5), .null, .int(9)])
        #expect(try values("a / 2") == [.double(0.5), .double(1), .null, .double(2)])
        #expect(try values("a % 0") == [.null, .null, .null, .null])
        #expect(try values("a + b")[0] == .double(1.5))
        #expect(try values("starts_with(s, 'alpha')") == [.bool(true), .bool(false), .null, .bool(true)])
        #expect(try values("ends_with(s, 'bet')") == [.bool(false), .bool(false), .null, .bool(true)])
        #expect(try values("contains(s, 'ph')") == [.bool(true), .bool(false), .null, .bool(true)])
        #expect(try values("a in (2, 4)") == [.bool(false), .bool(true), .null, .bool(true)])
        #expect(try values("s not in ('beta')") == [.bool(true), .bool(false), .null, .bool(true)])
        #expect(throws: QueryError.self) { try Expr.parse("a + s").evaluate(batch) }
        #expect(throws: QueryError.self) { try Expr.parse("nope > 1").evaluate(batch) }
        #expect(throws: QueryError.self) { try Expr.parse("9223372036854775807 + a").evaluate(batch) }
    }
}

/// The list forms of the query text: aggregates, selections and sort keys.
@Suite struct QueryTextTests {
    @Test func aggregateListsSplitAtTopLevelCommas() throws {
        let list = try QueryText.aggregations("sum(weight) as s, count(*) as n,mean(w)")
        #expect(list == [Aggregation(.sum, "weight", as: "s"), Aggregation(.count, as: "n"), Aggregation(.mean, "w")])
        #expect(throws: QueryError.self) { try QueryText.aggregations("sum(weight) as s, bogus(x)") }
        #expect(QueryText.topLevelItems("a, f(b, c), 'x, y'") == ["a", "f(b, c)", "'x, y'"])
        let (name, expr) = try QueryText.named("weight * 2 as `w2`")
        #expect(name == "w2" && expr == .arithmetic(.multiply, .column("weight"), .literal(.int(2))))
        #expect(try QueryText.sortKey("degree desc") == SortKey("degree", descending: true))
        #expect(throws: QueryError.self) { try QueryText.sortKey("degree sideways") }
    }
}
