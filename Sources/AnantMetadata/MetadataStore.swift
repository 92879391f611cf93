import AnantColumnar
import AnantProto
import AnantWire
import Foundation
import GRDB
import Synchronization

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
    /// Each reading thread's own read-only connection, made on its first read (see `read`).
    private let readers = Mutex<[UInt: DatabaseQueue]>([:])
    /// Kinds' schemas decoded, by the identity of their row, which never changes once
    /// written (see `schema(_:kind:version:)`).
    let schemas = Mutex<[EntitySchemaKey: EntitySchema]>([:])
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
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA mmap_size = \(MetadataStore.mappedBytes)")
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
    /// A deferred transaction on the calling thread's own read-only connection, with the
    /// BEGIN and COMMIT prepared once per connection. GRDB's pool of readers takes a
    /// reader under a lock and runs `PRAGMA schema_version` (a read transaction of its
    /// own) before every read: about a fifth of a point lookup's CPU in the service. A
    /// thread reads one thing at a time, so its connection is never shared (a read inside
    /// a read is a programming error, stopped by GRDB); WAL mode lets every connection
    /// read while the pool's writer writes. The schema changes only at open (migrations)
    /// and by `createIndex`, after which SQLite prepares a statement again by itself.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(Status) -> T {
        do {
            return try reader().inDatabase { db in
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

    /// Runs a read whose body runs a single statement, on the calling thread's own
    /// connection as `read` does, but without a transaction around it: one statement
    /// reads one snapshot by itself.
    func readInOneStatement<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(Status) -> T {
        do { return try reader().inDatabase(body) } catch { throw MetadataStore.status(error, opening: nil) }
    }

    /// The most threads with a reader of their own (about two a core read: an event
    /// loop's and the shared pool's); past it every reader is closed and made again when
    /// its thread next reads (a thread mid-read keeps its own until it is done), so that
    /// the readers of threads that are gone do not pile up.
    public static let maximumReaders = max(64, 4 * ProcessInfo.processInfo.activeProcessorCount)

    /// How much of the file each connection reads through a memory map rather than `pread`
    /// (a page read is then a memory access, not a system call and a copy: a fifth of a
    /// point lookup's time). The mapping is of the page cache, so it costs address space,
    /// not memory; beyond it pages are read as before. SQLite keeps the map to the file's
    /// size as its own connections change it; pages still in the log are read from it as
    /// before. The price: a read of a mapped page that the disk fails (an I/O error), or
    /// of a file cut short by a process outside the store, stops the process with SIGBUS
    /// instead of returning SQLite's I/O error; nothing but the store writes its file.
    static let mappedBytes = 1 << 30

    /// The calling thread's read-only connection.
    private func reader() throws -> DatabaseQueue {
        #if canImport(Glibc)
        let thread = UInt(pthread_self())
        #else
        let thread = UInt(bitPattern: pthread_self())
        #endif
        if let reader = readers.withLock({ $0[thread] }) { return reader }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA mmap_size = \(MetadataStore.mappedBytes)") }
        let reader = try DatabaseQueue(path: path, configuration: configuration)
        // Readers let go are closed after the lock is released.
        let closed = readers.withLock { readers -> [UInt: DatabaseQueue] in
            var closed = [UInt: DatabaseQueue]()
            if readers.count >= Self.maximumReaders { swap(&closed, &readers) }
            readers[thread] = reader
            return closed
        }
        _ = closed
        return reader
    }

    /// The readers close before the pool's writer, which then, the last connection,
    /// checkpoints the log into the file and removes it (as GRDB's pool closes its own
    /// readers first).
    deinit {
        let closed = readers.withLock { readers in
            defer { readers = [:] }
            return readers
        }
        _ = closed
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
