import AnantColumnar
import AnantParquet
import AnantTestSupport
import Foundation
import Testing

/// INT96 timestamps outside the 64-bit nanosecond range (before 1677, after 2262) are never
/// silently wrapped: the digest keeps their exact integers (parquet-testing/MANIFEST.md),
/// columnar reads refuse them naming the timestamp. The file is written by pyarrow.
@Suite struct Int96RangeTests {
    static let script = #"""
import datetime, hashlib, sys, pyarrow as pa, pyarrow.parquet as pq
values = [datetime.datetime(9999, 12, 31, 23, 59, 59, 123456), datetime.datetime(1500, 6, 1), None,
          datetime.datetime(2020, 1, 1, 0, 0, 0, 1)]
pq.write_table(pa.table({"ts": pa.array(values, pa.timestamp("us"))}), sys.argv[1], use_deprecated_int96_timestamps=True)
epoch = datetime.datetime(1970, 1, 1)
# The column digest has one line per row: the exact nanoseconds, or null.
exact = [None if v is None else ((v - epoch) // datetime.timedelta(microseconds=1)) * 1000 for v in values]
lines = "".join("null\n" if n is None else f"{n}\n" for n in exact)
print(hashlib.sha256(lines.encode()).hexdigest())
"""#

    @Test func outOfRangeTimestampsAreExactInDigestsAndRefusedAsColumns() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("int96.parquet").path
        let expected = String(decoding: try Oracle.runProcess(Oracle.python, ["-c", Self.script, path]), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let reader = try ParquetFileReader(path: path)
        let digest = try ParquetDigest(reader)
        #expect(digest.columns.first?.sha256 == expected)
        let error = #expect(throws: ParquetError.self) { try reader.readTable() }
        #expect(error?.code == .unsupported)
        #expect(error?.message.contains("9999-12-31T23:59:59.123456000Z") == true, "\(error?.message ?? "")")
        let cat = try TestData.anant(["parquet", "cat", path])
        #expect(cat.status != 0 && cat.stderrText.contains("9999-12-31T23:59:59.123456000Z"), "\(cat.stderrText)")
    }
}
