import AnantColumnar

extension Hypergraph {
    /// The hypergraph-level facts that live beside its tables — name, network type,
    /// metadata and default weights — as one JSON object: a dataset's manifest keeps them,
    /// an operation's result carries them with the tables.
    public var facts: JSONObject {
        var facts = [(String, JSONValue)]()
        if let name { facts.append(("name", .string(name))) }
        if let networkType { facts.append(("network_type", .string(networkType.rawValue))) }
        facts.append(("metadata", .object(metadata)))
        facts.append(("default_weights", .object(JSONObject([
            ("node", .double(defaultWeights.node)), ("edge", .double(defaultWeights.edge)), ("incidence", .double(defaultWeights.incidence)),
        ]))))
        if !columnNames.isStandard { facts.append(("column_names", columnNames.json)) }
        return JSONObject(facts)
    }

    /// The default weights `facts` names (HyperNetX's 1 where absent).
    public static func defaultWeights(in facts: JSONObject) -> DefaultWeights {
        let defaults = facts["default_weights"]?.objectValue
        return DefaultWeights(node: defaults?["node"]?.numberValue ?? 1, edge: defaults?["edge"]?.numberValue ?? 1,
                              incidence: defaults?["incidence"]?.numberValue ?? 1)
    }

    /// The hypergraph built from its tables (`incidenceTable()`, and `nodeTable()` and
    /// `edgeTable()` when there are any) and its `facts`: the same hypergraph, ids in the
    /// tables' order. Facts that are absent keep their defaults.
    public init(incidences: RecordBatch, nodes: RecordBatch?, edges: RecordBatch?, facts: JSONObject,
                context: ExecutionContext = .default) throws(HypergraphError) {
        try self.init(incidences: incidences, nodeTable: nodes, edgeTable: edges, defaultWeights: Hypergraph.defaultWeights(in: facts),
                      name: facts["name"]?.stringValue, context: context)
        apply(facts)
    }

    /// Takes the network type, metadata and column names of `facts` (absent: the defaults).
    public mutating func apply(_ facts: JSONObject) {
        networkType = facts["network_type"]?.stringValue.flatMap(NetworkType.init(rawValue:))
        metadata = facts["metadata"]?.objectValue ?? JSONObject()
        columnNames = ColumnNames(facts: facts)
    }
}

/// The columns of an incidence table that hold the edge ids, the node ids and the incidence
/// weight, for tables that do not name them `edge`, `node` and `weight`
/// (`--edge-col paper_id --node-col author --weight-col w`). A hypergraph read that way
/// remembers them in its facts (`column_names`), so that a table can be written with them
/// again (`export --original-names`) and read back without the options.
public struct ColumnNames: Sendable, Hashable {
    public var edge: String
    public var node: String
    public var weight: String

    public init(edge: String = "edge", node: String = "node", weight: String = "weight") {
        (self.edge, self.node, self.weight) = (edge, node, weight)
    }

    /// The names of `facts["column_names"]`; the standard ones where absent.
    public init(facts: JSONObject) {
        let names = facts["column_names"]?.objectValue
        self.init(edge: names?["edge"]?.stringValue ?? "edge", node: names?["node"]?.stringValue ?? "node",
                  weight: names?["weight"]?.stringValue ?? "weight")
    }

    /// True for edge, node and weight.
    public var isStandard: Bool { self == ColumnNames() }

    /// (standard name, this table's name) of each column named otherwise.
    public var renamed: [(standard: String, source: String)] {
        [("edge", edge), ("node", node), ("weight", weight)].filter { $0.0 != $0.1 }
    }

    var json: JSONValue { .object(JSONObject([("edge", .string(edge)), ("node", .string(node)), ("weight", .string(weight))])) }
}
