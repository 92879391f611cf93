/// One page of a column chunk, as a `ColumnChunkReader` visitor sees it. The buffers are
/// valid only during the visit (they are reused for the next page).
struct PageContent {
    /// A dictionary page, a data page, a data page the reader was told to skip (not
    /// decompressed: only `count` is set), or a data page decompressed straight into the
    /// place the caller gave (`forEachPage(place:)`; only `count` is set).
    enum Kind { case dictionary, data, skipped, placed }
    var kind: Kind
    var encoding: Encoding
    /// Level entries of a data page, or entries of a dictionary page.
    var count: Int
    /// Entries whose definition level is the maximum (values in `values`).
    var present: Int
    /// One definition level per entry (empty when the maximum is 0, or when every entry
    /// is present: then `present == count`).
    var definitionLevels: UnsafeBufferPointer<Int16>
    /// One repetition level per entry (empty when the column is not repeated).
    var repetitionLevels: UnsafeBufferPointer<Int16>
    /// The encoded values, decompressed.
    var values: UnsafeRawBufferPointer

    static func skipped(_ count: Int) -> PageContent { empty(.skipped, count) }
    static func placed(_ count: Int) -> PageContent { empty(.placed, count) }

    private static func empty(_ kind: Kind, _ count: Int) -> PageContent {
        PageContent(kind: kind, encoding: .plain, count: count, present: count,
                    definitionLevels: UnsafeBufferPointer(start: nil, count: 0),
                    repetitionLevels: UnsafeBufferPointer(start: nil, count: 0), values: UnsafeRawBufferPointer(start: nil, count: 0))
    }
}

/// Walks one column chunk page by page: dictionary page, data pages v1 and v2,
/// decompression, optional CRC checks and levels; a visitor decodes the values.
///
/// Pages are read from the chunk's first page until the chunk's level count is reached,
/// bounded by the end of the file's data (never by trust in `total_compressed_size`,
/// which PARQUET-816 files get wrong). Decompression and level buffers are reused from
/// page to page.
struct ColumnChunkReader {
    let file: UnsafeRawBufferPointer
    /// Where the footer starts: no page may reach past it.
    let dataEnd: Int
    let metadata: ColumnMetaData
    let descriptor: ColumnDescriptor
    /// Counts the data pages skipped unread, when given.
    var skippedPages: PageCounter? = nil
    let verifyChecksums: Bool

    /// The largest uncompressed page accepted (a corrupt header must not cause a giant allocation).
    static let maximumPageSize = 1 << 30
    /// The most level entries one page may hold (writers cut pages at tens of thousands).
    static let maximumPageEntries = 1 << 26

    var column: String { descriptor.dottedPath }

    /// Calls `visit` for every page, in order.
    /// With `dictionaryOnly`, stops after the dictionary page (or at once when the first
    /// page is a data page). A data page for which `skip` (given the page's first entry,
    /// its entry count and its header's statistics) says true is neither decompressed nor
    /// decoded: `visit` sees it as `.skipped`.
    func forEachPage(dictionaryOnly: Bool = false, skip: ((_ first: Int, _ count: Int, _ statistics: Statistics?) -> Bool)? = nil,
                     place: ((_ count: Int, _ encoding: Encoding, _ bytes: Int) -> UnsafeMutableRawBufferPointer?)? = nil,
                     _ visit: (PageContent) throws(ParquetError) -> Void) throws(ParquetError) {
        // Pages of a required, unrepeated column hold nothing but values: a compressed one
        // may decompress straight into the caller's array (one copy fewer).
        let placeable = descriptor.maxDefinitionLevel == 0 && descriptor.maxRepetitionLevel == 0
        let codec = try Codecs.decoder(for: metadata.codec, column: column)
        let start = Int(metadata.chunkStart)
        let wanted = Int(metadata.numValues)
        guard start >= 4, start < dataEnd else {
            if wanted == 0 { return }
            throw ParquetError.corrupt("column '\(column)' starts at byte \(start), outside the file's data (4 ..< \(dataEnd))")
        }
        var buffers = PageBuffers()
        var position = start
        var entries = 0
        var sawDataPage = false, sawDictionary = false
        while entries < wanted {
            guard position < dataEnd else {
                throw ParquetError.corrupt("column '\(column)' ends after \(entries) of its \(wanted) values: its pages run into the footer")
            }
            var reader = ThriftCompactReader(file, from: position, to: dataEnd)
            let header = try PageHeader(thrift: &reader)
            let bodyStart = reader.position
            let bodySize = Int(header.compressedPageSize)
            guard bodySize <= dataEnd - bodyStart else {
                throw ParquetError.corrupt("a page of column '\(column)' at byte \(position) claims \(bodySize) bytes, past the file's data")
            }
            let body = UnsafeRawBufferPointer(rebasing: file[bodyStart..<(bodyStart + bodySize)])
            if verifyChecksums, let crc = header.crc, crc32(body) != UInt32(bitPattern: crc) {
                throw ParquetError(.checksumMismatch, "the CRC of a \(header.pageType.map(String.init(describing:)) ?? "page") of column '\(column)' at byte \(position) does not match its bytes")
            }
            position = bodyStart + bodySize
            if dictionaryOnly && header.pageType != .dictionaryPage { return }
            switch header.pageType {
            case .dictionaryPage?:
                guard !sawDataPage, !sawDictionary else {
                    throw ParquetError.corrupt("column '\(column)' has a dictionary page after its first page")
                }
                sawDictionary = true
                guard let h = header.dictionaryPageHeader else { throw ParquetError.corrupt("a dictionary page of column '\(column)' lacks its header") }
                guard Int(h.numValues) <= Swift.max(Int(header.uncompressedPageSize), 1) * 8 else {
                    throw ParquetError.corrupt("a dictionary page of column '\(column)' claims \(h.numValues) values in \(header.uncompressedPageSize) bytes")
                }
                guard h.encoding == .plain || h.encoding == .plainDictionary else {
                    throw ParquetError(.unsupported, "the dictionary page of column '\(column)' uses encoding \(h.encoding)")
                }
                let raw = try decompress(body, codec: codec, size: Int(header.uncompressedPageSize), into: &buffers)
                try visit(PageContent(kind: .dictionary, encoding: .plain, count: Int(h.numValues), present: Int(h.numValues),
                                      definitionLevels: UnsafeBufferPointer(start: nil, count: 0),
                                      repetitionLevels: UnsafeBufferPointer(start: nil, count: 0), values: raw))
                if dictionaryOnly { return }
            case .dataPage?:
                sawDataPage = true
                guard let h = header.dataPageHeader else { throw ParquetError.corrupt("a data page of column '\(column)' lacks its header") }
                try checkEntries(Int(h.numValues), seen: entries, wanted: wanted)
                if let skip, skip(entries, Int(h.numValues), h.statistics) {
                    skippedPages?.add(1)
                    try visit(.skipped(Int(h.numValues)))
                    entries += Int(h.numValues)
                    continue
                }
                if placeable, let codec, let place, let target = place(Int(h.numValues), h.encoding, Int(header.uncompressedPageSize)) {
                    try checkSize(target.count, compressed: body.count)
                    try codec.decompress(body, into: target)
                    try visit(.placed(Int(h.numValues)))
                    entries += Int(h.numValues)
                    continue
                }
                let raw = try decompress(body, codec: codec, size: Int(header.uncompressedPageSize), into: &buffers)
                try visit(try dataPageV1(raw, header: h, buffers: &buffers))
                entries += Int(h.numValues)
            case .dataPageV2?:
                sawDataPage = true
                guard let h = header.dataPageHeaderV2 else { throw ParquetError.corrupt("a data page v2 of column '\(column)' lacks its header") }
                try checkEntries(Int(h.numValues), seen: entries, wanted: wanted)
                if let skip, skip(entries, Int(h.numValues), h.statistics) {
                    skippedPages?.add(1)
                    try visit(.skipped(Int(h.numValues)))
                    entries += Int(h.numValues)
                    continue
                }
                try visit(try dataPageV2(body, header: h, uncompressedSize: Int(header.uncompressedPageSize), codec: codec, buffers: &buffers))
                entries += Int(h.numValues)
            case .indexPage?, nil:
                continue  // never used in practice; unknown page types are skipped
            }
        }
        guard entries == wanted else {
            throw ParquetError.corrupt("column '\(column)' holds \(entries) values in its pages but \(wanted) in its metadata")
        }
    }

    /// A page's entries must fit the chunk and the page size limit.
    private func checkEntries(_ count: Int, seen: Int, wanted: Int) throws(ParquetError) {
        guard count <= wanted - seen, count <= ColumnChunkReader.maximumPageEntries else {
            throw ParquetError.corrupt("a page of column '\(column)' claims \(count) values; \(wanted - seen) remain in its chunk")
        }
    }

    /// The values of the chunk's dictionary page alone, or nil when it has none.
    func readDictionary() throws(ParquetError) -> LeafValues? {
        var dictionary: LeafValues? = nil
        let physical = descriptor.physicalType, width = descriptor.typeLength, name = column
        try forEachPage(dictionaryOnly: true) { page throws(ParquetError) in
            var values = LeafValues.empty(physical)
            try ValueDecoding.decode(page.values, encoding: .plain, count: page.count, physical: physical,
                                     typeLength: width, dictionary: nil, into: &values, column: name)
            dictionary = values
        }
        return dictionary
    }

    /// Decodes the chunk, appending its levels and values to `data`.
    func read(into data: inout ColumnChunkData) throws(ParquetError) {
        var dictionary: LeafValues? = nil
        let physical = descriptor.physicalType, width = descriptor.typeLength, name = column
        try forEachPage { page throws(ParquetError) in
            switch page.kind {
            case .dictionary:
                var values = LeafValues.empty(physical)
                try ValueDecoding.decode(page.values, encoding: .plain, count: page.count, physical: physical,
                                         typeLength: width, dictionary: nil, into: &values, column: name)
                dictionary = values
            case .skipped, .placed:
                preconditionFailure("read(into:) asks for no page to be skipped or placed")
            case .data:
                if page.definitionLevels.isEmpty && descriptor.maxDefinitionLevel > 0 {
                    data.definitionLevels.append(contentsOf: repeatElement(Int16(descriptor.maxDefinitionLevel), count: page.count))
                } else {
                    data.definitionLevels.append(contentsOf: page.definitionLevels)
                }
                data.repetitionLevels.append(contentsOf: page.repetitionLevels)
                try ValueDecoding.decode(page.values, encoding: page.encoding, count: page.present, physical: physical,
                                         typeLength: width, dictionary: dictionary, into: &data.values, column: name)
                data.entryCount += page.count
            }
        }
    }

    /// The page body, decompressed to exactly `size` bytes (or as stored when uncompressed).
    private func decompress(_ body: UnsafeRawBufferPointer, codec: (any Codec)?, size: Int,
                            into buffers: inout PageBuffers) throws(ParquetError) -> UnsafeRawBufferPointer {
        guard let codec else {
            guard size == body.count else {
                throw ParquetError.corrupt("an uncompressed page of column '\(column)' is \(body.count) bytes but its header says \(size)")
            }
            return body
        }
        try checkSize(size, compressed: body.count)
        let output = buffers.page(size)
        try codec.decompress(body, into: output)
        return UnsafeRawBufferPointer(output)
    }

    private func checkSize(_ size: Int, compressed: Int) throws(ParquetError) {
        guard size <= ColumnChunkReader.maximumPageSize, size <= compressed * 4096 + (1 << 20) else {
            throw ParquetError.corrupt("a page of column '\(column)' claims to decompress to \(size) bytes from \(compressed)")
        }
    }

    private func dataPageV1(_ page: UnsafeRawBufferPointer, header h: DataPageHeader, buffers: inout PageBuffers) throws(ParquetError) -> PageContent {
        let count = Int(h.numValues)
        var offset = 0
        var repetition = UnsafeBufferPointer<Int16>(start: nil, count: 0)
        var definition = UnsafeBufferPointer<Int16>(start: nil, count: 0)
        if descriptor.maxRepetitionLevel > 0 {
            let levels = buffers.repetition(count)
            offset += try LevelDecoding.decode(page, encoding: h.repetitionLevelEncoding, maxLevel: descriptor.maxRepetitionLevel,
                                               count: count, lengthPrefixed: true, into: levels, column: column, kind: "repetition")
            repetition = UnsafeBufferPointer(levels)
        }
        var present = count
        let definitionData = UnsafeRawBufferPointer(rebasing: page[offset...])
        if descriptor.maxDefinitionLevel > 0, h.definitionLevelEncoding == .rle,
           let run = LevelDecoding.uniformRun(definitionData, maxLevel: descriptor.maxDefinitionLevel, count: count, lengthPrefixed: true),
           Int(run.level) == descriptor.maxDefinitionLevel {
            offset += run.consumed
        } else if descriptor.maxDefinitionLevel > 0 {
            let levels = buffers.definition(count)
            offset += try LevelDecoding.decode(definitionData, encoding: h.definitionLevelEncoding,
                                               maxLevel: descriptor.maxDefinitionLevel, count: count, lengthPrefixed: true,
                                               into: levels, column: column, kind: "definition")
            definition = UnsafeBufferPointer(levels)
            present = countPresent(definition)
        }
        return PageContent(kind: .data, encoding: h.encoding, count: count, present: present, definitionLevels: definition,
                           repetitionLevels: repetition, values: UnsafeRawBufferPointer(rebasing: page[offset...]))
    }

    private func dataPageV2(_ body: UnsafeRawBufferPointer, header h: DataPageHeaderV2, uncompressedSize: Int,
                            codec: (any Codec)?, buffers: inout PageBuffers) throws(ParquetError) -> PageContent {
        let count = Int(h.numValues)
        let repLength = Int(h.repetitionLevelsByteLength), defLength = Int(h.definitionLevelsByteLength)
        guard repLength + defLength <= body.count, repLength + defLength <= uncompressedSize else {
            throw ParquetError.corrupt("a data page v2 of column '\(column)' has level lengths longer than the page")
        }
        var repetition = UnsafeBufferPointer<Int16>(start: nil, count: 0)
        var definition = UnsafeBufferPointer<Int16>(start: nil, count: 0)
        if descriptor.maxRepetitionLevel > 0 {
            let levels = buffers.repetition(count)
            _ = try LevelDecoding.decode(UnsafeRawBufferPointer(rebasing: body[0..<repLength]), encoding: .rle,
                                         maxLevel: descriptor.maxRepetitionLevel, count: count, lengthPrefixed: false,
                                         into: levels, column: column, kind: "repetition")
            repetition = UnsafeBufferPointer(levels)
        }
        var present = count
        let definitionData = UnsafeRawBufferPointer(rebasing: body[repLength..<(repLength + defLength)])
        if descriptor.maxDefinitionLevel > 0,
           let run = LevelDecoding.uniformRun(definitionData, maxLevel: descriptor.maxDefinitionLevel, count: count, lengthPrefixed: false),
           Int(run.level) == descriptor.maxDefinitionLevel {
            // Every entry present: no levels to decode.
        } else if descriptor.maxDefinitionLevel > 0 {
            let levels = buffers.definition(count)
            _ = try LevelDecoding.decode(definitionData, encoding: .rle,
                                         maxLevel: descriptor.maxDefinitionLevel, count: count, lengthPrefixed: false,
                                         into: levels, column: column, kind: "definition")
            definition = UnsafeBufferPointer(levels)
            present = countPresent(definition)
        }
        let stored = UnsafeRawBufferPointer(rebasing: body[(repLength + defLength)...])
        let valuesSize = uncompressedSize - repLength - defLength
        var values = stored
        if let codec, h.isCompressed, !stored.isEmpty {
            try checkSize(valuesSize, compressed: stored.count)
            let output = buffers.page(valuesSize)
            try codec.decompress(stored, into: output)
            values = UnsafeRawBufferPointer(output)
        }
        return PageContent(kind: .data, encoding: h.encoding, count: count, present: present, definitionLevels: definition,
                           repetitionLevels: repetition, values: values)
    }

    private func countPresent(_ levels: UnsafeBufferPointer<Int16>) -> Int {
        let maximum = Int16(descriptor.maxDefinitionLevel)
        var present = 0
        for level in levels where level == maximum { present &+= 1 }
        return present
    }
}

/// Buffers reused from page to page: the decompressed page and the two level arrays,
/// freed when the value ends (it cannot be copied, so no copy can free them twice).
struct PageBuffers: ~Copyable {
    private var pageBuffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var definitionBuffer = UnsafeMutableBufferPointer<Int16>(start: nil, count: 0)
    private var repetitionBuffer = UnsafeMutableBufferPointer<Int16>(start: nil, count: 0)

    /// A page buffer of exactly `size` bytes (grown when needed).
    mutating func page(_ size: Int) -> UnsafeMutableRawBufferPointer {
        if pageBuffer.count < size {
            pageBuffer.deallocate()
            pageBuffer = .allocate(byteCount: Swift.max(size, 1), alignment: 16)
        }
        return UnsafeMutableRawBufferPointer(rebasing: pageBuffer[0..<size])
    }

    mutating func definition(_ count: Int) -> UnsafeMutableBufferPointer<Int16> {
        PageBuffers.grow(&definitionBuffer, count)
    }

    mutating func repetition(_ count: Int) -> UnsafeMutableBufferPointer<Int16> {
        PageBuffers.grow(&repetitionBuffer, count)
    }

    private static func grow(_ buffer: inout UnsafeMutableBufferPointer<Int16>, _ count: Int) -> UnsafeMutableBufferPointer<Int16> {
        if buffer.count < count {
            buffer.deallocate()
            buffer = .allocate(capacity: Swift.max(count, 1))
        }
        return UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
    }

    deinit {
        pageBuffer.deallocate()
        definitionBuffer.deallocate()
        repetitionBuffer.deallocate()
    }
}
