import AnantColumnar

/// Options for writing Parquet files.
public struct ParquetWriteOptions: Sendable {
    /// Page compression (LZ4 is written as LZ4_RAW).
    public var compression: ParquetCompression
    /// Rows per row group (the last may hold fewer).
    public var rowGroupRows: Int
    /// Target size of a data page's values, in bytes before compression.
    public var pageBytes: Int
    /// Dictionary-encode columns (not Booleans) until the dictionary exceeds
    /// `dictionaryPageBytes`, then fall back to PLAIN for the rest of the chunk.
    public var dictionary: Bool
    public var dictionaryPageBytes: Int
    /// Choose each chunk's encoding from a trial on a sample of its values (see
    /// `EncodingChoice`): a dictionary only when it fits and pays, else PLAIN,
    /// DELTA_BINARY_PACKED (integers) or BYTE_STREAM_SPLIT (doubles), whichever the codec
    /// makes smallest. Off: a dictionary (when `dictionary`) with the PLAIN fallback.
    public var chooseEncodings: Bool
    /// Write min/max/null-count statistics per column chunk and per data page.
    public var statistics: Bool
    /// Write a CRC-32 in every page header.
    public var pageChecksums: Bool
    /// File-level key-value metadata.
    public var keyValueMetadata: [KeyValue]
    /// The `created_by` string.
    public var createdBy: String
    /// The threads the encoders use (column chunks of a window of row groups in parallel),
    /// and when to stop: polled between windows of row groups.
    public var context: ExecutionContext

    /// The defaults follow pyarrow's: 1 Mi rows per row group, 1 MiB pages and dictionary
    /// limit, dictionary on, statistics on; zstd (level 3) compression; encodings chosen
    /// per chunk.
    public init(compression: ParquetCompression = .zstd(level: 3), rowGroupRows: Int = 1 << 20, pageBytes: Int = 1 << 20,
                dictionary: Bool = true, dictionaryPageBytes: Int = 1 << 20, chooseEncodings: Bool = true, statistics: Bool = true,
                pageChecksums: Bool = false, keyValueMetadata: [KeyValue] = [],
                createdBy: String = "anant version 0.1.0 (build swift)", context: ExecutionContext = .default) {
        self.context = context
        self.compression = compression
        self.rowGroupRows = rowGroupRows
        self.pageBytes = pageBytes
        self.dictionary = dictionary
        self.dictionaryPageBytes = dictionaryPageBytes
        self.chooseEncodings = chooseEncodings
        self.statistics = statistics
        self.pageChecksums = pageChecksums
        self.keyValueMetadata = keyValueMetadata
        self.createdBy = createdBy
    }
}

/// One encoded column chunk: its bytes (pages) and its metadata, offsets relative to
/// the chunk's first byte.
struct EncodedChunk {
    var bytes: [UInt8]
    var metadata: ColumnMetaData
}

/// Encodes one column of one row group: an optional dictionary page, then data pages v1
/// of about `pageBytes`, each `[definition levels][values]` compressed as a whole.
struct ColumnChunkWriter {
    let name: String
    let physicalType: PhysicalType
    let optional: Bool
    let options: ParquetWriteOptions

    func encode(_ column: Column, rows range: Range<Int>) throws(ParquetError) -> EncodedChunk {
        let (values, nulls) = WriterValues.extract(column, range)
        let codec = Codecs.encoder(for: options.compression)
        var out = [UInt8]()
        out.reserveCapacity(values.plainSize(0..<Swift.min(values.count, 1)) * values.count + range.count / 4 + 4096)
        var encodingStats = [PageEncodingStats]()
        var uncompressedTotal = 0
        let choice: ChunkEncoding = options.chooseEncodings ? try EncodingChoice.choose(values, codec: codec, options: options)
            : options.dictionary && physicalType != .boolean ? .dictionary : .plain
        let dataEncoding = choice.dataEncoding
        // Dictionary phase: the leading values that fit the dictionary.
        let dictionary = choice == .dictionary ? buildDictionary(values) : nil
        var dictionaryPageOffset: Int64? = nil
        if let dictionary {
            dictionaryPageOffset = 0
            var plain = [UInt8]()
            PlainEncoder.encode(dictionary.values, 0..<dictionary.values.count, into: &plain)
            uncompressedTotal += try writePage(plain, type: .dictionaryPage, codec: codec, into: &out) { header in
                header.dictionaryPageHeader = DictionaryPageHeader(numValues: Int32(dictionary.values.count), encoding: .plain, isSorted: nil)
            }
            encodingStats.append(PageEncodingStats(pageType: PageType.dictionaryPage.rawValue, encoding: .plain, count: 1))
        }
        let dataPageOffset = Int64(out.count)
        let encodedCount = dictionary?.indices.count ?? 0
        // Present values before each row, to map row ranges to value ranges.
        var valueOfRow: [Int]? = nil
        if let nulls {
            var running = 0
            valueOfRow = nulls.map { null in defer { if !null { running += 1 } }; return running }
            valueOfRow!.append(running)
        }
        func firstValue(_ row: Int) -> Int { valueOfRow?[row] ?? row }
        let rows = range.count
        var row = 0
        var dictionaryPages = 0, valuePages = 0
        while row < rows {
            let start = firstValue(row)
            let useDictionary = start < encodedCount
            let end = try nextPageEnd(from: row, rows: rows, values: values, firstValue: firstValue,
                                      limit: useDictionary ? encodedCount : values.count, dictionary: dictionary)
            var page = [UInt8]()
            page.reserveCapacity(values.plainSize(valueRangeFor(row, end, firstValue)) + (end - row) / 8 + 64)
            if optional {
                let encoded: [UInt8]
                if let nulls {
                    var levels = RLEHybridEncoder(bitWidth: 1)
                    for r in row..<end { levels.append(nulls[r] ? 0 : 1) }
                    encoded = levels.finish()
                } else {
                    encoded = RLEHybridEncoder.run(of: 1, count: end - row, bitWidth: 1)
                }
                PlainEncoder.appendLength(encoded.count, into: &page)
                page.append(contentsOf: encoded)
            }
            let valueRange = start..<firstValue(end)
            if useDictionary, let dictionary {
                let width = bitWidth(of: UInt64(Swift.max(dictionary.values.count - 1, 0)))
                page.append(UInt8(width))
                var indices = RLEHybridEncoder(bitWidth: width)
                dictionary.indices.withUnsafeBufferPointer { all in
                    for i in valueRange { indices.append(UInt32(truncatingIfNeeded: all[i])) }
                }
                page.append(contentsOf: indices.finish())
                dictionaryPages += 1
            } else {
                values.encode(valueRange, as: dataEncoding, into: &page)
                valuePages += 1
            }
            let encoding: Encoding = useDictionary ? .rleDictionary : dataEncoding
            let pageStatistics = options.statistics
                ? ChunkStatistics.compute(values, in: valueRange, nullCount: (end - row) - valueRange.count, maximumBytes: 256) : nil
            uncompressedTotal += try writePage(page, type: .dataPage, codec: codec, into: &out) { header in
                header.dataPageHeader = DataPageHeader(numValues: Int32(end - row), encoding: encoding,
                                                       definitionLevelEncoding: .rle, repetitionLevelEncoding: .rle, statistics: pageStatistics)
            }
            row = end
        }
        if dictionaryPages > 0 { encodingStats.append(PageEncodingStats(pageType: 0, encoding: .rleDictionary, count: Int32(dictionaryPages))) }
        if valuePages > 0 { encodingStats.append(PageEncodingStats(pageType: 0, encoding: dataEncoding, count: Int32(valuePages))) }
        // PLAIN is listed with a dictionary too: the dictionary page itself is PLAIN.
        var encodings: [Encoding] = dictionary != nil || dataEncoding == .plain ? [.plain, .rle] : [.rle]
        if dictionary != nil { encodings.append(.rleDictionary) }
        if valuePages > 0 && dataEncoding != .plain { encodings.append(dataEncoding) }
        var metadata = ColumnMetaData(type: physicalType, encodings: encodings, pathInSchema: [name], codec: options.compression.codec,
                                      numValues: Int64(rows), totalUncompressedSize: Int64(uncompressedTotal),
                                      totalCompressedSize: Int64(out.count), dataPageOffset: dataPageOffset)
        metadata.dictionaryPageOffset = dictionaryPageOffset
        metadata.encodingStats = encodingStats
        if options.statistics { metadata.statistics = ChunkStatistics.compute(values, nullCount: nulls?.filter { $0 }.count ?? 0) }
        return EncodedChunk(bytes: out, metadata: metadata)
    }

    private func valueRangeFor(_ row: Int, _ end: Int, _ firstValue: (Int) -> Int) -> Range<Int> {
        firstValue(row)..<firstValue(end)
    }

    /// The row where the page starting at `row` ends: about `pageBytes` of encoded values,
    /// never crossing `limit` (the end of the dictionary-encoded values).
    private func nextPageEnd(from row: Int, rows: Int, values: WriterValues, firstValue: (Int) -> Int,
                             limit: Int, dictionary: DictionaryResult?) throws(ParquetError) -> Int {
        var end = row
        var size = 0
        let width = dictionary.map { Swift.max(1, bitWidth(of: UInt64(Swift.max($0.values.count - 1, 0)))) } ?? 0
        while end < rows {
            let v = firstValue(end)
            if v >= limit && firstValue(row) < limit { break }
            // Grow the page a stretch at a time (1024 rows), as parquet-cpp checks its size.
            let stretch = Swift.min(1024, rows - end)
            var stop = end + stretch
            if firstValue(row) < limit { while stop > end && firstValue(stop) > limit { stop -= 1 } }
            if stop == end { stop = end + 1 }
            let values0 = firstValue(end), values1 = firstValue(stop)
            if dictionary != nil && firstValue(row) < limit {
                size += (values1 - values0) * width / 8
            } else {
                size += values.plainSize(values0..<values1)
            }
            end = stop
            if size >= options.pageBytes { break }
        }
        return end
    }

    /// Compresses `page`, writes its header and body to `out`; returns the uncompressed
    /// size counted in the chunk's total (header included).
    private func writePage(_ page: [UInt8], type: PageType, codec: (any Codec)?, into out: inout [UInt8],
                           header configure: (inout PageHeader) -> Void) throws(ParquetError) -> Int {
        var body = [UInt8]()
        if let codec {
            try rethrowingParquetErrors { try page.withUnsafeBytes { raw in try codec.compress(raw, into: &body) } }
        } else {
            body = page
        }
        var header = PageHeader(type: type.rawValue, uncompressedPageSize: Int32(page.count), compressedPageSize: Int32(body.count),
                                crc: nil, dataPageHeader: nil, dictionaryPageHeader: nil, dataPageHeaderV2: nil)
        if options.pageChecksums { header.crc = Int32(bitPattern: body.withUnsafeBytes { crc32($0) }) }
        configure(&header)
        var writer = ThriftCompactWriter()
        header.write(into: &writer)
        out.append(contentsOf: writer.bytes)
        out.append(contentsOf: body)
        return writer.bytes.count + page.count
    }

    struct DictionaryResult {
        var values: WriterValues
        /// Dictionary index of each of the leading values it covers.
        var indices: [Int32]
    }

    /// Dictionary-encodes leading values, 1024 at a time, until the dictionary's PLAIN size
    /// reaches `dictionaryPageBytes` (parquet-cpp's fallback rule); nil when no value fits.
    private func buildDictionary(_ values: WriterValues) -> DictionaryResult? {
        let limit = options.dictionaryPageBytes
        switch values {
        case .bytes(let column, let rows):
            var indices = [Int32]()
            indices.reserveCapacity(values.count)
            var builder = BytesDictionaryBuilder()
            column.bytes.withUnsafeBufferPointer { buffer in
                var i = 0
                while i < rows.count && builder.plainSize < limit {
                    for k in i..<Swift.min(i + 1024, rows.count) {
                        indices.append(builder.index(of: UnsafeBufferPointer(rebasing: buffer[column.byteRange(rows[k])])))
                    }
                    i = Swift.min(i + 1024, rows.count)
                }
            }
            guard !indices.isEmpty else { return nil }
            return DictionaryResult(values: .bytes(builder.values, rows: Array(0..<builder.count)), indices: indices)
        case .int32(let v): return fixedDictionary(v, limit: limit) { .int32(ValueRun($0)) }
        case .int64(let v): return fixedDictionary(v, limit: limit) { .int64(ValueRun($0)) }
        case .double(let v): return fixedDictionary(v, limit: limit) { .double(ValueRun($0)) }
        case .boolean: return nil
        }
    }

    /// The fixed-width case of `buildDictionary`, specialised per value type.
    private func fixedDictionary<T: DictionaryKey>(_ values: ValueRun<T>, limit: Int, wrap: ([T]) -> WriterValues) -> DictionaryResult? {
        let width = MemoryLayout<T>.size
        let maximum = Swift.max(1, Swift.min(values.count, limit / width + 1024))
        var builder = FixedDictionaryBuilder(expected: maximum)
        var indices = [Int32]()
        indices.reserveCapacity(values.count)
        values.withUnsafeBufferPointer { v in
            var i = 0
            // Runs of one value (sorted or grouped columns) skip the hash table.
            var lastKey: UInt64? = nil, lastCode: Int32 = 0
            while i < v.count && builder.count * width < limit {
                let stop = Swift.min(i + 1024, v.count)
                for k in i..<stop {
                    let key = v[k].dictionaryKey
                    if key != lastKey {
                        lastKey = key
                        lastCode = builder.index(of: key)
                    }
                    indices.append(lastCode)
                }
                i = stop
            }
        }
        guard !indices.isEmpty else { return nil }
        return DictionaryResult(values: wrap(builder.keys.map(T.init(dictionaryKey:))), indices: indices)
    }
}

/// A fixed-width value the writer's dictionary keys by bit pattern.
protocol DictionaryKey {
    var dictionaryKey: UInt64 { get }
    init(dictionaryKey: UInt64)
}

extension Int32: DictionaryKey {
    var dictionaryKey: UInt64 { UInt64(UInt32(bitPattern: self)) }
    init(dictionaryKey: UInt64) { self.init(bitPattern: UInt32(truncatingIfNeeded: dictionaryKey)) }
}

extension Int64: DictionaryKey {
    var dictionaryKey: UInt64 { UInt64(bitPattern: self) }
    init(dictionaryKey: UInt64) { self.init(bitPattern: dictionaryKey) }
}

extension Double: DictionaryKey {
    var dictionaryKey: UInt64 { bitPattern }
    init(dictionaryKey: UInt64) { self.init(bitPattern: dictionaryKey) }
}
