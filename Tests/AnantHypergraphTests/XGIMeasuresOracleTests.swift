import AnantColumnar
import AnantHypergraph
import AnantTestSupport
import Foundation
import Testing

/// XGI's node centralities and statistics against XGI 0.10, run by the test on the largest
/// component of seeded random hypergraphs (several edge sizes, multi-edges).
@Suite struct XGIMeasuresOracleTests {
    /// Two hypergraphs of mixed edge sizes, and a 3-uniform one for Z-eigenvector centrality.
    static let seeds: [UInt64] = [31, 32, 33]

    static func hypergraph(seed: UInt64) throws -> Hypergraph {
        var edges = RandomHypergraphCase(seed: seed, edgeCount: 60).edges
        if seed == 33 {
            var rng = SeededGenerator(seed: seed)
            edges = (0..<60).map { e in
                var members = Set<Int64>()
                while members.count < 3 { members.insert(Int64.random(in: 0..<40, using: &rng)) }
                return (.int(Int64(e)), members.sorted().map { .int($0) })
            }
        }
        let h = Hypergraph(edgeList: edges)
        let component = try h.sConnectedComponents(edges: false, includeSingletons: true).max { $0.count < $1.count }!
        return h.restricted(toNodes: component)
    }

    static let oracle: Result<[JSONValue], any Error> = Result {
        let input = JSONValue.array(try seeds.map { seed in
            let h = try hypergraph(seed: seed)
            return .object(JSONObject([("edges", .array((0..<h.edgeCount).map { e in
                .array(h.edgeMembers[e].map { .string(h.nodes.ids[Int($0)].description) })
            }))]))
        })
        let output = try Oracle.run("xgi_measures.py", input: Data(JSONWriter().string(input).utf8), timeout: 600)
        return try JSONParser.parse(Array(output)).arrayValue ?? []
    }

    @Test(arguments: Array(seeds.indices))
    func matchesXGI(index: Int) throws {
        let h = try Self.hypergraph(seed: Self.seeds[index])
        let expected = try #require(try Self.oracle.get()[index].objectValue)
        func compare(_ key: String, _ values: [Double], tolerance: Double) throws {
            let want = try #require(expected[key]?.objectValue, "\(key)")
            #expect(want.count == values.count, "\(key): \(want.count) nodes in XGI, \(values.count) here")
            for (v, value) in values.enumerated() {
                let w = want[h.nodes.ids[v].description]?.numberValue ?? .nan
                #expect(abs(value - w) <= tolerance * Swift.max(1, abs(w)), "\(key) \(h.nodes.ids[v]): \(value) vs XGI \(w)")
            }
        }
        try compare("cec", try h.cliqueEigenvectorCentrality(), tolerance: 1e-5)
        try compare("hec", try h.hEigenvectorCentrality(), tolerance: 1e-4)
        let nodeEdge = try h.nodeEdgeCentrality()
        try compare("node_edge_nodes", nodeEdge.nodes, tolerance: 1e-9)
        let edges = try #require(expected["node_edge_edges"]?.arrayValue).map { $0.numberValue ?? .nan }
        #expect(edges.count == nodeEdge.edges.count)
        for (a, b) in zip(nodeEdge.edges, edges) { #expect(abs(a - b) < 1e-9) }
        try compare("katz", try h.katzCentrality(), tolerance: 1e-9)
        try compare("clustering", h.clusteringCoefficients(), tolerance: 1e-12)
        if expected["zec"]?.objectValue != nil {
            try compare("zec", try h.zEigenvectorCentrality(), tolerance: 1e-4)
        } else {
            #expect(throws: HypergraphError.self) { try h.zEigenvectorCentrality() }
        }
        let assortativity = try #require(expected["assortativity"]?.objectValue)
        for kind in Hypergraph.AssortativityKind.allCases {
            let want = assortativity[kind.rawValue]?.numberValue ?? .nan
            #expect(abs(try h.degreeAssortativity(kind: kind) - want) < 1e-9, "\(kind)")
        }
    }

    @Test func generatorsAreSeededAndFollowTheirModels() throws {
        let a = try Hypergraph.erdosRenyi(nodes: 400, edges: 300, probability: 0.02, seed: 9)
        #expect(a == (try Hypergraph.erdosRenyi(nodes: 400, edges: 300, probability: 0.02, seed: 9)))
        #expect(a != (try Hypergraph.erdosRenyi(nodes: 400, edges: 300, probability: 0.02, seed: 10)))
        // 2,400 incidences expected, standard deviation about 48.5.
        #expect(abs(a.incidenceCount - 2400) < 250)
        let k1 = Hypergraph.powerLawWeights(count: 500, mean: 4, exponent: 2.5, seed: 1)
        let k2 = Hypergraph.powerLawWeights(count: 250, mean: 8, exponent: 2.5, seed: 2)
        let c = try Hypergraph.chungLu(nodeDegrees: k1, edgeSizes: k2, seed: 3)
        #expect(abs(Double(c.incidenceCount) - 2000) < 300)
        #expect(throws: HypergraphError.self) { try Hypergraph.erdosRenyi(nodes: 3, edges: 3, probability: 1.5, seed: 0) }
    }

    /// The jumping Chung–Lu draws every (edge, node) pair with exactly its probability
    /// min(k1 · k2 / S, 1): pair frequencies over 400 seeds stay within 5 standard errors
    /// of it, certain pairs always appear and zero-weight nodes never do.
    @Test func chungLuDrawsEveryPairWithItsProbability() throws {
        let k1: [Double] = [9, 6, 6, 4, 3, 3, 2, 2, 1.5, 1, 1, 0.5, 0.5, 0.25, 0, 0.25, 3, 1, 2, 0.75]
        let k2: [Double] = [12, 8, 5, 5, 3, 2, 2, 1, 1, 0.5, 0.5, 0.25, 7.75, 0]
        let total = k1.reduce(0, +)
        let runs = 400
        var counts = [Int](repeating: 0, count: k1.count * k2.count)
        for seed in 0..<runs {
            let h = try Hypergraph.chungLu(nodeDegrees: k1, edgeSizes: k2, seed: UInt64(seed))
            for e in 0..<h.edgeCount {
                guard case .int(let edge) = h.edges[e] else { continue }
                for v in h.edgeMembers[e] {
                    guard case .int(let node) = h.nodes[Int(v)] else { continue }
                    counts[Int(edge) * k1.count + Int(node)] += 1
                }
            }
        }
        for e in k2.indices {
            for v in k1.indices {
                let p = Swift.min(k1[v] * k2[e] / total, 1)
                let seen = Double(counts[e * k1.count + v]) / Double(runs)
                let error = 5 * (p * (1 - p) / Double(runs)).squareRoot() + 1e-9
                #expect(abs(seen - p) <= error, "edge \(e), node \(v): drawn \(seen), probability \(p)")
            }
        }
    }
}
