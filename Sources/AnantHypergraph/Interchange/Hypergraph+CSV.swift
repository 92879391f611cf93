import AnantColumnar

extension Hypergraph {
    /// Reads a CSV incidence file: a header naming the columns `edge` and `node` (in any
    /// position), one incidence per line; every other column becomes an incidence property
    /// (`weight` must be numeric). Optional node and edge tables (CSV with a `node` or
    /// `edge` column) add isolated nodes, empty edges and properties.
    ///
    /// Ids are integers when every id of the column is a canonical integer, else strings.
    /// - Throws: `HypergraphError.invalidCSV` naming the line, or `.invalidInput`.
    public init(csv: [UInt8], nodeTable: [UInt8]? = nil, edgeTable: [UInt8]? = nil, name: String? = nil) throws(HypergraphError) {
        let incidences = try Hypergraph.readCSV(csv, ids: ["edge", "node"], what: "incidence file")
        let nodes = try nodeTable.map { b throws(HypergraphError) in try Hypergraph.readCSV(b, ids: ["node"], what: "node table") }
        let edges = try edgeTable.map { b throws(HypergraphError) in try Hypergraph.readCSV(b, ids: ["edge"], what: "edge table") }
        try self.init(incidences: incidences, nodeTable: nodes, edgeTable: edges, name: name)
    }

    private static func readCSV(_ bytes: [UInt8], ids: [String], what: String) throws(HypergraphError) -> RecordBatch {
        let batch: RecordBatch
        do {
            batch = try CSVReader.read(bytes, options: CSVReadOptions(identifierColumns: Set(ids)))
        } catch {
            throw HypergraphError(.invalidCSV, "invalid CSV \(what): \(error.message)")
        }
        for id in ids where batch.schema.index(of: id) == nil {
            throw HypergraphError(.invalidCSV, "invalid CSV \(what): the header must name a column '\(id)' (found: \(batch.schema.names.joined(separator: ", ")))")
        }
        return batch
    }

    /// The incidence table as CSV (`edge,node,<incidence properties>`).
    public func incidenceCSV() -> [UInt8] { CSVWriter.write(Hypergraph.plainIDs(incidenceTable())) }

    /// The node table as CSV (`node,<node properties>`).
    public func nodeCSV() -> [UInt8] { CSVWriter.write(Hypergraph.plainIDs(nodeTable())) }

    /// The edge table as CSV (`edge,<edge properties>`).
    public func edgeCSV() -> [UInt8] { CSVWriter.write(Hypergraph.plainIDs(edgeTable())) }

    /// CSV has no types: ids of both kinds are written as their plain text, not as JSON.
    private static func plainIDs(_ table: RecordBatch) -> RecordBatch {
        var result = table
        for name in ["edge", "node"] {
            guard let column = try? table.column(named: name), column.dataType == .json else { continue }
            let text = StringColumn((0..<column.count).map { column[$0].description })
            result = try! result.setting(name, .string(text))
        }
        return result
    }

    /// True when a CSV incidence file alone would lose something: node or edge
    /// properties, isolated nodes or empty edges.
    public var needsElementTables: Bool {
        nodeProperties.schema.count > 0 || edgeProperties.schema.count > 0
            || (0..<nodeCount).contains { nodeMemberships.count($0) == 0 }
            || (0..<edgeCount).contains { edgeMembers.count($0) == 0 }
    }
}
