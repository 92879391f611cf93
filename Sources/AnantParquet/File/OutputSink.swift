import AnantColumnar

/// Where a writer's bytes go: memory, or a `DurableFile` put in place only when the file is
/// complete (temporary file, fsync, rename, fsync of the folder), so a reader never sees a
/// partial file.
final class OutputSink {
    private var buffer = [UInt8]()
    private var file: DurableFile?
    private let path: String?
    private(set) var written: Int64 = 0
    private(set) var memory: [UInt8] = []

    /// An in-memory sink.
    init() {
        path = nil
        file = nil
    }

    /// A file sink writing to a temporary name beside `path`.
    init(path: String) throws(ParquetError) {
        self.path = path
        do { file = try DurableFile(path: path) } catch { throw ParquetError(error) }
        buffer.reserveCapacity(1 << 20)
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
            try writeFile(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(ParquetError) {
        try writeFile(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeFile(_ bytes: [UInt8]) throws(ParquetError) {
        guard file != nil else { throw ParquetError(.io, "the file '\(path ?? "")' was already closed") }
        do { try file!.write(bytes) } catch { throw ParquetError(error) }
    }

    /// Flushes, syncs and moves the file into place.
    func finish() throws(ParquetError) {
        guard path != nil else { return }
        try flush()
        guard let file = file.take() else { throw ParquetError(.io, "the file '\(path ?? "")' was already closed") }
        do { try file.commit() } catch { throw ParquetError(error) }
    }
}

extension ParquetError {
    /// A durable write's failure, kept as the cause (a full disk stays recognisable).
    init(_ error: ColumnarError) {
        self.init(.io, error.message, underlying: error, retryable: error.retryable)
    }
}
