import AnantColumnar
import AnantHypergraph
import AnantTestSupport
import Foundation
import Testing

/// Every structural operation against HyperNetX 2.4.3, run by the test on seeded random
/// hypergraphs (multi-edges, singletons, several components), value for value.
@Suite struct HyperNetXOracleTests {
    static let seeds: [UInt64] = [1, 2, 3, 4]

    /// One oracle run for all seeds (HyperNetX's import dominates the cost).
    static let oracle: Result<[JSONValue], any Error> = Result {
        let cases = seeds.map { RandomHypergraphCase(seed: $0) }
        let input = JSONValue.array(cases.map { c in
            func pairs(_ edges: [(ElementID, [ElementID])]) -> JSONValue {
                .array(edges.map { .array([json($0.0), .array($0.1.map(json))]) })
            }
            return .object(JSONObject([
                ("edges", pairs(c.edges)), ("other", pairs(c.other)), ("nodes", .array(c.queryNodes.map(json))),
                ("edges_query", .array(c.queryEdges.map(json))), ("restrict_nodes", .array(c.restrictNodes.map(json))),
                ("restrict_edges", .array(c.restrictEdges.map(json))),
            ]))
        })
        let output = try Oracle.run("hnx_structure.py", input: Data(JSONWriter().string(input).utf8))
        return try JSONParser.parse(Array(output)).arrayValue ?? []
    }

    static func json(_ id: ElementID) -> JSONValue {
        switch id {
        case .int(let v): return .int(v)
        case .string(let s): return .string(s)
        }
    }

    @Test(arguments: Array(seeds.enumerated()))
    func structureMatchesHyperNetX(index: Int, seed: UInt64) throws {
        let expected = try #require(try Self.oracle.get()[index].objectValue)
        let c = RandomHypergraphCase(seed: seed)
        let h = Hypergraph(edgeList: c.edges)
        let o = Hypergraph(edgeList: c.other)
        let check = OracleComparison(expected: expected)

        check.equal("shape", .array([.int(Int64(h.nodeCount)), .int(Int64(h.edgeCount))]))
        let info = h.info()
        check.close("info", .object(JSONObject([("nrows", .double(Double(info.nodeCount))), ("ncols", .double(Double(info.edgeCount))),
                                                ("aspect ratio", .double(info.aspectRatio!)), ("ncells", .double(Double(info.incidenceCount))),
                                                ("density", .double(info.density!))])))
        check.close("degree_stats", stats(h.degreeDistribution().statistics!))
        check.close("size_stats", stats(h.edgeSizeDistribution().statistics!))

        var degree = JSONObject(), neighbors = JSONObject(), size = JSONObject(), edgeNeighbors = JSONObject()
        let restrictSet = Set(c.restrictNodes.map { h.n($0) })
        for id in c.queryNodes {
            let v = h.n(id)
            degree[id.description] = .array([try h.degree(ofNode: v), try h.degree(ofNode: v, s: 2), try h.degree(ofNode: v, s: 3),
                                              try h.degree(ofNode: v, maxSize: 3), try h.degree(ofNode: v, s: 2, maxSize: 4)].map { .int(Int64($0)) })
            neighbors[id.description] = .array(try (1...3).map { ids(h.nodeIDs(try h.neighbors(ofNode: v, s: $0))) })
        }
        for id in c.queryEdges {
            let e = h.e(id)
            size[id.description] = .array([h.size(ofEdge: e), h.dim(ofEdge: e), h.size(ofEdge: e, within: restrictSet)].map { .int(Int64($0)) })
            edgeNeighbors[id.description] = .array(try (1...3).map { ids(h.edgeIDs(try h.edgeNeighbors(ofEdge: e, s: $0))) })
        }
        check.equal("degree", .object(degree))
        check.equal("neighbors", .object(neighbors))
        check.equal("size", .object(size))
        check.equal("edge_neighbors", .object(edgeNeighbors))

        let matrix = h.incidenceMatrix()
        var entries = [JSONValue]()
        for r in 0..<matrix.rows.rowCount { for col in matrix.rows[r] { entries.append(.array([.int(Int64(r)), .int(Int64(col))])) } }
        check.equal("incidence_matrix", .object(JSONObject([("rows", .array(matrix.rowLabels.ids.map(Self.json))),
                                                           ("cols", .array(matrix.columnLabels.ids.map(Self.json))),
                                                           ("entries", .array(entries))])))
        check.equal("dual", incidenceDict(h.dual()))
        check.equal("restrict_nodes", incidenceDict(h.restricted(toNodes: c.restrictNodes.map { h.n($0) })))
        check.equal("restrict_edges", incidenceDict(h.restricted(toEdges: c.restrictEdges.map { h.e($0) })))

        let collapsed = h.collapsedEdges()
        var cellWeights = JSONObject()
        let ch = collapsed.hypergraph, weights = ch.incidenceWeights()
        for e in 0..<ch.edgeCount {
            for slot in ch.edgeMembers.offsets[e]..<ch.edgeMembers.offsets[e + 1] {
                cellWeights["\(ch.edges[e])|\(ch.nodes[Int(ch.edgeMembers.members[slot])])"] = .double(weights[slot])
            }
        }
        check.equal("collapse_edges", .object(JSONObject([
            ("classes", classes(collapsed.classes.map { h.edgeIDs($0) })), ("representatives", ids(collapsed.representatives)),
            ("weights", weightDict(ch.edges.ids, ch.edgeWeights())), ("cell_weights", sortedObject(cellWeights)),
        ])), sortKeys: true)
        let nodeCollapse = h.collapsedNodes(useCounts: true)
        check.equal("collapse_nodes", .object(JSONObject([
            ("classes", classes(nodeCollapse.classes.map { h.nodeIDs($0) })), ("names", ids(nodeCollapse.representatives)),
            ("weights", weightDict(nodeCollapse.hypergraph.nodes.ids, nodeCollapse.hypergraph.nodeWeights())),
            ("incidences", incidenceDict(nodeCollapse.hypergraph)),
        ])), sortKeys: true)

        check.equal("toplexes", ids(h.edgeIDs(h.toplexes())))
        check.equal("singletons", ids(h.edgeIDs(h.singletons())))
        check.equal("remove_singletons", incidenceDict(h.removingSingletons()))
        check.equal("union", incidenceDict(h.union(o)))
        check.equal("intersection", incidenceDict(h.intersection(o)))
        check.equal("difference", incidenceDict(h.difference(o)))

        var components = JSONObject()
        for s in 1...3 {
            for edges in [true, false] {
                for singles in [true, false] {
                    let found = try h.sConnectedComponents(s: s, edges: edges, includeSingletons: singles)
                    components["\(s)|\(edges ? "edges" : "nodes")|\(singles ? "True" : "False")"] =
                        classes(found.map { edges ? h.edgeIDs($0) : h.nodeIDs($0) })
                }
            }
        }
        check.equal("components", .object(components), sortKeys: true)
        check.equal("is_connected", .array(try [1, 2].flatMap { s in try [false, true].map { JSONValue.bool(try h.isConnected(s: s, edges: $0)) } }))
    }

    // MARK: Shapes of the oracle's answers

    private func ids(_ list: [ElementID]) -> JSONValue { .array(list.sorted().map(Self.json)) }

    private func classes(_ groups: [[ElementID]]) -> JSONValue {
        let sorted = groups.map { $0.sorted() }.sorted { $0.lexicographicallyPrecedes($1) }
        return .array(sorted.map { .array($0.map(Self.json)) })
    }

    private func incidenceDict(_ h: Hypergraph) -> JSONValue {
        var object = JSONObject()
        for e in 0..<h.edgeCount where h.edgeMembers.count(e) > 0 {
            object[h.edges[e].description] = ids(h.nodeIDs(h.edgeMembers[e].map(Int.init)))
        }
        return sortedObject(object)
    }

    private func weightDict(_ keys: [ElementID], _ values: [Double]) -> JSONValue {
        sortedObject(JSONObject(zip(keys, values).map { ($0.0.description, .double($0.1)) }))
    }

    private func stats(_ s: SummaryStatistics) -> JSONValue {
        .array([s.min, s.max, s.mean, s.median, s.standardDeviation].map { .double($0) })
    }
}

/// Compares computed values with the oracle's, recording a readable issue per mismatch.
struct OracleComparison {
    let expected: JSONObject

    func equal(_ key: String, _ actual: JSONValue, sortKeys: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let want = expected[key] else {
            Issue.record("the oracle gave no '\(key)'", sourceLocation: sourceLocation)
            return
        }
        let a = normalized(actual, sortKeys: true), w = normalized(want, sortKeys: true)
        if a != w {
            Issue.record("\(key) differs from HyperNetX:\n ours: \(JSONWriter().string(a).prefix(1500))\n hnx:  \(JSONWriter().string(w).prefix(1500))",
                         sourceLocation: sourceLocation)
        }
    }

    func close(_ key: String, _ actual: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let want = expected[key] else {
            Issue.record("the oracle gave no '\(key)'", sourceLocation: sourceLocation)
            return
        }
        if !approximatelyEqual(actual, want) {
            Issue.record("\(key) differs from HyperNetX: ours \(JSONWriter().string(actual)), hnx \(JSONWriter().string(want))",
                         sourceLocation: sourceLocation)
        }
    }

    /// Numbers compare as doubles; object keys are sorted so that key order does not matter.
    private func normalized(_ value: JSONValue, sortKeys: Bool) -> JSONValue {
        switch value {
        case .int(let v): return .double(Double(v))
        case .array(let a): return .array(a.map { normalized($0, sortKeys: sortKeys) })
        case .object(let o):
            let pairs = zip(o.keys, o.values.map { normalized($0, sortKeys: sortKeys) })
            return .object(JSONObject(sortKeys ? pairs.sorted { $0.0 < $1.0 } : Array(pairs)))
        default: return value
        }
    }

    private func approximatelyEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(approximatelyEqual)
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.keys.allSatisfy { k in y[k].map { approximatelyEqual(x[k]!, $0) } ?? false }
        default:
            guard let p = a.numberValue, let q = b.numberValue else { return a == b }
            return abs(p - q) <= 1e-9 * max(1, abs(q))
        }
    }
}

func sortedObject(_ object: JSONObject) -> JSONValue {
    .object(JSONObject(zip(object.keys, object.values).sorted { $0.0 < $1.0 }))
}
