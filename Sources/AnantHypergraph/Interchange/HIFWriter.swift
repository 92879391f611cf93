import AnantColumnar

/// Writes a hypergraph as a HIF document (the inverse of `HIFReader`).
///
/// Every node and edge gets a record (so isolated nodes and empty edges survive), every
/// incidence one record in edge-major order. `network-type` and `metadata` are written
/// when known (HIF's default network type is undirected). `weight` and `direction` columns become the
/// record fields of the same name; other property columns go into `attrs` (a column named
/// `attrs.<key>` back to `<key>`); nulls are left out.
public enum HIFWriter {
    /// The HIF document of `hypergraph`.
    public static func document(_ hypergraph: Hypergraph) -> JSONValue {
        let h = hypergraph
        var top = JSONObject()
        if let type = h.networkType { top["network-type"] = .string(type.rawValue) }
        if !h.metadata.isEmpty { top["metadata"] = .object(h.metadata) }
        let nodeIDs = h.nodes.ids.map(json)
        let edgeIDs = h.edges.ids.map(json)
        var edgeOfSlot = [Int](repeating: 0, count: h.incidenceCount)
        for e in 0..<h.edgeCount { for slot in h.edgeMembers.offsets[e]..<h.edgeMembers.offsets[e + 1] { edgeOfSlot[slot] = e } }
        top["incidences"] = .array(records(h.incidenceProperties, fields: ["weight", "direction"]) { slot in
            [("edge", edgeIDs[edgeOfSlot[slot]]), ("node", nodeIDs[Int(h.edgeMembers.members[slot])])]
        })
        top["nodes"] = .array(records(h.nodeProperties, fields: ["weight"]) { [("node", nodeIDs[$0])] })
        top["edges"] = .array(records(h.edgeProperties, fields: ["weight"]) { [("edge", edgeIDs[$0])] })
        return .object(top)
    }

    /// HIF JSON text of `hypergraph` (compact, or indented by `indent` spaces).
    public static func write(_ hypergraph: Hypergraph, indent: Int? = nil) -> [UInt8] {
        var out = [UInt8]()
        JSONWriter(indent: indent).write(document(hypergraph), into: &out)
        out.append(0x0A)
        return out
    }

    private static func json(_ id: ElementID) -> JSONValue {
        switch id {
        case .int(let v): return .int(v)
        case .string(let s): return .string(s)
        }
    }

    private static func records(_ table: RecordBatch, fields: [String], ids: (Int) -> [(String, JSONValue)]) -> [JSONValue] {
        let names = table.schema.names
        return (0..<table.rowCount).map { row in
            var record = JSONObject(ids(row))
            var attrs = JSONObject()
            for (name, column) in zip(names, table.columns) {
                let value = column[row]
                if value.isNull { continue }
                if fields.contains(name) {
                    record[name] = value.jsonValue
                } else {
                    attrs[name.hasPrefix("attrs.") ? String(name.dropFirst(6)) : name] = value.jsonValue
                }
            }
            if !attrs.isEmpty { record["attrs"] = .object(attrs) }
            return .object(record)
        }
    }
}
