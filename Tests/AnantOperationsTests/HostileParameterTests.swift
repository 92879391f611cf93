import AnantColumnar
import AnantHypergraph
import AnantOperations
import AnantTestSupport
import Testing

/// Every operation with parameters a hostile or careless request could carry: each throws
/// (no trap) an error whose status says what kind of mistake it is.
@Suite struct HostileParameterTests {
    static let bad: [(Operation, StatusCode)] = [
        (.info(node: "JV", edge: "1.1.1.0"), .invalidArgument), (.info(node: "", edge: nil), .invalidArgument),
        (.info(node: "nobody", edge: nil), .notFound), (.info(node: nil, edge: "no edge"), .notFound),
        (.degree(s: 0, maxSize: nil, nodes: []), .invalidArgument), (.degree(s: 1, maxSize: 0, nodes: []), .invalidArgument),
        (.degree(s: -5, maxSize: -1, nodes: ["JV"]), .invalidArgument), (.degree(s: 1, maxSize: nil, nodes: ["JV", ""]), .invalidArgument),
        (.degree(s: 1, maxSize: nil, nodes: ["\"JV"]), .notFound),
        (.neighbors(s: 1, nodes: []), .invalidArgument), (.neighbors(s: 0, nodes: ["JV"]), .invalidArgument),
        (.neighbors(s: 1, nodes: ["../../etc/passwd"]), .notFound),
        (.edgeNeighbors(s: 1, edges: []), .invalidArgument), (.edgeNeighbors(s: Int.min, edges: ["1.1.1.0"]), .invalidArgument),
        (.components(s: 0, of: .edges, singletons: false), .invalidArgument), (.components(s: -1, of: .nodes, singletons: true), .invalidArgument),
        (.lineGraph(s: 0, of: .edges), .invalidArgument),
        (.distance(s: 0, of: .nodes, from: "JV", to: "MY"), .invalidArgument), (.distance(s: 1, of: .nodes, from: "", to: "MY"), .invalidArgument),
        (.distance(s: 1, of: .nodes, from: "JV", to: "nobody"), .notFound), (.distance(s: 1, of: .edges, from: "JV", to: "MY"), .notFound),
        (.diameter(s: 0, of: .nodes, perComponent: false), .invalidArgument), (.diameter(s: 3, of: .nodes, perComponent: false), .failedPrecondition),
        (.centrality(measure: .betweenness, s: 0, of: .edges, raw: false, normalized: false, withoutSingletons: false, top: nil), .invalidArgument),
        (.centrality(measure: .closeness, s: 1, of: .edges, raw: false, normalized: false, withoutSingletons: false, top: 0), .invalidArgument),
        (.centrality(measure: .closeness, s: 1, of: .edges, raw: false, normalized: false, withoutSingletons: false, top: -3), .invalidArgument),
        (.centrality(measure: .cec, s: 1, of: .edges, raw: false, normalized: false, withoutSingletons: false, top: nil), .invalidArgument),
        (.centrality(measure: .eccentricity, s: 2, of: .edges, raw: false, normalized: false, withoutSingletons: false, top: nil), .failedPrecondition),
        (.centrality(measure: .zec, s: 1, of: .nodes, raw: false, normalized: false, withoutSingletons: false, top: nil), .failedPrecondition),
        (.restrict(to: .nodes, ids: []), .invalidArgument), (.restrict(to: .edges, ids: ["nowhere"]), .notFound),
        (.modularity(partition: [], weighting: .strict), .invalidArgument),
        (.communities(method: .kumar, partition: nil, weighting: .strict, delta: .nan, seed: 1), .invalidArgument),
        (.communities(method: .kumar, partition: nil, weighting: .strict, delta: -1, seed: 1), .invalidArgument),
        (.report(top: -1, metrics: false, source: "x"), .invalidArgument),
        (.query(QuerySpec(filter: "node = ")), .invalidArgument),
        (.query(QuerySpec(filter: "nosuchcolumn > 1")), .invalidArgument),
        (.query(QuerySpec(aggregations: ["sum(weight) as s, count(*"])), .invalidArgument),
        (.query(QuerySpec(groupBy: ["node"])), .invalidArgument),
        (.query(QuerySpec(limit: -1)), .invalidArgument),
        (.query(QuerySpec(table: .incidences, metrics: true)), .invalidArgument),
        (.query(QuerySpec(sort: ["node sideways"])), .invalidArgument),
        (.query(QuerySpec(join: QuerySpec.Join(table: "nodes", leftOn: [], rightOn: []))), .invalidArgument),
        (.query(QuerySpec(join: QuerySpec.Join(table: "/nonexistent/x.parquet", leftOn: ["node"], rightOn: ["node"]))), .invalidArgument),
        (.query(QuerySpec(groupBy: ["node"], aggregations: ["sum(node)"])), .invalidArgument),
    ]

    @Test func badParametersThrowWithTheirStatus() throws {
        let h = try TestData.hif("lesmis.hif.json")
        for parts in [1, 3] {
            for (operation, status) in Self.bad {
                do {
                    _ = try LocalExecutor().run(operation, on: h, parts: parts)
                    Issue.record("\(operation) ran instead of failing")
                } catch {
                    let got = Status(error)
                    #expect(got.code == status, "\(operation): \(got)")
                    #expect(!got.message.isEmpty)
                }
            }
        }
        #expect(throws: OperationError.self) { try Planner.tasks(for: .toplexes, on: h, parts: 0) }
    }
}
