import AnantColumnar
import AnantHypergraph
import AnantTestSupport
import Testing

/// At s = 1 the searches behind closeness, harmonic centrality, eccentricity and diameters
/// walk the incidences instead of the line graph: every source's summary (reached,
/// distance sum, reciprocal sum, farthest) equals the line graph's, for edges and nodes,
/// on random hypergraphs with multi-edges, singletons, several components, and an isolated
/// node and an empty edge added; on any split of the sources and any thread count.
@Suite struct IncidenceSearchTests {
    @Test(arguments: [1, 2, 3, 5, 8, 13, 21, 34])
    func summariesEqualTheLineGraphs(seed: UInt64) throws {
        let random = RandomHypergraphCase(seed: seed, edgeCount: 120 + Int(seed) * 5)
        // An isolated node and an empty edge, added to the HIF document.
        guard case .object(var document) = HIFWriter.document(Hypergraph(edgeList: random.edges)) else { throw HypergraphError(.invalidInput, "no HIF") }
        document["nodes"] = .array((document["nodes"]?.arrayValue ?? []) + [.object(JSONObject([("node", .string("lonely"))]))])
        document["edges"] = .array((document["edges"]?.arrayValue ?? []) + [.object(JSONObject([("edge", .string("hollow"))]))])
        let h = try HIFReader.read(Array(JSONWriter().string(.object(document)).utf8))
        let (lonely, hollow) = (try h.nodeIndex(.string("lonely")), try h.edgeIndex(.string("hollow")))
        #expect(h.nodeMemberships.count(lonely) == 0 && h.edgeMembers.count(hollow) == 0)
        for edgesSide in [true, false] {
            let count = edgesSide ? h.edgeCount : h.nodeCount
            let expected = try h.sLineGraph(s: 1, edges: edgesSide).reachSummaries()
            #expect(expected.count == count)
            #expect(try h.sReachSummaries(s: 1, edges: edgesSide) == expected, "seed \(seed) edges \(edgesSide)")
            let cut = count / 3
            let first = try h.sReachSummaries(s: 1, edges: edgesSide, sources: 0..<cut, context: ExecutionContext(threads: 1))
            let second = try h.sReachSummaries(s: 1, edges: edgesSide, sources: cut..<count, context: ExecutionContext(threads: 2))
            #expect(first + second == expected, "seed \(seed) edges \(edgesSide): split")
            // s > 1 still goes through the line graph, with the same answer as before.
            let lineGraph = try h.sLineGraph(s: 2, edges: edgesSide).reachSummaries()
            #expect(try h.sReachSummaries(s: 2, edges: edgesSide) == lineGraph)
        }
    }

    /// The estimate behind the memory budget is an upper bound: never fewer entries than
    /// the s-line graph has, for s = 1, 2, 3, edges and nodes; and a budget below it stops
    /// the build before any work with the numbers, while a budget above it lets it run.
    @Test(arguments: [4, 9, 16, 25])
    func lineGraphEstimatesBoundTheGraph(seed: UInt64) throws {
        let h = Hypergraph(edgeList: RandomHypergraphCase(seed: seed, edgeCount: 200).edges)
        for s in 1...3 {
            for edges in [true, false] {
                let count = edges ? h.edgeCount : h.nodeCount
                let bound = h.sLineEntryBound(s: s, edges: edges, sources: 0..<count)
                let graph = try h.sLineGraph(s: s, edges: edges)
                #expect(bound >= graph.neighbors.count, "seed \(seed) s=\(s) edges \(edges): \(bound) < \(graph.neighbors.count)")
                let needed = bound * SLineGraph.bytesPerEntry + count * 16
                #expect(try h.sLineGraph(s: s, edges: edges, context: ExecutionContext(memoryBudget: needed)) == graph)
                do {
                    _ = try h.sLineGraph(s: s, edges: edges, context: ExecutionContext(memoryBudget: needed - 1))
                    Issue.record("seed \(seed) s=\(s): built over the budget")
                } catch {
                    #expect(error.code == .tooLarge && error.message.contains("pairs") && error.message.contains("--s \(s + 1)"), "\(error.message)")
                }
            }
        }
    }
}
