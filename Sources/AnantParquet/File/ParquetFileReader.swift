import AnantColumnar

import Synchronization
/// Options for reading.
public struct ParquetReadOptions: Sendable {
    /// Check every page's CRC, when the page has one (off by default, as in pyarrow).
    public var verifyChecksums: Bool
    /// The threads whole-file and multi-column reads use (row groups or columns in
    /// parallel).
    public var context: ExecutionContext

    public init(verifyChecksums: Bool = false, context: ExecutionContext = .default) {
        self.verifyChecksums = verifyChecksums
        self.context = context
    }
}

/// Reads a Parquet file: its footer, schema and column chunks.
///
/// Opening checks the magic bytes, the footer length and the footer's consistency with
/// the schema; it refuses encrypted footers and files whose data lives in other files.
/// Column chunks of plaintext-footer encrypted files can be listed but not read.
public struct ParquetFileReader: Sendable {
    public let source: any ParquetByteSource
    public let metadata: FileMetaData
    public let schema: ParquetSchema
    public let options: ParquetReadOptions
    /// Byte offset where the footer starts (pages must end before it).
    public let footerStart: Int
    /// Data pages that filtered reads left compressed, shared by copies of this reader.
    let skippedPages = PageCounter()

    /// How many data pages filtered reads through this reader have not even decompressed:
    /// their header statistics ruled the filter out, or no matching row fell in them.
    public var pagesSkipped: Int { skippedPages.value }

    /// The same for this reader and its copies, different for every reader opened.
    public var identity: ObjectIdentifier { ObjectIdentifier(skippedPages) }

    /// Opens the file at `path` (memory-mapped).
    public init(path: String, options: ParquetReadOptions = ParquetReadOptions()) throws(ParquetError) {
        try self.init(source: MappedFileSource(path: path), options: options)
    }

    /// Opens a file from its bytes.
    public init(source: any ParquetByteSource, options: ParquetReadOptions = ParquetReadOptions()) throws(ParquetError) {
        self.source = source
        self.options = options
        let (metadata, footerStart) = try rethrowingParquetErrors {
            try source.withBytes { bytes in try ParquetFileReader.footer(bytes) }
        }
        self.metadata = metadata
        self.footerStart = footerStart
        self.schema = try ParquetSchema(elements: metadata.schema)
        try ParquetFileReader.check(metadata, schema: schema, size: source.count)
    }

    /// The number of rows (the sum over row groups; the footer's total may be wrong).
    public var rowCount: Int64 { metadata.rowGroups.reduce(0) { $0 + $1.numRows } }

    private static func footer(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) -> (FileMetaData, Int) {
        let size = bytes.count
        guard size >= 12 else {
            throw ParquetError(.notParquet, "not a Parquet file: \(size) bytes is shorter than the 12 bytes of magic and footer length")
        }
        let head = Array(bytes[0..<4]), tail = Array(bytes[(size - 4)..<size])
        if tail == Array("PARE".utf8) {
            throw ParquetError(.encrypted, "the file is encrypted (Parquet Modular Encryption, encrypted footer 'PARE'); Anant cannot read it without keys")
        }
        guard head == Array("PAR1".utf8), tail == Array("PAR1".utf8) else {
            throw ParquetError(.notParquet, "not a Parquet file: it does not start and end with the magic bytes 'PAR1'")
        }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: size - 8, as: UInt32.self)))
        guard length <= size - 12 else {
            throw ParquetError.corrupt("the footer claims \(length) bytes but the file holds only \(size - 12) besides the magic")
        }
        let start = size - 8 - length
        var reader = ThriftCompactReader(bytes, from: start, to: size - 8)
        let metadata = try FileMetaData(thrift: &reader)
        return (metadata, start)
    }

    private static func check(_ metadata: FileMetaData, schema: ParquetSchema, size: Int) throws(ParquetError) {
        // Counts beyond what the bytes could plausibly hold (even all-null or constant
        // columns need a few bytes per tens of thousands of rows) mean corruption, and must
        // not drive allocations.
        let plausible = Int64(Swift.max(1 << 20, size)) << 16
        var total: Int64 = 0
        for (g, group) in metadata.rowGroups.enumerated() {
            total += group.numRows
            guard group.numRows <= plausible, total <= plausible, total < Int64(Int32.max) * 64 else {
                throw ParquetError.corrupt("row group \(g) claims \(group.numRows) rows, more than a \(size)-byte file can hold")
            }
            for chunk in group.columns {
                if let values = chunk.metaData?.numValues, values > plausible {
                    throw ParquetError.corrupt("a column chunk of row group \(g) claims \(values) values, more than a \(size)-byte file can hold")
                }
            }
            guard group.columns.count == schema.columns.count else {
                throw ParquetError.corrupt("row group \(g) has \(group.columns.count) column chunks but the schema has \(schema.columns.count) leaves")
            }
            for (chunk, leaf) in zip(group.columns, schema.columns) {
                if leaf.maxRepetitionLevel == 0, let values = chunk.metaData?.numValues, values != group.numRows {
                    throw ParquetError.corrupt("column '\(leaf.dottedPath)' of row group \(g) holds \(values) values for \(group.numRows) rows")
                }
                if let path = chunk.filePath {
                    throw ParquetError(.unsupported, "column '\(leaf.dottedPath)' keeps its data in another file ('\(path)'); open the data files instead")
                }
                guard let meta = chunk.metaData else {
                    if chunk.isEncrypted { continue }
                    throw ParquetError.corrupt("column '\(leaf.dottedPath)' of row group \(g) has no metadata")
                }
                guard meta.type == leaf.physicalType else {
                    throw ParquetError.corrupt("column '\(leaf.dottedPath)' is \(leaf.physicalType) in the schema but \(meta.type) in row group \(g)")
                }
            }
        }
    }

    /// Decodes leaf column `leaf` of row group `rowGroup`, appending to `data`.
    public func readColumn(_ leaf: Int, rowGroup: Int, into data: inout ColumnChunkData) throws(ParquetError) {
        guard leaf >= 0, leaf < schema.columns.count else {
            throw ParquetError(.invalidArgument, "no leaf column \(leaf): the file has \(schema.columns.count)")
        }
        guard rowGroup >= 0, rowGroup < metadata.rowGroups.count else {
            throw ParquetError(.invalidArgument, "no row group \(rowGroup): the file has \(metadata.rowGroups.count)")
        }
        let descriptor = schema.columns[leaf]
        let chunk = metadata.rowGroups[rowGroup].columns[leaf]
        guard let meta = chunk.metaData, !chunk.isEncrypted else {
            throw ParquetError(.encrypted, "column '\(descriptor.dottedPath)' is an encrypted column; Anant cannot read it without keys")
        }
        let footerStart = self.footerStart, verify = options.verifyChecksums
        try rethrowingParquetErrors {
            try source.withBytes { bytes in
                let reader = ColumnChunkReader(file: bytes, dataEnd: footerStart, metadata: meta, descriptor: descriptor,
                                               verifyChecksums: verify)
                try reader.read(into: &data)
            }
        }
        if descriptor.maxRepetitionLevel > 0 {
            try checkRecords(data, rowGroup: rowGroup, descriptor: descriptor)
        }
    }

    /// Decodes leaf column `leaf` of every row group.
    public func readColumn(_ leaf: Int) throws(ParquetError) -> ColumnChunkData {
        guard leaf >= 0, leaf < schema.columns.count else {
            throw ParquetError(.invalidArgument, "no leaf column \(leaf): the file has \(schema.columns.count)")
        }
        var data = ColumnChunkData(physicalType: schema.columns[leaf].physicalType)
        for g in 0..<metadata.rowGroups.count { try readColumn(leaf, rowGroup: g, into: &data) }
        return data
    }

    /// A repeated column's chunk must start a record and hold as many records as its row group.
    private func checkRecords(_ data: ColumnChunkData, rowGroup: Int, descriptor: ColumnDescriptor) throws(ParquetError) {
        let levels = data.repetitionLevels
        let expected = metadata.rowGroups[rowGroup].numRows
        // Only the part appended by this chunk: its entries are the last `numValues`.
        let entries = Int(metadata.rowGroups[rowGroup].columns[descriptor.index].metaData?.numValues ?? 0)
        let start = levels.count - entries
        guard entries == 0 || levels[start] == 0 else {
            throw ParquetError.corrupt("column '\(descriptor.dottedPath)' of row group \(rowGroup) starts with repetition level \(levels[start]); a record must start at level 0")
        }
        var records: Int64 = 0
        for i in start..<levels.count where levels[i] == 0 { records += 1 }
        guard records == expected else {
            throw ParquetError.corrupt("column '\(descriptor.dottedPath)' of row group \(rowGroup) holds \(records) records but the row group has \(expected)")
        }
    }
}

/// A count shared by the tasks of a reader.
final class PageCounter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
}
