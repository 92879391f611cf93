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
        networkType = facts["network_type"]?.stringValue.flatMap(NetworkType.init(rawValue:))
        metadata = facts["metadata"]?.objectValue ?? JSONObject()
    }
}
