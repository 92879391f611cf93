#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a writer's bytes go: memory, or a temporary file renamed over the target only
/// when the file is complete (write, fsync, rename), so a reader never sees a partial file.
final class OutputSink {
    private var buffer = [UInt8]()
    private let path: String?
    private let temporaryPath: String?
    private var descriptor: Int32 = -1
    private(set) var written: Int64 = 0
    private(set) var memory: [UInt8] = []

    /// An in-memory sink.
    init() {
        path = nil
        temporaryPath = nil
    }

    /// A file sink writing to a temporary name beside `path`.
    init(path: String) throws(ParquetError) {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(folder)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        temporaryPath = temporary
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ParquetError(.io, "cannot create '\(path)': \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            if let temporaryPath { unlink(temporaryPath) }
        }
    }

    func write(_ bytes: [UInt8]) throws(ParquetError) {
        written += Int64(bytes.count)
        guard path != nil else {
            memory.append(contentsOf: bytes)
            return
        }
        if bytes.count >= 1 << 20 {
            // Large blocks (column chunks) go straight to the file, uncopied.
            try flush()
            try writeAll(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(ParquetError) {
        try writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: [UInt8]) throws(ParquetError) {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { raw in Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset) }
            if result < 0 {
                if errno == EINTR { continue }
                throw ParquetError(.io, "cannot write '\(path ?? "")': \(String(cString: strerror(errno)))")
            }
            offset += result
        }
    }

    /// Flushes, syncs and moves the file into place.
    func finish() throws(ParquetError) {
        guard let path, let temporaryPath else { return }
        try flush()
        guard fsync(descriptor) == 0 else { throw ParquetError(.io, "cannot sync '\(path)': \(String(cString: strerror(errno)))") }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw ParquetError(.io, "cannot move the new file into '\(path)': \(reason)")
        }
    }
}
