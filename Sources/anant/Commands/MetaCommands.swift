import AnantClient
import AnantColumnar
import AnantMetadata
import AnantProto
import AnantWire
import ArgumentParser
import Foundation
import SwiftProtobuf

/// `anant meta`: the entity metadata store on a local store file (embedded), the same code
/// `anant-metadata` serves, or a cluster's store through its gateway (`--gateway`,
/// `--cluster`), answering the same JSON.
struct MetaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meta",
        abstract: "Typed metadata records about entities, with schemas that evolve and full history.",
        discussion: """
        Every subcommand takes --db FILE (a local SQLite store, created if missing), or --gateway HOST:PORT \
        (or --cluster DIR) for a cluster's store (schema, put, get, delete, query, history and index; reads need \
        a reader token, writes a writer token). Records are JSON objects; output is JSON. Schemas evolve only by the rules: add a nullable field, add a field with a default, \
        widen int32→int64 and float→double, rename through an alias, deprecate.
        """,
        subcommands: [MetaSchema.self, MetaPut.self, MetaGet.self, MetaDelete.self, MetaQuery.self, MetaHistory.self,
                      MetaIndex.self, MetaExport.self, MetaBackup.self, MetaRestore.self])
}

/// The store: a local file (`--db`), or a cluster's through its gateway.
struct MetaStoreOption: ParsableArguments {
    @Option(name: .customLong("db"), help: "The metadata store file.")
    var database: String?

    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        if database != nil && cluster.isRemote { throw ValidationError("give --db FILE or --gateway HOST:PORT (or --cluster DIR), not both") }
        if database == nil && !cluster.isRemote { throw ValidationError("give the store: --db FILE, or --gateway HOST:PORT (or --cluster DIR)") }
    }

    func open() throws -> MetadataStore {
        guard let database else { throw CLIError("this subcommand works on a local store file: give --db FILE") }
        return try meta { try MetadataStore(path: database) }
    }

    /// The gateway's client when the store is a cluster's.
    func remote() throws -> AnantClient? { try cluster.client() }
}

/// Runs store work, turning its status into the CLI's error.
func meta<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let status as Status { throw CLIError("\(status.code.name): \(status.message)") }
}

/// One call to a cluster's store through the gateway, its status turned into the CLI's
/// error as `meta` turns the local store's.
func meta<Response: Message>(_ client: AnantClient, _ method: String, _ request: some Message & Sendable,
                             as _: Response.Type = Response.self) throws -> Response {
    do { return try waiting { try await client.metadata(method, request, as: Response.self) } } catch let status as Status {
        throw CLIError("\(status.code.name): \(status.message)")
    }
}

/// Prints a JSON value on one line.
func printJSON(_ value: JSONValue) { print(JSONWriter().string(value)) }

extension EntityRecord {
    var json: JSONValue { .object(JSONObject([("key", .string(key)), ("version", .int(version)), ("values", .object(values))])) }
}

struct MetaSchema: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Show a kind's schema, or register its next version from a JSON array of fields.",
        discussion: """
        A field: {"name": "year", "type": "int32", "required": false, "default": 2000, "aliases": ["yr"], \
        "deprecated": false}; types bool, int32, int64, float, double, string, json, timestamp. A rename keeps \
        the old name in "aliases".
        """)
    @OptionGroup var store: MetaStoreOption
    @Argument(help: "The kind (node, edge, paper, ...).") var kind: String
    @Option(help: "The new schema's fields, a JSON array (or @FILE).") var fields: String?

    func run() throws {
        let remote = try store.remote()
        guard let fields else {
            if let remote {
                let answer = try meta(remote, "GetSchema", Anant_V1_GetSchemaRequest.with { $0.kind = kind }, as: Anant_V1_GetSchemaResponse.self)
                return printJSON(try Self.json(try meta { try EntitySchema(proto: answer.schema) }))
            }
            return printJSON(try Self.json(try meta { try store.open().schema(kind: kind) }))
        }
        let text = fields.hasPrefix("@") ? try String(contentsOfFile: String(fields.dropFirst()), encoding: .utf8) : fields
        guard case .array(let items)? = try? JSONParser.parse(text) else { throw CLIError("--fields is a JSON array of fields") }
        let proposal = try items.map { item -> EntityField in
            guard case .object(let o) = item, case .string(let name)? = o["name"], case .string(let typeName)? = o["type"],
                  let type = EntityFieldType(rawValue: typeName)
            else { throw CLIError("a field is {\"name\": ..., \"type\": one of \(EntityFieldType.allCases.map(\.rawValue).joined(separator: ", "))}") }
            let aliases: [String] = if case .array(let a)? = o["aliases"] { a.compactMap(\.stringValue) } else { [] }
            return EntityField(name, type, required: o["required"] == .bool(true), defaultJSON: o["default"].map { JSONWriter().string($0) },
                               aliases: aliases, deprecated: o["deprecated"] == .bool(true))
        }
        if let remote {
            let request = Anant_V1_RegisterSchemaRequest.with { $0.schema.kind = kind; $0.schema.fields = proposal.map(\.proto) }
            let answer = try meta(remote, "RegisterSchema", request, as: Anant_V1_RegisterSchemaResponse.self)
            return printJSON(try Self.json(try meta { try EntitySchema(proto: answer.schema) }))
        }
        printJSON(try Self.json(try meta { try store.open().registerSchema(kind: kind, fields: proposal) }))
    }

    static func json(_ schema: EntitySchema) throws -> JSONValue {
        .object(JSONObject([
            ("kind", .string(schema.kind)), ("version", .int(Int64(schema.version))), ("store_version", .int(schema.storeVersion)),
            ("fields", .array(schema.fields.map { f in
                var pairs: [(String, JSONValue)] = [("id", .int(Int64(f.id))), ("name", .string(f.name)), ("type", .string(f.type.rawValue)),
                                                    ("required", .bool(f.required))]
                if let d = f.defaultJSON, let value = try? JSONParser.parse(d) { pairs.append(("default", value)) }
                if !f.aliases.isEmpty { pairs.append(("aliases", .array(f.aliases.map { .string($0) }))) }
                if f.deprecated { pairs.append(("deprecated", .bool(true))) }
                return .object(JSONObject(pairs))
            })),
        ]))
    }
}

struct MetaPut: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Upsert records, one batch: JSON lines {\"key\": ..., FIELD: VALUE, ...} from a file or standard input.")
    @OptionGroup var store: MetaStoreOption
    @Argument(help: "The kind.") var kind: String
    @Argument(help: "The JSON lines file (- or absent: standard input).") var input: String = "-"

    func run() throws {
        let data = input == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: input))
        var batch = [EntityChange]()
        for (number, line) in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
            guard case .object(let object)? = try? JSONParser.parse(String(line)), case .string(let key)? = object["key"] else {
                throw CLIError("line \(number + 1): a record is a JSON object with a string \"key\"")
            }
            batch.append(.upsert(key: key, values: JSONObject(object.filter { $0.0 != "key" }.map { ($0.0, $0.1) })))
        }
        let version = try MetaBatch.apply(store, kind: kind, batch)
        printJSON(.object(JSONObject([("store_version", .int(version)), ("records", .int(Int64(batch.count)))])))
    }
}

/// --as-of N or --at TIME: the store version a read is as of.
struct AsOfOptions: ParsableArguments {
    @Option(name: .customLong("as-of"), help: "Read as of this store version.") var asOf: Int64?
    @Option(name: .customLong("at"), help: "Read as of this time (ISO 8601, UTC).") var at: String?

    func version(_ store: MetadataStore) throws -> Int64? {
        if let asOf { return asOf }
        guard let nanos = try unixNanos() else { return nil }
        return try meta { try store.storeVersion(atUnixNanos: nanos) }
    }

    /// The point as the wire names it (nil: now).
    func proto() throws -> Anant_V1_AsOf? {
        if let asOf { return .with { $0.storeVersion = UInt64(clamping: asOf) } }
        return try unixNanos().map { nanos in .with { $0.unixNanos = nanos } }
    }

    private func unixNanos() throws -> UInt64? {
        guard let at else { return nil }
        guard let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: at.contains(".")).parse(at) else {
            throw CLIError("--at takes an ISO 8601 UTC time, not \(at)")
        }
        return UInt64(max(0, date.timeIntervalSince1970) * 1e9)
    }
}

struct MetaGet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "A record, now or as of a store version or time.")
    @OptionGroup var store: MetaStoreOption
    @Argument(help: "The kind.") var kind: String
    @Argument(help: "The record's key.") var key: String
    @OptionGroup var asOf: AsOfOptions

    func run() throws {
        let found: EntityRecord?
        if let remote = try store.remote() {
            var request = Anant_V1_GetRecordsRequest()
            (request.kind, request.keys) = (kind, [key])
            if let point = try asOf.proto() { request.asOf = point }
            let answer = try meta(remote, "GetRecords", request, as: Anant_V1_GetRecordsResponse.self)
            found = try answer.records.first.map { record in try meta { try EntityRecord(proto: record) } }
        } else {
            let store = try store.open()
            found = try meta { try store.record(kind: kind, key: key, asOf: try asOf.version(store)) }
        }
        guard let record = found else { throw CLIError("NOT_FOUND: no \(WireNames.printable(kind)) record \(WireNames.printable(key))") }
        printJSON(record.json)
    }
}

struct MetaDelete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete records, one batch.")
    @OptionGroup var store: MetaStoreOption
    @Argument(help: "The kind.") var kind: String
    @Argument(help: "The keys.") var keys: [String]

    func run() throws {
        let version = try MetaBatch.apply(store, kind: kind, keys.map { .delete(key: $0) })
        printJSON(.object(JSONObject([("store_version", .int(version)), ("deleted", .int(Int64(keys.count)))])))
    }
}

struct MetaQuery: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Records that pass a filter, one JSON line each.",
        discussion: """
        --where takes comparisons of a field with a value, in (...), starts_with(field, 'p'), is null, \
        is not null, and, or, not: "year >= 2020 and tag in ('a', 'b') and not (score < 0.5)".
        """)
    @OptionGroup var store: MetaStoreOption
    @Argument(help: "The kind.") var kind: String
    @Option(name: .customLong("where"), help: "The filter.") var filter: String?
    @Option(help: "Order by these fields: \"year desc, title\" (nulls last).") var sort: String?
    @Option(help: "At most this many records.") var limit: Int?
    @Option(help: "Only these fields: \"title, year\".") var select: String?
    @Flag(help: "Print the plan (the index used) instead of the records.") var explain = false
    @OptionGroup var asOf: AsOfOptions

    func run() throws {
        let order = (sort ?? "").split(separator: ",").map { item in
            let words = item.split(separator: " ")
            return (String(words.first ?? ""), words.count > 1 && words[1].lowercased() == "desc")
        }
        let fields = select.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if let remote = try store.remote() {
            var request = Anant_V1_QueryRecordsRequest()
            request.kind = kind
            request.filter = filter ?? ""
            request.order = order.map { field, descending in .with { $0.field = field; $0.descending = descending } }
            if let limit { request.limit = UInt64(clamping: max(0, limit)) }
            request.fields = fields ?? []
            request.explain = explain
            if let point = try asOf.proto() { request.asOf = point }
            let answer = try meta(remote, "QueryRecords", request, as: Anant_V1_QueryRecordsResponse.self)
            if explain { return print(answer.plan) }
            for record in answer.records { printJSON(try meta { try EntityRecord(proto: record) }.json) }
            return
        }
        let store = try store.open()
        var query = EntityQuery(limit: limit, asOf: try asOf.version(store))
        if let filter { query.filter = try meta { try EntityFilter(text: filter) } }
        query.order = order
        if let fields { query.fields = fields }
        if explain { return print(try meta { try store.explain(kind: kind, query) }) }
        for record in try meta({ try store.query(kind: kind, query) }) { printJSON(record.json) }
    }
}

struct MetaHistory: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Every change of a record, oldest first.")
    @OptionGroup var store: MetaStoreOption
    @Argument(help: "The kind.") var kind: String
    @Argument(help: "The record's key.") var key: String

    func run() throws {
        let entries: [EntityHistoryEntry]
        if let remote = try store.remote() {
            let answer = try meta(remote, "GetRecordHistory", Anant_V1_GetRecordHistoryRequest.with { $0.kind = kind; $0.key = key },
                                  as: Anant_V1_GetRecordHistoryResponse.self)
            entries = try answer.entries.map { entry in try meta { try EntityHistoryEntry(proto: entry) } }
        } else {
            entries = try meta { try store.open().history(kind: kind, key: key) }
        }
        for entry in entries {
            printJSON(.object(JSONObject([("version", .int(entry.version)), ("time", .string(entry.time)),
                                          ("change", .string(entry.deleted ? "delete" : "upsert")), ("values", .object(entry.values))])))
        }
    }
}

struct MetaIndex: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "index", abstract: "Declare a secondary index on a field.")
    @OptionGroup var store: MetaStoreOption
    @Argument(help: "The kind.") var kind: String
    @Argument(help: "The field.") var field: String

    func run() throws {
        if let remote = try store.remote() {
            _ = try meta(remote, "CreateIndex", Anant_V1_CreateIndexRequest.with { $0.kind = kind; $0.field = field }, as: Anant_V1_CreateIndexResponse.self)
            return
        }
        try meta { try store.open().createIndex(kind: kind, field: field) }
    }
}

struct MetaExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write a kind's records to Parquet (zstd).")
    @OptionGroup var store: MetaStoreOption
    @Argument(help: "The kind.") var kind: String
    @Argument(help: "The Parquet file to write.") var output: String
    @OptionGroup var asOf: AsOfOptions

    func run() throws {
        let store = try store.open()
        let count = try meta { try store.export(kind: kind, asOf: try asOf.version(store), to: output) }
        printJSON(.object(JSONObject([("records", .int(Int64(count))), ("file", .string(output))])))
    }
}

struct MetaBackup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Copy the store, online, to a new file.")
    @OptionGroup var store: MetaStoreOption
    @Argument(help: "The backup file (must not exist).") var output: String

    func run() throws { try meta { try store.open().backup(to: output) } }
}

struct MetaRestore: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Replace the store's content with a backup's (service stopped).")
    @OptionGroup var store: MetaStoreOption
    @Argument(help: "The backup file.") var backup: String

    func run() throws { try meta { try store.open().restore(from: backup) } }
}

/// One batch of changes, to the local store or the cluster's.
enum MetaBatch {
    static func apply(_ store: MetaStoreOption, kind: String, _ changes: [EntityChange]) throws -> Int64 {
        guard let remote = try store.remote() else { return try meta { try store.open().apply(kind: kind, changes) } }
        var request = Anant_V1_ApplyBatchRequest()
        request.kind = kind
        request.changes = changes.map { change in
            switch change {
            case .upsert(let key, let values): .with { $0.key = key; $0.upsertJson = JSONWriter().string(.object(values)) }
            case .delete(let key): .with { $0.key = key; $0.delete = true }
            }
        }
        return Int64(clamping: try meta(remote, "ApplyBatch", request, as: Anant_V1_ApplyBatchResponse.self).storeVersion)
    }
}
