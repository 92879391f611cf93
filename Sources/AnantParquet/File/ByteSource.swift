#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a Parquet file, randomly accessible.
public protocol ParquetByteSource: Sendable {
    /// The file size in bytes.
    var count: Int { get }
    /// Calls `body` with all the bytes (valid only during the call).
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

/// A file in memory.
public struct MemoryByteSource: ParquetByteSource {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var count: Int { bytes.count }
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }
}

/// A file on disk, memory-mapped read-only (pages are read by the kernel on demand, and
/// shared by every thread reading the file).
public final class MappedFileSource: ParquetByteSource, @unchecked Sendable {
    // Immutable after init: the mapping is only read, and unmapped in deinit.
    private let base: UnsafeRawPointer?
    public let count: Int
    public let path: String

    /// Maps the file at `path`.
    public init(path: String) throws(ParquetError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw ParquetError(.io, "cannot open '\(path)': \(reason)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ParquetError(.io, "cannot stat '\(path)': \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw ParquetError(.io, "'\(path)' is not a regular file") }
        count = Int(info.st_size)
        if count == 0 {
            base = nil
            return
        }
        let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw ParquetError(.io, "cannot map '\(path)': \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Drops the pages of `range` from this process's resident memory (they stay in the
    /// kernel's page cache, and come back on the next read): a streaming reader calls it
    /// after decoding a row group, so that its memory stays bounded by what it holds, not
    /// by how much of the file it has read.
    public func releasePages(_ range: Range<Int>) {
        guard let base, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        // Whole pages inside the range only: a neighbouring chunk may be in use.
        let start = (range.lowerBound + page - 1) / page * page, end = min(range.upperBound, count) / page * page
        if end > start { _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED) }
    }
}
