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
                let fields = try request.schema.fields.map { field throws(Status) in try EntityField(proto: field) }
                response.schema = try store.registerSchema(kind: request.schema.kind, fields: fields).proto
                return response
            },
            .immediate(Self.prefix + "GetSchema") { (request: Anant_V1_GetSchemaRequest) in
                var response = Anant_V1_GetSchemaResponse()
                response.schema = try store.schema(kind: request.kind, version: request.version == 0 ? nil : Int(request.version)).proto
                return response
            },
            .unary(Self.prefix + "ApplyBatch") { (request: Anant_V1_ApplyBatchRequest, _) in
                let changes = try request.changes.map { change throws(Status) -> EntityChange in
                    switch change.change {
                    case .upsertJson(let text)?: .upsert(key: change.key, values: try JSONObject(recordValues: text))
                    case .delete(true)?: .delete(key: change.key)
                    default: throw Status(.invalidArgument, "a change of \(WireNames.printable(change.key)) is an upsert or a delete")
                    }
                }
                var response = Anant_V1_ApplyBatchResponse()
                response.storeVersion = UInt64(try store.apply(kind: request.kind, changes))
                return response
            },
            // A few keys as they are now are read at once, on the connection's loop; more, a
            // whole kind, or a read as of a version or a time, on the pool.
            .unary(Self.prefix + "GetRecords", immediate: { (request: Anant_V1_GetRecordsRequest) in
                let short = !request.keys.isEmpty && request.keys.count <= Self.keysReadOnTheLoop && !request.hasAsOf
                return short ? try records(request) : nil
            }, otherwise: { request, _ in try records(request) }),
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
                    response.records = try store.query(kind: request.kind, query).map(\.proto)
                }
                return response
            },
            .unary(Self.prefix + "GetRecordHistory") { (request: Anant_V1_GetRecordHistoryRequest, _) in
                var response = Anant_V1_GetRecordHistoryResponse()
                response.entries = try store.history(kind: request.kind, key: request.key).map(\.proto)
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

    func records(_ request: Anant_V1_GetRecordsRequest) throws(Status) -> Anant_V1_GetRecordsResponse {
        var response = Anant_V1_GetRecordsResponse()
        let version = request.hasAsOf ? try Self.version(request.asOf, store) : nil
        response.records = try store.wireRecords(kind: request.kind, keys: request.keys, asOf: version)
        return response
    }

    /// The most keys a `GetRecords` reads on the connection's loop (each a lookup of one
    /// row in the index of current records: a few microseconds).
    static let keysReadOnTheLoop = 64

    static func version(_ point: Anant_V1_AsOf, _ store: MetadataStore) throws(Status) -> Int64? {
        switch point.point {
        case .storeVersion(let v)?: return Int64(clamping: v)
        case .unixNanos(let t)?: return try store.storeVersion(atUnixNanos: t)
        case nil: return nil
        }
    }
}
