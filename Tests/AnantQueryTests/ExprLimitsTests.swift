import AnantQuery
import Testing

/// Expression text from the network is parsed within limits: deep nesting, many
/// operators and long text are refused with a syntax error, never a stack overflow.
@Suite struct ExprLimitsTests {
    static let hostile = [
        String(repeating: "(", count: 100_000) + "x" + String(repeating: ")", count: 100_000),
        String(repeating: "not ", count: 20_000) + "x",
        String(repeating: "-", count: 50_000) + "1",
        (0..<5000).map { "x = \($0)" }.joined(separator: " or "),
        String(repeating: "x + ", count: 5000) + "1",
        "x = '" + String(repeating: "a", count: 70_000) + "'",
    ]

    @Test(arguments: 0..<6)
    func hostileTextIsRefused(index: Int) {
        let error = #expect(throws: QueryError.self) { _ = try Expr.parse(Self.hostile[index]) }
        #expect(error?.code == .syntax)
    }

    @Test func ordinaryTextStillParses() throws {
        _ = try Expr.parse(String(repeating: "(", count: 100) + "x > 1" + String(repeating: ")", count: 100))
        _ = try Expr.parse((0..<1000).map { "x = \($0)" }.joined(separator: " or "))
    }
}
