import AnantColumnar
import AnantParquet
import AnantTestSupport
import Foundation
import Testing

/// Files Anant writes read back to the same columns: every codec, dictionary and plain,
/// nullable and required columns of every type, several row groups and pages.
@Suite struct ParquetWriterTests {
    /// A reader of `batch` written with `options` into memory.
    static func inMemory(_ batch: RecordBatch, _ options: ParquetWriteOptions) throws -> ParquetFileReader {
        let writer = try ParquetFileWriter(schema: batch.schema, options: options)
        try writer.write(batch)
        try writer.close()
        return try ParquetFileReader(source: MemoryByteSource(writer.bytes))
    }

    static func sampleBatch(rows: Int, seed: UInt64) throws -> RecordBatch {
        var rng = SeededGenerator(seed: seed)
        func maybe<T>(_ value: T) -> T? { Int.random(in: 0..<10, using: &rng) == 0 ? nil : value }
        let ints = (0..<rows).map { _ in Int64.random(in: -1000...1000, using: &rng) }
        let small = (0..<rows).map { _ in maybe(Int32.random(in: -50...50, using: &rng)) }
        let doubles = (0..<rows).map { _ -> Double? in
            let roll = Int.random(in: 0..<100, using: &rng)
            return roll == 0 ? nil : roll == 1 ? .nan : roll == 2 ? -0.0 : roll == 3 ? .infinity : Double.random(in: -1...1, using: &rng)
        }
        let flags = (0..<rows).map { _ in maybe(Bool.random(using: &rng)) }
        let labels = (0..<rows).map { _ in maybe(["α", "b,c", "", "long-\(Int.random(in: 0..<5000, using: &rng))", "😀"][Int.random(in: 0..<5, using: &rng)]) }
        let json = (0..<rows).map { i in maybe("{\"k\":\(i)}") }
        return try RecordBatch(schema: Schema([
            Field("id", .int64, nullable: false), Field("small", .int32), Field("weight", .double), Field("flag", .bool),
            Field("label", .string), Field("doc", .json),
        ]), columns: [
            .int64(Int64Column(ints)), .int32(Int32Column(optionals: small)), .double(DoubleColumn(optionals: doubles)),
            .bool(BoolColumn(optionals: flags)), .string(StringColumn(optionals: labels)), .json(StringColumn(optionals: json)),
        ])
    }

    /// Columns shaped to draw each encoding the writer chooses: sorted ids (delta), a
    /// sorted int32 with nulls (delta), random doubles (BYTE_STREAM_SPLIT under a codec),
    /// a few repeated doubles (dictionary), random 64-bit hashes (PLAIN), repeated labels
    /// (dictionary) and unique labels (PLAIN).
    static func encodingBatch(rows: Int, seed: UInt64) throws -> RecordBatch {
        var rng = SeededGenerator(seed: seed)
        let ids: [Int64] = (0..<rows).map { Int64($0 / 3) * 1_000_003 - 4_000_000_000 }
        let years: [Int32?] = (0..<rows).map { (i: Int) -> Int32? in
            let year = Int32(1900 + i / 7)
            return i % 11 == 0 ? nil : year
        }
        let noise: [Double] = (0..<rows).map { _ in Double.random(in: 0..<1, using: &rng) }
        let levelChoices: [Double] = [0.5, -0.0, 2.25, .nan]
        let levels: [Double] = (0..<rows).map { _ in levelChoices[Int.random(in: 0..<4, using: &rng)] }
        let hashes: [Int64] = (0..<rows).map { _ in Int64.random(in: .min ... .max, using: &rng) }
        let kindChoices = ["paper", "talk", "poster"]
        let kinds: [String] = (0..<rows).map { _ in kindChoices[Int.random(in: 0..<3, using: &rng)] }
        let names: [String] = (0..<rows).map { "name-\($0)-\(UInt32.random(in: 0 ... .max, using: &rng))" }
        return try RecordBatch(schema: Schema([
            Field("id", .int64, nullable: false), Field("year", .int32), Field("noise", .double, nullable: false),
            Field("level", .double, nullable: false), Field("hash", .int64, nullable: false), Field("kind", .string, nullable: false),
            Field("name", .string, nullable: false),
        ]), columns: [
            .int64(Int64Column(ids)), .int32(Int32Column(optionals: years)), .double(DoubleColumn(noise)), .double(DoubleColumn(levels)),
            .int64(Int64Column(hashes)), .string(StringColumn(kinds)), .string(StringColumn(names)),
        ])
    }

    /// Each chunk's encoding is chosen from its values and the codec, and every choice reads
    /// back bit for bit; without the choice, dictionary-then-PLAIN as before.
    @Test(arguments: codecs)
    func encodingsAreChosenPerChunk(codec: ParquetCompression) throws {
        let batch = try Self.encodingBatch(rows: 40_000, seed: 12)
        for choose in [true, false] {
            let reader = try Self.inMemory(batch, ParquetWriteOptions(
                compression: codec, rowGroupRows: 30_000, pageBytes: 16_384, chooseEncodings: choose))
            for group in reader.metadata.rowGroups {
                let encodings = group.columns.map { Set($0.metaData?.encodings ?? []) }
                guard choose else {
                    #expect(encodings.allSatisfy { $0.contains(.rleDictionary) }, "\(codec): dictionary first without the choice")
                    continue
                }
                #expect(encodings[0].contains(.deltaBinaryPacked) && encodings[1].contains(.deltaBinaryPacked), "\(codec): sorted integers")
                #expect(encodings[2].contains(codec == .uncompressed ? .plain : .byteStreamSplit), "\(codec): random doubles \(encodings[2])")
                #expect(!encodings[2].contains(.rleDictionary) && !encodings[4].contains(.rleDictionary) && !encodings[6].contains(.rleDictionary),
                        "\(codec): no dictionary for high-cardinality columns")
                #expect(encodings[3].contains(.rleDictionary) && encodings[5].contains(.rleDictionary), "\(codec): few distinct values")
                #expect(encodings[4] == [.plain, .rle], "\(codec): random hashes \(encodings[4])")
            }
            let back = try reader.readTable()
            for (name, column) in zip(batch.schema.names, batch.columns) {
                let read = try back.column(named: name)
                if case .double(let a) = column, case .double(let b) = read {
                    #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern), "\(name) with \(codec)")
                } else {
                    #expect(read == column, "\(name) with \(codec), choice \(choose)")
                }
            }
        }
    }

    static let codecs: [ParquetCompression] = [.uncompressed, .snappy, .gzip(level: 6), .lz4, .zstd(level: 3)]

    @Test(arguments: codecs, [true, false])
    func roundTrip(codec: ParquetCompression, dictionary: Bool) throws {
        let batch = try Self.sampleBatch(rows: 5000, seed: 3)
        var options = ParquetWriteOptions(compression: codec, rowGroupRows: 1800, pageBytes: 2048, dictionary: dictionary)
        options.pageChecksums = true
        let writer = try ParquetFileWriter(schema: batch.schema, options: options)
        try writer.write(batch.slice(0..<1234))
        try writer.write(batch.slice(1234..<5000))
        try writer.close()
        let reader = try ParquetFileReader(source: MemoryByteSource(writer.bytes), options: ParquetReadOptions(verifyChecksums: true))
        #expect(reader.metadata.rowGroups.count == 3)
        #expect(reader.metadata.rowGroups[0].columns[0].metaData?.codec == codec.codec)
        let back = try reader.readTable()
        #expect(back.rowCount == 5000)
        try Self.expectSameColumns(back, batch, "\(codec), dictionary \(dictionary)")
        #expect(reader.columnarSchema.fields.map(\.nullable) == [false, true, true, true, true, true])
    }

    /// A filtered read decodes the other columns at the matching rows only (dictionary and
    /// PLAIN pages read just those values, pages with nulls are decoded and picked); it
    /// must equal the whole read filtered afterwards, for every column kind.
    @Test(arguments: [ParquetCompression.uncompressed, .zstd(level: 3)], [true, false])
    func filteredReadsDecodeOnlyMatchingRows(codec: ParquetCompression, dictionary: Bool) throws {
        let sample = try Self.sampleBatch(rows: 6000, seed: 9)
        // A sorted column, whose pages' statistics rule most pages out of a range filter.
        let sequence = Int64Column(optionals: (0..<6000).map { $0 % 97 == 5 ? nil : Int64($0) })
        let batch = try RecordBatch(schema: Schema(sample.schema.fields + [Field("seq", .int64)]), columns: sample.columns + [.int64(sequence)])
        let reader = try Self.inMemory(batch, ParquetWriteOptions(compression: codec, rowGroupRows: 2500, pageBytes: 1024, dictionary: dictionary))
        let whole = try reader.readTable()
        for filter in ["id > 900", "id < -990 or id > 995", "weight > 0.5", "small is null", "id = 17", "id >= -1000", "label = 'α'",
                       "seq < 130", "seq >= 2600 and seq < 2710", "seq = 4321", "seq is null", "seq > 5990 or seq < 3", "not seq < 5900"] {
            let predicate = try ParquetPredicate.parse(filter)
            let expected = whole.filter(try predicate.evaluate(whole))
            let skippedBefore = reader.pagesSkipped
            let got = try reader.readTable(where: predicate)
            #expect(got.rowCount == expected.rowCount, "\(filter)")
            // A range of the sorted column leaves most pages compressed (statistics in the
            // page headers for its own pages, no matching row for the other columns').
            if ["seq < 130", "seq >= 2600 and seq < 2710", "seq = 4321"].contains(filter) {
                #expect(reader.pagesSkipped - skippedBefore >= 5, "\(filter): \(reader.pagesSkipped - skippedBefore) pages skipped")
            }
            try Self.expectSameColumns(got, expected, "\(filter), dictionary \(dictionary)")
        }
    }

    @Test func statisticsPruneRowGroups() throws {
        let ids = Int64Column(Array(0..<10_000))
        let batch = try RecordBatch([("id", .int64(ids)), ("name", .string(StringColumn((0..<10_000).map { String(format: "n%05d", $0) })))])
        let reader = try Self.inMemory(batch, ParquetWriteOptions(rowGroupRows: 1000))
        #expect(reader.rowGroups(matching: try .parse("id >= 2500 and id < 3100")) == [2, 3])
        #expect(reader.rowGroups(matching: try .parse("name = 'n09999'")) == [9])
        #expect(reader.rowGroups(matching: try .parse("id < 0")).isEmpty)
        #expect(reader.rowGroups(matching: try .parse("id < 0 or name >= 'n08500'")) == [8, 9])
        let rows = try reader.readTable(columns: ["name"], where: try .parse("id >= 2500 and id < 2503"))
        #expect(rows.schema.names == ["name"])
        #expect(try rows.column(named: "name").scalars == [.string("n02500"), .string("n02501"), .string("n02502")])
    }

    @Test func writesAtomicallyToFiles() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("t.parquet").path
        let batch = try Self.sampleBatch(rows: 100, seed: 1)
        let writer = try ParquetFileWriter(path: path, schema: batch.schema)
        try writer.write(batch)
        #expect(!FileManager.default.fileExists(atPath: path))
        try writer.close()
        #expect(try ParquetFileReader(path: path).rowCount == 100)
        // Only the file itself is left: the temporary name is gone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["t.parquet"])
        let abandoned = try ParquetFileWriter(path: folder.appendingPathComponent("u.parquet").path, schema: batch.schema)
        try abandoned.write(batch)
        _ = abandoned
    }

    /// Filters against the in-memory rows, every column compared. One fixed-width column
    /// tested alone (`weight`, `small`, `id`) takes the page-by-page path, nulls included.
    @Test(arguments: ["weight > 0.5", "(label = 'α' or flag) and id != 3", "not small is null", "`id` <= -999", "small is null",
                      "weight <= 0.25 or weight > 0.75", "small > 10 or small is null", "weight > 2"])
    func filtersMatchARowByRowCheck(_ text: String) throws {
        let batch = try Self.sampleBatch(rows: 3000, seed: 9)
        let predicate = try ParquetPredicate.parse(text)
        let filtered = try Self.inMemory(batch, ParquetWriteOptions(rowGroupRows: 700)).readTable(where: predicate)
        let expected = try predicate.evaluate(batch)
        #expect(filtered.rowCount == expected.setCount)
        try Self.expectSameColumns(filtered, batch.filter(expected), text)
    }

    /// Every column of `read` equals the same-named column of `expected`; doubles by bit
    /// pattern (NaN never equals itself).
    static func expectSameColumns(_ read: RecordBatch, _ expected: RecordBatch, _ note: String) throws {
        #expect(read.schema.names == expected.schema.names, "\(note)")
        for (name, column) in zip(expected.schema.names, expected.columns) {
            let back = try read.column(named: name)
            if case .double(let a) = column, case .double(let b) = back {
                #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern) && Bitmap.equalValidity(a.validity, b.validity), "\(name): \(note)")
            } else {
                #expect(back == column, "\(name): \(note)")
            }
        }
    }

    @Test func streamingBatchesMatchTheWholeTableRead() throws {
        let batch = try Self.sampleBatch(rows: 3000, seed: 12)
        let reader = try Self.inMemory(batch, ParquetWriteOptions(rowGroupRows: 700))
        for filter in [nil, "small > 10 and label is not null"] {
            let predicate = try filter.map { try ParquetPredicate.parse($0) }
            var stream = try reader.batches(columns: ["label", "id"], where: predicate)
            var parts = [RecordBatch]()
            while let part = try stream.next() {
                #expect(part.rowCount <= 700)
                #expect(part.schema == stream.schema)
                parts.append(part)
            }
            #expect(parts.count == 5)
            let whole = try reader.readTable(columns: ["label", "id"], where: predicate)
            #expect(RecordBatch.concatenating(parts) == whole)
            #expect(whole.rowCount == (predicate == nil ? 3000 : try predicate!.evaluate(batch).setCount))
        }
    }

    /// A filter comparing a column with a literal of another type is refused, on the
    /// page-by-page path (one fixed-width column) as on the general one.
    @Test(arguments: ["weight > 'abc'", "id = 'x' and small > 1", "small < 'y'"])
    func refusesFiltersOfTheWrongType(_ text: String) throws {
        let batch = try Self.sampleBatch(rows: 300, seed: 4)
        let reader = try Self.inMemory(batch, ParquetWriteOptions(rowGroupRows: 100))
        let predicate = try ParquetPredicate.parse(text)
        #expect(throws: ParquetError.self) { try reader.readTable(where: predicate) }
    }

    @Test(arguments: ["weight >", "id = 'unterminated", "id ~ 3", "(id = 1", ""])
    func refusesMalformedFilters(_ text: String) {
        #expect(throws: ParquetError.self) { try ParquetPredicate.parse(text) }
    }
}

extension Bitmap {
    static func equalValidity(_ a: Bitmap?, _ b: Bitmap?) -> Bool {
        let n = a?.count ?? b?.count ?? 0
        return (0..<n).allSatisfy { (a?[$0] ?? true) == (b?[$0] ?? true) }
    }
}
