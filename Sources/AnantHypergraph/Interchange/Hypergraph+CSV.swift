import AnantColumnar

extension Hypergraph {
    /// Reads a CSV incidence file: a header naming the columns `edge` and `node` (in any
    /// position), one incidence per line; every other column becomes an incidence property
    /// (`weight` must be numeric). Optional node and edge tables (CSV with a `node` or
    /// `edge` column) add isolated nodes, empty edges and properties.
    ///
    /// With a `schema` (the companion Anant writes beside its CSV files), each column it
    /// names has the declared type and the hypergraph gets the schema's facts (name,
    /// network type, metadata, default weights). Without one, types are inferred: ids are
    /// integers when every id of the column is a canonical integer, else strings.
    /// - Throws: `HypergraphError.invalidCSV` naming the line, or `.invalidInput`.
    public init(csv: [UInt8], nodeTable: [UInt8]? = nil, edgeTable: [UInt8]? = nil, schema: CSVSchema? = nil,
                name: String? = nil) throws(HypergraphError) {
        let incidences = try Hypergraph.csvTable(csv, ids: ["edge", "node"], types: schema?.incidences, what: "incidence file")
        let nodes = try nodeTable.map { b throws(HypergraphError) in try Hypergraph.csvTable(b, ids: ["node"], types: schema?.nodes, what: "node table") }
        let edges = try edgeTable.map { b throws(HypergraphError) in try Hypergraph.csvTable(b, ids: ["edge"], types: schema?.edges, what: "edge table") }
        if let schema {
            try self.init(incidences: incidences, nodes: nodes, edges: edges, facts: schema.facts)
            if let name { self.name = name }
        } else {
            try self.init(incidences: incidences, nodeTable: nodes, edgeTable: edges, name: name)
        }
    }

    /// One CSV table of a hypergraph: the `ids` columns are read as identifiers (integers
    /// or text, never doubles), `types` as declared; the `required` columns must be there.
    public static func csvTable(_ bytes: [UInt8], ids: [String], required: [String]? = nil, types: [String: DataType]?,
                                what: String) throws(HypergraphError) -> RecordBatch {
        let batch: RecordBatch
        do {
            batch = try CSVReader.read(bytes, options: CSVReadOptions(identifierColumns: Set(ids), columnTypes: types ?? [:]))
        } catch {
            throw HypergraphError(.invalidCSV, "invalid CSV \(what): \(error.message)")
        }
        for id in required ?? ids where batch.schema.index(of: id) == nil {
            throw HypergraphError(.invalidCSV, "invalid CSV \(what): the header must name a column '\(id)' (found: \(batch.schema.names.joined(separator: ", ")))")
        }
        return batch
    }

    /// The incidence table as CSV (`edge,node,<incidence properties>`). Ids of a column
    /// holding both kinds are JSON (`1` and `"1"`), so that neither becomes the other.
    public func incidenceCSV() -> [UInt8] { CSVWriter.write(incidenceTable()) }

    /// The node table as CSV (`node,<node properties>`).
    public func nodeCSV() -> [UInt8] { CSVWriter.write(nodeTable()) }

    /// The edge table as CSV (`edge,<edge properties>`).
    public func edgeCSV() -> [UInt8] { CSVWriter.write(edgeTable()) }

    /// True when a CSV incidence file alone would lose something: node or edge
    /// properties, isolated nodes or empty edges.
    public var needsElementTables: Bool {
        nodeProperties.schema.count > 0 || edgeProperties.schema.count > 0
            || (0..<nodeCount).contains { nodeMemberships.count($0) == 0 }
            || (0..<edgeCount).contains { edgeMembers.count($0) == 0 }
    }
}

/// What CSV cannot say about a hypergraph written as CSV: each column's type and the
/// hypergraph's facts. Anant writes it beside FILE.csv as FILE.schema.json and reads it
/// back with the tables, so that `"2441"` stays a string, `year` stays an integer and
/// the network type and metadata survive:
///
/// ```json
/// {"format": "anant-csv-schema", "version": 1,
///  "hypergraph": {"network_type": "directed", "metadata": {...}, ...},
///  "columns": {"incidences": {"edge": "string", "node": "int64", "weight": "double"},
///              "nodes": {...}, "edges": {...}}}
/// ```
///
/// Column types are `DataType` names; a `json` column (ids of both kinds) holds one JSON
/// value per field. Columns the schema does not name are inferred as without one.
public struct CSVSchema: Sendable, Equatable {
    /// The value of the document's `format` member.
    public static let format = "anant-csv-schema"

    /// The hypergraph's facts (`Hypergraph.facts`).
    public var facts: JSONObject
    /// Declared column types of the incidence, node and edge tables.
    public var incidences: [String: DataType]
    public var nodes: [String: DataType]?
    public var edges: [String: DataType]?

    /// The schema of `hypergraph` written as the given tables.
    public init(_ hypergraph: Hypergraph, incidences: Schema, nodes: Schema?, edges: Schema?) {
        func types(_ schema: Schema) -> [String: DataType] { Dictionary(uniqueKeysWithValues: schema.fields.map { ($0.name, $0.type) }) }
        facts = hypergraph.facts
        self.incidences = types(incidences)
        self.nodes = nodes.map(types)
        self.edges = edges.map(types)
        order = [incidences, nodes, edges].map { $0?.names ?? [] }
    }

    /// Column order of the tables as written, so that the document lists them that way.
    private var order: [[String]]

    /// The schema document.
    public var json: JSONValue {
        func table(_ types: [String: DataType], _ names: [String]) -> JSONValue {
            .object(JSONObject(names.compactMap { n in types[n].map { (n, JSONValue.string($0.rawValue)) } }))
        }
        var tables = [("incidences", table(incidences, order[0]))]
        if let nodes { tables.append(("nodes", table(nodes, order[1]))) }
        if let edges { tables.append(("edges", table(edges, order[2]))) }
        return .object(JSONObject([
            ("format", .string(CSVSchema.format)), ("version", .int(1)), ("hypergraph", .object(facts)), ("columns", .object(JSONObject(tables))),
        ]))
    }

    /// True when `bytes` are a JSON object whose `format` is Anant's: another tool's
    /// document of the same name (a JSON Schema) is not read as one.
    public static func isAnantSchema(_ bytes: [UInt8]) -> Bool {
        guard case .object(let top)? = try? JSONParser.parse(bytes) else { return false }
        return top["format"]?.stringValue == format
    }

    /// Reads a schema document; `source` names it in errors.
    public init(json bytes: [UInt8], source: String) throws(HypergraphError) {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw HypergraphError(.invalidCSV, "invalid CSV schema \(source): \(error.message)")
        }
        guard case .object(let top) = value, top["format"]?.stringValue == CSVSchema.format else {
            throw HypergraphError(.invalidCSV, "invalid CSV schema \(source): not an object with \"format\": \"\(CSVSchema.format)\"")
        }
        guard top["version"]?.numberValue == 1 else {
            throw HypergraphError(.invalidCSV, "invalid CSV schema \(source): version \(top["version"].map { "\($0)" } ?? "missing"); this Anant reads version 1")
        }
        func types(_ key: String) throws(HypergraphError) -> ([String: DataType], [String])? {
            guard let member = top["columns"]?.objectValue?[key] else { return nil }
            guard case .object(let columns) = member else {
                throw HypergraphError(.invalidCSV, "invalid CSV schema \(source): columns.\(key) must be an object of column types")
            }
            var result = [String: DataType](), names = [String]()
            for (name, type) in columns {
                guard let t = type.stringValue.flatMap(DataType.init(rawValue:)) else {
                    throw HypergraphError(.invalidCSV, "invalid CSV schema \(source): column '\(name)' of \(key) has type \(type); "
                                          + "the types are \(DataType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                result[name] = t
                names.append(name)
            }
            return (result, names)
        }
        guard let incidences = try types("incidences") else {
            throw HypergraphError(.invalidCSV, "invalid CSV schema \(source): it has no columns.incidences")
        }
        let nodes = try types("nodes"), edges = try types("edges")
        facts = top["hypergraph"]?.objectValue ?? JSONObject()
        self.incidences = incidences.0
        self.nodes = nodes?.0
        self.edges = edges?.0
        order = [incidences.1, nodes?.1 ?? [], edges?.1 ?? []]
    }
}
