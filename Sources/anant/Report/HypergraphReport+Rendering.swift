import AnantColumnar
import AnantHypergraph

extension HypergraphReport {
    /// The report as one JSON object.
    var json: JSONValue {
        func count(_ n: Int) -> JSONValue { .int(Int64(n)) }
        func optional(_ x: Double?) -> JSONValue { x.map(JSONValue.double) ?? .null }
        func distribution(_ d: IntegerDistribution) -> JSONValue {
            var object = JSONObject()
            if let s = d.statistics {
                object["min"] = .int(Int64(s.min))
                object["max"] = .int(Int64(s.max))
                object["mean"] = .double(s.mean)
                object["median"] = .double(s.median)
                object["std"] = .double(s.standardDeviation)
            }
            object["histogram"] = .object(JSONObject(d.histogram.map { (String($0.value), count($0.count)) }))
            return .object(object)
        }
        func componentJSON(_ sizes: [Int]) -> JSONValue {
            .object(JSONObject([
                ("count", count(sizes.count)), ("count_without_singletons", count(sizes.filter { $0 > 1 }.count)),
                ("largest", count(sizes.first ?? 0)), ("sizes", .array(sizes.filter { $0 > 1 }.map(count))),
                ("singletons", count(sizes.filter { $0 == 1 }.count)),
            ]))
        }
        return .object(JSONObject([
            ("source", .string(source)),
            ("name", h.name.map(JSONValue.string) ?? .null),
            ("network_type", h.networkType.map { .string($0.rawValue) } ?? .null),
            ("nodes", count(info.nodeCount)), ("edges", count(info.edgeCount)), ("incidences", count(info.incidenceCount)),
            ("density", optional(info.density)), ("aspect_ratio", optional(info.aspectRatio)),
            ("isolated_nodes", count(isolatedNodes)), ("empty_edges", count(emptyEdges)),
            ("singleton_edges", count(singletonEdges)), ("toplexes", count(toplexes)),
            ("distinct_edges", count(distinctEdges)),
            ("degree", distribution(degrees)), ("edge_size", distribution(sizes)),
            ("components", .array(components.map { c in
                .object(JSONObject([("s", count(c.s)), ("edges", componentJSON(c.edgeSizes)), ("nodes", componentJSON(c.nodeSizes))]))
            })),
            ("top_nodes_by_degree", .object(JSONObject(topNodes.map { (h.nodes[$0].description, count(degreeOf[$0])) }))),
            ("top_edges_by_size", .object(JSONObject(topEdges.map { (h.edges[$0].description, count(sizeOf[$0])) }))),
            ("top_nodes_by_s1_betweenness", nodeCentrality.map { c in .object(JSONObject(c.top.map { (h.nodes[$0].description, .double(c.betweenness[$0])) })) } ?? .null),
            ("top_edges_by_s1_betweenness", edgeCentrality.map { c in .object(JSONObject(c.top.map { (h.edges[$0].description, .double(c.betweenness[$0])) })) } ?? .null),
        ]))
    }

    /// The report for people.
    var text: String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        let n = Output.number
        let kind = h.networkType.map { ", \($0.rawValue)" } ?? ""
        line("Hypergraph \(h.name.map { "'\($0)' " } ?? "")from \(source)\(kind)")
        line()
        line("Size")
        line("  nodes       \(pad(info.nodeCount))   isolated \(isolatedNodes)")
        line("  edges       \(pad(info.edgeCount))   empty \(emptyEdges), singletons \(singletonEdges), toplexes \(toplexes), distinct node sets \(distinctEdges)")
        line("  incidences  \(pad(info.incidenceCount))   density \(info.density.map(n) ?? "n/a"), aspect ratio (nodes/edges) \(info.aspectRatio.map(n) ?? "n/a")")
        line()
        line("Distributions        min      max     mean   median      std")
        for (label, d) in [("node degree", degrees), ("edge size", sizes)] {
            guard let s = d.statistics else { line("  \(label)  (none)"); continue }
            line("  " + label.padding(toLength: 12, withPad: " ", startingAt: 0)
                 + [s.min, s.max, s.mean, s.median, s.standardDeviation].map { lpad(n($0), 9) }.joined())
        }
        for (label, d) in [("degree", degrees), ("edge size", sizes)] {
            line("  \(label) histogram: " + histogramText(d))
        }
        line()
        line("s-connected components (s-line graphs; singletons = one-element components)")
        line("     s   edge comps  without singletons  largest   node comps  without singletons  largest")
        for c in components {
            line(lpad(String(c.s), 6) + lpad(String(c.edgeSizes.count), 13) + lpad(String(c.edgeSizes.filter { $0 > 1 }.count), 20)
                 + lpad(String(c.edgeSizes.first ?? 0), 9) + lpad(String(c.nodeSizes.count), 13)
                 + lpad(String(c.nodeSizes.filter { $0 > 1 }.count), 20) + lpad(String(c.nodeSizes.first ?? 0), 9))
        }
        line()
        line("Top nodes by degree: " + topNodes.map { "\(h.nodes[$0]) (\(degreeOf[$0]))" }.joined(separator: ", "))
        line("Top edges by size:   " + topEdges.map { "\(h.edges[$0]) (\(sizeOf[$0]))" }.joined(separator: ", "))
        for (label, c, ids) in [("nodes", nodeCentrality, { (v: Int) in h.nodes[v].description }), ("edges", edgeCentrality, { (e: Int) in h.edges[e].description })] {
            if let c {
                line("Top \(label) by s=1 betweenness: " + c.top.map { "\(ids($0)) (\(n(c.betweenness[$0])))" }.joined(separator: ", "))
            } else {
                line("Top \(label) by s=1 betweenness: more than \(HypergraphReport.centralityLimit) \(label); run anant centrality")
            }
        }
        return out
    }

    private func histogramText(_ d: IntegerDistribution) -> String {
        let shown = d.histogram.prefix(12).map { "\($0.value)×\($0.count)" }
        return shown.joined(separator: " ") + (d.histogram.count > 12 ? " … (\(d.histogram.count) distinct values)" : "")
    }

    private func pad(_ value: Int) -> String { lpad(String(value), 9) }

    private func lpad(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
