import AnantColumnar
import AnantWire
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// A record as read: its key, the store version that wrote it, and its values through the
/// kind's current schema (renamed fields under their new names, widened values, defaults
/// for fields added since), in schema order.
public struct EntityRecord: Sendable, Equatable {
    public let key: String
    public let version: Int64
    public let values: JSONObject
}

/// One change of a batch.
public enum EntityChange: Sendable {
    case upsert(key: String, values: JSONObject)
    case delete(key: String)
}

/// One entry of a record's history.
public struct EntityHistoryEntry: Sendable, Equatable {
    public let version: Int64
    /// ISO 8601 UTC time of the store version.
    public let time: String
    public let deleted: Bool
    /// The values written (empty for a deletion).
    public let values: JSONObject
}

/// The entity metadata store: typed records per kind, under a versioned schema with
/// explicit evolution rules. Every batch and every schema registration makes a new store
/// version (one transaction); a record's versions are kept, so it can be read as of any
/// store version or time, and its changes listed.
extension MetadataStore {
    static func registerEntityMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("entities-1") { db in
            try db.execute(sql: """
                CREATE TABLE store_versions (
                    version INTEGER PRIMARY KEY AUTOINCREMENT,
                    unix_nanos INTEGER NOT NULL,
                    created TEXT NOT NULL,
                    what TEXT NOT NULL
                );
                CREATE TABLE kind_schemas (
                    kind TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    fields TEXT NOT NULL,
                    next_field INTEGER NOT NULL,
                    store_version INTEGER NOT NULL REFERENCES store_versions(version),
                    PRIMARY KEY (kind, version)
                );
                CREATE TABLE records (
                    kind TEXT NOT NULL,
                    key TEXT NOT NULL,
                    valid_from INTEGER NOT NULL REFERENCES store_versions(version),
                    valid_to INTEGER,
                    deleted INTEGER NOT NULL,
                    fields TEXT NOT NULL,
                    PRIMARY KEY (kind, key, valid_from)
                );
                CREATE INDEX records_current ON records(kind, key) WHERE valid_to IS NULL;
                """)
        }
    }

    // MARK: Schemas

    /// Registers the next version of a kind's schema (the first one when the kind is new),
    /// checked against the evolution rules.
    ///
    /// - Throws: `FAILED_PRECONDITION` naming the rule a change breaks; `INVALID_ARGUMENT`
    ///   for a bad kind name.
    public func registerSchema(kind: String, fields: [EntityField], now: UInt64 = WireClock.unixNanos) throws(Status) -> EntitySchema {
        try Self.validate(kind: kind)
        guard !fields.isEmpty else { throw Status(.invalidArgument, "a schema has at least one field") }
        return try write { db in
            let current = try self.schema(db, kind: kind, version: nil)
            let evolved = try SchemaEvolution.evolve(current?.schema.fields ?? [], to: fields, nextID: current?.nextField ?? 0, kind: kind)
            let version = (current?.schema.version ?? 0) + 1
            let storeVersion = try Self.newStoreVersion(db, now: now, what: "schema \(kind) v\(version)")
            let text = String(decoding: try JSONEncoder().encode(evolved), as: UTF8.self)
            try db.execute(sql: "INSERT INTO kind_schemas (kind, version, fields, next_field, store_version) VALUES (?, ?, ?, ?, ?)",
                           arguments: [kind, version, text, max(current?.nextField ?? 0, evolved.map(\.id).max() ?? 0), storeVersion])
            return EntitySchema(kind: kind, version: version, fields: evolved, storeVersion: storeVersion)
        }
    }

    /// A kind's schema: the current one, or version `version`.
    public func schema(kind: String, version: Int? = nil) throws(Status) -> EntitySchema {
        try Self.validate(kind: kind)
        return try read { db in
            guard let found = try self.schema(db, kind: kind, version: version) else {
                throw Status(.notFound, version.map { "kind \(kind) has no schema version \($0)" } ?? "no kind \(kind) (register its schema first)")
            }
            return found.schema
        }
    }

    // MARK: Writes

    /// Applies a batch of upserts and deletes to a kind, atomically, as one new store
    /// version: every change is validated against the current schema first, and one bad
    /// change refuses the whole batch. An upsert replaces the record's values; fields it
    /// leaves out take their defaults (or null). A deletion of an absent key is refused.
    ///
    /// - Returns: the store version the batch made.
    public func apply(kind: String, _ batch: [EntityChange], now: UInt64 = WireClock.unixNanos) throws(Status) -> Int64 {
        try Self.validate(kind: kind)
        guard !batch.isEmpty else { throw Status(.invalidArgument, "an empty batch") }
        return try write { db in
            guard let schema = try self.schema(db, kind: kind, version: nil)?.schema else {
                throw Status(.notFound, "no kind \(kind) (register its schema first)")
            }
            // Validate everything before writing anything.
            var rows = [(key: String, fields: String?)]()
            var keys = Set<String>()
            for change in batch {
                switch change {
                case .upsert(let key, let values):
                    try Self.validate(key: key)
                    guard keys.insert(key).inserted else { throw Status(.invalidArgument, "key \(WireNames.printable(key)) appears twice in the batch") }
                    rows.append((key, try Self.stored(values, schema: schema)))
                case .delete(let key):
                    try Self.validate(key: key)
                    guard keys.insert(key).inserted else { throw Status(.invalidArgument, "key \(WireNames.printable(key)) appears twice in the batch") }
                    guard try Row.fetchOne(db, sql: "SELECT 1 FROM records WHERE kind = ? AND key = ? AND valid_to IS NULL AND deleted = 0",
                                           arguments: [kind, key]) != nil else {
                        throw Status(.notFound, "no \(kind) record \(WireNames.printable(key)) to delete")
                    }
                    rows.append((key, nil))
                }
            }
            let version = try Self.newStoreVersion(db, now: now, what: "batch of \(batch.count) on \(kind)")
            let close = try db.cachedStatement(sql: "UPDATE records SET valid_to = ? WHERE kind = ? AND key = ? AND valid_to IS NULL")
            let insert = try db.cachedStatement(sql: "INSERT INTO records (kind, key, valid_from, deleted, fields) VALUES (?, ?, ?, ?, ?)")
            for row in rows {
                try close.execute(arguments: [version, kind, row.key])
                try insert.execute(arguments: [kind, row.key, version, row.fields == nil ? 1 : 0, row.fields ?? "{}"])
            }
            return version
        }
    }

    // MARK: Reads

    /// The latest store version.
    public func storeVersion() throws(Status) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(version), 0) FROM store_versions") ?? 0 }
    }

    /// The store version that was current at a Unix time (0 before the first).
    public func storeVersion(atUnixNanos time: UInt64) throws(Status) -> Int64 {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(version), 0) FROM store_versions WHERE unix_nanos <= ?", arguments: [Int64(clamping: time)]) ?? 0
        }
    }

    /// A record as of a store version (default: now); nil when absent or deleted then.
    public func record(kind: String, key: String, asOf version: Int64? = nil) throws(Status) -> EntityRecord? {
        try records(kind: kind, keys: [key], asOf: version).first
    }

    /// The records of a kind live at a store version (default: now), by key; only `keys`
    /// when given.
    public func records(kind: String, keys: [String]? = nil, asOf version: Int64? = nil) throws(Status) -> [EntityRecord] {
        try Self.validate(kind: kind)
        if let keys, keys.count == 1, version == nil, let found = try current(kind: kind, key: keys[0], { key, version, stored, schema in
            EntityRecord(key: key, version: version, values: try Self.view(stored, schema: schema))
        }) { return found }
        return try read { db in
            guard let schema = try self.schema(db, kind: kind, version: nil)?.schema else { throw Status(.notFound, "no kind \(kind)") }
            // Now: the current rows, through their index (one row a key, however long its
            // history); as of a version: the row valid then.
            var sql = "SELECT key, valid_from, fields FROM records WHERE kind = ? AND deleted = 0 AND "
            var arguments: StatementArguments = [kind]
            if let version {
                sql += "valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
                arguments += [version, version]
            } else {
                sql += "valid_to IS NULL"
            }
            if let keys, keys.count == 1 {
                sql += " AND key = ?"
                arguments += [keys[0]]
            } else if let keys {
                // One statement whatever the number of keys: the keys as one JSON array.
                guard keys.count <= 100_000 else { throw Status(.invalidArgument, "at most 100,000 keys per read (got \(keys.count))") }
                sql += " AND key IN (SELECT value FROM json_each(?))"
                arguments += [JSONWriter().string(.array(keys.map { .string($0) }))]
            }
            // A cursor: each row read in place, not copied first.
            return try Array(Row.fetchCursor(try db.cachedStatement(sql: sql + " ORDER BY key"), arguments: arguments).map { row in
                EntityRecord(key: row[0], version: row[1], values: try Self.view(row[2], schema: schema))
            })
        }
    }

    /// A record as it is now, in one statement, which is a snapshot by itself: the
    /// identity of the kind's latest schema beside the record's row, so neither a
    /// transaction nor a query of the schema first (together over a third of a point
    /// lookup's CPU). Empty when the key has no live record; nil when that schema is not yet
    /// decoded in this store (`records` reads it, and the next call finds it).
    ///
    /// - Throws: `NOT_FOUND` for an unknown kind.
    ///
    /// The statement is GRDB's, prepared once per connection, and run through its SQLite
    /// handle (GRDB's documented raw access): bound, stepped once, read by column and
    /// reset here, without the arguments, row and cursor values a GRDB fetch makes (a
    /// fifth of an embedded point lookup's time).
    ///
    /// `make` makes the answer of the record's key, version and stored text, read through
    /// the schema given; `kind` is valid (`validate(kind:)`).
    func current<T: Sendable>(kind: String, key: String,
                              _ make: @escaping @Sendable (_ key: String, _ version: Int64, _ stored: String, _ schema: EntitySchema) throws -> T)
        throws(Status) -> [T]? {
        try readInOneStatement { db -> [T]? in
            let handle = try db.cachedStatement(sql: Self.currentRecordSQL).sqliteStatement
            defer {
                sqlite3_reset(handle)
                sqlite3_clear_bindings(handle)
            }
            return try kind.withCString { kindText in
                try key.withCString { keyText in
                    // Bound in place (no copy): the texts outlive the step, and the bindings
                    // are cleared before they go.
                    sqlite3_bind_text(handle, 1, kindText, Int32(kind.utf8.count), nil)
                    sqlite3_bind_text(handle, 2, keyText, Int32(key.utf8.count), nil)
                    switch sqlite3_step(handle) {
                    case SQLITE_ROW: break
                    case SQLITE_DONE: throw Status(.notFound, "no kind \(kind)")
                    case let code:
                        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                            sql: Self.currentRecordSQL)
                    }
                    let schemaKey = EntitySchemaKey(kind: kind, version: Int(sqlite3_column_int64(handle, 0)), storeVersion: sqlite3_column_int64(handle, 1))
                    guard let schema = self.schemas.withLock({ $0[schemaKey] }) else { return nil }
                    guard sqlite3_column_type(handle, 2) != SQLITE_NULL else { return [] }
                    func text(_ column: Int32) -> String {
                        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
                        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
                    }
                    return [try make(text(2), sqlite3_column_int64(handle, 3), text(4), schema)]
                }
            }
        }
    }

    /// The latest schema of kind ?1 (no row: no such kind), joined with the live record
    /// of key ?2 (nulls when there is none).
    static let currentRecordSQL = """
        SELECT s.version, s.store_version, r.key, r.valid_from, r.fields
        FROM (SELECT version, store_version FROM kind_schemas WHERE kind = ?1 ORDER BY version DESC LIMIT 1) AS s
        LEFT JOIN records AS r ON r.kind = ?1 AND r.key = ?2 AND r.valid_to IS NULL AND r.deleted = 0
        """

    /// Every change of a record, oldest first.
    public func history(kind: String, key: String) throws(Status) -> [EntityHistoryEntry] {
        try Self.validate(kind: kind)
        return try read { db in
            guard let schema = try self.schema(db, kind: kind, version: nil)?.schema else { throw Status(.notFound, "no kind \(kind)") }
            return try Row.fetchAll(db, sql: """
                SELECT r.valid_from, r.deleted, r.fields, v.created FROM records r JOIN store_versions v ON v.version = r.valid_from
                WHERE r.kind = ? AND r.key = ? ORDER BY r.valid_from
                """, arguments: [kind, key]).map { row in
                let deleted = (row["deleted"] as Int) != 0
                return EntityHistoryEntry(version: row["valid_from"], time: row["created"], deleted: deleted,
                                          values: deleted ? JSONObject() : try Self.view(row["fields"], schema: schema))
            }
        }
    }

    // MARK: Rows

    static func validate(kind: String) throws(Status) {
        do { try WireNames.validate(dataset: kind) } catch {
            throw Status(.invalidArgument, "kind \"\(WireNames.printable(kind))\" is not allowed: use letters, digits, '.', '_' and '-', starting with a letter or digit")
        }
    }

    static func validate(key: String) throws(Status) {
        guard !key.isEmpty, key.utf8.count <= 1024 else { throw Status(.invalidArgument, "a record key has 1 to 1024 bytes") }
        // SQLite's text binding ends a string at its first NUL: "a\0b" would be "a".
        guard !key.utf8.contains(0) else { throw Status(.invalidArgument, "a record key holds no NUL byte: \"\(WireNames.printable(key))\"") }
    }

    static func newStoreVersion(_ db: Database, now: UInt64, what: String) throws -> Int64 {
        // Times never go back with versions (a clock stepped back keeps the last time), so
        // the version current at a time is the last one stamped at or before it.
        let last = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(unix_nanos), 0) FROM store_versions") ?? 0
        let stamp = max(Int64(clamping: now), last)
        let date = Date(timeIntervalSince1970: Double(stamp) / 1e9)
        try db.execute(sql: "INSERT INTO store_versions (unix_nanos, created, what) VALUES (?, ?, ?)",
                       arguments: [stamp, timestamp(date), what])
        return db.lastInsertedRowID
    }

    /// A kind's schema at a version (default: its latest), and the id its next new field
    /// gets.
    ///
    /// A schema row is written once and never changed, so its kind, version and the store
    /// version that registered it name its fields: a read looks up those three small
    /// columns, and decodes the fields (a JSON text) only when the store has not yet. Two
    /// things could give those three columns other fields, and neither fills the cache: a
    /// write transaction that inserts a schema row and rolls back (its store version is
    /// then used again; `registerSchema` reads the schema before its insert, no write reads
    /// one after), and a restore from a backup (which empties the cache).
    func schema(_ db: Database, kind: String, version: Int?) throws -> (schema: EntitySchema, nextField: Int)? {
        // Columns by position (a lookup by name folds case, on every read).
        let columns = "SELECT version, store_version, next_field FROM kind_schemas WHERE kind = ?"
        let row = try version.map {
            try Row.fetchOne(try db.cachedStatement(sql: columns + " AND version = ?"), arguments: [kind, $0])
        } ?? Row.fetchOne(try db.cachedStatement(sql: columns + " ORDER BY version DESC LIMIT 1"), arguments: [kind])
        guard let row else { return nil }
        let key = EntitySchemaKey(kind: kind, version: row[0], storeVersion: row[1])
        if let cached = schemas.withLock({ $0[key] }) { return (cached, row[2]) }
        let fieldsSQL = "SELECT fields FROM kind_schemas WHERE kind = ? AND version = ? AND store_version = ?"
        guard let text = try String.fetchOne(try db.cachedStatement(sql: fieldsSQL), arguments: [kind, key.version, key.storeVersion]) else {
            throw Status(.dataLoss, "the schema row of \(kind) v\(key.version) went away while it was read")
        }
        let fields = try JSONDecoder().decode([EntityField].self, from: Data(text.utf8))
        let schema = EntitySchema(kind: kind, version: key.version, fields: fields, storeVersion: key.storeVersion)
        schemas.withLock { cache in
            if cache.count >= 1024 { cache.removeAll() }
            cache[key] = schema
        }
        return (schema, row[2])
    }

    /// The stored form of an upsert's values: a JSON object by field id.
    static func stored(_ values: JSONObject, schema: EntitySchema) throws(Status) -> String {
        var byID = [Int: JSONValue]()
        for (name, value) in values {
            guard let field = schema.field(named: name) else {
                throw Status(.invalidArgument, "\(schema.kind) has no field \(WireNames.printable(name)) (fields: \(schema.fields.map(\.name).joined(separator: ", ")))")
            }
            guard byID[field.id] == nil else { throw Status(.invalidArgument, "field \(field.name) is given twice") }
            byID[field.id] = try EntityValues.check(value, as: field.type, field: field.name)
        }
        for field in schema.fields where field.required && field.defaultJSON == nil {
            if byID[field.id] == nil || byID[field.id] == .null { throw Status(.invalidArgument, "field \(field.name) is required") }
        }
        let object = JSONObject(byID.keys.sorted().map { (String($0), byID[$0]!) })
        return JSONWriter().string(.object(object))
    }

    /// The JSON text of `view(text, schema:)`, written straight from the stored text: each
    /// stored value's text is copied as it is, never parsed (a stored record is written
    /// by `JSONWriter` from checked values, so its values' text is what writing them again
    /// would give, and the answer is the same text byte for byte). Parsing and rebuilding
    /// a record was a tenth of the service's CPU for a point read.
    static func viewText(_ text: String, schema: EntitySchema) throws -> String {
        var text = text
        return try text.withUTF8 { stored in
            // Field id → its value's byte range in `stored`, in stored order (few: a scan).
            var values = [(id: Int, range: Range<Int>)]()
            values.reserveCapacity(schema.fields.count)
            var scanner = try StoredObjectScanner(stored)
            while let (key, value) = try scanner.next() {
                guard let id = Int(String(decoding: stored[key], as: UTF8.self)) else { throw StoredObjectScanner.notAnObject }
                values.append((id, value))
            }
            var out = [UInt8]()
            out.reserveCapacity(stored.count + 16 * schema.fields.count)
            out.append(UInt8(ascii: "{"))
            let writer = JSONWriter()
            for (k, field) in schema.fields.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                writer.write(.string(field.name), into: &out)
                out.append(UInt8(ascii: ":"))
                if let value = values.first(where: { $0.id == field.id }) {
                    out.append(contentsOf: stored[value.range])
                } else {
                    writer.write(field.missingValue, into: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The values of a stored record through `schema`.
    static func view(_ text: String, schema: EntitySchema) throws -> JSONObject {
        guard case .object(let stored) = try JSONParser.parse(text) else { throw Status(.dataLoss, "a stored record is not a JSON object") }
        return JSONObject(schema.fields.map { field -> (String, JSONValue) in
            if let value = stored[String(field.id)] {
                // Widened since written: int32 values read as int64 as they are; floats as doubles.
                return (field.name, value)
            }
            return (field.name, field.missingValue)
        })
    }
}

/// The members of a stored record's JSON object, as byte ranges of their key (without its
/// quotes) and of their value's text, found without decoding anything. Strings are
/// skipped by their quotes and escapes, arrays and objects by their depth.
struct StoredObjectScanner {
    static let notAnObject = Status(.dataLoss, "a stored record is not a JSON object")
    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0
    private var ended = false

    init(_ bytes: UnsafeBufferPointer<UInt8>) throws(Status) {
        self.bytes = bytes
        skipSpace()
        guard at < bytes.count, bytes[at] == UInt8(ascii: "{") else { throw Self.notAnObject }
        at += 1
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
            at += 1
            ended = true
        }
    }

    /// The next member, or nil after the last.
    mutating func next() throws(Status) -> (key: Range<Int>, value: Range<Int>)? {
        guard !ended else { return nil }
        skipSpace()
        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw Self.notAnObject }
        let keyStart = at + 1
        try skipString()
        let key = keyStart..<(at - 1)
        skipSpace()
        guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw Self.notAnObject }
        at += 1
        skipSpace()
        let valueStart = at
        try skipValue()
        let value = valueStart..<at
        guard !value.isEmpty else { throw Self.notAnObject }
        skipSpace()
        guard at < bytes.count else { throw Self.notAnObject }
        switch bytes[at] {
        case UInt8(ascii: ","): at += 1
        case UInt8(ascii: "}"):
            at += 1
            ended = true
        default: throw Self.notAnObject
        }
        return (key, value)
    }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x09 || bytes[at] == 0x0A || bytes[at] == 0x0D { at += 1 }
    }

    /// From an opening quote to past its closing one.
    private mutating func skipString() throws(Status) {
        at += 1
        while at < bytes.count {
            switch bytes[at] {
            case UInt8(ascii: "\\"): at += 2
            case UInt8(ascii: "\""):
                at += 1
                return
            default: at += 1
            }
        }
        throw Self.notAnObject
    }

    /// Past one value: a string, an array or object (to its matching close), or a
    /// literal or number (to the next delimiter).
    private mutating func skipValue() throws(Status) {
        guard at < bytes.count else { throw Self.notAnObject }
        switch bytes[at] {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            var depth = 0
            while at < bytes.count {
                switch bytes[at] {
                case UInt8(ascii: "\""):
                    try skipString()
                    continue
                case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1
                    if depth == 0 {
                        at += 1
                        return
                    }
                default: break
                }
                at += 1
            }
            throw Self.notAnObject
        default:
            while at < bytes.count {
                switch bytes[at] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: return
                default: at += 1
                }
            }
        }
    }
}
