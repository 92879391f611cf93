import AnantColumnar
import Testing

@Suite struct ColumnTests {
    @Test func bitmapCountsAndGathers() {
        var bits = Bitmap(count: 70, value: true)
        bits[3] = false
        bits[69] = false
        #expect(bits.setCount == 68)
        bits.append(true)
        #expect(bits.count == 71 && bits.setCount == 69)
        #expect(bits.gather([3, 4, 69, 70]) == Bitmap([false, true, false, true]))
        #expect(Bitmap(count: 65, value: true).words.last == 1)
    }

    /// Word-level appends and gathers agree with bit-by-bit ones at every alignment.
    @Test func bitmapAppendsAndStringGathersAtEveryAlignment() throws {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<300 {
            let a = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in Bool.random(using: &rng) }
            let b = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in Bool.random(using: &rng) }
            var joined = Bitmap(a)
            joined.append(contentsOf: Bitmap(b))
            #expect(joined == Bitmap(a + b))
            joined.append(repeating: true, count: 70)
            #expect(joined == Bitmap(a + b + Array(repeating: true, count: 70)))
            let n = Int.random(in: 0..<100, using: &rng)
            joined.append(repeating: false, count: n)
            joined.append(repeating: true, count: 3)
            #expect(joined == Bitmap(a + b + Array(repeating: true, count: 70) + Array(repeating: false, count: n) + [true, true, true]))
        }
        let strings: [String?] = ["", "a", nil, String(repeating: "long string ", count: 5), "ü", "seventeen bytes!!"]
        let column = StringColumn(optionals: strings)
        let indices: [Int32] = [5, 3, 3, 0, 2, 1, 4]
        #expect(column.gather(indices) == StringColumn(optionals: indices.map { strings[Int($0)] }))
        #expect(Column.concatenating([.string(column), .string(column.gather(indices))])
            == .string(StringColumn(optionals: strings + indices.map { strings[Int($0)] })))
    }

    @Test func bitmapClearsRangesAtEveryAlignment() {
        for (lower, upper) in [(0, 0), (0, 1), (3, 64), (0, 64), (63, 65), (5, 130), (64, 128), (100, 199), (0, 200), (199, 200)] {
            var bits = Bitmap(count: 200, value: true)
            bits.clear(lower..<upper)
            #expect((0..<200).allSatisfy { bits[$0] == !(lower..<upper).contains($0) }, "\(lower)..<\(upper)")
            #expect(bits.words.reduce(0) { $0 + $1.nonzeroBitCount } == 200 - (upper - lower))
        }
    }

    @Test func primitiveAndStringColumns() {
        var column = Int64Column(optionals: [1, nil, 3])
        #expect(column.count == 3 && column.nullCount == 1 && column[1] == nil && column.values[1] == 0)
        column.append(4)
        #expect(column.gather([3, 1]) == Int64Column(optionals: [4, nil]))
        let strings = StringColumn(optionals: ["héllo", nil, ""])
        #expect(strings[0] == "héllo" && strings[1] == nil && strings[2] == "")
        #expect(strings.gather([2, 0]) == StringColumn(optionals: ["", "héllo"]))
        #expect(throws: ColumnarError.self) { try StringColumn(offsets: [0, 5], bytes: [1, 2]) }
    }

    @Test func nullableGatherAlignsTables() {
        let column = Column.string(StringColumn(["a", "b"]))
        let aligned = column.gather(nullable: [1, -1, 0])
        #expect(aligned.scalars == [.string("b"), .null, .string("a")])
        #expect(Column.int64(Int64Column([5])).gather(nullable: [-1, 0]).scalars == [.null, .int(5)])
        #expect(Column.nulls(.double, count: 0).gather(nullable: [-1]).scalars == [.null])
    }

    @Test func inferenceFollowsTheKindsOfValues() {
        #expect(Column.inferType(of: [.int(1), .null]) == .int64)
        #expect(Column.inferType(of: [.int(1), .double(2)]) == .double)
        #expect(Column.inferType(of: [.bool(true)]) == .bool)
        #expect(Column.inferType(of: [.string("a"), .int(1)]) == .json)
        #expect(Column.inferType(of: [.json(.array([]))]) == .json)
        #expect(Column.inferType(of: [.null]) == .string)
        let mixed = Column(inferring: [.string("a"), .int(1), .null])
        #expect(mixed.scalars == [.string("a"), .int(1), .null])
    }

    @Test func batchesCheckShapesAndConcatenate() throws {
        #expect(throws: ColumnarError.self) {
            try RecordBatch([("a", .int64(Int64Column([1]))), ("b", .int64(Int64Column([1, 2])))])
        }
        #expect(throws: ColumnarError.self) { try Schema([Field("a", .int64), Field("a", .double)]) }
        let a = try RecordBatch([("x", .int64(Int64Column([1]))), ("y", .string(StringColumn(["p"])))])
        let b = try RecordBatch([("x", .double(DoubleColumn([2.5]))), ("z", .bool(BoolColumn(optionals: [true])))])
        let stacked = RecordBatch.concatenating([a, b])
        #expect(stacked.schema.names == ["x", "y", "z"])
        #expect(try stacked.column(named: "x").scalars == [.double(1), .double(2.5)])
        #expect(try stacked.column(named: "y").scalars == [.string("p"), .null])
        #expect(try stacked.column(named: "z").scalars == [.null, .bool(true)])
        let error = #expect(throws: ColumnarError.self) { try a.column(named: "nope") }
        #expect(error?.message.contains("columns: x, y") == true)
    }
}
