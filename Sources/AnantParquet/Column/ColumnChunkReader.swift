/// Reads one column chunk page by page: dictionary page, data pages v1 and v2,
/// decompression, optional CRC checks, levels and values.
///
/// Pages are read from the chunk's first page until the chunk's level count is reached,
/// bounded by the end of the file's data (never by trust in `total_compressed_size`,
/// which PARQUET-816 files get wrong).
struct ColumnChunkReader {
    let file: UnsafeRawBufferPointer
    /// Where the footer starts: no page may reach past it.
    let dataEnd: Int
    let metadata: ColumnMetaData
    let descriptor: ColumnDescriptor
    let verifyChecksums: Bool

    /// The largest uncompressed page accepted (a corrupt header must not cause a giant allocation).
    static let maximumPageSize = 1 << 30

    private var column: String { descriptor.dottedPath }

    func read(into data: inout ColumnChunkData) throws(ParquetError) {
        let codec = try Codecs.decoder(for: metadata.codec, column: column)
        let start = Int(metadata.chunkStart)
        guard start >= 4, start < dataEnd else {
            if metadata.numValues == 0 { return }
            throw ParquetError.corrupt("column '\(column)' starts at byte \(start), outside the file's data (4 ..< \(dataEnd))")
        }
        let wanted = Int(metadata.numValues)
        var position = start
        var entries = 0
        var dictionary: LeafValues? = nil
        var sawDataPage = false
        var scratch = [UInt8]()
        if descriptor.maxDefinitionLevel > 0 { data.definitionLevels.reserveCapacity(data.definitionLevels.count + Swift.min(wanted, 1 << 22)) }
        if descriptor.maxRepetitionLevel > 0 { data.repetitionLevels.reserveCapacity(data.repetitionLevels.count + Swift.min(wanted, 1 << 22)) }
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
            switch header.pageType {
            case .dictionaryPage?:
                guard !sawDataPage, dictionary == nil else {
                    throw ParquetError.corrupt("column '\(column)' has a dictionary page after its first page")
                }
                guard let h = header.dictionaryPageHeader else { throw ParquetError.corrupt("a dictionary page of column '\(column)' lacks its header") }
                guard h.encoding == .plain || h.encoding == .plainDictionary else {
                    throw ParquetError(.unsupported, "the dictionary page of column '\(column)' uses encoding \(h.encoding)")
                }
                let raw = try decompress(body, codec: codec, size: Int(header.uncompressedPageSize), scratch: &scratch)
                var values = LeafValues.empty(descriptor.physicalType)
                try rethrowingParquetErrors {
                    try raw.withUnsafeBytes { bytes in
                        try ValueDecoding.decode(bytes, encoding: .plain, count: Int(h.numValues), physical: descriptor.physicalType,
                                                 typeLength: descriptor.typeLength, dictionary: nil, into: &values, column: column)
                    }
                }
                dictionary = values
            case .dataPage?:
                sawDataPage = true
                guard let h = header.dataPageHeader else { throw ParquetError.corrupt("a data page of column '\(column)' lacks its header") }
                let raw = try decompress(body, codec: codec, size: Int(header.uncompressedPageSize), scratch: &scratch)
                try rethrowingParquetErrors {
                    try raw.withUnsafeBytes { bytes in try readDataPageV1(bytes, header: h, dictionary: dictionary, into: &data) }
                }
                entries += Int(h.numValues)
            case .dataPageV2?:
                sawDataPage = true
                guard let h = header.dataPageHeaderV2 else { throw ParquetError.corrupt("a data page v2 of column '\(column)' lacks its header") }
                try readDataPageV2(body, header: h, uncompressedSize: Int(header.uncompressedPageSize), codec: codec,
                                   dictionary: dictionary, scratch: &scratch, into: &data)
                entries += Int(h.numValues)
            case .indexPage?, nil:
                continue  // never used in practice; unknown page types are skipped
            }
        }
        guard entries == wanted else {
            throw ParquetError.corrupt("column '\(column)' holds \(entries) values in its pages but \(wanted) in its metadata")
        }
        data.entryCount += entries
    }

    /// The page body, decompressed to exactly `size` bytes (or as stored when uncompressed).
    private func decompress(_ body: UnsafeRawBufferPointer, codec: (any Codec)?, size: Int, scratch: inout [UInt8]) throws(ParquetError) -> [UInt8] {
        guard let codec else {
            guard size == body.count else {
                throw ParquetError.corrupt("an uncompressed page of column '\(column)' is \(body.count) bytes but its header says \(size)")
            }
            return Array(body)
        }
        try checkSize(size, compressed: body.count)
        var output = [UInt8](repeating: 0, count: size)
        try rethrowingParquetErrors { try output.withUnsafeMutableBytes { out in try codec.decompress(body, into: out) } }
        return output
    }

    private func checkSize(_ size: Int, compressed: Int) throws(ParquetError) {
        guard size <= ColumnChunkReader.maximumPageSize, size <= compressed * 4096 + (1 << 20) else {
            throw ParquetError.corrupt("a page of column '\(column)' claims to decompress to \(size) bytes from \(compressed)")
        }
    }

    private func readDataPageV1(_ page: UnsafeRawBufferPointer, header h: DataPageHeader, dictionary: LeafValues?,
                                into data: inout ColumnChunkData) throws(ParquetError) {
        let count = Int(h.numValues)
        var offset = 0
        if descriptor.maxRepetitionLevel > 0 {
            offset += try LevelDecoding.decode(page, encoding: h.repetitionLevelEncoding, maxLevel: descriptor.maxRepetitionLevel,
                                               count: count, lengthPrefixed: true, into: &data.repetitionLevels,
                                               column: column, kind: "repetition")
        }
        let present: Int
        if descriptor.maxDefinitionLevel > 0 {
            let before = data.definitionLevels.count
            offset += try LevelDecoding.decode(UnsafeRawBufferPointer(rebasing: page[offset...]), encoding: h.definitionLevelEncoding,
                                               maxLevel: descriptor.maxDefinitionLevel, count: count, lengthPrefixed: true,
                                               into: &data.definitionLevels, column: column, kind: "definition")
            present = countPresent(data.definitionLevels, from: before)
        } else {
            present = count
        }
        try ValueDecoding.decode(UnsafeRawBufferPointer(rebasing: page[offset...]), encoding: h.encoding, count: present,
                                 physical: descriptor.physicalType, typeLength: descriptor.typeLength, dictionary: dictionary,
                                 into: &data.values, column: column)
    }

    private func readDataPageV2(_ body: UnsafeRawBufferPointer, header h: DataPageHeaderV2, uncompressedSize: Int,
                                codec: (any Codec)?, dictionary: LeafValues?, scratch: inout [UInt8],
                                into data: inout ColumnChunkData) throws(ParquetError) {
        let count = Int(h.numValues)
        let repLength = Int(h.repetitionLevelsByteLength), defLength = Int(h.definitionLevelsByteLength)
        guard repLength + defLength <= body.count, repLength + defLength <= uncompressedSize else {
            throw ParquetError.corrupt("a data page v2 of column '\(column)' has level lengths longer than the page")
        }
        if descriptor.maxRepetitionLevel > 0 {
            _ = try LevelDecoding.decode(UnsafeRawBufferPointer(rebasing: body[0..<repLength]), encoding: .rle,
                                         maxLevel: descriptor.maxRepetitionLevel, count: count, lengthPrefixed: false,
                                         into: &data.repetitionLevels, column: column, kind: "repetition")
        }
        let present: Int
        if descriptor.maxDefinitionLevel > 0 {
            let before = data.definitionLevels.count
            _ = try LevelDecoding.decode(UnsafeRawBufferPointer(rebasing: body[repLength..<(repLength + defLength)]), encoding: .rle,
                                         maxLevel: descriptor.maxDefinitionLevel, count: count, lengthPrefixed: false,
                                         into: &data.definitionLevels, column: column, kind: "definition")
            present = countPresent(data.definitionLevels, from: before)
        } else {
            present = count
        }
        let stored = UnsafeRawBufferPointer(rebasing: body[(repLength + defLength)...])
        let valuesSize = uncompressedSize - repLength - defLength
        let values: [UInt8]
        if let codec, h.isCompressed, !stored.isEmpty {
            try checkSize(valuesSize, compressed: stored.count)
            var output = [UInt8](repeating: 0, count: valuesSize)
            try rethrowingParquetErrors { try output.withUnsafeMutableBytes { out in try codec.decompress(stored, into: out) } }
            values = output
        } else {
            values = Array(stored)
        }
        try rethrowingParquetErrors {
            try values.withUnsafeBytes { bytes in
                try ValueDecoding.decode(bytes, encoding: h.encoding, count: present, physical: descriptor.physicalType,
                                         typeLength: descriptor.typeLength, dictionary: dictionary, into: &data.values, column: column)
            }
        }
    }

    private func countPresent(_ levels: [Int16], from start: Int) -> Int {
        let maximum = Int16(descriptor.maxDefinitionLevel)
        var present = 0
        levels.withUnsafeBufferPointer { l in
            for i in start..<l.count where l[i] == maximum { present += 1 }
        }
        return present
    }
}
