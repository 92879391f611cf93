import AnantColumnar

/// Everything needed to build a hypergraph from tables: incidence rows (edge id, node id,
/// incidence properties) and optional node and edge tables (id, properties), whose ids add
/// isolated nodes and empty edges and whose properties attach to the elements.
struct HypergraphParts {
    var edgeIDs: IDSource
    var nodeIDs: IDSource
    var incidenceProperties: RecordBatch
    var nodeTableIDs: IDSource? = nil
    var nodeTableProperties: RecordBatch = .empty()
    var edgeTableIDs: IDSource? = nil
    var edgeTableProperties: RecordBatch = .empty()
    var defaultWeights = DefaultWeights()
    var networkType: NetworkType? = nil
    var metadata = JSONObject()
    var name: String? = nil
}

/// Turns `HypergraphParts` into a `Hypergraph`: encodes ids, builds both CSRs, aligns
/// property tables to dense indices (the first row of a repeated id wins, as HyperNetX's
/// `aggregate_by="first"`) and checks that `weight` columns are numeric.
enum HypergraphBuilder {
    static func build(_ parts: HypergraphParts, context: ExecutionContext = .default) throws(HypergraphError) -> Hypergraph {
        let rows = parts.incidenceProperties.rowCount
        try checkNames(parts.incidenceProperties, reserved: ["edge", "node"], table: "incidence")
        try checkNames(parts.nodeTableProperties, reserved: ["node"], table: "node")
        try checkNames(parts.edgeTableProperties, reserved: ["edge"], table: "edge")
        guard rows < Int(Int32.max) else {
            throw HypergraphError(.tooLarge, "\(rows) incidences exceed the model's limit of \(Int32.max)")
        }
        if parts.nodeTableIDs == nil, parts.edgeTableIDs == nil,
           case .int64(let edgeValues) = parts.edgeIDs, case .int64(let nodeValues) = parts.nodeIDs,
           let fast = try SortedIntegerBuild(context: context).build(edges: edgeValues, nodes: nodeValues) {
            return Hypergraph(
                nodes: fast.nodes, edges: fast.edges, edgeMembers: fast.edgeMembers, nodeMemberships: fast.nodeMemberships,
                incidenceProperties: try numericWeights(parts.incidenceProperties, of: "incidence"),
                defaultWeights: parts.defaultWeights, networkType: parts.networkType, metadata: parts.metadata, name: parts.name)
        }
        try context.check()
        let encoder = IDEncoder(context: context)
        let nodeEncoding = encoder.encode([parts.nodeIDs] + (parts.nodeTableIDs.map { [$0] } ?? []))
        let edgeEncoding = encoder.encode([parts.edgeIDs] + (parts.edgeTableIDs.map { [$0] } ?? []))
        let edgeDictionary = edgeEncoding.dictionary
        let edgeTableCodes = parts.edgeTableIDs == nil ? nil : edgeEncoding.codes[1]
        try context.check()
        let csr = try CSRBuilder(context: context).build(edgeCodes: edgeEncoding.codes[0], nodeCodes: nodeEncoding.codes[0],
                                   edgeCount: edgeDictionary.count)
        var incidenceProperties = parts.incidenceProperties
        if let sourceRows = csr.sourceRows { incidenceProperties = incidenceProperties.gather(sourceRows) }
        let nodeProperties = align(parts.nodeTableProperties, codes: parts.nodeTableIDs == nil ? nil : nodeEncoding.codes[1],
                                   count: nodeEncoding.dictionary.count)
        let edgeProperties = align(parts.edgeTableProperties, codes: edgeTableCodes, count: edgeDictionary.count)
        return Hypergraph(
            nodes: nodeEncoding.dictionary, edges: edgeDictionary, edgeMembers: csr.edgeMembers,
            nodeProperties: try numericWeights(nodeProperties, of: "node"),
            edgeProperties: try numericWeights(edgeProperties, of: "edge"),
            incidenceProperties: try numericWeights(incidenceProperties, of: "incidence"),
            defaultWeights: parts.defaultWeights, networkType: parts.networkType,
            metadata: parts.metadata, name: parts.name)
    }

    /// Property names must not shadow the id columns of exported tables.
    private static func checkNames(_ table: RecordBatch, reserved: [String], table kind: String) throws(HypergraphError) {
        for name in reserved where table.schema.index(of: name) != nil {
            throw HypergraphError(.invalidInput, "the \(kind) table has a property column named '\(name)', which is reserved for ids; rename it")
        }
    }

    /// One row per dense index: the first table row naming it, or nulls.
    private static func align(_ table: RecordBatch, codes: [Int32]?, count: Int) -> RecordBatch {
        guard let codes, table.schema.count > 0 else { return .empty(rowCount: count) }
        var rowOf = [Int32](repeating: -1, count: count)
        for (row, code) in codes.enumerated().reversed() { rowOf[Int(code)] = Int32(row) }
        return try! RecordBatch(schema: table.schema, columns: table.columns.map { $0.gather(nullable: rowOf) }, rowCount: count)
    }

    /// The table with its `weight` column as doubles; throws when weights are not numbers.
    static func numericWeights(_ table: RecordBatch, of kind: String) throws(HypergraphError) -> RecordBatch {
        guard let index = table.schema.index(of: "weight") else { return table }
        let column = table.columns[index]
        let doubles: DoubleColumn
        switch column {
        case .double: return table
        case .int64(let c): doubles = DoubleColumn(c.values.map(Double.init), validity: c.validity)
        case .int32(let c): doubles = DoubleColumn(c.values.map(Double.init), validity: c.validity)
        default:
            let row = (0..<column.count).first { !column.isNull($0) } ?? 0
            throw HypergraphError(.invalidInput, "\(kind) weights must be numbers, but the 'weight' column holds \(column.dataType) values (first: \(column[row]))")
        }
        return try! table.setting("weight", .double(doubles))
    }
}

extension IDSource {
    /// The ids of a table column; throws when a value is null or not an integer or string.
    static func from(_ column: Column, name: String, kind: String) throws(HypergraphError) -> IDSource {
        if column.nullCount > 0 {
            let row = (0..<column.count).first { column.isNull($0) }!
            throw HypergraphError(.invalidInput, "\(kind) id column '\(name)' is empty at row \(row + 1); every incidence needs a \(kind) id")
        }
        switch column {
        case .int64(let c): return .int64(c.values)
        case .int32(let c): return .int64(c.values.map(Int64.init))
        case .string(let c): return .strings(c)
        case .json(let c):
            var ids = [ElementID]()
            ids.reserveCapacity(c.count)
            for row in 0..<c.count {
                switch column[row] {
                case .int(let v): ids.append(.int(v))
                case .string(let s): ids.append(.string(s))
                case let other:
                    throw HypergraphError(.invalidInput, "\(kind) id column '\(name)' holds \(other) at row \(row + 1); ids must be integers or strings")
                }
            }
            return .mixed(ids)
        case .double, .bool:
            throw HypergraphError(.invalidInput, "\(kind) id column '\(name)' holds \(column.dataType) values; ids must be integers or strings")
        }
    }
}
