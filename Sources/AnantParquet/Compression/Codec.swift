import CZlib

/// A page compression codec: decompresses into a buffer of known size, compresses a page.
///
/// Every codec checks that decompression yields exactly the expected number of bytes and
/// reports a clear error otherwise (a corrupt or truncated page never reads out of bounds).
/// An instance serves one column chunk on one thread (codecs may keep contexts).
protocol Codec {
    /// Decompresses `input` into exactly `into.count` bytes.
    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(ParquetError)
    /// Compresses `input`, appending to `output`.
    func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ParquetError)
}

/// Codec lookup by the file's codec id.
enum Codecs {
    /// The codec for reading pages written with `codec`; throws `unsupported` for codecs
    /// this build cannot decode (BROTLI, LZO, unknown ids).
    static func decoder(for codec: CompressionCodec, column: String) throws(ParquetError) -> (any Codec)? {
        switch codec {
        case .uncompressed: return nil
        case .snappy: return SnappyCodec()
        case .gzip: return GzipCodec(level: 6)
        case .zstd: return ZstdCodec(level: 3)
        case .lz4Raw: return LZ4RawCodec()
        case .lz4Hadoop: return LZ4HadoopCodec()
        default:
            throw ParquetError(.unsupported, "unsupported codec \(codec) in column '\(column)' (supported: UNCOMPRESSED, SNAPPY, GZIP, LZ4, LZ4_RAW, ZSTD)")
        }
    }

    /// The codec for writing; LZ4 is always written as LZ4_RAW.
    static func encoder(for codec: ParquetCompression) -> (any Codec)? {
        switch codec {
        case .uncompressed: return nil
        case .snappy: return SnappyCodec()
        case .gzip(let level): return GzipCodec(level: level)
        case .lz4: return LZ4RawCodec()
        case .zstd(let level): return ZstdCodec(level: level)
        }
    }
}

/// A compression choice for writing.
public enum ParquetCompression: Sendable, Hashable, CustomStringConvertible {
    case uncompressed
    case snappy
    /// gzip (RFC 1952) at a zlib level 1...9.
    case gzip(level: Int32)
    /// Written as LZ4_RAW (a raw LZ4 block), as the format asks.
    case lz4
    /// zstd at a level 1...22.
    case zstd(level: Int32)

    /// The codec id written in the file.
    public var codec: CompressionCodec {
        switch self {
        case .uncompressed: return .uncompressed
        case .snappy: return .snappy
        case .gzip: return .gzip
        case .lz4: return .lz4Raw
        case .zstd: return .zstd
        }
    }

    public var description: String {
        switch self {
        case .uncompressed: return "uncompressed"
        case .snappy: return "snappy"
        case .gzip(let level): return "gzip(\(level))"
        case .lz4: return "lz4"
        case .zstd(let level): return "zstd(\(level))"
        }
    }

    /// Parses "none|uncompressed|snappy|gzip[:N]|lz4|zstd[:N]".
    public init?(name: String) {
        let parts = name.lowercased().split(separator: ":", maxSplits: 1)
        let level = parts.count > 1 ? Int32(parts[1]) : nil
        if parts.count > 1 && level == nil { return nil }
        switch parts.first.map(String.init) ?? "" {
        case "none", "uncompressed": self = .uncompressed
        case "snappy": self = .snappy
        case "gzip": self = .gzip(level: level ?? 6)
        case "lz4", "lz4_raw": self = .lz4
        case "zstd": self = .zstd(level: level ?? 3)
        default: return nil
        }
    }
}

/// CRC-32 (the zlib/gzip polynomial) of a page's stored bytes.
func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
    var crc: UInt = CZlib.crc32(0, nil, 0)
    var offset = 0
    while offset < bytes.count {
        let chunk = Swift.min(bytes.count - offset, Int(UInt32.max >> 1))
        crc = CZlib.crc32(crc, base.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(chunk))
        offset += chunk
    }
    return UInt32(truncatingIfNeeded: crc)
}
