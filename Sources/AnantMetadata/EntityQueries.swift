import AnantColumnar
import AnantWire
import Foundation
import GRDB

/// A filter on entity records. Comparisons follow SQL: a null value matches no
/// comparison (not even `not`), only `isNull`.
public indirect enum EntityFilter: Sendable {
    case equals(String, JSONValue)
    /// `lower < value < upper`, each bound optional and optionally inclusive.
    case range(String, lower: JSONValue?, lowerInclusive: Bool = true, upper: JSONValue?, upperInclusive: Bool = false)
    case within(String, [JSONValue])
    case prefix(String, String)
    case isNull(String)
    case isNotNull(String)
    case and([EntityFilter])
    case or([EntityFilter])
    case not(EntityFilter)
}

/// A query over a kind's records: filter, order (nulls last), limit and projection, as of a
/// store version (default: now).
public struct EntityQuery: Sendable {
    public var filter: EntityFilter?
    public var order: [(field: String, descending: Bool)]
    public var limit: Int?
    /// The fields to return, in this order (nil: every field of the schema).
    public var fields: [String]?
    public var asOf: Int64?

    public init(filter: EntityFilter? = nil, order: [(field: String, descending: Bool)] = [], limit: Int? = nil, fields: [String]? = nil,
                asOf: Int64? = nil) {
        self.filter = filter
        self.order = order
        self.limit = limit
        self.fields = fields
        self.asOf = asOf
    }
}

extension MetadataStore {
    static func registerQueryMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("entity-indexes-1") { db in
            try db.execute(sql: "CREATE TABLE entity_indexes (kind TEXT NOT NULL, field INTEGER NOT NULL, name TEXT NOT NULL UNIQUE, PRIMARY KEY (kind, field))")
        }
    }

    /// Declares a secondary index on a field of a kind (current records); the planner
    /// uses it for equality, range, `in` and prefix filters on the field.
    public func createIndex(kind: String, field name: String) throws(Status) {
        try Self.validate(kind: kind)
        try write { db in
            guard let schema = try self.schema(db, kind: kind, version: nil)?.schema else { throw Status(.notFound, "no kind \(kind)") }
            guard let field = schema.field(named: name) else { throw Status(.invalidArgument, "\(kind) has no field \(WireNames.printable(name))") }
            let index = "entity_\(Self.identifier(kind))_\(field.id)"
            try db.execute(sql: "INSERT INTO entity_indexes (kind, field, name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", arguments: [kind, field.id, index])
            try db.execute(sql: """
                CREATE INDEX IF NOT EXISTS "\(index)" ON records(kind, \(Self.valueSQL(field)))
                WHERE valid_to IS NULL AND deleted = 0
                """)
        }
    }

    /// The records that pass a query.
    ///
    /// - Throws: `INVALID_ARGUMENT` for an unknown field or a value of the wrong type.
    public func query(kind: String, _ query: EntityQuery) throws(Status) -> [EntityRecord] {
        try Self.validate(kind: kind)
        return try read { db in
            let (schema, sql, arguments) = try self.plan(db, kind: kind, query)
            let fields = try query.fields.map { names in
                try names.map { name throws(Status) -> String in
                    guard let field = schema.field(named: name) else { throw Status(.invalidArgument, "\(kind) has no field \(WireNames.printable(name))") }
                    return field.name
                }
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                var values = try Self.view(row["fields"], schema: schema)
                if let fields { values = JSONObject(fields.map { ($0, values[$0] ?? .null) }) }
                return EntityRecord(key: row["key"], version: row["valid_from"], values: values)
            }
        }
    }

    /// How SQLite runs a query (`EXPLAIN QUERY PLAN`): shows the index it uses.
    public func explain(kind: String, _ query: EntityQuery) throws(Status) -> String {
        try Self.validate(kind: kind)
        return try read { db in
            let (_, sql, arguments) = try self.plan(db, kind: kind, query)
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }.joined(separator: "\n")
        }
    }

    func plan(_ db: Database, kind: String, _ query: EntityQuery) throws -> (EntitySchema, String, StatementArguments) {
        guard let schema = try schema(db, kind: kind, version: nil)?.schema else { throw Status(.notFound, "no kind \(kind)") }
        var arguments: StatementArguments = [kind]
        var sql = "SELECT key, valid_from, fields FROM records WHERE kind = ?"
        if let at = query.asOf {
            sql += " AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) AND deleted = 0"
            arguments += [at, at]
        } else {
            sql += " AND valid_to IS NULL AND deleted = 0"
        }
        if let filter = query.filter { sql += " AND (\(try Self.condition(filter, schema, &arguments)))" }
        let order = try query.order.map { item throws(Status) -> String in
            "\(Self.valueSQL(try Self.field(item.field, schema))) \(item.descending ? "DESC" : "ASC") NULLS LAST"
        }
        // `+key`: the key breaks ties, but its index must not win the plan over a filter's.
        sql += " ORDER BY " + (order + ["+key"]).joined(separator: ", ")
        if let limit = query.limit {
            guard limit >= 0 else { throw Status(.invalidArgument, "a limit is at least 0") }
            sql += " LIMIT \(limit)"
        }
        return (schema, sql, arguments)
    }

    static func field(_ name: String, _ schema: EntitySchema) throws(Status) -> EntityField {
        guard let field = schema.field(named: name) else {
            throw Status(.invalidArgument, "\(schema.kind) has no field \(WireNames.printable(name)) (fields: \(schema.fields.map(\.name).joined(separator: ", ")))")
        }
        return field
    }

    /// A field's value in SQL: its stored value, or its default where the record lacks it.
    static func valueSQL(_ field: EntityField) -> String {
        let path = "'$.\"\(field.id)\"'"
        guard let text = field.defaultJSON, let value = try? JSONParser.parse(text), let literal = sqlLiteral(value) else {
            return "json_extract(fields, \(path))"
        }
        return "(CASE WHEN json_type(fields, \(path)) IS NULL THEN \(literal) ELSE json_extract(fields, \(path)) END)"
    }

    static func sqlLiteral(_ value: JSONValue) -> String? {
        switch value {
        case .null: "NULL"
        case .bool(let b): b ? "1" : "0"
        case .int(let n): String(n)
        case .double(let d): d.isFinite ? "\(d)" : nil
        case .string(let s): "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        default: nil
        }
    }

    /// A value as a bound SQL argument, checked against the field's type.
    static func argument(_ value: JSONValue, _ field: EntityField) throws(Status) -> (any DatabaseValueConvertible)? {
        switch try EntityValues.check(value, as: field.type == .json ? .string : field.type, field: field.name) {
        case .null: return nil
        case .bool(let b): return b ? 1 : 0
        case .int(let n): return n
        case .double(let d): return d
        case .string(let s): return s
        default: throw Status(.invalidArgument, "field \(field.name) cannot be compared with \(value.kindDescription)")
        }
    }

    static func condition(_ filter: EntityFilter, _ schema: EntitySchema, _ arguments: inout StatementArguments) throws(Status) -> String {
        switch filter {
        case .equals(let name, let value):
            let f = try field(name, schema)
            arguments += [try argument(value, f)]
            return "\(valueSQL(f)) = ?"
        case .range(let name, let lower, let lowerInclusive, let upper, let upperInclusive):
            let f = try field(name, schema)
            var parts = [String]()
            if let lower {
                arguments += [try argument(lower, f)]
                parts.append("\(valueSQL(f)) \(lowerInclusive ? ">=" : ">") ?")
            }
            if let upper {
                arguments += [try argument(upper, f)]
                parts.append("\(valueSQL(f)) \(upperInclusive ? "<=" : "<") ?")
            }
            guard !parts.isEmpty else { throw Status(.invalidArgument, "a range on \(name) with no bound") }
            return parts.joined(separator: " AND ")
        case .within(let name, let values):
            let f = try field(name, schema)
            guard !values.isEmpty else { return "0" }
            for value in values { arguments += [try argument(value, f)] }
            return "\(valueSQL(f)) IN (\(values.map { _ in "?" }.joined(separator: ", ")))"
        case .prefix(let name, let prefix):
            let f = try field(name, schema)
            guard f.type == .string || f.type == .timestamp else { throw Status(.invalidArgument, "a prefix filter needs a string field, not \(f.name) (\(f.type.rawValue))") }
            // A range on the bytes: exact for any prefix, and an index can serve it.
            arguments += [prefix]
            guard let upper = prefixUpperBound(prefix) else { return "\(valueSQL(f)) >= ?" }
            arguments += [upper]
            return "(\(valueSQL(f)) >= ? AND \(valueSQL(f)) < ?)"
        case .isNull(let name):
            return "\(valueSQL(try field(name, schema))) IS NULL"
        case .isNotNull(let name):
            return "\(valueSQL(try field(name, schema))) IS NOT NULL"
        case .and(let filters):
            guard !filters.isEmpty else { return "1" }
            return try filters.map { filter throws(Status) in "(\(try condition(filter, schema, &arguments)))" }.joined(separator: " AND ")
        case .or(let filters):
            guard !filters.isEmpty else { return "0" }
            return try filters.map { filter throws(Status) in "(\(try condition(filter, schema, &arguments)))" }.joined(separator: " OR ")
        case .not(let filter):
            return "NOT (\(try condition(filter, schema, &arguments)))"
        }
    }

    /// The smallest string above every string starting with `prefix` (nil: none).
    static func prefixUpperBound(_ prefix: String) -> String? {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            if let next = Unicode.Scalar(last.value + 1) ?? Unicode.Scalar(last.value + 0x801) {
                scalars.append(next)
                return String(String.UnicodeScalarView(scalars))
            }
        }
        return nil
    }

    /// A kind's name as a SQL identifier part (and unique: its hash follows).
    static func identifier(_ kind: String) -> String {
        var hasher = SHA256()
        hasher.update(Array(kind.utf8))
        return kind.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined() + "_" + String(hasher.hexDigest().prefix(8))
    }
}
