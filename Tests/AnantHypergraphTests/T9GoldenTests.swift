import AnantHypergraph
import AnantTestSupport
import Testing

/// Golden values of `reference/hypergraph-golden.md` §2.8 for T9 and S4 (HyperNetX 2.4.3).
@Suite struct T9GoldenTests {
    let h = Toys.t9

    @Test func shapeAndInfo() throws {
        let info = h.info()
        #expect(info.nodeCount == 13)
        #expect(info.edgeCount == 9)
        #expect(info.incidenceCount == 26)
        #expect(abs(info.density! - 0.2222222222222222) < 1e-12)
        #expect(abs(info.aspectRatio! - 1.4444444444444444) < 1e-12)
    }

    @Test func degrees() throws {
        #expect(try h.degree(ofNode: h.n("JV")) == 3)
        #expect(try h.degree(ofNode: h.n("JV"), s: 3) == 2)
        #expect(try h.degree(ofNode: h.n("JV"), maxSize: 3) == 1)
    }

    @Test func neighbors() throws {
        #expect(try h.nodeIDs(h.neighbors(ofNode: h.n("JV"))) == ["BM", "BR", "CC", "CH", "CN", "JU", "TH"])
        #expect(try h.nodeIDs(h.neighbors(ofNode: h.n("JV"), s: 2)) == ["BM", "CH", "JU"])
        #expect(try h.edgeIDs(h.edgeNeighbors(ofEdge: h.e(3))) == [1, 2, 4])
        #expect(try h.edgeIDs(h.edgeNeighbors(ofEdge: h.e(3), s: 2)) == [4])
    }

    @Test func toplexesAndSingletons() throws {
        #expect(h.edgeIDs(h.toplexes()) == [0, 1, 2, 4, 5, 6, 7])
        #expect(h.singletons().isEmpty)
    }

    @Test func collapseEdges() throws {
        let collapsed = h.collapsedEdges()
        #expect(collapsed.classes.map { h.edgeIDs($0) } == [[0, 8], [1], [2], [3], [4], [5], [6], [7]])
        #expect(collapsed.hypergraph.edgeCount == 8)
        #expect(collapsed.hypergraph.edgeWeights() == [2, 1, 1, 1, 1, 1, 1, 1])
        let counted = h.collapsedEdges(useCounts: true)
        #expect(counted.hypergraph.edges.ids.map(\.description).sorted() == ["0:2", "1:1", "2:1", "3:1", "4:1", "5:1", "6:1", "7:1"])
    }

    @Test func collapseNodes() throws {
        let counted = h.collapsedNodes(useCounts: true)
        let names = Set(counted.hypergraph.nodes.ids.map(\.description))
        #expect(names == ["BM:1", "BR:3", "CH:2", "FN:1", "GP:1", "JA:1", "JV:1", "MA:1", "MP:1", "TH:1"])
        let br = counted.hypergraph.n("BR:3")
        #expect(counted.hypergraph.nodeWeights()[br] == 3)
        #expect(counted.classes.map { h.nodeIDs($0) }.contains(["BR", "CC", "CN"]))
        #expect(counted.hypergraph.nodeProperty("equivalence_class_size", node: br) == .int(3))
    }

    @Test func restrictToNodes() throws {
        let r = h.restricted(toNodes: ["FN", "TH", "JV"].map { h.n($0) })
        #expect(r.nodeCount == 3)
        #expect(r.edgeCount == 7)
        let expected: [ElementID: [ElementID]] = [0: ["FN", "TH"], 1: ["JV", "TH"], 2: ["FN"], 3: ["JV"], 4: ["JV"], 5: ["TH"], 8: ["FN", "TH"]]
        for e in 0..<r.edgeCount {
            #expect(r.nodeIDs(r.edgeMembers[e].map(Int.init)) == expected[r.edges[e]])
        }
    }

    @Test func components() throws {
        #expect(try h.sConnectedComponents(s: 2).map { h.edgeIDs($0) } == [[0, 8], [3, 4]])
        #expect(try h.sConnectedComponents(s: 2, includeSingletons: true).count == 7)
        let nodeComponents = try h.sConnectedComponents(s: 2, edges: false, includeSingletons: true).map { Set(h.nodeIDs($0)) }
        #expect(nodeComponents.contains(["BM", "CH", "JU", "JV"]))
        #expect(nodeComponents.contains(["FN", "TH"]))
        #expect(nodeComponents.filter { $0.count == 1 }.count == 7)
    }

    @Test func s4() throws {
        let s4 = Toys.s4
        #expect(try s4.sConnectedComponents().map { s4.edgeIDs($0) } == [["A", "B"], ["C", "D"]])
        #expect(try s4.sConnectedComponents(edges: false).map { s4.nodeIDs($0) } == [[1, 2, 3, 4], [5, 6]])
        #expect(try s4.sConnectedComponents(s: 2, includeSingletons: true).map { s4.edgeIDs($0) } == [["A", "B"], ["C"], ["D"]])
        #expect(s4.singletons().isEmpty)
        #expect(s4.edgeIDs(s4.toplexes()) == ["A", "B", "C"])
    }
}
