import AnantColumnar
import AnantProto
import AnantWire

// The entity store's values as wire messages and back: the service answers with them, and
// clients (`anant meta --gateway`) read them into the same values the embedded store gives.

extension EntityFieldType {
    static let wire: [(Anant_V1_FieldType, EntityFieldType)] = [
        (.bool, .bool), (.int32, .int32), (.int64, .int64), (.float, .float), (.double, .double), (.string, .string), (.json, .json),
        (.timestamp, .timestamp),
    ]

    /// The type a wire field type names (nil: unset or unknown).
    public init?(proto: Anant_V1_FieldType) {
        guard let type = Self.wire.first(where: { $0.0 == proto })?.1 else { return nil }
        self = type
    }

    public var proto: Anant_V1_FieldType { Self.wire.first { $0.1 == self }!.0 }
}

extension EntityField {
    /// The field of a wire message (its id kept; a schema registration ignores it).
    ///
    /// - Throws: `INVALID_ARGUMENT` for a field without a type.
    public init(proto m: Anant_V1_SchemaField) throws(Status) {
        guard let type = EntityFieldType(proto: m.type) else { throw Status(.invalidArgument, "field \(WireNames.printable(m.name)) has no type") }
        let defaultJSON: String? = if case .defaultJson(let text)? = m.optionalDefault { text } else { nil }
        self.init(m.name, type, required: m.required, defaultJSON: defaultJSON, aliases: m.aliases, deprecated: m.deprecated)
        id = Int(m.id)
    }

    public var proto: Anant_V1_SchemaField {
        var f = Anant_V1_SchemaField()
        f.id = UInt32(clamping: id)
        f.name = name
        f.type = type.proto
        f.required = required
        if let defaultJSON { f.defaultJson = defaultJSON }
        f.aliases = aliases
        f.deprecated = deprecated
        return f
    }
}

extension EntitySchema {
    public init(proto m: Anant_V1_RecordSchema) throws(Status) {
        var fields = [EntityField]()
        for field in m.fields { fields.append(try EntityField(proto: field)) }
        self.init(kind: m.kind, version: Int(m.version), fields: fields, storeVersion: Int64(clamping: m.storeVersion))
    }

    public var proto: Anant_V1_RecordSchema {
        var out = Anant_V1_RecordSchema()
        out.kind = kind
        out.version = UInt32(clamping: version)
        out.storeVersion = UInt64(clamping: storeVersion)
        out.fields = fields.map(\.proto)
        return out
    }
}

extension EntityRecord {
    /// - Throws: `INVALID_ARGUMENT` when the values are not a JSON object.
    public init(proto m: Anant_V1_EntityRecord) throws(Status) {
        self.init(key: m.key, version: Int64(clamping: m.version), values: try JSONObject(recordValues: m.valuesJson))
    }

    public var proto: Anant_V1_EntityRecord {
        var out = Anant_V1_EntityRecord()
        out.key = key
        out.version = UInt64(clamping: version)
        out.valuesJson = JSONWriter().string(.object(values))
        return out
    }
}

extension MetadataStore {
    /// `records(kind:keys:asOf:)` as the wire carries them. A point read as of now writes
    /// the values' text straight from the stored text (`viewText`), with no values made
    /// and written again.
    public func wireRecords(kind: String, keys: [String], asOf version: Int64? = nil) throws(Status) -> [Anant_V1_EntityRecord] {
        try Self.validate(kind: kind)
        if keys.count == 1, version == nil, let found = try current(kind: kind, key: keys[0], { key, version, stored, schema in
            var record = Anant_V1_EntityRecord()
            record.key = key
            record.version = UInt64(clamping: version)
            record.valuesJson = try Self.viewText(stored, schema: schema)
            return record
        }) { return found }
        return try records(kind: kind, keys: keys, asOf: version).map(\.proto)
    }
}

extension EntityHistoryEntry {
    public init(proto m: Anant_V1_HistoryEntry) throws(Status) {
        self.init(version: Int64(clamping: m.version), time: m.time, deleted: m.deleted,
                  values: m.deleted ? JSONObject([]) : try JSONObject(recordValues: m.valuesJson))
    }

    public var proto: Anant_V1_HistoryEntry {
        var e = Anant_V1_HistoryEntry()
        e.version = UInt64(clamping: version)
        e.time = time
        e.deleted = deleted
        if !deleted { e.valuesJson = JSONWriter().string(.object(values)) }
        return e
    }
}

extension JSONObject {
    /// A record's values from their JSON text.
    ///
    /// - Throws: `INVALID_ARGUMENT` when the text is not a JSON object.
    public init(recordValues text: String) throws(Status) {
        guard case .object(let object)? = try? JSONParser.parse(text) else { throw Status(.invalidArgument, "a record's values are a JSON object") }
        self = object
    }
}
