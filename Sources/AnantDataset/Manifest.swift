import AnantColumnar

/// The three tables of a hypergraph dataset.
public enum DatasetTable: String, CaseIterable, Sendable, Hashable {
    case incidences, edges, nodes

    /// The id column rows are sharded by: `edge` for incidences and edges, `node` for nodes.
    public var shardKey: String { self == .nodes ? "node" : "edge" }
}

/// One Parquet file of a table.
public struct ShardEntry: Sendable, Hashable {
    /// Path relative to the dataset folder.
    public var path: String
    public var rows: Int
    public var bytes: Int
    /// Lowercase hex SHA-256 of the file.
    public var sha256: String

    public init(path: String, rows: Int, bytes: Int, sha256: String) {
        self.path = path
        self.rows = rows
        self.bytes = bytes
        self.sha256 = sha256
    }
}

/// A table of a dataset version: its schema and shards.
public struct TableEntry: Sendable, Hashable {
    public var schema: Schema
    public var shards: [ShardEntry]

    public var rows: Int { shards.reduce(0) { $0 + $1.rows } }

    public init(schema: Schema, shards: [ShardEntry]) {
        self.schema = schema
        self.shards = shards
    }
}

/// `_manifest.json`: what one version of a dataset holds (DESIGN.md §3).
public struct DatasetManifest: Sendable, Hashable {
    public static let formatVersion = 1

    public var name: String
    public var version: Int
    /// ISO 8601 UTC time of publication.
    public var created: String
    public var codec: String
    public var nodeCount: Int
    public var edgeCount: Int
    public var incidenceCount: Int
    /// Hypergraph-level facts that tables cannot hold: `name`, `network_type`, `metadata`,
    /// `default_weights` (HIF's).
    public var hypergraph: JSONObject
    public var tables: [DatasetTable: TableEntry]

    public var json: JSONValue {
        func schema(_ s: Schema) -> JSONValue {
            .array(s.fields.map { f in
                .object(JSONObject([("name", .string(f.name)), ("type", .string(f.type.rawValue)), ("nullable", .bool(f.nullable))]))
            })
        }
        return .object(JSONObject([
            ("format", .string("anant-hypergraph-dataset")), ("format_version", .int(Int64(DatasetManifest.formatVersion))),
            ("name", .string(name)), ("version", .int(Int64(version))), ("created", .string(created)), ("codec", .string(codec)),
            ("counts", .object(JSONObject([("nodes", .int(Int64(nodeCount))), ("edges", .int(Int64(edgeCount))),
                                           ("incidences", .int(Int64(incidenceCount)))]))),
            ("hypergraph", .object(hypergraph)),
            ("tables", .object(JSONObject(DatasetTable.allCases.compactMap { table in
                tables[table].map { entry in
                    (table.rawValue, .object(JSONObject([
                        ("rows", .int(Int64(entry.rows))), ("schema", schema(entry.schema)),
                        ("shards", .array(entry.shards.map { s in
                            .object(JSONObject([("path", .string(s.path)), ("rows", .int(Int64(s.rows))),
                                                ("bytes", .int(Int64(s.bytes))), ("sha256", .string(s.sha256))]))
                        })),
                    ])))
                }
            }))),
        ]))
    }

    public init(name: String, version: Int, created: String, codec: String, nodeCount: Int, edgeCount: Int, incidenceCount: Int,
                hypergraph: JSONObject, tables: [DatasetTable: TableEntry]) {
        self.name = name
        self.version = version
        self.created = created
        self.codec = codec
        self.nodeCount = nodeCount
        self.edgeCount = edgeCount
        self.incidenceCount = incidenceCount
        self.hypergraph = hypergraph
        self.tables = tables
    }

    /// Reads a manifest, checking every field it needs.
    public init(json: JSONValue, source: String) throws(DatasetError) {
        func fail(_ what: String) -> DatasetError { DatasetError(.invalidManifest, "\(source): \(what)") }
        guard let root = json.objectValue else { throw fail("a manifest is a JSON object") }
        guard root["format"]?.stringValue == "anant-hypergraph-dataset" else { throw fail("not an Anant dataset manifest (no \"format\": \"anant-hypergraph-dataset\")") }
        guard let format = root["format_version"]?.numberValue, Int(format) <= DatasetManifest.formatVersion else {
            throw fail("format version \(root["format_version"].map { JSONWriter().string($0) } ?? "missing") is newer than this Anant reads (\(DatasetManifest.formatVersion))")
        }
        func int(_ object: JSONObject?, _ key: String) throws(DatasetError) -> Int {
            guard let value = object?[key]?.numberValue, value >= 0, value == value.rounded() else { throw fail("'\(key)' must be a non-negative integer") }
            return Int(value)
        }
        func string(_ object: JSONObject?, _ key: String) throws(DatasetError) -> String {
            guard let value = object?[key]?.stringValue else { throw fail("'\(key)' must be a string") }
            return value
        }
        name = try string(root, "name")
        version = try int(root, "version")
        created = try string(root, "created")
        codec = try string(root, "codec")
        let counts = root["counts"]?.objectValue
        nodeCount = try int(counts, "nodes")
        edgeCount = try int(counts, "edges")
        incidenceCount = try int(counts, "incidences")
        hypergraph = root["hypergraph"]?.objectValue ?? JSONObject()
        var tables = [DatasetTable: TableEntry]()
        guard let tableObject = root["tables"]?.objectValue else { throw fail("'tables' must be an object") }
        for table in DatasetTable.allCases {
            guard let entry = tableObject[table.rawValue]?.objectValue else { throw fail("table '\(table.rawValue)' is missing") }
            var fields = [Field]()
            for field in entry["schema"]?.arrayValue ?? [] {
                let object = field.objectValue
                guard let type = DataType(rawValue: try string(object, "type")) else { throw fail("unknown column type in table '\(table.rawValue)'") }
                fields.append(Field(try string(object, "name"), type, nullable: object?["nullable"] != .bool(false)))
            }
            var shards = [ShardEntry]()
            for shard in entry["shards"]?.arrayValue ?? [] {
                let object = shard.objectValue
                let path = try string(object, "path")
                guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                    throw fail("shard path '\(path)' leaves the dataset folder")
                }
                shards.append(ShardEntry(path: path, rows: try int(object, "rows"), bytes: try int(object, "bytes"), sha256: try string(object, "sha256")))
            }
            let schema: Schema
            do { schema = try Schema(fields) } catch { throw fail("table '\(table.rawValue)': \(error.message)") }
            tables[table] = TableEntry(schema: schema, shards: shards)
        }
        self.tables = tables
    }
}

/// Failures of dataset operations, each with a message a user can act on.
public typealias DatasetError = AnantError<DatasetErrorCode>

/// The codes of `DatasetError`.
public enum DatasetErrorCode: String, AnantErrorCode {
    case notFound, invalidManifest, corruptShard, locked, io, invalidArgument, unknownVersion, interrupted
}
