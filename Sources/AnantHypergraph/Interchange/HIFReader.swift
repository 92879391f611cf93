import AnantColumnar

/// Reads HIF (the Hypergraph Interchange Format) documents, validating them against the
/// HIF schema's rules with messages that name the offending key or value.
///
/// Mapping: `incidences` give the incidence rows (`weight`, `direction` and every `attrs`
/// key become incidence property columns); `nodes` and `edges` records add elements
/// (isolated nodes and empty edges included) and their properties. An attribute key that
/// collides with a reserved column name (`weight`, `direction`, an id column) is stored as
/// `attrs.<key>`. Default weights come from `metadata.default_attrs`, as in HyperNetX's
/// `from_hif`. Repeated records keep the first, as HyperNetX does.
public enum HIFReader {
    static let topLevelKeys = ["network-type", "metadata", "incidences", "nodes", "edges"]

    /// Parses and validates HIF JSON text.
    public static func read(_ bytes: [UInt8]) throws(HypergraphError) -> Hypergraph {
        let document: JSONValue
        do { document = try JSONParser.parse(bytes) } catch {
            throw HypergraphError(.invalidHIF, "not a HIF file: \(error.message)")
        }
        return try read(document)
    }

    /// Validates a parsed HIF document and builds the hypergraph.
    public static func read(_ document: JSONValue) throws(HypergraphError) -> Hypergraph {
        guard let top = document.objectValue else {
            throw invalid("the HIF document must be a JSON object, but it is \(document.kindDescription)")
        }
        for key in top.keys where !topLevelKeys.contains(key) {
            throw invalid("unknown top-level key \"\(key)\" (allowed: \(topLevelKeys.map { "\"\($0)\"" }.joined(separator: ", ")))")
        }
        guard let incidenceValue = top["incidences"] else {
            throw invalid("missing the required top-level key \"incidences\" (an array of {\"edge\", \"node\"} records)")
        }
        var networkType: NetworkType? = nil
        if let value = top["network-type"] {
            guard let text = value.stringValue, let type = NetworkType(rawValue: text) else {
                throw invalid("\"network-type\" is \(describe(value)); it must be one of \"undirected\", \"directed\", \"asc\"")
            }
            networkType = type
        }
        var metadata = JSONObject()
        if let value = top["metadata"] {
            guard let object = value.objectValue else {
                throw invalid("\"metadata\" must be an object, but it is \(value.kindDescription)")
            }
            metadata = object
        }
        let incidences = try records(incidenceValue, key: "incidences", ids: ["edge", "node"], extra: ["direction"])
        let nodes = try top["nodes"].map { v throws(HypergraphError) in try records(v, key: "nodes", ids: ["node"], extra: []) }
        let edges = try top["edges"].map { v throws(HypergraphError) in try records(v, key: "edges", ids: ["edge"], extra: []) }

        var parts = HypergraphParts(edgeIDs: .mixed(incidences.ids[0]), nodeIDs: .mixed(incidences.ids[1]),
                                    incidenceProperties: incidences.properties)
        if let nodes {
            parts.nodeTableIDs = .mixed(nodes.ids[0])
            parts.nodeTableProperties = nodes.properties
        }
        if let edges {
            parts.edgeTableIDs = .mixed(edges.ids[0])
            parts.edgeTableProperties = edges.properties
        }
        parts.defaultWeights = defaultWeights(metadata)
        parts.networkType = networkType
        parts.metadata = metadata
        parts.name = metadata["name"]?.stringValue
        return try HypergraphBuilder.build(parts)
    }

    /// The validated records of one HIF array: their ids and their properties as columns.
    private struct Records {
        var ids: [[ElementID]]
        var properties: RecordBatch
    }

    private static func records(_ value: JSONValue, key: String, ids idKeys: [String], extra: [String]) throws(HypergraphError) -> Records {
        guard let array = value.arrayValue else {
            throw invalid("\"\(key)\" must be an array, but it is \(value.kindDescription)")
        }
        let allowed = idKeys + ["weight"] + extra + ["attrs"]
        var ids = idKeys.map { _ in [ElementID]() }
        var weights = [ScalarValue]()
        var directions = [ScalarValue]()
        var attributeNames = [String]()
        var attributeValues = [String: [ScalarValue]]()
        for (row, element) in array.enumerated() {
            let path = "\(key)[\(row)]"
            guard let record = element.objectValue else {
                throw invalid("\(path) must be an object, but it is \(element.kindDescription)")
            }
            for field in record.keys where !allowed.contains(field) {
                throw invalid("\(path) has the unknown key \"\(field)\" (allowed: \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")); put other data in \"attrs\")")
            }
            for (i, idKey) in idKeys.enumerated() {
                guard let idValue = record[idKey] else { throw invalid("\(path) is missing the required key \"\(idKey)\"") }
                ids[i].append(try elementID(idValue, path: "\(path).\(idKey)"))
            }
            if let weight = record["weight"] {
                guard weight.numberValue != nil else {
                    throw invalid("\(path).weight must be a number, but it is \(describe(weight))")
                }
                weights.append(ScalarValue(weight))
            } else {
                weights.append(.null)
            }
            if extra.contains("direction") {
                if let direction = record["direction"] {
                    guard let text = direction.stringValue, text == "head" || text == "tail" else {
                        throw invalid("\(path).direction is \(describe(direction)); it must be \"head\" or \"tail\"")
                    }
                    directions.append(.string(text))
                } else {
                    directions.append(.null)
                }
            }
            if let attrs = record["attrs"] {
                guard let object = attrs.objectValue else {
                    throw invalid("\(path).attrs must be an object, but it is \(attrs.kindDescription)")
                }
                for (name, value) in object {
                    let column = allowed.contains(name) || name.hasPrefix("attrs.") ? "attrs.\(name)" : name
                    if attributeValues[column] == nil {
                        attributeNames.append(column)
                        attributeValues[column] = [ScalarValue](repeating: .null, count: row)
                    }
                    attributeValues[column]!.append(ScalarValue(value))
                }
            }
            for name in attributeNames where attributeValues[name]!.count == row { attributeValues[name]!.append(.null) }
        }
        var columns = [(String, Column)]()
        if weights.contains(where: { !$0.isNull }) { columns.append(("weight", Column(inferring: weights))) }
        if directions.contains(where: { !$0.isNull }) { columns.append(("direction", Column(inferring: directions))) }
        for name in attributeNames { columns.append((name, Column(inferring: attributeValues[name]!))) }
        let properties = columns.isEmpty ? RecordBatch.empty(rowCount: array.count) : try! RecordBatch(columns)
        return Records(ids: ids, properties: properties)
    }

    /// An id: a string, or an integer (a number with a zero fraction counts, as in JSON
    /// Schema).
    private static func elementID(_ value: JSONValue, path: String) throws(HypergraphError) -> ElementID {
        switch value {
        case .string(let text): return .string(text)
        case .int(let number): return .int(number)
        case .double(let number) where number.rounded() == number && abs(number) < 9.2e18:
            return .int(Int64(number))
        default:
            throw invalid("\(path) must be a string or an integer, but it is \(describe(value))")
        }
    }

    private static func defaultWeights(_ metadata: JSONObject) -> DefaultWeights {
        var weights = DefaultWeights()
        guard let defaults = metadata["default_attrs"]?.objectValue else { return weights }
        if let w = defaults["nodes"]?.objectValue?["weight"]?.numberValue { weights.node = w }
        if let w = defaults["edges"]?.objectValue?["weight"]?.numberValue { weights.edge = w }
        if let w = defaults["incidences"]?.objectValue?["weight"]?.numberValue { weights.incidence = w }
        return weights
    }

    /// A value as it appears in messages: kind and JSON text.
    private static func describe(_ value: JSONValue) -> String {
        let text = JSONWriter().string(value)
        let shown = text.count > 60 ? String(text.prefix(57)) + "..." : text
        return "\(value.kindDescription) (\(shown))"
    }

    private static func invalid(_ message: String) -> HypergraphError {
        HypergraphError(.invalidHIF, "invalid HIF: \(message)")
    }
}
