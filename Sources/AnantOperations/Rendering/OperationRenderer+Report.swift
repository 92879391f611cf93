import AnantColumnar

// The report (`Operation.report`) for people and as one JSON object.
extension OperationRenderer.Reader {
    private func int(_ name: String) throws(OperationError) -> Int64 {
        guard case .int(let v) = try scalar(name) else { throw OperationError(.invalidArgument, "report: scalar '\(name)' is not an integer") }
        return v
    }

    private func double(_ name: String) throws(OperationError) -> Double? {
        if case .double(let d) = try scalar(name) { return d }
        return nil
    }

    private func text(_ name: String) throws(OperationError) -> String? {
        if case .string(let s) = try scalar(name) { return s }
        return nil
    }

    /// Component sizes at `s` of the edge or node s-line graph, largest first.
    private func componentSizes(_ s: Int64, _ of: String) throws(OperationError) -> [Int64] {
        let t = try table("components")
        return (0..<t.rowCount).compactMap { row -> Int64? in
            guard t.columns[0][row] == .int(s), t.columns[1][row] == .string(of), case .int(let size) = t.columns[2][row] else { return nil }
            return size
        }
    }

    /// The histogram as (value, count) pairs.
    private func histogram(_ label: String) throws(OperationError) -> [(Int64, Int64)] {
        let t = try table("\(label)_histogram")
        return (0..<t.rowCount).compactMap { row in
            guard case .int(let value) = t.columns[0][row], case .int(let count) = t.columns[1][row] else { return nil }
            return (value, count)
        }
    }

    private func statistics(_ label: String) throws(OperationError) -> [Double]? {
        var out = [Double]()
        for stat in ["min", "max", "mean", "median", "std"] {
            guard let d = try double("\(label)_\(stat)") else { return nil }
            out.append(d)
        }
        return out
    }

    func report(_ json: Bool) throws(OperationError) -> [UInt8] {
        json ? OperationRenderer.json(try reportJSON()) : Array(try reportText().utf8)
    }

    private func reportJSON() throws(OperationError) -> JSONValue {
        func count(_ n: Int64) -> JSONValue { .int(n) }
        func optional(_ x: Double?) -> JSONValue { x.map(JSONValue.double) ?? .null }
        func distribution(_ label: String) throws(OperationError) -> JSONValue {
            var object = JSONObject()
            if let s = try statistics(label) {
                object["min"] = .int(Int64(s[0]))
                object["max"] = .int(Int64(s[1]))
                object["mean"] = .double(s[2])
                object["median"] = .double(s[3])
                object["std"] = .double(s[4])
            }
            object["histogram"] = .object(JSONObject(try histogram(label).map { (String($0.0), count($0.1)) }))
            return .object(object)
        }
        func componentJSON(_ sizes: [Int64]) -> JSONValue {
            .object(JSONObject([
                ("count", count(Int64(sizes.count))), ("count_without_singletons", count(Int64(sizes.filter { $0 > 1 }.count))),
                ("largest", count(sizes.first ?? 0)), ("sizes", .array(sizes.filter { $0 > 1 }.map(count))),
                ("singletons", count(Int64(sizes.filter { $0 == 1 }.count))),
            ]))
        }
        func keyed(_ name: String) throws(OperationError) -> JSONValue {
            guard result.table(name) != nil else { return .null }
            let t = try table(name)
            return .object(JSONObject((0..<t.rowCount).map { (ElementReference.label(t.columns[0], $0), t.columns[1][$0].jsonValue) }))
        }
        var components = [JSONValue]()
        for s in Int64(1)...3 {
            components.append(.object(JSONObject([("s", count(s)), ("edges", componentJSON(try componentSizes(s, "edges"))),
                                                  ("nodes", componentJSON(try componentSizes(s, "nodes")))])))
        }
        var members: [(String, JSONValue)] = [
            ("source", .string(try text("source") ?? "")),
            ("name", try text("name").map(JSONValue.string) ?? .null),
            ("network_type", try text("network_type").map(JSONValue.string) ?? .null),
        ]
        for name in ["nodes", "edges", "incidences"] { members.append((name, count(try int(name)))) }
        members += [("density", optional(try double("density"))), ("aspect_ratio", optional(try double("aspect_ratio")))]
        for name in ["isolated_nodes", "empty_edges", "singleton_edges", "toplexes", "distinct_edges"] { members.append((name, count(try int(name)))) }
        members += [
            ("degree", try distribution("degree")), ("edge_size", try distribution("edge_size")),
            ("components", .array(components)),
            ("top_nodes_by_degree", try keyed("top_nodes")), ("top_edges_by_size", try keyed("top_edges")),
            ("top_nodes_by_s1_betweenness", try keyed("top_nodes_betweenness")),
            ("top_edges_by_s1_betweenness", try keyed("top_edges_betweenness")),
        ]
        return .object(JSONObject(members))
    }

    private func reportText() throws(OperationError) -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        let n = TextTable.number
        func pad(_ value: Int64) -> String { lpad(String(value), 9) }
        func lpad(_ text: String, _ width: Int) -> String {
            text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
        }
        func listing(_ name: String) throws(OperationError) -> String {
            let t = try table(name)
            return (0..<t.rowCount).map { row in
                let value = t.columns[1][row]
                let shown = if case .double(let d) = value { n(d) } else { value.description }
                return "\(t.columns[0][row]) (\(shown))"
            }.joined(separator: ", ")
        }
        let kind = try text("network_type").map { ", \($0)" } ?? ""
        line("Hypergraph \(try text("name").map { "'\($0)' " } ?? "")from \(try text("source") ?? "")\(kind)")
        line()
        line("Size")
        line("  nodes       \(pad(try int("nodes")))   isolated \(try int("isolated_nodes"))")
        line("  edges       \(pad(try int("edges")))   empty \(try int("empty_edges")), singletons \(try int("singleton_edges")), toplexes \(try int("toplexes")), distinct node sets \(try int("distinct_edges"))")
        line("  incidences  \(pad(try int("incidences")))   density \(try double("density").map(n) ?? "n/a"), aspect ratio (nodes/edges) \(try double("aspect_ratio").map(n) ?? "n/a")")
        line()
        line("Distributions        min      max     mean   median      std")
        for (label, name) in [("node degree", "degree"), ("edge size", "edge_size")] {
            guard let s = try statistics(name) else { line("  \(label)  (none)"); continue }
            line("  " + label.padding(toLength: 12, withPad: " ", startingAt: 0) + s.map { lpad(n($0), 9) }.joined())
        }
        for (label, name) in [("degree", "degree"), ("edge size", "edge_size")] {
            let h = try histogram(name)
            let shown = h.prefix(12).map { "\($0.0)×\($0.1)" }
            line("  \(label) histogram: " + shown.joined(separator: " ") + (h.count > 12 ? " … (\(h.count) distinct values)" : ""))
        }
        line()
        line("s-connected components (s-line graphs; singletons = one-element components)")
        line("     s   edge comps  without singletons  largest   node comps  without singletons  largest")
        for s in Int64(1)...3 {
            let e = try componentSizes(s, "edges"), v = try componentSizes(s, "nodes")
            line(lpad(String(s), 6) + lpad(String(e.count), 13) + lpad(String(e.filter { $0 > 1 }.count), 20)
                 + lpad(String(e.first ?? 0), 9) + lpad(String(v.count), 13)
                 + lpad(String(v.filter { $0 > 1 }.count), 20) + lpad(String(v.first ?? 0), 9))
        }
        line()
        line("Top nodes by degree: " + (try listing("top_nodes")))
        line("Top edges by size:   " + (try listing("top_edges")))
        let limit = try int("centrality_limit")
        for label in ["nodes", "edges"] {
            if result.table("top_\(label)_betweenness") != nil {
                line("Top \(label) by s=1 betweenness: " + (try listing("top_\(label)_betweenness")))
            } else {
                line("Top \(label) by s=1 betweenness: more than \(limit) \(label); run anant centrality")
            }
        }
        return out
    }
}
