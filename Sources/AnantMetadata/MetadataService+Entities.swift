import AnantColumnar
import AnantProto
import AnantWire
import Foundation

/// The entity store's methods on the wire, and the conversions between its messages and
/// the store's values.
extension MetadataService {
    var entityMethods: [RPCMethod] {
        [
            .unary(Self.prefix + "RegisterSchema") { (request: Anant_V1_RegisterSchemaRequest, _) in
                var response = Anant_V1_RegisterSchemaResponse()
                let fields = try request.schema.fields.map { field throws(Status) in try Self.field(field) }
                response.schema = Self.message(try store.registerSchema(kind: request.schema.kind, fields: fields))
                return response
            },
            .unary(Self.prefix + "GetSchema") { (request: Anant_V1_GetSchemaRequest, _) in
                var response = Anant_V1_GetSchemaResponse()
                response.schema = Self.message(try store.schema(kind: request.kind, version: request.version == 0 ? nil : Int(request.version)))
                return response
            },
            .unary(Self.prefix + "ApplyBatch") { (request: Anant_V1_ApplyBatchRequest, _) in
                let changes = try request.changes.map { change throws(Status) -> EntityChange in
                    switch change.change {
                    case .upsertJson(let text)?: .upsert(key: change.key, values: try Self.object(text))
                    case .delete(true)?: .delete(key: change.key)
                    default: throw Status(.invalidArgument, "a change of \(WireNames.printable(change.key)) is an upsert or a delete")
                    }
                }
                var response = Anant_V1_ApplyBatchResponse()
                response.storeVersion = UInt64(try store.apply(kind: request.kind, changes))
                return response
            },
            .unary(Self.prefix + "GetRecords") { (request: Anant_V1_GetRecordsRequest, _) in
                var response = Anant_V1_GetRecordsResponse()
                let version = request.hasAsOf ? try Self.version(request.asOf, store) : nil
                response.records = try store.records(kind: request.kind, keys: request.keys, asOf: version).map(Self.message)
                return response
            },
            .unary(Self.prefix + "QueryRecords") { (request: Anant_V1_QueryRecordsRequest, _) in
                var query = EntityQuery(asOf: request.hasAsOf ? try Self.version(request.asOf, store) : nil)
                if !request.filter.isEmpty { query.filter = try EntityFilter(text: request.filter) }
                query.order = request.order.map { ($0.field, $0.descending) }
                if case .limit(let n)? = request.optionalLimit { query.limit = Int(clamping: n) }
                if !request.fields.isEmpty { query.fields = request.fields }
                var response = Anant_V1_QueryRecordsResponse()
                if request.explain {
                    response.plan = try store.explain(kind: request.kind, query)
                } else {
                    response.records = try store.query(kind: request.kind, query).map(Self.message)
                }
                return response
            },
            .unary(Self.prefix + "GetRecordHistory") { (request: Anant_V1_GetRecordHistoryRequest, _) in
                var response = Anant_V1_GetRecordHistoryResponse()
                response.entries = try store.history(kind: request.kind, key: request.key).map { entry in
                    var e = Anant_V1_HistoryEntry()
                    e.version = UInt64(entry.version)
                    e.time = entry.time
                    e.deleted = entry.deleted
                    if !entry.deleted { e.valuesJson = JSONWriter().string(.object(entry.values)) }
                    return e
                }
                return response
            },
            .unary(Self.prefix + "CreateIndex") { (request: Anant_V1_CreateIndexRequest, _) in
                try store.createIndex(kind: request.kind, field: request.field)
                return Anant_V1_CreateIndexResponse()
            },
            .unary(Self.prefix + "RecordsTable") { (request: Anant_V1_RecordsTableRequest, _) in
                let table = try store.table(kind: request.kind, keyColumn: request.keyColumn.isEmpty ? "key" : request.keyColumn,
                                            integerKeys: request.integerKeys)
                let bytes: [UInt8]
                do { bytes = try ArrowIPC.stream(table) } catch { throw Status(.internal, "cannot encode \(request.kind)'s records: \(error)") }
                var response = Anant_V1_RecordsTableResponse()
                response.table.arrowIpc = Data(bytes)
                return response
            },
        ]
    }

    static let types: [(Anant_V1_FieldType, EntityFieldType)] = [
        (.bool, .bool), (.int32, .int32), (.int64, .int64), (.float, .float), (.double, .double), (.string, .string), (.json, .json),
        (.timestamp, .timestamp),
    ]

    static func field(_ message: Anant_V1_SchemaField) throws(Status) -> EntityField {
        guard let type = types.first(where: { $0.0 == message.type })?.1 else {
            throw Status(.invalidArgument, "field \(WireNames.printable(message.name)) has no type")
        }
        let defaultJSON: String? = if case .defaultJson(let text)? = message.optionalDefault { text } else { nil }
        return EntityField(message.name, type, required: message.required, defaultJSON: defaultJSON, aliases: message.aliases,
                           deprecated: message.deprecated)
    }

    static func message(_ schema: EntitySchema) -> Anant_V1_RecordSchema {
        var out = Anant_V1_RecordSchema()
        out.kind = schema.kind
        out.version = UInt32(schema.version)
        out.storeVersion = UInt64(schema.storeVersion)
        out.fields = schema.fields.map { field in
            var f = Anant_V1_SchemaField()
            f.id = UInt32(field.id)
            f.name = field.name
            f.type = types.first { $0.1 == field.type }!.0
            f.required = field.required
            if let text = field.defaultJSON { f.defaultJson = text }
            f.aliases = field.aliases
            f.deprecated = field.deprecated
            return f
        }
        return out
    }

    static func message(_ record: EntityRecord) -> Anant_V1_EntityRecord {
        var out = Anant_V1_EntityRecord()
        out.key = record.key
        out.version = UInt64(record.version)
        out.valuesJson = JSONWriter().string(.object(record.values))
        return out
    }

    static func object(_ text: String) throws(Status) -> JSONObject {
        guard case .object(let object)? = try? JSONParser.parse(text) else {
            throw Status(.invalidArgument, "a record's values are a JSON object")
        }
        return object
    }

    static func version(_ point: Anant_V1_AsOf, _ store: MetadataStore) throws(Status) -> Int64? {
        switch point.point {
        case .storeVersion(let v)?: return Int64(clamping: v)
        case .unixNanos(let t)?: return try store.storeVersion(atUnixNanos: t)
        case nil: return nil
        }
    }
}
