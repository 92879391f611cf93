import AnantColumnar
import AnantParquet
import AnantTestSupport
import Foundation
import Testing

/// Interoperability, checked by pyarrow, polars and duckdb run by the test: files Anant
/// writes (every codec, dictionary and plain, nullable and required columns of every
/// type) read back identically in all three; files they write read identically in Anant.
@Suite struct ParquetInteropTests {
    @Test func anantFilesReadInPyarrowPolarsAndDuckdb() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let batch = try ParquetWriterTests.sampleBatch(rows: 2500, seed: 11)
        let expected = Self.jsonLines(batch)
        for codec in ParquetWriterTests.codecs {
            for dictionary in [true, false] {
                let name = "anant_\(codec.codec)_\(dictionary ? "dict" : "plain")"
                let writer = try ParquetFileWriter(path: folder.appendingPathComponent("\(name).parquet").path, schema: batch.schema,
                                                   options: ParquetWriteOptions(compression: codec, rowGroupRows: 900, pageBytes: 4096, dictionary: dictionary))
                try writer.write(batch)
                try writer.close()
                try expected.write(to: folder.appendingPathComponent("\(name).expected.jsonl"))
            }
        }
        // Every encoding the writer chooses (delta, byte stream split, dictionary, PLAIN).
        let encoded = try ParquetWriterTests.encodingBatch(rows: 3000, seed: 4)
        for codec in ParquetWriterTests.codecs {
            let name = "anant_\(codec.codec)_chosen"
            let writer = try ParquetFileWriter(path: folder.appendingPathComponent("\(name).parquet").path, schema: encoded.schema,
                                               options: ParquetWriteOptions(compression: codec, rowGroupRows: 1300, pageBytes: 4096))
            try writer.write(encoded)
            try writer.close()
            try Self.jsonLines(encoded).write(to: folder.appendingPathComponent("\(name).expected.jsonl"))
        }
        let report = try #require(try JSONParser.parse(Array(Oracle.run("parquet_interop.py", input: Data(), timeout: 600, arguments: ["check", folder.path]))).objectValue)
        #expect(report["files"] == .int(15))
        let mismatches = report["mismatches"]?.arrayValue ?? []
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5).map { JSONWriter().string($0) }.joined(separator: "\n"))")
    }

    @Test func pyarrowPolarsAndDuckdbFilesReadInAnant() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Oracle.run("parquet_interop.py", input: Data(), timeout: 600, arguments: ["write", folder.path])
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".parquet") }.sorted()
        #expect(files.count == 23)
        for file in files {
            let table = try ParquetFileReader(path: folder.appendingPathComponent(file).path).readTable()
            let lines = try String(contentsOf: folder.appendingPathComponent(file.replacingOccurrences(of: ".parquet", with: ".expected.jsonl")), encoding: .utf8)
                .split(separator: "\n")
            #expect(table.rowCount == lines.count, "\(file)")
            for (row, line) in lines.enumerated() {
                let want = try #require(try JSONParser.parse(String(line)).objectValue)
                for (name, value) in want {
                    let got = try table.column(named: name)[row]
                    guard Self.same(got, value) else {
                        Issue.record("\(file) row \(row) column \(name): \(got) vs \(JSONWriter(pythonNonFinite: true).string(value))")
                        return
                    }
                }
            }
        }
    }

    /// Filters select the rows DuckDB's WHERE selects, in the same order: three-valued
    /// logic with nulls, NaN above every number, strings byte-wise, integers against
    /// fractional literals.
    @Test func filtersSelectWhatDuckdbSelects() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("filtered.parquet").path
        let writer = try ParquetFileWriter(path: path, schema: ParquetWriterTests.sampleBatch(rows: 4000, seed: 21).schema,
                                           options: ParquetWriteOptions(rowGroupRows: 700))
        try writer.write(ParquetWriterTests.sampleBatch(rows: 4000, seed: 21))
        try writer.close()
        let filters = [
            "weight > 0.5", "weight <= 0", "weight = 0", "weight != 0.25", "not weight < 0.5", "weight >= 1",
            "small >= 3 and flag", "label = 'α' or small is null", "not (label > 'b' and flag = false)",
            "small = 2.5", "small < 2.5", "small != 7", "id > -10 and not label is null", "label < 'long'",
            "`id` <= -999", "flag != true", "not flag", "not (small > 0 or weight < 0)", "doc is not null and id < 0",
        ]
        let answer = try JSONParser.parse(Array(Oracle.run("parquet_interop.py", input: Data(filters.joined(separator: "\n").utf8),
                                                            timeout: 300, arguments: ["filter", path])))
        let expected = try #require(answer.arrayValue)
        #expect(expected.count == filters.count)
        #expect(expected.filter { (100..<3900).contains($0.arrayValue?.count ?? 0) }.count > filters.count / 2, "the filters should be selective")
        let reader = try ParquetFileReader(path: path)
        for (filter, want) in zip(filters, expected) {
            let got = try reader.readTable(columns: ["id"], where: ParquetPredicate.parse(filter)).column(named: "id")
            let ids = (0..<got.count).map { got[$0].jsonValue }
            #expect(ids == want.arrayValue, "\(filter): \(ids.count) rows, DuckDB \(want.arrayValue?.count ?? -1)")
        }
    }

    /// One JSON object per row, doubles with Python's NaN/Infinity literals.
    static func jsonLines(_ batch: RecordBatch) -> Data {
        var out = [UInt8]()
        let writer = JSONWriter(pythonNonFinite: true)
        for row in 0..<batch.rowCount {
            var object = JSONObject()
            for (name, column) in zip(batch.schema.names, batch.columns) {
                let value = column[row]
                if case .json = column, !value.isNull, case .string(let text) = ScalarValue.string(column.rawText(row)) {
                    object[name] = .string(text)
                } else {
                    object[name] = value.jsonValue
                }
            }
            writer.write(.object(object), into: &out)
            out.append(0x0A)
        }
        return Data(out)
    }

    static func same(_ got: ScalarValue, _ want: JSONValue) -> Bool {
        switch (got, want) {
        case (.null, .null): return true
        case (.double(let a), _):
            guard let b = want.numberValue else { return false }
            return (a.isNaN && b.isNaN) || a.bitPattern == b.bitPattern
        default: return got.jsonValue == want
        }
    }
}

extension Column {
    /// The stored text of a string or JSON row.
    func rawText(_ row: Int) -> String {
        switch self {
        case .string(let c), .json(let c): return c[row] ?? ""
        default: return self[row].description
        }
    }
}
