import AnantColumnar
import AnantParquet
import AnantTestSupport
import Foundation
import Testing

/// The developer set of `parquet-testing/`: every readable file gives exactly the digest
/// pyarrow's oracle recorded (`expected/<path>.json`); every file to reject is refused with
/// a clear error.
@Suite struct ParquetTestingCorpusTests {
    static let root = TestData.fixture("parquet-testing")

    /// Files whose expected values exist and that must read.
    static let readable: [String] = {
        let expected = root.appendingPathComponent("expected")
        guard let walker = FileManager.default.enumerator(at: expected, includingPropertiesForKeys: nil) else { return [] }
        var paths = [String]()
        for case let url as URL in walker where url.pathExtension == "json" {
            let relative = String(url.path.dropFirst(expected.path.count + 1).dropLast(5))
            if ParquetTestingCorpusTests.rejections[relative] != nil { continue }
            paths.append(relative)
        }
        return paths.sorted()
    }()

    /// Files that must be refused, and what the error must mention.
    static let rejections: [String: (ParquetError.Code, String)] = [
        "bad_data/PARQUET-1481.parquet": (.corrupt, "physical type"),
        "bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet": (.corrupt, "negative"),
        "bad_data/ARROW-GH-45185.parquet": (.corrupt, "repetition level 1"),
        "data/uniform_encryption.parquet.encrypted": (.encrypted, "encrypted"),
        "data/encrypt_columns_plaintext_footer.parquet.encrypted": (.encrypted, "encrypted column"),
        "generated/pyarrow_flat_brotli.parquet": (.unsupported, "unsupported codec BROTLI"),
    ]

    static func expected(_ path: String) throws -> JSONObject {
        let url = root.appendingPathComponent("expected/\(path).json")
        return try #require(try JSONParser.parse(TestData.bytes(url)).objectValue)
    }

    /// The corpus is there: without it the parameterised tests below would run no case.
    @Test func theCorpusIsPresent() throws {
        #expect(Self.readable.count >= 40, "only \(Self.readable.count) expected digests under \(Self.root.path)/expected")
        for path in Self.rejections.keys {
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(path).path), "missing \(path)")
        }
    }

    @Test(arguments: readable)
    func digestMatchesTheOracle(_ path: String) throws {
        let expected = try Self.expected(path)
        let reader = try ParquetFileReader(path: Self.root.appendingPathComponent(path).path)
        let digest = try ParquetDigest(reader)
        #expect(digest.rowCount == expected["num_rows_sum_row_groups"].flatMap { if case .int(let n) = $0 { return n } else { return nil } })
        let columns = try #require(expected["values"]?.objectValue?["columns"]?.arrayValue)
        #expect(digest.columns.count == columns.count)
        for (ours, theirs) in zip(digest.columns, columns) {
            let want = try #require(theirs.objectValue)
            #expect(ours.name == want["name"]?.stringValue)
            #expect(ours.sha256 == want["sha256"]?.stringValue, "\(path): column \(ours.name)")
            #expect(.int(Int64(ours.nulls)) == want["nulls"], "\(path): nulls of \(ours.name)")
        }
    }

    @Test(arguments: Array(rejections.keys).sorted())
    func refusedWithAClearError(_ path: String) throws {
        let (code, mention) = Self.rejections[path]!
        let error = #expect(throws: ParquetError.self) {
            let reader = try ParquetFileReader(path: Self.root.appendingPathComponent(path).path)
            _ = try ParquetDigest(reader)
        }
        #expect(error?.code == code, "\(path): \(error?.message ?? "")")
        #expect(error?.message.contains(mention) == true, "\(path): \(error?.message ?? "")")
    }
}
