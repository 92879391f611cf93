import AnantHypergraph
import AnantTestSupport
import Testing

/// s-analytics golden values of `reference/hypergraph-golden.md` §2.8 (HyperNetX 2.4.3
/// with networkx 3.6.1): T9, S4 and Les Misérables, floats to 1e-6.
@Suite struct SAnalyticsGoldenTests {
    let t9 = Toys.t9
    let s4 = Toys.s4

    /// Values keyed by edge id (T9's edges are the integers 0...8).
    func byEdge(_ h: Hypergraph, _ values: [Double]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: values.indices.map { (h.edges.ids[$0].description, values[$0]) })
    }

    func byNode(_ h: Hypergraph, _ values: [Double]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: values.indices.map { (h.nodes.ids[$0].description, values[$0]) })
    }

    func expectClose(_ got: [String: Double], _ want: [String: Double], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(got.keys) == Set(want.keys), sourceLocation: sourceLocation)
        for (key, value) in want {
            #expect(abs((got[key] ?? .nan) - value) < 1e-6, "\(key): \(got[key] ?? .nan) vs \(value)", sourceLocation: sourceLocation)
        }
    }

    @Test func t9DistancesAndDiameters() throws {
        #expect(try t9.sDiameter() == 4)
        #expect(try t9.sDiameter(edges: true) == 3)
        #expect(try t9.sDistance(fromNode: t9.n("FN"), toNode: t9.n("MP")) == 3)
        #expect(try t9.sDistance(fromEdge: t9.e(0), toEdge: t9.e(7)) == 2)
        #expect(try t9.sDistance(fromNode: t9.n("FN"), toNode: t9.n("MP"), s: 2) == nil)
        #expect(throws: HypergraphError.self) { try t9.sDiameter(s: 2) }
        let diameters = try t9.sComponentDiameters(s: 2, edges: true)
        #expect(diameters.maximum == 1)
        // HyperNetX lists (1, [1,0,0,1,0,0,0]) in its component order; the multiset is the contract.
        #expect(diameters.diameters.sorted() == [0, 0, 0, 0, 0, 1, 1])
        #expect(diameters.components.map { t9.edgeIDs($0) }.filter { $0.count > 1 } == [[0, 8], [3, 4]])
    }

    @Test func t9Betweenness() throws {
        expectClose(byEdge(t9, try t9.sBetweennessCentrality()),
                    ["0": 0.0625, "1": 0.285714, "2": 0.071429, "3": 0.008929, "4": 0.008929, "5": 0.428571, "6": 0, "7": 0, "8": 0.0625])
        expectClose(byEdge(t9, try t9.sBetweennessCentrality(normalized: false)),
                    ["0": 1.75, "1": 8, "2": 2, "3": 0.25, "4": 0.25, "5": 12, "6": 0, "7": 0, "8": 1.75])
        var nodes = Dictionary(uniqueKeysWithValues: t9.nodes.ids.map { ($0.description, 0.0) })
        for (k, v) in ["BM": 0.174242, "FN": 0.090909, "GP": 0.318182, "JV": 0.333333, "TH": 0.416667] { nodes[k] = v }
        expectClose(byNode(t9, try t9.sBetweennessCentrality(edges: false)), nodes)
    }

    @Test func t9Closeness() throws {
        expectClose(byEdge(t9, try t9.sClosenessCentrality()),
                    ["0": 0.666667, "1": 0.727273, "2": 0.571429, "3": 0.533333, "4": 0.533333, "5": 0.727273, "6": 0.470588, "7": 0.470588, "8": 0.666667])
        expectClose(byEdge(t9, try t9.sClosenessCentrality(s: 2)),
                    ["0": 1, "1": 0, "2": 0, "3": 1, "4": 1, "5": 0, "6": 0, "7": 0, "8": 1])
        expectClose(byNode(t9, try t9.sClosenessCentrality(edges: false)),
                    ["BM": 0.571429, "BR": 0.521739, "CC": 0.521739, "CH": 0.521739, "CN": 0.521739, "FN": 0.521739, "JU": 0.521739,
                     "GP": 0.428571, "JA": 0.444444, "JV": 0.631579, "MA": 0.307692, "MP": 0.307692, "TH": 0.571429])
    }

    @Test func t9HarmonicAndEccentricity() throws {
        expectClose(byEdge(t9, try t9.sHarmonicCentrality()),
                    ["0": 6, "1": 6.5, "2": 5.666667, "3": 5.166667, "4": 5.166667, "5": 6.5, "6": 4.5, "7": 4.5, "8": 6])
        #expect(try abs(t9.sHarmonicCentrality(normalized: true)[t9.e(0)] - 0.214286) < 1e-6)
        expectClose(byEdge(t9, try t9.sHarmonicCentrality(s: 2)),
                    ["0": 1, "1": 0, "2": 0, "3": 1, "4": 1, "5": 0, "6": 0, "7": 0, "8": 1])
        #expect(try t9.sEccentricity() == [2, 2, 3, 3, 3, 2, 3, 3, 2])
        #expect(throws: HypergraphError.self) { try t9.sEccentricity(s: 2) }
    }

    @Test func t9LineGraph() throws {
        let graph = try t9.sLineGraph(s: 2)
        var pairs = [[Int]]()
        graph.forEachPair { a, b, overlap in pairs.append([a, b, overlap]) }
        #expect(pairs == [[0, 8, 2], [3, 4, 4]])
        #expect(graph.vertexCount == 9)
        // By hand: 0-1 0-2 0-5 0-8 1-3 1-4 1-5 1-8 2-3 2-4 2-8 3-4 5-6 5-7 5-8 6-7.
        #expect(try t9.sLineGraph(s: 1).pairCount == 16)
    }

    @Test func s4Disconnected() throws {
        #expect(try s4.sBetweennessCentrality().allSatisfy { $0 == 0 })
        #expect(try s4.sClosenessCentrality().allSatisfy { $0 == 1 })
        expectClose(byNode(s4, try s4.sClosenessCentrality(edges: false)), ["1": 0.75, "2": 1, "3": 1, "4": 0.75, "5": 1, "6": 1])
        expectClose(byEdge(s4, try s4.sClosenessCentrality(s: 2)), ["A": 1, "B": 1, "C": 0, "D": 0])
        #expect(try s4.sHarmonicCentrality().allSatisfy { $0 == 1 })
        #expect(try s4.sHarmonicCentrality(normalized: true).allSatisfy { abs($0 - 1.0 / 3) < 1e-6 })
        #expect(throws: HypergraphError.self) { try s4.sEccentricity() }
        #expect(try s4.sDistance(fromNode: s4.n(1), toNode: s4.n(5)) == nil)
        #expect(throws: HypergraphError.self) { try s4.sDiameter() }
    }

    @Test func lesMiserablesNodeBetweenness() throws {
        let h = try TestData.hif("lesmis.hif.json")
        let values = try h.sBetweennessCentrality(edges: false)
        #expect(abs(values[h.n("JV")] - 0.52725) < 1e-5)
        #expect(abs(values[h.n("MY")] - 0.16358) < 1e-5)
        #expect(abs(values[h.n("GA")] - 0.15273) < 1e-5)
        let top = values.indices.sorted { values[$0] > values[$1] }.prefix(3).map { h.nodes.ids[$0].description }
        #expect(top == ["JV", "MY", "GA"])
    }
}
