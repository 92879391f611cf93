import AnantColumnar
import Foundation

/// How a column chunk's data pages encode their values.
enum ChunkEncoding: Equatable {
    /// RLE_DICTIONARY pages over a PLAIN dictionary page, PLAIN after the dictionary fills.
    case dictionary
    case plain
    /// DELTA_BINARY_PACKED (INT32, INT64).
    case delta
    /// BYTE_STREAM_SPLIT (DOUBLE).
    case byteStreamSplit

    /// The encoding of the non-dictionary data pages.
    var dataEncoding: Encoding {
        switch self {
        case .dictionary, .plain: return .plain
        case .delta: return .deltaBinaryPacked
        case .byteStreamSplit: return .byteStreamSplit
        }
    }
}

/// Chooses a chunk's encoding early and cheaply, from one contiguous sample of its values
/// (16 Ki from the middle): it estimates the chunk's distinct count from how the sample's
/// distinct count grows between its first half and the whole, then encodes the sample each
/// eligible way and compresses it with the chunk's codec; the smallest wins, PLAIN when the
/// others save less than 2 %.
///
/// A dictionary is eligible only when the estimated dictionary fits `dictionaryPageBytes`,
/// so high-cardinality columns (random doubles, ids spread over millions) never pay for
/// a dictionary they would abandon. Sorted or clustered integers go DELTA_BINARY_PACKED,
/// random doubles BYTE_STREAM_SPLIT when a codec compresses the split streams better.
enum EncodingChoice {
    static let sampleSize = 16_384
    /// An alternative to PLAIN must be at least this much smaller.
    static let margin = 0.98

    static func choose(_ values: WriterValues, codec: (any Codec)?, options: ParquetWriteOptions) throws(ParquetError) -> ChunkEncoding {
        switch values {
        case .boolean: return .plain
        case .bytes(let column, let rows): return options.dictionary ? bytesChoice(column, rows, options: options) : .plain
        case .int32(let v): return try fixedChoice(v, codec: codec, options: options) { DeltaBinaryPackedEncoder.encode($0, into: &$1) }
        case .int64(let v): return try fixedChoice(v, codec: codec, options: options) { DeltaBinaryPackedEncoder.encode($0, into: &$1) }
        case .double(let v):
            // Without a codec the split streams are exactly as large as PLAIN.
            guard codec != nil else { return try fixedChoice(v, codec: codec, options: options, alternative: nil) }
            return try fixedChoice(v, codec: codec, options: options) { ByteStreamSplitEncoder.encode($0, into: &$1) }
        }
    }

    /// The sample: `sampleSize` consecutive positions from the middle of `count`.
    static func sampleRange(_ count: Int) -> Range<Int> {
        let n = Swift.min(count, sampleSize)
        let start = (count - n) / 2
        return start..<start + n
    }

    /// The chunk's distinct count, from `distinct` values in a sample of `sample` (of
    /// `total`) and `half` in its first half: growth by 2× from half to whole means new
    /// values keep coming (scale linearly), no growth means the sample saw them all.
    static func estimatedDistinct(_ distinct: Int, half: Int, sample: Int, total: Int) -> Int {
        guard total > sample, half > 0 else { return distinct }
        let growth = Swift.max(0, Swift.min(1, log2(Double(distinct) / Double(half))))
        return Swift.min(total, Int((Double(distinct) * pow(Double(total) / Double(sample), growth)).rounded(.up)))
    }

    private static func fixedChoice<T: DictionaryKey>(_ values: ValueRun<T>, codec: (any Codec)?, options: ParquetWriteOptions,
                                                      alternative: ((UnsafeBufferPointer<T>, inout [UInt8]) -> Void)?) throws(ParquetError) -> ChunkEncoding {
        let range = sampleRange(values.count)
        let n = range.count, width = MemoryLayout<T>.size
        guard n > 0 else { return .plain }
        func size(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) -> Int {
            guard let codec else { return bytes.count }
            var out = [UInt8]()
            try codec.compress(bytes, into: &out)
            return out.count
        }
        func size(_ bytes: [UInt8]) throws(ParquetError) -> Int {
            try rethrowingParquetErrors { try bytes.withUnsafeBytes { raw in try size(raw) } }
        }
        return try values.withUnsafeBufferPointer { all throws(ParquetError) -> ChunkEncoding in
            let sample = UnsafeBufferPointer(rebasing: all[range])
            let plain = try size(UnsafeRawBufferPointer(sample))
            var best = (ChunkEncoding.plain, Double(plain))
            if let alternative {
                var encoded = [UInt8]()
                alternative(sample, &encoded)
                let candidate = Double(try size(encoded))
                if candidate < best.1 * margin { best = (T.self == Double.self ? .byteStreamSplit : .delta, candidate) }
            }
            guard options.dictionary else { return best.0 }
            var builder = FixedDictionaryBuilder(expected: Swift.min(n, 4096))
            var codes = [UInt32]()
            codes.reserveCapacity(n)
            var half = 0
            for k in 0..<n {
                codes.append(UInt32(builder.index(of: sample[k].dictionaryKey)))
                if k == n / 2 - 1 { half = builder.count }
            }
            let distinct = estimatedDistinct(builder.count, half: half, sample: n, total: values.count)
            guard distinct * width <= options.dictionaryPageBytes else { return best.0 }
            let indexWidth = bitWidth(of: UInt64(Swift.max(distinct - 1, 0)))
            var indices = RLEHybridEncoder(bitWidth: indexWidth)
            for c in codes { indices.append(c) }
            var page = [UInt8(indexWidth)]
            page.append(contentsOf: indices.finish())
            // The dictionary page's share of the sample, compressed as well as PLAIN values are.
            let dictionaryShare = Double(distinct * width) * (Double(plain) / Double(n * width)) * Double(n) / Double(values.count)
            let candidate = Double(try size(page)) + dictionaryShare
            if candidate < best.1 * margin || (best.0 != .plain && candidate < best.1) { best = (.dictionary, candidate) }
            return best.0
        }
    }

    /// Byte strings: a dictionary unless the estimated dictionary outgrows its page or
    /// holds most of the values.
    private static func bytesChoice(_ column: StringColumn, _ rows: [Int], options: ParquetWriteOptions) -> ChunkEncoding {
        let range = sampleRange(rows.count)
        guard range.count > 0 else { return .dictionary }
        var builder = BytesDictionaryBuilder()
        var half = 0
        column.bytes.withUnsafeBufferPointer { buffer in
            for (k, i) in range.enumerated() {
                _ = builder.index(of: UnsafeBufferPointer(rebasing: buffer[column.byteRange(rows[i])]))
                if k == range.count / 2 - 1 { half = builder.count }
            }
        }
        let distinct = estimatedDistinct(builder.count, half: half, sample: range.count, total: rows.count)
        let bytesPerValue = Double(builder.plainSize) / Double(Swift.max(builder.count, 1))
        // Mostly unique strings gain nothing from indices on top of every value.
        guard distinct * 2 <= rows.count else { return .plain }
        return Double(distinct) * bytesPerValue <= Double(options.dictionaryPageBytes) ? .dictionary : .plain
    }
}
