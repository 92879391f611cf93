#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written durably, the one way Anant writes files: bytes go to a temporary file in
/// the target's folder; `commit()` fsyncs it, renames it over the target and fsyncs the
/// folder, checking every step. A reader sees the old file or the whole new one, never a
/// part, and a committed file survives a crash. Dropping an uncommitted file removes its
/// temporary file.
///
/// Temporary files are named `.NAME.tmp-PID-RANDOM`; `DurableFile.isTemporary(_:pid:)`
/// recognises them, so that a later writer can remove those of a process that died.
public struct DurableFile: ~Copyable {
    /// The file this will become.
    public let path: String
    /// The temporary file being written.
    public let temporaryPath: String
    private var descriptor: Int32
    /// Bytes written so far.
    public private(set) var written: Int64 = 0

    /// Creates the temporary file beside `path`.
    ///
    /// - Throws: `ColumnarError.io` (or `noSpace`) when it cannot be created.
    public init(path: String) throws(ColumnarError) {
        self.path = path
        let (folder, name) = DurableFile.split(path)
        temporaryPath = "\(folder)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DurableFile.failure("cannot create '\(path)'") }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Appends bytes.
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws(ColumnarError) {
        if let failure = DurableFile.writeAll(descriptor, bytes) { throw DurableFile.failure("cannot write '\(path)'", errno: failure) }
        written += Int64(bytes.count)
    }

    /// Appends bytes.
    public mutating func write(_ bytes: [UInt8]) throws(ColumnarError) {
        let fd = descriptor
        if let failure = bytes.withUnsafeBytes({ DurableFile.writeAll(fd, $0) }) {
            throw DurableFile.failure("cannot write '\(path)'", errno: failure)
        }
        written += Int64(bytes.count)
    }

    /// Writes every byte (retrying interrupted writes); the errno of a failure, or nil.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let result = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if result < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += result
        }
        return nil
    }

    /// Makes the file durable and puts it in place: fsync, close, rename over `path`, fsync
    /// of the folder. On failure the temporary file is removed and the target is untouched
    /// (unless the failure was the folder's fsync, after the rename).
    public consuming func commit() throws(ColumnarError) {
        let fd = descriptor
        descriptor = -1
        guard fsync(fd) == 0 else {
            let error = DurableFile.failure("cannot sync '\(path)'")
            close(fd)
            unlink(temporaryPath)
            throw error
        }
        guard close(fd) == 0 else {
            let error = DurableFile.failure("cannot close '\(path)'")
            unlink(temporaryPath)
            throw error
        }
        guard Glibc.rename(temporaryPath, path) == 0 else {
            let error = DurableFile.failure("cannot move the new file into '\(path)'")
            unlink(temporaryPath)
            throw error
        }
        try DurableFile.syncFolder(of: path)
    }

    /// Writes `bytes` to `path` durably (a temporary file, fsync, rename, fsync of the folder).
    public static func write(_ bytes: [UInt8], to path: String) throws(ColumnarError) {
        var file = try DurableFile(path: path)
        try file.write(bytes)
        try file.commit()
    }

    /// Renames `from` to `to` (a file, folder or link) and fsyncs the destination's folder.
    public static func rename(_ from: String, to: String) throws(ColumnarError) {
        guard Glibc.rename(from, to) == 0 else { throw failure("cannot rename '\(from)' to '\(to)'") }
        try syncFolder(of: to)
    }

    /// Fsyncs the folder holding `path`, so that a rename or a new entry in it is durable.
    public static func syncFolder(of path: String) throws(ColumnarError) {
        let folder = split(path).folder
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open folder '\(folder)' to sync it") }
        defer { close(fd) }
        // Some file systems cannot sync folders (EINVAL): nothing more can be done there.
        guard fsync(fd) == 0 || errno == EINVAL else { throw failure("cannot sync folder '\(folder)'") }
    }

    /// True when `name` is one of this type's temporary file names, of process `pid` when
    /// given.
    public static func isTemporary(_ name: String, pid: Int32? = nil) -> Bool {
        guard name.hasPrefix("."), let marker = name.ranges(of: ".tmp-").last else { return false }
        let rest = name[marker.upperBound...].split(separator: "-")
        guard rest.count == 2, let owner = Int32(rest[0]), UInt32(rest[1]) != nil else { return false }
        return pid.map { $0 == owner } ?? true
    }

    /// The process id in a temporary file's name.
    public static func owner(ofTemporary name: String) -> Int32? {
        guard isTemporary(name), let marker = name.ranges(of: ".tmp-").last else { return nil }
        return Int32(name[marker.upperBound...].split(separator: "-")[0])
    }

    /// True when process `pid` is alive (or exists and is not ours to signal).
    public static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }

    /// The error for the failed step, from `errno`: `noSpace` for a full disk or quota.
    static func failure(_ step: String, errno code: Int32 = errno) -> ColumnarError {
        let reason = String(cString: strerror(code))
        if code == ENOSPC || code == EDQUOT {
            return ColumnarError(.noSpace, "\(step): \(reason) (the disk is full; nothing partial was kept)")
        }
        return ColumnarError(.io, "\(step): \(reason)", retryable: code == EINTR || code == EAGAIN || code == EIO)
    }
}
