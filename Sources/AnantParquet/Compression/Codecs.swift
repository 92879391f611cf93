import CAnantSystem
import CDeflate
import CLZ4
import CSnappy
import CZlib
import CZstd

/// Snappy: compression by libsnappy; decompression by Anant's own decoder
/// (`anant_snappy_uncompress`), which moves short pieces without a call per piece.
struct SnappyCodec: Codec {
    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        guard !input.isEmpty, let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            guard output.isEmpty else { throw ParquetError.corrupt("an empty SNAPPY page should decompress to \(output.count) bytes") }
            return
        }
        var length = 0, header = 0
        guard anant_snappy_uncompressed_length(src, input.count, &length, &header) == 0 else {
            throw ParquetError.corrupt("a SNAPPY page's length header is truncated or too large")
        }
        guard length == output.count else {
            throw ParquetError.corrupt("a SNAPPY page declares \(length) bytes where the page header says \(output.count)")
        }
        var scratch: UInt8 = 0
        let status = withUnsafeMutablePointer(to: &scratch) { empty in
            anant_snappy_uncompress(src, input.count, output.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? empty, output.count)
        }
        guard status == 0 else { throw ParquetError.corrupt("a SNAPPY page is corrupt") }
    }

    func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ParquetError) {
        let start = output.count
        let bound = snappy_max_compressed_length(input.count)
        output.append(contentsOf: repeatElement(0, count: bound))
        var written = bound
        let empty: [CChar] = [0]
        let status = empty.withUnsafeBufferPointer { fallback in
            output.withUnsafeMutableBytes { out in
                snappy_compress(input.baseAddress?.assumingMemoryBound(to: CChar.self) ?? fallback.baseAddress!, input.count,
                                out.baseAddress!.advanced(by: start).assumingMemoryBound(to: CChar.self), &written)
            }
        }
        guard status == SNAPPY_OK else { throw ParquetError(.io, "SNAPPY compression failed") }
        output.removeLast(bound - written)
    }
}

/// zstd. One instance serves one column chunk on one thread: its contexts are reused from
/// page to page (creating a context per page costs more than decompressing a small page).
final class ZstdCodec: Codec {
    let level: Int32
    private var decompression: OpaquePointer?
    private var compression: OpaquePointer?

    init(level: Int32) {
        self.level = level
    }

    deinit {
        if let decompression { ZSTD_freeDCtx(decompression) }
        if let compression { ZSTD_freeCCtx(compression) }
    }

    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        if decompression == nil { decompression = ZSTD_createDCtx() }
        // ZSTD_decompressDCtx handles several concatenated frames.
        let result = ZSTD_decompressDCtx(decompression, output.baseAddress, output.count, input.baseAddress, input.count)
        if ZSTD_isError(result) != 0 {
            throw ParquetError.corrupt("a ZSTD page is corrupt: \(String(cString: ZSTD_getErrorName(result)))")
        }
        guard result == output.count else {
            throw ParquetError.corrupt("a ZSTD page decompresses to \(result) bytes where the page header says \(output.count)")
        }
    }

    func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ParquetError) {
        let start = output.count
        let bound = ZSTD_compressBound(input.count)
        output.append(contentsOf: repeatElement(0, count: bound))
        if compression == nil { compression = ZSTD_createCCtx() }
        let context = compression
        let result = output.withUnsafeMutableBytes { out in
            ZSTD_compressCCtx(context, out.baseAddress!.advanced(by: start), bound, input.baseAddress, input.count, level)
        }
        guard ZSTD_isError(result) == 0 else { throw ParquetError(.io, "ZSTD compression failed: \(String(cString: ZSTD_getErrorName(result)))") }
        output.removeLast(bound - result)
    }
}

struct LZ4RawCodec: Codec {
    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        guard input.count <= Int(Int32.max), output.count <= Int(Int32.max) else { throw ParquetError.corrupt("an LZ4 page is larger than 2 GiB") }
        if input.isEmpty && output.isEmpty { return }
        let result = LZ4_decompress_safe(input.baseAddress?.assumingMemoryBound(to: CChar.self),
                                         output.baseAddress?.assumingMemoryBound(to: CChar.self),
                                         Int32(input.count), Int32(output.count))
        guard result == Int32(output.count) else {
            throw ParquetError.corrupt("an LZ4 page is corrupt or does not decompress to the \(output.count) bytes its header says")
        }
    }

    func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ParquetError) {
        guard input.count <= Int(LZ4_MAX_INPUT_SIZE) else { throw ParquetError(.io, "a page is too large for LZ4") }
        let start = output.count
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        output.append(contentsOf: repeatElement(0, count: bound))
        let written = output.withUnsafeMutableBytes { out in
            LZ4_compress_default(input.baseAddress?.assumingMemoryBound(to: CChar.self),
                                 out.baseAddress!.advanced(by: start).assumingMemoryBound(to: CChar.self),
                                 Int32(input.count), Int32(bound))
        }
        guard written > 0 || input.isEmpty else { throw ParquetError(.io, "LZ4 compression failed") }
        output.removeLast(bound - Int(written))
    }
}

/// Codec 5: Hadoop-framed LZ4 blocks (`[u32 BE decompressed][u32 BE compressed][block]`*),
/// or, as old parquet-cpp wrote under the same id, one raw block.
struct LZ4HadoopCodec: Codec {
    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        if (try? decompressHadoop(input, into: output)) == true { return }
        try LZ4RawCodec().decompress(input, into: output)
    }

    /// True when the input is a consistent sequence of Hadoop frames filling the output.
    private func decompressHadoop(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(ParquetError) -> Bool {
        var inOffset = 0, outOffset = 0
        while inOffset < input.count {
            guard input.count - inOffset >= 8 else { return false }
            let decompressed = Int(UInt32(bigEndian: input.loadUnaligned(fromByteOffset: inOffset, as: UInt32.self)))
            let compressed = Int(UInt32(bigEndian: input.loadUnaligned(fromByteOffset: inOffset + 4, as: UInt32.self)))
            inOffset += 8
            guard compressed <= input.count - inOffset, decompressed <= output.count - outOffset else { return false }
            let block = UnsafeRawBufferPointer(rebasing: input[inOffset..<(inOffset + compressed)])
            let target = UnsafeMutableRawBufferPointer(rebasing: output[outOffset..<(outOffset + decompressed)])
            try LZ4RawCodec().decompress(block, into: target)
            inOffset += compressed
            outOffset += decompressed
        }
        return outOffset == output.count
    }

    func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ParquetError) {
        throw ParquetError(.unsupported, "Anant never writes the deprecated Hadoop LZ4 codec; use LZ4_RAW")
    }
}

/// GZIP (RFC 1952). Pages decompress whole with libdeflate (a page is one buffer, and its
/// size is known: libdeflate inflates two to three times as fast as zlib), looping over
/// concatenated members; compression stays zlib's, at zlib's levels. One instance serves
/// one column chunk on one thread, reusing its decompressor from page to page.
final class GzipCodec: Codec {
    let level: Int32
    private var decompressor: OpaquePointer?

    init(level: Int32) {
        self.level = level
    }

    deinit {
        if let decompressor { libdeflate_free_decompressor(decompressor) }
    }

    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        if decompressor == nil { decompressor = libdeflate_alloc_decompressor() }
        guard let decompressor else { throw ParquetError(.io, "libdeflate could not allocate a decompressor") }
        var inOffset = 0, outOffset = 0
        while inOffset < input.count {
            var read = 0, written = 0
            let result = libdeflate_gzip_decompress_ex(decompressor, input.baseAddress! + inOffset, input.count - inOffset,
                                                       output.baseAddress.map { $0 + outOffset }, output.count - outOffset, &read, &written)
            switch result {
            case LIBDEFLATE_SUCCESS: break
            case LIBDEFLATE_INSUFFICIENT_SPACE:
                throw ParquetError.corrupt("a GZIP page decompresses to more than the \(output.count) bytes its header says")
            default:
                throw ParquetError.corrupt("a GZIP page is corrupt (at byte \(inOffset) of \(input.count))")
            }
            guard read > 0 else { break }
            inOffset += read
            outOffset += written
        }
        guard outOffset == output.count else {
            throw ParquetError.corrupt("a GZIP page decompresses to \(outOffset) bytes where the page header says \(output.count)")
        }
    }

    func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ParquetError) {
        var stream = z_stream()
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetError(.io, "zlib could not start compressing")
        }
        defer { deflateEnd(&stream) }
        let start = output.count
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        output.append(contentsOf: repeatElement(0, count: bound))
        let status = output.withUnsafeMutableBytes { out -> Int32 in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = out.baseAddress!.advanced(by: start).assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(bound)
            return deflate(&stream, Z_FINISH)
        }
        guard status == Z_STREAM_END else { throw ParquetError(.io, "GZIP compression failed (zlib status \(status))") }
        output.removeLast(bound - Int(stream.total_out))
    }
}
