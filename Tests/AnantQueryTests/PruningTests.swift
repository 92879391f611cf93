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

    /// Inside a row group, a range on a sorted column leaves the pages its header statistics
    /// rule out compressed, and the other columns' pages without a matching row too.
    @Test func selectiveFiltersSkipPages() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("anant-pages-\(getpid()).parquet").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rows = 20_000
        let scores: [Double?] = (0..<rows).map { row -> Double? in row % 11 == 0 ? nil : Double((row * 7919) % 1000) / 1000 }
        let labels: [String] = (0..<rows).map { "label-\($0 % 13)" }
        let batch = try RecordBatch([
            ("id", .int64(Int64Column((0..<rows).map(Int64.init)))),
            ("score", .double(DoubleColumn(optionals: scores))),
            ("label", .string(StringColumn(labels))),
        ])
        let writer = try ParquetFileWriter(path: path, schema: batch.schema,
                                           options: ParquetWriteOptions(compression: .zstd(level: 3), rowGroupRows: 10_000, pageBytes: 2048, dictionary: false))
        try writer.write(batch)
        _ = try writer.close()
        let cases: [(filter: String, expected: Range<Int>)] = [
            ("id >= 4200 and id < 4300", 4200..<4300), ("id < 5", 0..<5), ("id > 19990", 19991..<20000), ("id = 12345", 12345..<12346),
        ]
        for (filter, expected) in cases {
            let (result, stats) = try LazyFrame.scan(.parquet([path])).filter(try Expr.parse(filter)).profile()
            #expect(try result.column(named: "id") == .int64(Int64Column(expected.map(Int64.init))), "\(filter)")
            #expect(try result.column(named: "score") == (try batch.column(named: "score")).gather(Array(expected)), "\(filter)")
            #expect(try result.column(named: "label") == (try batch.column(named: "label")).gather(Array(expected)), "\(filter)")
            #expect(stats.rowGroupsRead == 1 && stats.pagesSkipped > 10, "\(filter): \(stats.pagesSkipped) pages skipped")
        }
        // A filter on two columns cannot use one column's page statistics; the other
        // columns still skip pages without a matching row.
        let (result, stats) = try LazyFrame.scan(.parquet([path])).filter(try Expr.parse("id < 300 and label = 'label-3'")).profile()
        #expect(result.rowCount == 23 && stats.pagesSkipped > 0)
    }

    /// Equality filters consult the dictionary pages where statistics cannot decide: every
    /// row group's labels span "a" to "z", but only one holds "m3".
    @Test func dictionaryPagesSkipRowGroupsForEqualityFilters() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("anant-dictionary-\(getpid()).parquet").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rows = 6000
        let labels = (0..<rows).map { row in ["a", "z", "m\(row / 1000)"][row % 3] }
        let batch = try RecordBatch([("row", .int64(Int64Column((0..<rows).map(Int64.init)))), ("label", .string(StringColumn(labels)))])
        let writer = try ParquetFileWriter(path: path, schema: batch.schema, options: ParquetWriteOptions(rowGroupRows: 1000))
        try writer.write(batch)
        _ = try writer.close()
        func run(_ filter: String) throws -> (RecordBatch, ScanStatistics) {
            try LazyFrame.scan(.parquet([path])).filter(try Expr.parse(filter)).profile()
        }
        var (result, stats) = try run("label = 'm3'")
        #expect(result.rowCount == 333 && stats.rowGroupsRead == 1 && stats.rowGroupsSkippedByDictionary == 5)
        (result, stats) = try run("label in ('m1', 'm4', 'q') and row >= 0")
        #expect(result.rowCount == 666 && stats.rowGroupsRead == 2 && stats.rowGroupsSkippedByDictionary == 4)
        (result, stats) = try run("'zz' = label")
        #expect(result.rowCount == 0 && stats.rowGroupsRead == 0)
        // Values every dictionary holds: nothing skipped, every row right.
        (result, stats) = try run("label = 'a'")
        #expect(result.rowCount == 2000 && stats.rowGroupsRead == 6 && stats.rowGroupsSkippedByDictionary == 0)
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
