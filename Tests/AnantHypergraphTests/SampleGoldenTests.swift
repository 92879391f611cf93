import AnantColumnar
import AnantHypergraph
import AnantTestSupport
import Testing

/// The Les Misérables figures of `reference/hypergraph-golden.md` (HyperNetX 2.4.3), and
/// round trips of every bundled sample.
@Suite struct SampleGoldenTests {
    @Test func lesMiserables() throws {
        let h = try TestData.hif("lesmis.hif.json")
        #expect(h.nodeCount == 80 && h.edgeCount == 402 && h.incidenceCount == 862)
        #expect(try h.sConnectedComponents(edges: false, includeSingletons: true).map(\.count).sorted(by: >) == [77, 1, 1, 1])
        #expect(try h.sConnectedComponents(s: 1).map(\.count).sorted(by: >) == [396, 2, 2, 2])
        let s2 = try h.sConnectedComponents(s: 2)
        #expect(s2.count == 18 && s2.map(\.count).max() == 196)
        let s3 = try h.sConnectedComponents(s: 3)
        #expect(s3.count == 8 && s3.map(\.count).max() == 23)
        #expect(h.toplexes().count == 86)
        #expect(h.collapsedEdges().hypergraph.edgeCount == 191)
        #expect(try h.degree(ofNode: h.n("JV")) == 137)
        #expect(try h.degree(ofNode: h.n("JV"), s: 3) == 26)
        // Weights and properties come through from the HIF records.
        #expect(h.nodeWeights()[h.n("MY")] == 0.76)
        #expect(h.nodeProperty("Description", node: h.n("MY")) == .string(" Bishop of D--"))
        #expect(h.name == "LesMis example from HNX")
    }

    @Test(arguments: ["lesmis.hif.json", "diseasome.json", "e-coli.json", "publications_main_component.hif.json"])
    func hifRoundTrip(_ name: String) throws {
        let h = try TestData.hif(name)
        #expect(try HIFReader.read(HIFWriter.write(h)) == h)
        #expect(try HIFReader.read(HIFWriter.write(h, indent: 2)) == h)
    }

    @Test func diseasomeKeepsMixedIdsAndIsolatedNodes() throws {
        let h = try TestData.hif("diseasome.json")
        #expect(h.nodeCount == 516 && h.edgeCount == 938 && h.incidenceCount == 1956)
        #expect(try h.degrees().filter { $0 == 0 }.count == 108)
        #expect(h.edges.integers.count == 500 && h.edges.strings.count == 438)
        #expect(h.edges.index(of: 0) != nil && h.edges.index(of: "0") == nil)
    }

    @Test func publicationsKeepNestedAttributes() throws {
        let h = try TestData.hif("publications_main_component.hif.json")
        let column = try h.edgeProperties.column(named: "tags")
        #expect(column.dataType == .json)
        guard case .json(.array(let tags)) = column[0] else {
            Issue.record("tags should be a JSON array, got \(column[0])")
            return
        }
        #expect(!tags.isEmpty)
    }

    @Test(arguments: ["lesmis.hif.json", "diseasome.json", "e-coli.json", "publications_main_component.hif.json"])
    func csvRoundTripKeepsStructureAndWeights(_ name: String) throws {
        let h = try TestData.hif(name)
        let back = try Hypergraph(csv: h.incidenceCSV(), nodeTable: h.nodeCSV(), edgeTable: h.edgeCSV())
        #expect(back.nodeCount == h.nodeCount && back.edgeCount == h.edgeCount)
        // Without its schema CSV has no types: ids keep their text (JSON text in a column of
        // ids of both kinds, so that 1 and "1" stay apart), and every edge keeps its nodes.
        func text(_ id: ElementID, in ids: IDDictionary) -> String {
            guard ids.column.dataType == .json, case .string(let s) = id else { return id.description }
            return JSONWriter().string(.string(s))
        }
        for e in 0..<h.edgeCount {
            let members = Set(h.edgeMembers[e].map { text(h.nodes[Int($0)], in: h.nodes) })
            let backEdge = try #require(back.edges.ids.firstIndex { $0.description == text(h.edges[e], in: h.edges) })
            #expect(Set(back.edgeMembers[backEdge].map { back.nodes[Int($0)].description }) == members)
        }
        #expect(back.incidenceWeights().reduce(0, +) == h.incidenceWeights().reduce(0, +))
        #expect(back.nodeWeights().reduce(0, +) == h.nodeWeights().reduce(0, +))
    }
}
