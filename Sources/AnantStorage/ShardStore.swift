import AnantColumnar
import AnantOperations
import AnantParquet
import AnantProto
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stored shard: where it is and what it holds.
public struct StoredShard: Sendable, Equatable {
    public let key: ShardKey
    public let sha256: String
    public let bytes: UInt64
    public let rows: UInt64
    /// The file, under the store's root.
    public let file: String

    /// Its descriptor on the wire.
    public var descriptor: Anant_V1_ShardDescriptor {
        var d = Anant_V1_ShardDescriptor()
        d.dataset = key.dataset
        d.version = key.version
        d.table = key.table
        d.shard = key.shard
        d.path = key.path
        d.rows = rows
        d.bytes = bytes
        d.sha256 = sha256
        return d
    }
}

/// The shards a storage service owns, under its root:
///
/// ```
/// ROOT/LOCK                                   held (flock) by the one process serving ROOT
/// ROOT/shards/DATASET/VERSION/TABLE/INDEX.SHA256.parquet
/// ```
///
/// A shard's file name carries its checksum, so one rename publishes bytes and checksum
/// together. A put writes a `DurableFile` beside its target (fsync, rename, fsync of the
/// folder): a crash leaves at most a temporary file, which the next start removes and
/// reports. Puts of one shard are serialised by the index lock between the check and the
/// rename, so concurrent puts of the same bytes store one file and the others report it
/// present; other bytes under the same name are refused with `ALREADY_EXISTS`.
///
/// Reads never serve bytes that fail their checksum: a file is hashed before it is first
/// served, and again whenever its size, inode or modification time changed since.
public final class ShardStore: Sendable {
    public let root: String
    private let logger: Logger
    private let index = Mutex<[ShardKey: StoredShard]>([:])
    /// The index's shard count and bytes, kept apart: `usage` (what `Stat` answers, on the
    /// connection's loop) never waits on the index's lock, which puts and deletes hold
    /// across file system calls.
    private let totals = Mutex<(count: Int, bytes: UInt64)>((0, 0))
    private let verified = Mutex<[ShardKey: FileIdentity]>([:])
    /// Space promised to puts under way: what each has declared and not yet written.
    private let promised = Mutex<UInt64>(0)
    private let lock: Int32

    struct FileIdentity: Equatable {
        var device: UInt64, inode: UInt64, size: Int64, modified: Int64, modifiedNanos: Int64
    }

    /// Opens (creating) the store at `root`: takes its lock, removes what interrupted
    /// puts left, and indexes the shards.
    ///
    /// - Throws: `Status` `FAILED_PRECONDITION` when another process serves `root`,
    ///   `INTERNAL` for a root that cannot be made.
    public init(root: String, logger: Logger) throws(Status) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.logger = logger
        try ShardStore.makeFolder(self.root)
        try ShardStore.makeFolder(self.root + "/shards")
        let fd = Glibc.open(self.root + "/LOCK", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ShardStore.failure("cannot open the lock of \(self.root)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw Status(.failedPrecondition, "another process serves \(self.root) (its LOCK is held)")
        }
        lock = fd
        let (shards, leftovers, strays) = try ShardStore.scan(self.root + "/shards")
        for leftover in leftovers { unlink(leftover) }
        if !leftovers.isEmpty {
            logger.notice("removed what interrupted puts left", metadata: ["files": "\(leftovers.count)", "paths": "\(leftovers.prefix(10))"])
        }
        if !strays.isEmpty { logger.warning("files in the store that are not shards (left alone)", metadata: ["paths": "\(strays.prefix(10))"]) }
        index.withLock { index in
            index = Dictionary(shards.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            totals.withLock { $0 = (index.count, index.values.reduce(0) { $0 + $1.bytes }) }
        }
        logger.info("store opened", metadata: ["root": "\(self.root)", "shards": "\(shards.count)"])
    }

    deinit { close(lock) }

    // MARK: Reading the index

    /// The shard stored under `key`, if any.
    public func shard(_ key: ShardKey) -> StoredShard? { index.withLock { $0[key] } }

    /// Stored shards, ordered by dataset, version, table and index.
    public func list(dataset: String? = nil, version: UInt64? = nil) -> [StoredShard] {
        index.withLock { Array($0.values) }
            .filter { (dataset == nil || $0.key.dataset == dataset) && (version == nil || $0.key.version == version) }
            .sorted { $0.key < $1.key }
    }

    /// Bytes held by shards, bytes free on the root's file system, and shard count.
    public func usage() -> (used: UInt64, free: UInt64, count: Int) {
        let (count, used) = totals.withLock { $0 }
        return (used, freeBytes(), count)
    }

    /// Bytes free on the root's file system (0 when it cannot be asked).
    private func freeBytes() -> UInt64 {
        var info = statvfs()
        return statvfs(root, &info) == 0 ? UInt64(info.f_bavail) &* UInt64(info.f_frsize) : 0
    }

    // MARK: Writing

    /// Stores a shard from its chunks: written beside its place, checked against the
    /// declared size, checksum and (when given) row count, made durable, then published.
    ///
    /// - Returns: the stored shard, and whether the same bytes were already stored (then
    ///   nothing was written).
    /// - Throws: `Status`: `ALREADY_EXISTS` for other bytes under the name, `DATA_LOSS`
    ///   when the bytes do not match the declared size or checksum, `INVALID_ARGUMENT` for
    ///   a file that is not Parquet or has other rows, `RESOURCE_EXHAUSTED` when the disk
    ///   is full. Nothing partial is left behind.
    public func put(_ descriptor: Anant_V1_ShardDescriptor, chunks: some AsyncSequence<[UInt8], any Error>) async throws(Status)
        -> (StoredShard, alreadyPresent: Bool) {
        let key = try ShardKey(descriptor)
        try ShardKey.validate(sha256: descriptor.sha256)
        if let stored = shard(key) {
            guard stored.sha256 == descriptor.sha256 else { throw ShardStore.conflict(stored) }
            return (stored, true)
        }
        try reserve(descriptor.bytes)
        var unwritten = descriptor.bytes
        defer { release(unwritten) }
        let folder = "\(root)/shards/\(key.dataset)/\(key.version)/\(ShardKey.folder(key.table)!)"
        try ShardStore.makeFolder(folder, parents: true)
        let path = "\(folder)/\(key.shard).\(descriptor.sha256).parquet"
        var file: DurableFile
        do { file = try DurableFile(path: path) } catch { throw Status(error) }
        var hasher = SHA256()
        do {
            for try await chunk in chunks {
                guard file.written + Int64(chunk.count) <= Int64(clamping: descriptor.bytes) else {
                    throw Status(.dataLoss, "\(key): more bytes arrived than the \(descriptor.bytes) declared")
                }
                try file.write(chunk)
                release(UInt64(chunk.count))
                unwritten -= UInt64(chunk.count)
                chunk.withUnsafeBytes { hasher.update($0) }
            }
        } catch { throw Status(error) }
        guard file.written == Int64(clamping: descriptor.bytes) else {
            throw Status(.dataLoss, "\(key): \(file.written) bytes arrived, \(descriptor.bytes) were declared")
        }
        let sha = hasher.hexDigest()
        guard sha == descriptor.sha256 else { throw Status(.dataLoss, "\(key): the bytes have SHA-256 \(sha), not \(descriptor.sha256)") }
        let rows: Int64
        do { rows = try ParquetFileReader(path: file.temporaryPath).rowCount } catch {
            throw Status(.invalidArgument, "\(key) is not a readable Parquet file: \(Status(error).message)")
        }
        guard descriptor.rows == 0 || descriptor.rows == UInt64(rows) else {
            throw Status(.invalidArgument, "\(key) holds \(rows) rows, not the \(descriptor.rows) declared")
        }
        let stored = StoredShard(key: key, sha256: sha, bytes: descriptor.bytes, rows: UInt64(rows), file: path)
        // The check and the rename under one lock: concurrent puts of a shard publish once.
        // (Not committed, the file's temporary is removed when `pending` goes.)
        var pending: DurableFile? = consume file
        return try index.withLock { shards throws(Status) -> (StoredShard, alreadyPresent: Bool) in
            if let other = shards[key] {
                guard other.sha256 == sha else { throw ShardStore.conflict(other) }
                return (other, true)
            }
            do { try pending.take()!.commit() } catch { throw Status(error) }
            shards[key] = stored
            totals.withLock { $0 = ($0.count + 1, $0.bytes + stored.bytes) }
            return (stored, false)
        }
    }

    /// Admits a put of `bytes`: they must fit the free space less what puts under way have
    /// still to write, so two puts that fit only one at a time do not both start and both
    /// run out of disk.
    private func reserve(_ bytes: UInt64) throws(Status) {
        try promised.withLock { promised throws(Status) in
            let free = freeBytes()
            guard bytes < (free > promised ? free - promised : 0) else {
                throw Status(.resourceExhausted, "a shard of \(bytes) bytes does not fit: \(free) bytes are free"
                             + (promised > 0 ? ", \(promised) of them promised to puts under way" : ""))
            }
            promised += bytes
        }
    }

    /// Returns `bytes` of a put's promise (written, or no longer needed).
    private func release(_ bytes: UInt64) {
        promised.withLock { $0 -= min($0, bytes) }
    }

    /// Deletes every shard of a dataset version: the count and bytes freed (0 when there
    /// was none).
    public func deleteVersion(dataset: String, version: UInt64) throws(Status) -> (count: Int, bytes: UInt64) {
        try ShardKey.validate(dataset: dataset)
        guard version >= 1 else { throw Status(.invalidArgument, "versions start at 1 (got 0)") }
        let folder = "\(root)/shards/\(dataset)/\(version)"
        return try index.withLock { shards throws(Status) -> (count: Int, bytes: UInt64) in
            let doomed = shards.values.filter { $0.key.dataset == dataset && $0.key.version == version }
            for shard in doomed {
                guard unlink(shard.file) == 0 || errno == ENOENT else { throw ShardStore.failure("cannot delete \(shard.key)") }
                shards[shard.key] = nil
                totals.withLock { $0 = (max(0, $0.count - 1), $0.bytes - min($0.bytes, shard.bytes)) }
            }
            verified.withLock { cache in for shard in doomed { cache[shard.key] = nil } }
            ShardStore.removeEmptyFolders(folder)
            do { try DurableFile.syncFolder(of: folder) } catch { throw Status(error) }
            return (doomed.count, doomed.reduce(0) { $0 + $1.bytes })
        }
    }

    // MARK: Reading shards

    /// Opens a stored shard for reading, after checking its bytes against its checksum
    /// (when not checked since the file last changed). The caller closes the descriptor.
    ///
    /// - Throws: `Status` `NOT_FOUND`, `FAILED_PRECONDITION` when `expected` (a checksum
    ///   the caller holds) differs, `DATA_LOSS` when the bytes fail their checksum.
    public func open(_ key: ShardKey, expected: String = "") throws(Status) -> (StoredShard, Int32) {
        guard let stored = shard(key) else { throw Status(.notFound, "no shard \(key) in this store") }
        guard expected.isEmpty || expected == stored.sha256 else {
            throw Status(.failedPrecondition, "\(key) has SHA-256 \(stored.sha256), not the \(expected) asked for")
        }
        let fd = Glibc.open(stored.file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw Status(.dataLoss, "\(key): its file is gone from the disk") }
            throw ShardStore.failure("cannot open \(key)")
        }
        do throws(Status) {
            let identity = try ShardStore.identity(fd)
            if verified.withLock({ $0[key] }) != identity {
                guard identity.size == Int64(stored.bytes) else {
                    throw Status(.dataLoss, "\(key): the file holds \(identity.size) bytes, \(stored.bytes) were stored")
                }
                let sha = try ShardStore.hash(fd, bytes: stored.bytes)
                guard sha == stored.sha256 else {
                    logger.error("a shard fails its checksum", metadata: ["shard": "\(key)", "sha256": "\(sha)"])
                    throw Status(.dataLoss, "\(key): the stored bytes have SHA-256 \(sha), not \(stored.sha256)")
                }
                verified.withLock { $0[key] = identity }
            }
        } catch {
            close(fd)
            throw error
        }
        return (stored, fd)
    }

    /// Reads up to `count` bytes at `offset`.
    static func read(_ fd: Int32, offset: UInt64, count: Int) throws(Status) -> [UInt8] {
        var failure: Status? = nil
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(Status) { initialized = try read(fd, offset: offset, into: UnsafeMutableRawBufferPointer(buffer)) } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Reads bytes at `offset` into `space` (fewer only at the end of the file): how many.
    static func read(_ fd: Int32, offset: UInt64, into space: UnsafeMutableRawBufferPointer) throws(Status) -> Int {
        var done = 0
        while done < space.count {
            let n = pread(fd, space.baseAddress! + done, space.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                throw code == EIO ? Status(.dataLoss, "a read failed: \(String(cString: strerror(code)))") : ShardStore.failure("a read failed", errno: code)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    static func hash(_ fd: Int32, bytes: UInt64) throws(Status) -> String {
        var hasher = SHA256()
        var offset: UInt64 = 0
        while offset < bytes {
            let chunk = try read(fd, offset: offset, count: Int(min(bytes - offset, 4 << 20)))
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { hasher.update($0) }
            offset += UInt64(chunk.count)
        }
        return hasher.hexDigest()
    }

    static func identity(_ fd: Int32) throws(Status) -> FileIdentity {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("cannot stat a shard") }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                            modified: Int64(info.st_mtim.tv_sec), modifiedNanos: Int64(info.st_mtim.tv_nsec))
    }

    // MARK: Files

    static func conflict(_ stored: StoredShard) -> Status {
        Status(.alreadyExists, "\(stored.key) is stored with SHA-256 \(stored.sha256); a shard is never replaced (publish a new version)")
    }

    static func failure(_ step: String, errno code: Int32 = errno) -> Status {
        let reason = String(cString: strerror(code))
        if code == ENOSPC || code == EDQUOT { return Status(.resourceExhausted, "\(step): \(reason) (the disk is full)") }
        return Status(.internal, "\(step): \(reason)")
    }

    /// Creates a folder (and, with `parents`, the missing ones above it), syncing each
    /// parent that gained an entry.
    static func makeFolder(_ path: String, parents: Bool = false) throws(Status) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw Status(.failedPrecondition, "\(path) is not a folder") }
            return
        }
        if parents, let slash = path.lastIndex(of: "/"), slash != path.startIndex { try makeFolder(String(path[..<slash]), parents: true) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw failure("cannot create \(path)") }
        do { try DurableFile.syncFolder(of: path) } catch { throw Status(error) }
    }

    /// Removes `folder` and the folders under it when they hold no file.
    static func removeEmptyFolders(_ folder: String) {
        for entry in entries(folder) where entry.isFolder { removeEmptyFolders(folder + "/" + entry.name) }
        rmdir(folder)
    }

    struct Entry { let name: String; let isFolder: Bool }

    static func entries(_ folder: String) -> [Entry] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var out = [Entry]()
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            var info = stat()
            let isFolder = lstat(folder + "/" + name, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
            out.append(Entry(name: name, isFolder: isFolder))
        }
        return out.sorted { $0.name < $1.name }
    }

    /// The shards under `shards/`, the temporary files of interrupted puts, and files
    /// that are neither.
    static func scan(_ top: String) throws(Status) -> (shards: [StoredShard], leftovers: [String], strays: [String]) {
        var shards = [StoredShard](), leftovers = [String](), strays = [String]()
        for dataset in entries(top) {
            let datasetPath = top + "/" + dataset.name
            guard dataset.isFolder, (try? ShardKey.validate(dataset: dataset.name)) != nil else { strays.append(datasetPath); continue }
            for version in entries(datasetPath) {
                let versionPath = datasetPath + "/" + version.name
                guard version.isFolder, let number = UInt64(version.name), number >= 1 else { strays.append(versionPath); continue }
                for table in entries(versionPath) {
                    let tablePath = versionPath + "/" + table.name
                    guard table.isFolder, let kind = ShardKey.table(folder: table.name) else { strays.append(tablePath); continue }
                    for file in entries(tablePath) {
                        let path = tablePath + "/" + file.name
                        if DurableFile.isTemporary(file.name) { leftovers.append(path); continue }
                        let parts = file.name.split(separator: ".")
                        guard !file.isFolder, parts.count == 3, parts[2] == "parquet", let index = UInt32(parts[0]),
                              (try? ShardKey.validate(sha256: String(parts[1]))) != nil,
                              let key = try? ShardKey(dataset: dataset.name, version: number, table: kind, shard: index)
                        else { strays.append(path); continue }
                        var info = stat()
                        guard stat(path, &info) == 0 else { strays.append(path); continue }
                        // The row count is the footer's; a file whose footer cannot be read
                        // is indexed with 0 rows and fails its checksum when read.
                        let rows = (try? ParquetFileReader(path: path).rowCount) ?? 0
                        shards.append(StoredShard(key: key, sha256: String(parts[1]), bytes: UInt64(info.st_size), rows: UInt64(rows), file: path))
                    }
                }
            }
        }
        return (shards, leftovers, strays)
    }
}
