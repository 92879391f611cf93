import AnantColumnar

/// How a result is printed: for people (aligned text), as one JSON value, or as a table
/// — CSV or an Arrow IPC stream — of its main table (a query's rows; another result's
/// first table, or its values as one row).
public enum RenderFormat: String, Sendable, CaseIterable {
    case text
    case json
    case csv
    case arrow
}

/// Renders an operation's result as the CLI prints it; a client that shares this library
/// prints the same bytes, whether the result was computed in process or by a cluster.
public enum OperationRenderer {
    /// The bytes of `result` (of `operation`) in `format`.
    ///
    /// - Throws: `OperationError.invalidArgument` when the result lacks what the operation
    ///   answers (a result of another operation).
    public static func render(_ result: OperationResult, of operation: Operation, as format: RenderFormat) throws(OperationError) -> [UInt8] {
        let r = Reader(result: result, operation: operation)
        if format == .csv { return CSVWriter.write(try r.mainTable()) }
        if format == .arrow {
            let table = try r.mainTable()
            do { return try ArrowIPC.stream(table) } catch {
                throw OperationError(.invalidArgument, "\(operation.name): \(error.message)", underlying: error)
            }
        }
        let json = format == .json
        switch operation {
        case .info(let node, let edge):
            if node != nil { return try r.infoOfNode(json) }
            if edge != nil { return try r.infoOfEdge(json) }
            return try r.info(json)
        case .degree:
            let t = try r.table("degrees")
            return json ? keyed(t, 0) { $0.columns[1][$1].jsonValue }
                : TextTable.render(["node", "degree"], (0..<t.rowCount).map { [ElementReference.label(t.columns[0], $0), t.columns[1][$0].description] })
        case .neighbors, .edgeNeighbors:
            return try r.neighbors(json, header: operation.name == "neighbors" ? ["node", "neighbors"] : ["edge", "neighbors"])
        case .components(_, let vertices, _):
            return try r.components(json, vertices)
        case .lineGraph:
            return try r.lineGraph(json)
        case .distance:
            return try r.distance(json)
        case .diameter(_, let vertices, let perComponent):
            return perComponent ? try r.diameters(json, vertices) : try r.diameter(json)
        case .centrality(let measure, _, let vertices, _, _, _, _, _, let approximation):
            let t = try r.table("centrality")
            if json {
                let values = keyedObject(t, 0) { $0.columns[1][$1].jsonValue }
                guard approximation != nil else { return Self.json(values) }
                return Self.json(.object(JSONObject([("values", values), ("approximation", .object(try r.approximation(measure)))])))
            }
            let table = TextTable.render([String(vertices.rawValue.dropLast()), measure.rawValue], (0..<t.rowCount).map { row in
                let value = t.columns[1][row]
                if case .double(let d) = value { return [ElementReference.label(t.columns[0], row), TextTable.number(d)] }
                return [ElementReference.label(t.columns[0], row), value.description]
            })
            guard approximation != nil else { return table }
            return table + Self.lines(try r.approximationNote(measure))
        case .toplexes, .singletons:
            return try r.edgeListing(json)
        case .collapse(let vertices, _):
            return try r.classes(json, vertices)
        case .modularity:
            return try r.modularity(json)
        case .communities:
            return try r.communities(json)
        case .dual, .restrict:
            return try r.hypergraphSummary(json)
        case .report:
            return try r.report(json)
        case .query:
            return try r.rows(json)
        }
    }

    /// Text shows at most this many rows of a query's answer.
    public static let textRowLimit = 100

    /// A JSON value, indented by 2, and a newline.
    static func json(_ value: JSONValue) -> [UInt8] {
        var bytes = [UInt8]()
        JSONWriter(indent: 2).write(value, into: &bytes)
        bytes.append(0x0A)
        return bytes
    }

    /// Text lines, each with a newline.
    static func lines(_ lines: String...) -> [UInt8] { Array(lines.map { $0 + "\n" }.joined().utf8) }

    /// A JSON object with one member per row, keyed by column `key`'s text (ids labelled
    /// by `ElementReference.label`, so mixed ids never collide).
    static func keyed(_ t: RecordBatch, _ key: Int, _ value: (RecordBatch, Int) -> JSONValue) -> [UInt8] {
        json(keyedObject(t, key, value))
    }

    static func keyedObject(_ t: RecordBatch, _ key: Int, _ value: (RecordBatch, Int) -> JSONValue) -> JSONValue {
        var object = JSONObject()
        for row in 0..<t.rowCount { object[ElementReference.label(t.columns[key], row)] = value(t, row) }
        return .object(object)
    }

    /// Runs of rows sharing the value of column `key` (rows grouped consecutively).
    static func runs(_ t: RecordBatch, _ key: Int) -> [Range<Int>] {
        var out = [Range<Int>](), start = 0
        for row in 0..<t.rowCount where row + 1 == t.rowCount || t.columns[key][row + 1] != t.columns[key][row] {
            out.append(start..<(row + 1))
            start = row + 1
        }
        return out
    }
}
