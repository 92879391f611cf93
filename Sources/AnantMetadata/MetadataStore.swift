import AnantColumnar
import AnantProto
import AnantWire
import Foundation
import GRDB

/// The metadata service's durable state in one SQLite file: WAL mode, `synchronous=FULL`,
/// foreign keys on. Every write is one transaction, and returns only after it commits, so
/// an acknowledged write survives a crash (SQLite's log, not one of Anant's).
///
/// The file is marked with an application id: a SQLite file of another application, or a
/// file that is not SQLite at all, is refused at open with `FAILED_PRECONDITION`.
public final class MetadataStore: Sendable {
    /// "ANMD".
    public static let applicationID: Int32 = 0x414E_4D44
    public let path: String
    let pool: DatabasePool
    /// The registry's lease rules.
    public let leases: LeasePolicy

    /// How long a worker's lease runs: `missedBeats` heartbeat intervals.
    public struct LeasePolicy: Sendable {
        public var heartbeatNanos: UInt64
        public var missedBeats: UInt64
        public init(heartbeatNanos: UInt64 = 2_000_000_000, missedBeats: UInt64 = 3) {
            self.heartbeatNanos = heartbeatNanos
            self.missedBeats = max(1, missedBeats)
        }
        var leaseNanos: UInt64 { heartbeatNanos * missedBeats }
    }

    /// Opens (creating) the store at `path`.
    ///
    /// - Throws: `Status` `FAILED_PRECONDITION` for a corrupt or foreign file, `INTERNAL`
    ///   when it cannot be opened.
    public init(path: String, leases: LeasePolicy = LeasePolicy()) throws(Status) {
        self.path = path
        self.leases = leases
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // A reader for every thread that can read at once (the shared pool's and the event
        // loops', one each per core, and spares; made only when needed): a short read on a
        // connection's loop never waits for a reader that a long query holds.
        configuration.maximumReaderCount = max(5, 2 * ProcessInfo.processInfo.activeProcessorCount + 2)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.write { db in
                let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") ?? 0
                if id == 0 && tables == 0 {
                    try db.execute(sql: "PRAGMA application_id = \(MetadataStore.applicationID)")
                } else if id != MetadataStore.applicationID {
                    throw Status(.failedPrecondition, "\(path) is a SQLite database of another application (application_id \(id)), not an Anant metadata store")
                }
            }
            try MetadataStore.migrator.migrate(pool)
        } catch let status as Status {
            throw status
        } catch {
            throw MetadataStore.status(error, opening: path)
        }
    }

    /// The schema, by migration.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("catalog-1") { db in
            try db.execute(sql: """
                CREATE TABLE datasets (
                    name TEXT PRIMARY KEY,
                    created TEXT NOT NULL,
                    next_version INTEGER NOT NULL
                );
                CREATE TABLE versions (
                    dataset TEXT NOT NULL REFERENCES datasets(name),
                    version INTEGER NOT NULL,
                    state INTEGER NOT NULL,
                    created TEXT NOT NULL,
                    published TEXT NOT NULL DEFAULT '',
                    manifest TEXT NOT NULL DEFAULT '',
                    PRIMARY KEY (dataset, version)
                );
                CREATE TABLE shards (
                    dataset TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    tbl INTEGER NOT NULL,
                    shard INTEGER NOT NULL,
                    path TEXT NOT NULL,
                    rows INTEGER NOT NULL,
                    bytes INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    PRIMARY KEY (dataset, version, tbl, shard),
                    FOREIGN KEY (dataset, version) REFERENCES versions(dataset, version) ON DELETE CASCADE
                );
                CREATE TABLE replicas (
                    dataset TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    tbl INTEGER NOT NULL,
                    shard INTEGER NOT NULL,
                    position INTEGER NOT NULL,
                    worker_id TEXT NOT NULL,
                    address TEXT NOT NULL,
                    PRIMARY KEY (dataset, version, tbl, shard, position),
                    FOREIGN KEY (dataset, version, tbl, shard) REFERENCES shards(dataset, version, tbl, shard) ON DELETE CASCADE
                );
                CREATE TABLE workers (
                    id TEXT PRIMARY KEY,
                    role INTEGER NOT NULL,
                    rpc_address TEXT NOT NULL,
                    http_address TEXT NOT NULL,
                    lease_expires INTEGER NOT NULL,
                    bytes_used INTEGER NOT NULL DEFAULT 0,
                    bytes_free INTEGER NOT NULL DEFAULT 0,
                    tasks INTEGER NOT NULL DEFAULT 0
                );
                """)
        }
        registerEntityMigrations(&migrator)
        registerQueryMigrations(&migrator)
        return migrator
    }

    /// Runs a write transaction: committed when this returns.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(Status) -> T {
        do { return try pool.write(body) } catch { throw MetadataStore.status(error, opening: nil) }
    }

    /// Runs a read of the last committed state: the body's statements see one snapshot.
    ///
    /// A deferred transaction of its own around GRDB's plain read, with the BEGIN and
    /// COMMIT prepared once per connection: `DatabasePool.read` prepares both on every
    /// read, a third of the cost of a point lookup in the service.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(Status) -> T {
        do {
            return try pool.unsafeRead { db in
                try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
                do {
                    let value = try body(db)
                    try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                    return value
                } catch {
                    // Never left open (GRDB stops the process on a transaction left open).
                    try? db.cachedStatement(sql: "ROLLBACK TRANSACTION").execute()
                    throw error
                }
            }
        } catch { throw MetadataStore.status(error, opening: nil) }
    }

    /// The status of a database error.
    static func status(_ error: any Error, opening path: String?) -> Status {
        if let status = error as? Status { return status }
        guard let db = error as? DatabaseError else { return Status(.internal, "\(error)") }
        switch db.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return Status(.failedPrecondition, "\(path ?? "the metadata store") is not a readable SQLite database (corrupt or foreign): \(db.message ?? "\(db)")")
        case .SQLITE_FULL:
            return Status(.resourceExhausted, "the disk is full: \(db.message ?? "\(db)") (the write was not applied)")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return Status(.unavailable, "the metadata store is busy: \(db.message ?? "\(db)")", retryable: true)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY:
            return Status(.failedPrecondition, "cannot open \(path ?? "the metadata store") for writing: \(db.message ?? "\(db)")")
        default:
            return Status(.internal, "the metadata store failed: \(db)")
        }
    }

    /// An ISO 8601 UTC time.
    static func timestamp(_ date: Date = Date()) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }
}
