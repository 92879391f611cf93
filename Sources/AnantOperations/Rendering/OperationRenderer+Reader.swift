import AnantColumnar

extension OperationRenderer {
    /// Reads the parts of a result that the renderers need.
    struct Reader {
        let result: OperationResult
        let operation: Operation

        func table(_ name: String) throws(OperationError) -> RecordBatch {
            guard let t = result.table(name) else {
                throw OperationError(.invalidArgument, "the result has no table '\(name)' for \(operation.name)")
            }
            return t
        }

        func scalar(_ name: String) throws(OperationError) -> ScalarValue {
            guard let v = result.scalar(name) else {
                throw OperationError(.invalidArgument, "the result has no value '\(name)' for \(operation.name)")
            }
            return v
        }

        /// How an approximate centrality was estimated, and what it promises.
        func approximation(_ measure: CentralityMeasure) throws(OperationError) -> JSONObject {
            let count = measure == .betweenness ? "sampled_paths" : "searches"
            return JSONObject([("epsilon", try scalar("epsilon").jsonValue), ("delta", try scalar("delta").jsonValue),
                               ("seed", try scalar("seed").jsonValue), (count, try scalar(count).jsonValue),
                               ("bound", .string(Self.bound(measure)))])
        }

        /// The approximation's footer in text.
        func approximationNote(_ measure: CentralityMeasure) throws(OperationError) -> String {
            let (epsilon, delta, seed) = (try scalar("epsilon"), try scalar("delta"), try scalar("seed"))
            let count = measure == .betweenness ? "\(try scalar("sampled_paths")) sampled shortest paths" : "\(try scalar("searches")) searches from sampled sources"
            return "Estimated from \(count) (epsilon \(epsilon), delta \(delta), seed \(seed)): \(Self.bound(measure))."
        }

        /// What an approximate measure promises, in words.
        static func bound(_ measure: CentralityMeasure) -> String {
            switch measure {
            case .betweenness: "with probability at least 1 - delta, every normalised value is within epsilon of the exact one"
            case .harmonic: "with probability at least 1 - delta, every value is within epsilon times (component size - 1) of the exact sum (times the normalising factor with --normalized)"
            default: "with probability at least 1 - delta, every 1/closeness (mean distance) is within epsilon times the component's diameter of the exact one"
            }
        }

        /// Column `c` of `t` as texts and as JSON values.
        func texts(_ t: RecordBatch, _ c: Int, _ rows: Range<Int>) -> [String] { rows.map { ElementReference.label(t.columns[c], $0) } }
        func values(_ t: RecordBatch, _ c: Int, _ rows: Range<Int>) -> [JSONValue] { rows.map { t.columns[c][$0].jsonValue } }
        func all(_ t: RecordBatch) -> Range<Int> { 0..<t.rowCount }

        func info(_ json: Bool) throws(OperationError) -> [UInt8] {
            let (nodes, edges, incidences) = (try scalar("nodes"), try scalar("edges"), try scalar("incidences"))
            let (aspect, density) = (try scalar("aspect_ratio"), try scalar("density"))
            if json {
                return OperationRenderer.json(.object(JSONObject([("nodes", nodes.jsonValue), ("edges", edges.jsonValue), ("incidences", incidences.jsonValue),
                                                                  ("aspect_ratio", aspect.jsonValue), ("density", density.jsonValue)])))
            }
            func number(_ v: ScalarValue, _ missing: String) -> String { if case .double(let d) = v { TextTable.number(d) } else { missing } }
            return TextTable.render(["measure", "value"], [
                ["nodes (rows)", nodes.description], ["edges (columns)", edges.description], ["incidences (cells)", incidences.description],
                ["aspect ratio", number(aspect, "n/a (no edges)")], ["density", number(density, "n/a (no nodes or edges)")],
            ])
        }

        func infoOfNode(_ json: Bool) throws(OperationError) -> [UInt8] {
            let (node, degree) = (try scalar("node"), try scalar("degree"))
            let (edges, neighbors) = (try table("memberships"), try table("neighbors"))
            if json {
                return OperationRenderer.json(.object(JSONObject([("node", node.jsonValue), ("memberships", .array(values(edges, 0, all(edges)))),
                                                                  ("degree", degree.jsonValue), ("neighbors", .array(values(neighbors, 0, all(neighbors))))])))
            }
            return OperationRenderer.lines("node \(node)", "degree     \(degree)", "edges      \(texts(edges, 0, all(edges)).joined(separator: ", "))",
                                           "neighbors  \(texts(neighbors, 0, all(neighbors)).joined(separator: ", "))")
        }

        func infoOfEdge(_ json: Bool) throws(OperationError) -> [UInt8] {
            let (edge, size, nodes) = (try scalar("edge"), try scalar("size"), try table("nodes"))
            if json {
                return OperationRenderer.json(.object(JSONObject([("edge", edge.jsonValue), ("size", size.jsonValue), ("nodes", .array(values(nodes, 0, all(nodes))))])))
            }
            return OperationRenderer.lines("edge \(edge)", "size   \(size)", "nodes  \(texts(nodes, 0, all(nodes)).joined(separator: ", "))")
        }

        /// Consecutive row ranges of `t` with the lengths in column `c` of `sizes`.
        func slices(_ sizes: RecordBatch, _ c: Int) -> [Range<Int>] {
            var start = 0
            return (0..<sizes.rowCount).map { row in
                let n = Int(sizes.columns[c][row].description) ?? 0
                defer { start += n }
                return start..<(start + n)
            }
        }

        func neighbors(_ json: Bool, header: [String]) throws(OperationError) -> [UInt8] {
            let (pairs, counts) = (try table("neighbors"), try table("counts"))
            let lists = slices(counts, 1)
            if json {
                var object = JSONObject()
                for (row, list) in lists.enumerated() { object[ElementReference.label(counts.columns[0], row)] = .array(values(pairs, 1, list)) }
                return OperationRenderer.json(.object(object))
            }
            return TextTable.render(header + ["count"], lists.enumerated().map { row, list in
                [ElementReference.label(counts.columns[0], row), texts(pairs, 1, list).joined(separator: ", "), String(list.count)]
            })
        }

        func components(_ json: Bool, _ vertices: Vertices) throws(OperationError) -> [UInt8] {
            let t = try table("components")
            let groups = OperationRenderer.runs(t, 0)
            if json { return OperationRenderer.json(.array(groups.map { numbered(t, "component", $0, vertices.rawValue) })) }
            return TextTable.render(["component", "size", vertices.rawValue], groups.map { rows in
                [t.columns[0][rows.lowerBound].description, String(rows.count), texts(t, 1, rows).joined(separator: ", ")]
            })
        }

        /// One numbered group (a component or community: the rows of `t` sharing column 0's
        /// number) as JSON: its number, size and members (column 1, or `column` when given).
        func numbered(_ t: RecordBatch, _ kind: String, _ rows: Range<Int>, _ members: String, column: Int = 1) -> JSONValue {
            .object(JSONObject([(kind, t.columns[0][rows.lowerBound].jsonValue), ("size", .int(Int64(rows.count))),
                                (members, .array(values(t, column, rows)))]))
        }

        func lineGraph(_ json: Bool) throws(OperationError) -> [UInt8] {
            let t = try table("pairs")
            if json {
                return OperationRenderer.json(.object(JSONObject([
                    ("s", try scalar("s").jsonValue), ("vertices", try scalar("vertices").jsonValue),
                    ("pairs", .array(all(t).map { .array([t.columns[0][$0].jsonValue, t.columns[1][$0].jsonValue, t.columns[2][$0].jsonValue]) })),
                ])))
            }
            return TextTable.render(["source", "target", "overlap"], all(t).map { row in (0..<3).map { ElementReference.label(t.columns[$0], row) } })
        }

        func distance(_ json: Bool) throws(OperationError) -> [UInt8] {
            let d = try scalar("distance")
            if json {
                return OperationRenderer.json(.object(JSONObject([("from", try scalar("from").jsonValue), ("to", try scalar("to").jsonValue),
                                                                  ("s", try scalar("s").jsonValue), ("distance", d.jsonValue)])))
            }
            return OperationRenderer.lines(d == .null ? "inf" : d.description)
        }

        func diameter(_ json: Bool) throws(OperationError) -> [UInt8] {
            let d = try scalar("diameter")
            if json { return OperationRenderer.json(.object(JSONObject([("s", try scalar("s").jsonValue), ("diameter", d.jsonValue)]))) }
            return OperationRenderer.lines(d.description)
        }

        func diameters(_ json: Bool, _ vertices: Vertices) throws(OperationError) -> [UInt8] {
            let t = try table("diameters")
            let groups = OperationRenderer.runs(t, 0)
            if json {
                return OperationRenderer.json(.object(JSONObject([
                    ("s", try scalar("s").jsonValue), ("maximum", try scalar("maximum").jsonValue),
                    ("components", .array(groups.map { rows in
                        var group = numbered(t, "component", rows, vertices.rawValue, column: 2).objectValue!
                        group["diameter"] = t.columns[1][rows.lowerBound].jsonValue
                        return .object(group)
                    })),
                ])))
            }
            return TextTable.render(["component", "diameter", "size", vertices.rawValue], groups.map { rows in
                [t.columns[0][rows.lowerBound].description, t.columns[1][rows.lowerBound].description, String(rows.count),
                 texts(t, 2, rows).joined(separator: ", ")]
            })
        }

        func edgeListing(_ json: Bool) throws(OperationError) -> [UInt8] {
            let (edges, members) = (try table("edges"), try table("members"))
            let lists = slices(edges, 1)
            if json {
                var object = JSONObject()
                for (row, list) in lists.enumerated() { object[ElementReference.label(edges.columns[0], row)] = .array(values(members, 1, list)) }
                return OperationRenderer.json(.object(object))
            }
            return TextTable.render(["edge", "size", "nodes"], lists.enumerated().map { row, list in
                [ElementReference.label(edges.columns[0], row), String(list.count), texts(members, 1, list).joined(separator: ", ")]
            }) + OperationRenderer.lines("\(edges.rowCount) of \(try scalar("of")) edges")
        }

        func classes(_ json: Bool, _ vertices: Vertices) throws(OperationError) -> [UInt8] {
            let t = try table("classes")
            let groups = OperationRenderer.runs(t, 0)
            if json {
                var object = JSONObject()
                for rows in groups { object[ElementReference.label(t.columns[0], rows.lowerBound)] = .array(values(t, 1, rows)) }
                return OperationRenderer.json(.object(object))
            }
            return TextTable.render([vertices == .edges ? "edge" : "node", "class size", "members"], groups.map { rows in
                [ElementReference.label(t.columns[0], rows.lowerBound), String(rows.count), texts(t, 1, rows).joined(separator: ", ")]
            }) + OperationRenderer.lines("\(try scalar("of")) \(vertices.rawValue) collapse into \(groups.count) classes")
        }

        func modularity(_ json: Bool) throws(OperationError) -> [UInt8] {
            let (q, wdc, parts, t) = (try scalar("modularity"), try scalar("wdc"), try scalar("parts"), try table("parts"))
            if json {
                return OperationRenderer.json(.object(JSONObject([
                    ("modularity", q.jsonValue), ("wdc", wdc.jsonValue), ("part_count", parts.jsonValue),
                    ("parts", .array(all(t).map { row in
                        .object(JSONObject([("part", t.columns[0][row].jsonValue), ("nodes", t.columns[1][row].jsonValue),
                                            ("conductance", t.columns[2][row].jsonValue)]))
                    })),
                ])))
            }
            let number = { (v: ScalarValue) -> String in if case .double(let d) = v { TextTable.number(d) } else { "-" } }
            return OperationRenderer.lines("modularity (\(wdc)): \(number(q)) over \(parts) parts")
                + TextTable.render(["part", "nodes", "conductance"], all(t).map { [t.columns[0][$0].description, t.columns[1][$0].description, number(t.columns[2][$0])] })
        }

        func communities(_ json: Bool) throws(OperationError) -> [UInt8] {
            let (q, wdc, t) = (try scalar("modularity"), try scalar("wdc"), try table("communities"))
            let groups = OperationRenderer.runs(t, 0)
            if json {
                return OperationRenderer.json(.object(JSONObject([("modularity", q.jsonValue), ("wdc", wdc.jsonValue),
                                                                  ("communities", .array(groups.map { numbered(t, "community", $0, "nodes") }))])))
            }
            let value: String = if case .double(let d) = q { TextTable.number(d) } else { q.description }
            let count = result.scalar("top_of").map { "\($0) communities (the first \(groups.count) shown)" } ?? "\(groups.count) communities"
            return OperationRenderer.lines("\(count), modularity (\(wdc)) \(value)")
                + TextTable.render(["community", "size", "nodes"], groups.map { rows in
                    [t.columns[0][rows.lowerBound].description, String(rows.count), texts(t, 1, rows).joined(separator: ", ")]
                })
        }

        func hypergraphSummary(_ json: Bool) throws(OperationError) -> [UInt8] {
            let (nodes, edges, incidences) = (try scalar("nodes"), try scalar("edges"), try scalar("incidences"))
            if json { return OperationRenderer.json(.object(JSONObject([("nodes", nodes.jsonValue), ("edges", edges.jsonValue), ("incidences", incidences.jsonValue)]))) }
            return OperationRenderer.lines("\(nodes) nodes, \(edges) edges, \(incidences) incidences")
        }

        /// A query's rows: an aligned table of the first `OperationRenderer.textRowLimit`
        /// rows (and how many more there are), or a JSON array of row objects.
        func rows(_ json: Bool) throws(OperationError) -> [UInt8] {
            let t = try table("rows")
            if json {
                return OperationRenderer.json(.array((0..<t.rowCount).map { row in
                    .object(JSONObject(zip(t.schema.names, t.columns).map { ($0, $1[row].jsonValue) }))
                }))
            }
            let shown = min(t.rowCount, OperationRenderer.textRowLimit)
            var out = TextTable.render(t.schema.names, (0..<shown).map { row in
                t.columns.map { column in
                    let v = column[row]
                    if case .double(let d) = v { return TextTable.number(d) }
                    return v.isNull ? "null" : v.description
                }
            })
            if shown < t.rowCount {
                out += Array("… \(t.rowCount - shown) more rows (\(t.rowCount) in all; --limit, --format csv or --out FILE for all)\n".utf8)
            }
            return out
        }

        /// The main table: a query's rows, another result's first table, or its values as
        /// one row.
        func mainTable() throws(OperationError) -> RecordBatch {
            if let first = result.tables.first { return result.table("rows") ?? first.table }
            do {
                var named = [(String, Column)]()
                for scalar in result.scalars {
                    let type: DataType = switch scalar.value {
                    case .int: .int64
                    case .double: .double
                    case .bool: .bool
                    case .json: .json
                    case .string, .null: .string
                    }
                    named.append((scalar.name, try Column(type: type, values: [scalar.value])))
                }
                return try RecordBatch(named)
            } catch {
                throw OperationError(.invalidArgument, "\(operation.name): its values do not make a table: \(error.message)")
            }
        }
    }
}
