import AnantColumnar
import AnantParquet
import AnantQuery
import Foundation
import Testing

/// Selective filters read only the row groups their statistics admit, and only the
/// columns the query uses: counted in row groups and compressed bytes.
@Suite struct PruningTests {
    static let path: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("anant-pruning-\(getpid()).parquet").path
        let rows = 10_000
        let batch = try! RecordBatch([
            ("id", .int64(Int64Column((0..<rows).map(Int64.init)))),
            ("score", .double(DoubleColumn((0..<rows).map { Double(($0 * 7919) % 1000) / 1000 }))),
            ("label", .string(StringColumn((0..<rows).map { "label-\($0 % 13)" }))),
        ])
        let writer = try! ParquetFileWriter(path: path, schema: batch.schema, options: ParquetWriteOptions(compression: .snappy, rowGroupRows: 1000))
        try! writer.write(batch)
        _ = try! writer.close()
        return path
    }()

    static func bytes(_ groups: [Int], _ columns: [String]) throws -> Int {
        let reader = try ParquetFileReader(path: path)
        return try groups.reduce(0) { $0 + (try reader.compressedBytes(rowGroup: $1, columns: columns)) }
    }

    func run(_ filter: String, select: [String] = ["id", "score", "label"]) throws -> (RecordBatch, ScanStatistics) {
        let frame = LazyFrame.scan(.parquet([PruningTests.path])).filter(try Expr.parse(filter)).select(select)
        return try frame.profile()
    }

    @Test func selectiveFiltersReadOnlyMatchingRowGroups() throws {
        // A range inside row group 4.
        var (result, stats) = try run("id >= 4200 and id < 4300")
        #expect(result.rowCount == 100)
        #expect(stats.rowGroups == 10 && stats.rowGroupsRead == 1 && stats.rowsRead == 1000)
        #expect(stats.bytesRead == (try PruningTests.bytes([4], ["id", "score", "label"])))
        // Two point lookups; a negation; a literal on the left.
        (result, stats) = try run("id in (10, 9990)")
        #expect(result.rowCount == 2 && stats.rowGroupsRead == 2)
        (result, stats) = try run("not (id < 9000)")
        #expect(result.rowCount == 1000 && stats.rowGroupsRead == 1)
        (result, stats) = try run("8500 <= id")
        #expect(result.rowCount == 1500 && stats.rowGroupsRead == 2)
        // Nothing matches: nothing is decoded, the columns are still there.
        (result, stats) = try run("id > 20000")
        #expect(result.rowCount == 0 && stats.rowGroupsRead == 0 && result.schema.names == ["id", "score", "label"])
        // Only the columns used are read: the filter's, then the selected.
        (result, stats) = try run("id < 1000", select: ["id"])
        #expect(stats.bytesRead == (try PruningTests.bytes([0], ["id"])))
        #expect(stats.bytesRead < (try PruningTests.bytes([0], ["id", "score", "label"])))
    }

    @Test func filtersStatisticsCannotDecideReadEverythingAndStayCorrect() throws {
        let (result, stats) = try run("id * 2 < 100 or contains(label, '-12')")
        #expect(stats.rowGroupsRead == 10)
        let expected = (0..<10_000).filter { $0 * 2 < 100 || $0 % 13 == 12 }.count
        #expect(result.rowCount == expected)
        // A predicate on a column the statistics cover, beside one they cannot use.
        let (mixed, mixedStats) = try run("id < 2000 and contains(label, '-3')")
        #expect(mixedStats.rowGroupsRead == 2)
        #expect(mixed.rowCount == (0..<2000).filter { $0 % 13 == 3 }.count)
        // The plan says what is pushed down.
        let plan = try LazyFrame.scan(.parquet([PruningTests.path])).filter(try Expr.parse("id < 2000 and score > 0.5")).select(["label"]).explain()
        #expect(plan.contains("prune row groups by") && plan.contains("columns [label]"))
    }
}
