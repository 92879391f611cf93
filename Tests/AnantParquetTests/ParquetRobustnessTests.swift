import AnantColumnar
import AnantParquet
import AnantTestSupport
import Foundation
import Testing

/// Mutated files never crash, hang or exhaust memory: seeded bit flips, byte
/// overwrites, random 32-bit lengths, truncations and cut ranges of valid files, each
/// read in full (footer, every column, digest, columnar read and a filtered read). An error is the only
/// acceptable failure.
@Suite struct ParquetRobustnessTests {
    static let sources = [
        "data/alltypes_plain.parquet", "data/alltypes_plain.snappy.parquet", "data/datapage_v2.snappy.parquet",
        "data/delta_binary_packed.parquet", "data/delta_byte_array.parquet", "data/delta_length_byte_array.parquet",
        "data/nested_lists.snappy.parquet", "data/nested_maps.snappy.parquet", "data/byte_stream_split.zstd.parquet",
        "data/rle_boolean_encoding.parquet", "data/nonnullable.impala.parquet", "data/fixed_length_decimal.parquet",
        "data/float16_nonzeros_and_nans.parquet", "data/int32_with_null_pages.parquet", "data/lz4_raw_compressed.parquet",
        "data/hadoop_lz4_compressed.parquet", "generated/pyarrow_flat_gzip.parquet", "generated/polars_default.parquet",
        "data/plain-dict-uncompressed-checksum.parquet", "data/repeated_primitive_no_list.parquet",
    ]

    /// Cases per source file (20 sources and a file Anant writes: 25,200 cases per run).
    static let casesPerSource = 1200

    @Test(.timeLimit(.minutes(10)), arguments: Array(sources.enumerated()) + [(sources.count, "anant")])
    func mutatedFilesNeverCrash(index: Int, path: String) throws {
        // "anant": a file Anant writes, with many small pages carrying statistics.
        let original = path == "anant" ? try Self.anantFile() : try TestData.bytes(TestData.fixture("parquet-testing/\(path)"))
        var rng = SeededGenerator(seed: UInt64(index) &* 0x9E37_79B9 &+ 17)
        let footerStart = max(4, original.count - 8 - Int(original.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: original.count - 8, as: UInt32.self) }))
        var errors = 0, reads = 0, foreign = [String]()
        for _ in 0..<Self.casesPerSource {
            let mutated = Self.mutate(original, footerStart: footerStart, using: &rng)
            do {
                let reader = try ParquetFileReader(source: MemoryByteSource(mutated), options: ParquetReadOptions(verifyChecksums: Bool.random(using: &rng)))
                _ = try ParquetDigest(reader)
                _ = try reader.readTable()
                // A filtered read: page statistics, pages skipped, only matching rows decoded.
                let numeric = reader.columnarSchema.fields.filter { [.int32, .int64, .double].contains($0.type) }
                if let field = numeric.randomElement(using: &rng) {
                    let literal = ScalarValue.int(Int64.random(in: -3...3, using: &rng))
                    _ = try reader.readTable(where: Bool.random(using: &rng) ? .compare(column: field.name, .less, literal)
                                                 : .and(.compare(column: field.name, .greater, literal), .isNotNull(column: field.name)))
                }
                reads += 1
            } catch let error as ParquetError {
                // A refusal says what is wrong.
                if error.message.isEmpty { foreign.append("a \(error.code) error without a message") }
                errors += 1
            } catch {
                foreign.append("\(type(of: error)): \(error)")
            }
        }
        // Only ParquetErrors, and both outcomes occur: mutations that break the file and
        // ones it survives (a flipped bit in a value).
        #expect(foreign.isEmpty, "\(path): errors other than ParquetError: \(foreign.prefix(3))")
        #expect(errors > 0, "\(path): no mutation was refused")
        #expect(reads > 0, "\(path): every mutation was refused")
    }

    static func anantFile() throws -> [UInt8] {
        let batch = try ParquetWriterTests.sampleBatch(rows: 3000, seed: 4)
        let sorted = try RecordBatch(schema: Schema(batch.schema.fields + [Field("seq", .int64)]),
                                     columns: batch.columns + [.int64(Int64Column((0..<3000).map { Int64($0 - 1500) }))])
        let writer = try ParquetFileWriter(schema: sorted.schema, options: ParquetWriteOptions(compression: .snappy, rowGroupRows: 1000, pageBytes: 512))
        try writer.write(sorted)
        try writer.close()
        return writer.bytes
    }

    /// One random corruption; half of them aim at the footer, where the parsing logic is.
    static func mutate(_ bytes: [UInt8], footerStart: Int, using rng: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        let inFooter = Bool.random(using: &rng) && footerStart < bytes.count - 8
        func position() -> Int {
            inFooter ? Int.random(in: footerStart..<(bytes.count - 8), using: &rng) : Int.random(in: 0..<out.count, using: &rng)
        }
        switch Int.random(in: 0..<6, using: &rng) {
        case 0:
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let p = position()
                out[p] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            }
        case 1:
            out[position()] = UInt8.random(in: 0...255, using: &rng)
        case 2:
            // A random 32-bit value where a length or count may sit.
            let p = min(position(), out.count - 4)
            var value = [UInt32.random(in: 0...UInt32.max, using: &rng), UInt32.random(in: 0...64, using: &rng),
                         UInt32(bitPattern: Int32.random(in: -100...0, using: &rng))][Int.random(in: 0..<3, using: &rng)]
            withUnsafeBytes(of: &value) { for k in 0..<4 { out[p + k] = $0[k] } }
        case 3:
            out.removeLast(Int.random(in: 1..<out.count, using: &rng))
        case 4:
            let a = position(), b = min(out.count, a + Int.random(in: 1...16, using: &rng))
            out.removeSubrange(a..<b)
        default:
            // A varint-looking run: long continuation bytes.
            let p = position()
            for k in 0..<min(Int.random(in: 1...12, using: &rng), out.count - p) { out[p + k] = 0xFF }
        }
        return out
    }
}
