import AnantColumnar
import AnantHypergraph
import AnantTestSupport
import Foundation
import Testing

/// Modularity (every rule, unweighted and weighted), conductance, the two-section graph and
/// the random walk against HyperNetX 2.4.3, run by the test on seeded random hypergraphs.
@Suite struct CommunitiesOracleTests {
    static let seeds: [UInt64] = [21, 22, 23]

    struct Case: Sendable {
        var random: RandomHypergraphCase
        var weights: [Double]
        var parts: [Int]

        init(seed: UInt64) {
            random = RandomHypergraphCase(seed: seed, edgeCount: 90)
            var rng = SeededGenerator(seed: seed &* 7)
            // Whole weights: HyperNetX 2.4.3 sums weighted volumes in integer arrays, truncating fractions.
            weights = random.edges.map { _ in Double(Int.random(in: 1...4, using: &rng)) }
            let h = Hypergraph(edgeList: random.edges)
            parts = (0..<h.nodeCount).map { _ in Int.random(in: 0..<4, using: &rng) }
        }

        var hypergraph: Hypergraph { Hypergraph(edgeList: random.edges) }

        /// The same hypergraph with the edge weights.
        func weighted() throws -> Hypergraph {
            let h = hypergraph
            var edgeIDs = [ElementID](), members = [ElementID]()
            for (id, nodes) in random.edges { for v in nodes { edgeIDs.append(id); members.append(v) } }
            func column(_ ids: [ElementID]) -> Column { .string(StringColumn(optionals: ids.map { $0.description })) }
            let weightOf = Dictionary(uniqueKeysWithValues: zip(random.edges.map { $0.0.description }, weights))
            let incidences = try RecordBatch(schema: Schema([Field("edge", .string), Field("node", .string)]),
                                             columns: [column(edgeIDs), column(members)])
            let edges = try RecordBatch(schema: Schema([Field("edge", .string), Field("weight", .double)]),
                                        columns: [column(h.edges.ids), .double(DoubleColumn(h.edges.ids.map { weightOf[$0.description]! }))])
            return try Hypergraph(incidences: incidences, edgeTable: edges)
        }
    }

    static let cases = seeds.map(Case.init)

    static let oracle: Result<[JSONValue], any Error> = Result {
        let json = HyperNetXOracleTests.json
        let input = JSONValue.array(cases.map { c in
            let h = c.hypergraph
            let sets = Partition(parts: c.parts).sets.map { JSONValue.array($0.map { json(h.nodes.ids[$0]) }) }
            return .object(JSONObject([
                ("edges", .array(c.random.edges.map { .array([json($0.0), .array($0.1.map(json))]) })),
                ("weights", .object(JSONObject(zip(c.random.edges, c.weights).map { ($0.0.0.description, .double($0.1)) }))),
                ("parts", .array(sets)),
            ]))
        })
        let output = try Oracle.run("hnx_communities.py", input: Data(JSONWriter().string(input).utf8), timeout: 600)
        return try JSONParser.parse(Array(output)).arrayValue ?? []
    }

    @Test(arguments: Array(cases.indices))
    func matchesHyperNetX(index: Int) throws {
        let c = Self.cases[index]
        let h = c.hypergraph
        let expected = try #require(try Self.oracle.get()[index].objectValue)
        let check = OracleComparison(expected: expected)
        let partition = Partition(parts: c.parts)
        func rules(_ g: Hypergraph) throws -> JSONValue {
            .object(JSONObject(try ModularityWeighting.allCases.map { ($0.rawValue, .double(try g.modularity(partition, weighting: $0))) }))
        }
        check.close("modularity", try rules(h))
        let weighted = try c.weighted()
        // The weighted copy has string ids; it must index its nodes as the original does.
        #expect(weighted.nodes.ids.map(\.description).sorted() == h.nodes.ids.map(\.description).sorted())
        let remap = weighted.nodes.ids.map { id in c.parts[h.nodes.ids.firstIndex { $0.description == id.description }!] }
        check.close("modularity_weighted", .object(JSONObject(try ModularityWeighting.allCases.map {
            ($0.rawValue, .double(try weighted.modularity(Partition(parts: remap), weighting: $0)))
        })))
        check.close("conductance", .double(try h.conductance(of: partition.sets[0])))

        var pairs = JSONObject()
        h.twoSection().forEachPair { u, v, w in
            let (a, b) = (h.nodes.ids[u].description, h.nodes.ids[v].description)
            pairs[a < b ? "\(a)|\(b)" : "\(b)|\(a)"] = .double(w)
        }
        check.close("two_section", sortedObject(pairs))

        let component = try h.sConnectedComponents(edges: false, includeSingletons: true).max { $0.count < $1.count }!
        let connected = h.restricted(toNodes: component)
        let p = try connected.randomWalkTransitions()
        var entries = JSONObject()
        for r in 0..<p.rowCount {
            for k in p.offsets[r]..<p.offsets[r + 1] {
                entries["\(connected.nodes.ids[r])|\(connected.nodes.ids[Int(p.columns[k])])"] = .double(p.values[k])
            }
        }
        check.close("prob_trans", sortedObject(entries))
        let pi = try connected.stationaryDistribution()
        let want = try #require(expected["pi"]?.objectValue)
        for (v, value) in pi.enumerated() {
            #expect(abs(value - (want[connected.nodes.ids[v].description]?.numberValue ?? .nan)) < 1e-9)
        }
    }
}
