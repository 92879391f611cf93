import AnantColumnar
import AnantHypergraph
import AnantParquet
import AnantQuery
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hypergraph dataset folder (DESIGN.md §3), one published version of it.
///
/// Layout:
///
///     <root>/_manifest.json                the current version's manifest
///     <root>/_versions/v00002.json         every version's manifest
///     <root>/v00002/{incidences,edges,nodes}/part-00000.parquet   a version's shards
///     <root>/incidences -> v00002/incidences   (and edges, nodes): the current shards
///
/// Versions are immutable. A write builds the new version's shards in a staging folder,
/// fsyncs them, renames the folder into place, writes its manifest, and publishes by
/// renaming `_manifest.json` over the old one (the commit point: a reader opens either the
/// old version or the new one, whole). The `incidences`, `edges` and `nodes` links then
/// move to the new version, so `pl.scan_parquet("<root>/incidences/*.parquet")`,
/// `pyarrow.dataset.dataset("<root>/incidences")` and DuckDB's
/// `read_parquet('<root>/incidences/*.parquet')` read the current version as it is.
/// Old versions stay readable (`open(version:)`) until removed. One writer at a time:
/// writers hold an exclusive lock on `<root>/.lock`.
///
/// Incidences and edges are sharded by a stable hash of the edge id, nodes by the node
/// id: FNV-1a (64-bit) of the id's text (integers in decimal), modulo the shard count,
/// so every edge lives whole in one shard, and other tools can recompute the placement.
public struct Dataset: Sendable {
    public let root: String
    public let manifest: DatasetManifest

    static let manifestName = "_manifest.json"

    /// Whether `path` is a dataset folder (it holds `_manifest.json`).
    public static func isDataset(_ path: String) -> Bool {
        var info = stat()
        return stat(path + "/" + manifestName, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Opens the current version, or version `version`. Shard sizes are checked against
    /// the manifest (`verify()` checks the checksums too).
    public static func open(_ root: String, version: Int? = nil) throws(DatasetError) -> Dataset {
        let path = version.map { "\(root)/_versions/\(versionName($0)).json" } ?? "\(root)/\(manifestName)"
        guard let bytes = FileIO.read(path) else {
            if version != nil, FileIO.read("\(root)/\(manifestName)") != nil {
                throw DatasetError(.unknownVersion, "\(root) has no version \(version!) (versions: \(versions(root).map(String.init).joined(separator: ", ")))")
            }
            throw DatasetError(.notFound, "\(root) is not an Anant dataset: no \(manifestName) (create one with `anant import`)")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch { throw DatasetError(.invalidManifest, "\(path): not valid JSON: \(error.message)") }
        let dataset = Dataset(root: root, manifest: try DatasetManifest(json: json, source: path))
        for table in DatasetTable.allCases {
            for shard in dataset.manifest.tables[table]?.shards ?? [] {
                let file = dataset.path(shard)
                guard let size = FileIO.size(file) else {
                    throw DatasetError(.corruptShard, "shard \(shard.path) of version \(dataset.manifest.version) is missing")
                }
                guard size == shard.bytes else {
                    throw DatasetError(.corruptShard, "shard \(shard.path) holds \(size) bytes, the manifest says \(shard.bytes): the dataset was modified outside Anant")
                }
            }
        }
        return dataset
    }

    /// The versions kept in `root`, ascending.
    public static func versions(_ root: String) -> [Int] {
        FileIO.list("\(root)/_versions").compactMap { name -> Int? in
            guard name.hasPrefix("v"), name.hasSuffix(".json") else { return nil }
            return Int(name.dropFirst().dropLast(5))
        }.sorted()
    }

    static func versionName(_ version: Int) -> String {
        let digits = String(version)
        return "v" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// The absolute path of a shard.
    public func path(_ shard: ShardEntry) -> String { root + "/" + shard.path }

    /// The shard files of a table.
    public func files(_ table: DatasetTable) -> [String] {
        (manifest.tables[table]?.shards ?? []).map(path)
    }

    /// A lazy query over a table's shards.
    public func scan(_ table: DatasetTable) -> LazyFrame {
        .scan(.parquet(files(table)))
    }

    /// Checks every shard's SHA-256 against the manifest.
    public func verify(context: ExecutionContext = .default) throws(DatasetError) {
        let shards = DatasetTable.allCases.flatMap { manifest.tables[$0]?.shards ?? [] }
        let dataset = self
        let sums = context.map(count: shards.count) { k in FileIO.sha256(dataset.path(shards[k])) }
        for (shard, sum) in zip(shards, sums) where sum != shard.sha256 {
            throw DatasetError(.corruptShard, "shard \(shard.path) fails its checksum (\(sum ?? "unreadable") ≠ \(shard.sha256)): the file is damaged")
        }
    }

    /// Removes version `version` (not the current one).
    public static func removeVersion(_ root: String, _ version: Int) throws(DatasetError) {
        let lock = try WriterLock(root)
        defer { lock.hold() }
        let current = try open(root)
        guard version != current.manifest.version else {
            throw DatasetError(.invalidArgument, "version \(version) is the current version of \(root); write a new one before removing it")
        }
        _ = removeLeftovers(root)
        guard versions(root).contains(version) else {
            throw DatasetError(.unknownVersion, "\(root) has no version \(version) (versions: \(versions(root).map(String.init).joined(separator: ", ")))")
        }
        // The manifest goes first: a version without one is not offered to readers.
        FileIO.remove("\(root)/_versions/\(versionName(version)).json")
        FileIO.removeTree("\(root)/\(versionName(version))")
    }
}

// MARK: Sharding

extension Dataset {
    /// The shard of an id: FNV-1a 64 of its text, modulo `shards`.
    static func shard(of text: UnsafeBufferPointer<UInt8>, shards: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return Int(hash % UInt64(shards))
    }

    /// The shard of an integer id: the hash of its decimal text, without building it.
    static func decimalShard(_ value: Int64, shards: Int) -> Int {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { buffer in
            var magnitude = value.magnitude
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { start -= 1; buffer[start] = UInt8(ascii: "-") }
            let text = UnsafeRawBufferPointer(rebasing: buffer[start...]).bindMemory(to: UInt8.self)
            return shard(of: text, shards: shards)
        }
    }

    /// The shards of integer ids; a run of one id (incidences come grouped by edge) is
    /// hashed once.
    static func decimalShards<S: Sequence>(_ values: S, shards: Int) -> [Int] where S.Element == Int64 {
        var out = [Int]()
        out.reserveCapacity(values.underestimatedCount)
        var last: Int64? = nil, shard = 0
        for value in values {
            if value != last { (last, shard) = (value, decimalShard(value, shards: shards)) }
            out.append(shard)
        }
        return out
    }

    /// The shard of every row of an id column.
    static func shards(of column: Column, shards: Int) -> [Int] {
        guard shards > 1 else { return [Int](repeating: 0, count: column.count) }
        switch column {
        case .int64(let c):
            return decimalShards(c.values, shards: shards)
        case .int32(let c):
            return decimalShards(c.values.lazy.map(Int64.init), shards: shards)
        case .string(let c):
            return (0..<c.count).map { row in c.withUTF8(row) { shard(of: $0, shards: shards) } }
        case .json(let c):
            // Mixed ids: a JSON string's text without its quotes, a number's as it is.
            return (0..<c.count).map { row in
                let text = c[row].map { ScalarValue(( try? JSONParser.parse(Array($0.utf8))) ?? .null).description } ?? ""
                return Array(text.utf8).withUnsafeBufferPointer { shard(of: $0, shards: shards) }
            }
        default:
            return [Int](repeating: 0, count: column.count)
        }
    }
}

/// Small POSIX file helpers (no Foundation in the library layers).
enum FileIO {
    static func read(_ path: String) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var out = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < out.count {
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n <= 0 { return nil }
            done += n
        }
        return out
    }

    static func size(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func list(_ folder: String) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names = [String]()
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func makeDirectory(_ path: String) throws(DatasetError) {
        if isDirectory(path) { return }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw DatasetError(.io, "cannot create folder \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func remove(_ path: String) { unlink(path) }

    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in list(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// Writes a file durably (`DurableFile`: temporary file, fsync, rename, fsync of the folder).
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(DatasetError) {
        do { try DurableFile.write(bytes, to: path) } catch { throw DatasetError(error) }
    }

    /// Renames a file, folder or link and fsyncs the destination's folder.
    static func rename(_ from: String, to: String) throws(DatasetError) {
        do { try DurableFile.rename(from, to: to) } catch { throw DatasetError(error) }
    }

    /// Points the symbolic link `link` at `target`, atomically (a new link renamed over).
    static func relink(_ link: String, to target: String) throws(DatasetError) {
        var info = stat()
        if lstat(link, &info) == 0, (info.st_mode & S_IFMT) != S_IFLNK {
            throw DatasetError(.io, "\(link) exists and is not a link Anant made; move it away")
        }
        let temporary = link + ".tmp-\(getpid())"
        unlink(temporary)
        guard symlink(target, temporary) == 0 else {
            throw DatasetError(.io, "cannot link \(link): \(String(cString: strerror(errno)))")
        }
        try rename(temporary, to: link)
    }

    /// The file's SHA-256, hex, read a MiB at a time (never the whole file in memory).
    static func sha256(_ path: String) -> String? {
        let fd = Glibc.open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var hasher = SHA256()
        let ok = withUnsafeTemporaryAllocation(byteCount: 1 << 20, alignment: 64) { buffer -> Bool in
            while true {
                let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
                if n == 0 { return true }
                if n < 0 { if errno == EINTR { continue }; return false }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
        }
        return ok ? hasher.hexDigest() : nil
    }
}

extension DatasetError {
    /// A durable write's failure, kept as the cause (a full disk stays recognisable).
    init(_ error: ColumnarError) {
        self.init(.io, error.message, underlying: error, retryable: error.retryable)
    }
}

/// An exclusive writer lock on a dataset folder (`flock` on `<root>/.lock`): released by
/// `release()` or when the value ends, and by the kernel when the writer dies.
struct WriterLock: ~Copyable {
    let fd: Int32

    init(_ root: String) throws(DatasetError) {
        // The descriptor is locked before `self` exists, so that a failure closes it once
        // (a value whose fields are all set would also run `deinit`).
        let descriptor = Glibc.open(root + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DatasetError(.io, "cannot lock \(root): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw DatasetError(.locked, "\(root) is being written by another process; try again when it finishes")
        }
        fd = descriptor
    }

    /// Marks where the lock may end at the earliest (`defer { lock.hold() }` keeps it to the
    /// end of the scope; a noncopyable value may otherwise end after its last use).
    borrowing func hold() {}

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
