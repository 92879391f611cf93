import AnantColumnar
import AnantTestSupport
import Foundation
import Testing

/// Arrow IPC streams: Anant's round trip, pyarrow and polars reading what Anant writes,
/// Anant reading what pyarrow writes, and malformed streams refused without a crash.
@Suite struct ArrowIPCTests {
    /// A batch of every column type, with nulls, empty strings, extremes and NaN.
    static func sample(offset: Int64 = 0) throws -> RecordBatch {
        let schema = try Schema([
            Field("i32", .int32), Field("i64", .int64, nullable: false), Field("f64", .double), Field("flag", .bool),
            Field("text", .string), Field("doc", .json),
        ])
        return try RecordBatch(schema: schema, columns: [
            .int32(Int32Column(optionals: [Int32.min, nil, 7, Int32.max, Int32(offset)])),
            .int64(Int64Column([Int64.min, Int64.max, 0, -1, offset])),
            .double(DoubleColumn(optionals: [0.1, -0.0, .nan, nil, .infinity])),
            .bool(BoolColumn(optionals: [true, nil, false, true, offset % 2 == 0])),
            .string(StringColumn(optionals: ["a", "", nil, "ünïcode ✓", "row \(offset)"])),
            .json(StringColumn(optionals: ["{\"a\": 1}", "[1, 2]", nil, "null", "\"x\""])),
        ])
    }

    /// Values as the oracle prints them: doubles as their bit patterns.
    static func plain(_ column: Column) -> [JSONValue] {
        if case .json(let texts) = column { return (0..<texts.count).map { texts[$0].map(JSONValue.string) ?? .null } }
        return (0..<column.count).map { row in
            switch column[row] {
            case .null: .null
            case .double(let d): .int(Int64(bitPattern: d.bitPattern))
            case .int(let v): .int(v)
            case .bool(let b): .bool(b)
            case .string(let s): .string(s)
            case .json(let j): j
            }
        }
    }

    @Test func roundTripsEveryTypeAcrossBatches() throws {
        let batches = [try Self.sample(offset: 0), try Self.sample(offset: 1), try Self.sample(offset: 2).slice(1..<4)]
        let bytes = try ArrowIPC.stream(batches[0].schema, batches)
        let (schema, read, _) = try ArrowIPC.read(bytes)
        #expect(schema == batches[0].schema)
        #expect(read.count == 3)
        for (got, want) in zip(read, batches) {
            for (a, b) in zip(got.columns, want.columns) { #expect(Self.plain(a) == Self.plain(b)) }
        }
        // An empty stream (schema, no batch) and an empty batch.
        let empty = try ArrowIPC.read(try ArrowIPC.stream(schema, []))
        #expect(empty.schema == schema && empty.batches.isEmpty)
        #expect(try ArrowIPC.read(try ArrowIPC.stream(batches[0].slice(0..<0))).batches[0].rowCount == 0)
    }

    /// Rows of a batch laid out in place (what a worker writes into its frames) are the
    /// bytes of the batch's slice, for starts on and off the bitmaps' bytes and words, an
    /// empty range and the whole batch; several ranges make one stream of them all.
    @Test func rowsEncodeInPlaceAsTheirSlice() throws {
        var rng = SeededGenerator(seed: 5)
        let n = 300
        func maybe<T>(_ value: T) -> T? { Int.random(in: 0..<5, using: &rng) == 0 ? nil : value }
        let schema = try Schema([Field("i32", .int32), Field("i64", .int64), Field("f64", .double, nullable: false), Field("flag", .bool),
                                 Field("text", .string), Field("doc", .json), Field("always", .string, nullable: false)])
        let batch = try RecordBatch(schema: schema, columns: [
            .int32(Int32Column(optionals: (0..<n).map { _ in maybe(Int32.random(in: .min ... .max, using: &rng)) })),
            .int64(Int64Column(optionals: (0..<n).map { _ in maybe(Int64.random(in: .min ... .max, using: &rng)) })),
            .double(DoubleColumn((0..<n).map { _ in Double.random(in: -1e9...1e9, using: &rng) })),
            .bool(BoolColumn(optionals: (0..<n).map { _ in maybe(Bool.random(using: &rng)) })),
            .string(StringColumn(optionals: (0..<n).map { i in maybe(String(repeating: "é", count: i % 9)) })),
            .json(StringColumn(optionals: (0..<n).map { i in maybe("[\(i)]") })),
            .string(StringColumn((0..<n).map { "row \($0)" })),
        ])
        let ranges = [0..<n, 0..<0, 0..<1, 3..<70, 8..<16, 64..<128, 65..<299, 299..<300, 300..<300, 127..<190]
        for rows in ranges {
            let encoded = try ArrowIPC.EncodedStream(batch, rows: rows)
            let bytes = encoded.bytes
            #expect(bytes.count == encoded.count)
            #expect(bytes == (try ArrowIPC.stream(batch.slice(rows))), "rows \(rows)")
            #expect(try ArrowIPC.read(bytes).batches == [batch.slice(rows)], "rows \(rows)")
        }
        let parts = [(batch, 5..<77), (batch, 0..<0), (batch, 200..<300)]
        let stream = try ArrowIPC.EncodedStream(schema, parts).bytes
        #expect(stream == (try ArrowIPC.stream(schema, parts.map { $0.0.slice($0.1) })))
        #expect(try ArrowIPC.read(stream).batches == parts.map { $0.0.slice($0.1) })
        // Written into a larger buffer at an odd place, as into a frame after its head.
        var frame = [UInt8](repeating: 0xAB, count: stream.count + 13)
        frame.withUnsafeMutableBytes { try! ArrowIPC.EncodedStream(schema, parts).write(into: UnsafeMutableRawBufferPointer(rebasing: $0[7..<(7 + stream.count)])) }
        #expect(Array(frame[7..<(7 + stream.count)]) == stream && frame.prefix(7).allSatisfy { $0 == 0xAB } && frame.suffix(6).allSatisfy { $0 == 0xAB })
        // A batch of another schema is refused.
        #expect(throws: ColumnarError.self) { try ArrowIPC.EncodedStream(schema, [(try Self.sample(), 0..<1)]) }
    }

    @Test func pyarrowAndPolarsReadWhatAnantWrites() throws {
        let batches = [try Self.sample(offset: 0), try Self.sample(offset: 1)]
        let out = try Oracle.run("arrow_interop.py", input: Data(try ArrowIPC.stream(batches[0].schema, batches)), arguments: ["read"])
        let answer = try #require(try JSONParser.parse(Array(out)).objectValue)
        let types = answer["schema"]?.arrayValue?.compactMap { $0.arrayValue?.compactMap(\.stringValue).joined(separator: " ") }
        #expect(types == ["i32 int32", "i64 int64", "f64 double", "flag bool", "text string", "doc extension<arrow.json>"])
        #expect(answer["batches"] == .int(2))
        #expect(answer["polars_rows"] == .int(10))
        #expect(answer["polars_same"] == .bool(true))
        let all = RecordBatch.concatenating(batches)
        for (name, column) in zip(all.schema.names, all.columns) {
            #expect(answer["columns"]?.objectValue?[name]?.arrayValue == Self.plain(column), "column \(name)")
        }
    }

    @Test func anantReadsWhatPyarrowWrites() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("pyarrow.arrows").path
        let expected = try #require(try JSONParser.parse(Array(try Oracle.run("arrow_interop.py", input: Data(), arguments: ["write", path]))).objectValue)
        let (schema, batches, _) = try ArrowIPC.read(TestData.bytes(URL(fileURLWithPath: path)))
        #expect(batches.count == 3)
        let types = Dictionary(uniqueKeysWithValues: schema.fields.map { ($0.name, $0.type) })
        #expect(types == ["i8": .int32, "i16": .int32, "i32": .int32, "i64": .int64, "u8": .int32, "u16": .int32, "u32": .int64,
                          "f32": .double, "f64": .double, "flag": .bool, "text": .string, "large": .string, "category": .string])
        let all = RecordBatch.concatenating(batches)
        #expect(.int(Int64(all.rowCount)) == expected["rows"])
        for (name, column) in zip(all.schema.names, all.columns) {
            #expect(expected["columns"]?.objectValue?[name]?.arrayValue == Self.plain(column), "column \(name)")
        }
    }

    /// Every truncation of a stream, and thousands of seeded corruptions, either read or
    /// throw `invalidArrow` (or another columnar error); none traps or reads out of bounds.
    @Test func malformedStreamsAreRefused() throws {
        let bytes = try ArrowIPC.stream(try Self.sample())
        for cut in 0..<bytes.count {
            do { _ = try ArrowIPC.read(Array(bytes.prefix(cut))) } catch {}
        }
        var generator = SeededGenerator(seed: 42)
        var refused = 0
        for _ in 0..<20_000 {
            var broken = bytes
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let at = Int(generator.next() % UInt64(broken.count))
                broken[at] = generator.next() % 3 == 0 ? 0xFF : UInt8(truncatingIfNeeded: generator.next())
            }
            do { _ = try ArrowIPC.read(broken) } catch { refused += 1 }
        }
        #expect(refused > 1000)
        #expect(throws: ColumnarError.self) { try ArrowIPC.read([0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x7F]) }
        #expect(throws: ColumnarError.self) { try ArrowIPC.read(Array(ArrowIPC.endOfStream)) }
        // String offsets past their data (both equal, so their difference fits): refused.
        var one = try ArrowIPC.stream(try RecordBatch([("s", .string(StringColumn(["a"])))]))
        let body = one.count - ArrowIPC.endOfStream.count - 16
        #expect(Array(one[body..<(body + 8)]) == [0, 0, 0, 0, 1, 0, 0, 0], "the offsets open the body")
        for k in 0..<8 { one[body + k] = k % 4 == 0 ? 0xE8 : k % 4 == 1 ? 0x03 : 0 }
        #expect(throws: ColumnarError.self) { try ArrowIPC.read(one) }
    }
}

