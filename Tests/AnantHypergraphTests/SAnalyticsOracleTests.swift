import AnantColumnar
import AnantHypergraph
import AnantTestSupport
import Foundation
import Testing

/// s-line graphs, distances, diameters and s-centralities against HyperNetX 2.4.3 (with
/// networkx), run by the test on seeded random hypergraphs (multi-edges, singletons,
/// several components) for s = 1, 2, 3, of edges and of nodes.
@Suite struct SAnalyticsOracleTests {
    static let seeds: [UInt64] = [11, 12, 13]

    struct Case: Sendable {
        var random: RandomHypergraphCase
        var hypergraph: Hypergraph
        var nodePairs: [(Int, Int)]
        var edgePairs: [(Int, Int)]

        init(seed: UInt64) {
            random = RandomHypergraphCase(seed: seed, edgeCount: 120)
            hypergraph = Hypergraph(edgeList: random.edges)
            var rng = SeededGenerator(seed: seed &+ 1000)
            let (n, m) = (hypergraph.nodeCount, hypergraph.edgeCount)
            nodePairs = (0..<12).map { _ in (Int.random(in: 0..<n, using: &rng), Int.random(in: 0..<n, using: &rng)) }
            edgePairs = (0..<12).map { _ in (Int.random(in: 0..<m, using: &rng), Int.random(in: 0..<m, using: &rng)) }
        }
    }

    static let cases = seeds.map(Case.init)

    static let oracle: Result<[JSONValue], any Error> = Result {
        let input = JSONValue.array(cases.map { c in
            let h = c.hypergraph
            return .object(JSONObject([
                ("edges", .array(c.random.edges.map { .array([HyperNetXOracleTests.json($0.0), .array($0.1.map(HyperNetXOracleTests.json))]) })),
                ("pairs", .array(c.nodePairs.map { .array([HyperNetXOracleTests.json(h.nodes.ids[$0.0]), HyperNetXOracleTests.json(h.nodes.ids[$0.1])]) })),
                ("edge_pairs", .array(c.edgePairs.map { .array([HyperNetXOracleTests.json(h.edges.ids[$0.0]), HyperNetXOracleTests.json(h.edges.ids[$0.1])]) })),
            ]))
        })
        let output = try Oracle.run("hnx_analytics.py", input: Data(JSONWriter().string(input).utf8), timeout: 900)
        return try JSONParser.parse(Array(output)).arrayValue ?? []
    }

    @Test(arguments: Array(cases.indices), [1, 2, 3])
    func matchesHyperNetX(index: Int, s: Int) throws {
        let c = Self.cases[index]
        let h = c.hypergraph
        let all = try #require(try Self.oracle.get()[index].objectValue)
        for edges in [true, false] {
            let expected = try #require(all["\(s)|\(edges ? "edges" : "nodes")"]?.objectValue)
            let check = OracleComparison(expected: expected)
            let label = { (v: Int) in edges ? h.edges.ids[v].description : h.nodes.ids[v].description }
            func keyed<T>(_ values: [T], _ json: (T) -> JSONValue) -> JSONValue {
                .object(JSONObject(values.indices.map { (label($0), json(values[$0])) }))
            }
            let graph = try h.sLineGraph(s: s, edges: edges)
            var pairs = [JSONValue]()
            graph.forEachPair { a, b, _ in pairs.append(.array([label(a), label(b)].sorted().map(JSONValue.string))) }
            check.equal("pairs", .array(pairs.sorted { JSONWriter().string($0) < JSONWriter().string($1) }))

            let distances = try (edges ? c.edgePairs : c.nodePairs).map { a, b in
                (edges ? try h.sDistance(fromEdge: a, toEdge: b, s: s) : try h.sDistance(fromNode: a, toNode: b, s: s)).map { JSONValue.int(Int64($0)) } ?? .null
            }
            check.equal("distances", .array(distances))
            let diameter: JSONValue
            do { diameter = .int(Int64(try h.sDiameter(s: s, edges: edges))) } catch { diameter = .string("error") }
            check.equal("diameter", diameter)
            let perComponent = try h.sComponentDiameters(s: s, edges: edges)
            // Python's order: by diameter, then by the sorted labels.
            let componentDiameters = zip(perComponent.diameters, perComponent.components)
                .map { d, members in (d, members.map { label($0) }.sorted()) }
                .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.lexicographicallyPrecedes($1.1) }
                .map { JSONValue.array([.int(Int64($0.0)), .array($0.1.map(JSONValue.string))]) }
            check.equal("component_diameters", .array(componentDiameters))

            check.close("betweenness", keyed(try h.sBetweennessCentrality(s: s, edges: edges)) { .double($0) })
            check.close("betweenness_raw", keyed(try h.sBetweennessCentrality(s: s, edges: edges, normalized: false)) { .double($0) })
            check.close("closeness", keyed(try h.sClosenessCentrality(s: s, edges: edges)) { .double($0) })
            check.close("harmonic", keyed(try h.sHarmonicCentrality(s: s, edges: edges)) { .double($0) })
            check.close("harmonic_normalized", keyed(try h.sHarmonicCentrality(s: s, edges: edges, normalized: true)) { .double($0) })
            let eccentricity: JSONValue
            do { eccentricity = keyed(try h.sEccentricity(s: s, edges: edges)) { .int(Int64($0)) } } catch { eccentricity = .string("error") }
            check.equal("eccentricity", eccentricity)
        }
    }
}
