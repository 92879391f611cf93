import AnantColumnar
import Testing

@Suite struct CSVTests {
    private func read(_ text: String, ids: Set<String> = []) throws -> RecordBatch {
        try CSVReader.read(Array(text.utf8), options: CSVReadOptions(identifierColumns: ids))
    }

    @Test func infersTypesPerColumn() throws {
        let batch = try read("i,d,b,s,n,mixed\n1,1.5,true,x,,7\n-2,3,FALSE,\"y, z\",,1.5\n")
        #expect(batch.schema.fields.map(\.type) == [.int64, .double, .bool, .string, .string, .double])
        #expect(try batch.column(named: "i") == .int64(Int64Column([1, -2])))
        #expect(try batch.column(named: "d") == .double(DoubleColumn([1.5, 3])))
        #expect(try batch.column(named: "b") == .bool(BoolColumn(optionals: [true, false])))
        #expect(try batch.column(named: "s") == .string(StringColumn(["x", "y, z"])))
        #expect(try batch.column(named: "n").nullCount == 2)
        #expect(try batch.column(named: "mixed") == .double(DoubleColumn([7, 1.5])))
    }

    @Test func identifierColumnsAreIntegersOrText() throws {
        let batch = try read("edge,node\n1,007\n2,8\n3,1.5\n", ids: ["edge", "node"])
        #expect(try batch.column(named: "edge") == .int64(Int64Column([1, 2, 3])))
        // "007" and "1.5" are not canonical integers, so the whole column keeps its text.
        #expect(try batch.column(named: "node") == .string(StringColumn(["007", "8", "1.5"])))
    }

    /// Declared types are taken as they are: numbers stay text in a string column, an
    /// int32 column is int32, JSON fields are JSON; nulls stay nulls.
    @Test func declaredTypesAreNotInferred() throws {
        let types: [String: DataType] = ["s": .string, "i": .int32, "d": .double, "b": .bool, "j": .json]
        let batch = try CSVReader.read(Array("s,i,d,b,j,free\n007,1,2,true,\"\"\"1\"\"\",3\n12,,-1.5,,,4\n".utf8),
                                       options: CSVReadOptions(columnTypes: types))
        #expect(try batch.column(named: "s") == .string(StringColumn(["007", "12"])))
        #expect(try batch.column(named: "i") == .int32(Int32Column(optionals: [1, nil])))
        #expect(try batch.column(named: "d") == .double(DoubleColumn([2, -1.5])))
        #expect(try batch.column(named: "b") == .bool(BoolColumn(optionals: [true, nil])))
        #expect(try batch.column(named: "j") == .json(StringColumn(optionals: ["\"1\"", nil])))
        #expect(try batch.column(named: "free") == .int64(Int64Column([3, 4])))
    }

    @Test(arguments: [("i", "int32", "2147483648"), ("i", "int64", "1.5"), ("i", "int64", "007"), ("d", "double", "x"),
                      ("b", "bool", "1"), ("j", "json", "{nope")])
    func declaredTypeMismatchesNameTheLine(column: String, type: String, value: String) throws {
        let text = "\(column)\n\(type == "bool" ? "true" : "1")\n\(value)\n"
        do {
            _ = try CSVReader.read(Array(text.utf8), options: CSVReadOptions(columnTypes: [column: DataType(rawValue: type)!]))
            Issue.record("\(value) read as \(type)")
        } catch {
            #expect(error.message.contains("line 3: column '\(column)' is declared \(type)"), "\(error.message)")
        }
    }

    @Test func widensWhenLaterValuesNeedIt() throws {
        let batch = try read("a,b,c\n1,1.5,true\n2,2.5,false\nx,text,maybe\n")
        #expect(try batch.column(named: "a") == .string(StringColumn(["1", "2", "x"])))
        #expect(try batch.column(named: "b") == .string(StringColumn(["1.5", "2.5", "text"])))
        #expect(try batch.column(named: "c") == .string(StringColumn(["true", "false", "maybe"])))
    }

    @Test func quotingLineEndingsAndNulls() throws {
        let batch = try read("\u{FEFF}a,b\r\n\"line\nbreak\",\"say \"\"hi\"\"\"\r\n\n,\"\"\r\n")
        #expect(batch.rowCount == 2)
        #expect(try batch.column(named: "a")[0] == .string("line\nbreak"))
        #expect(try batch.column(named: "a").isNull(1))
        #expect(try batch.column(named: "b")[0] == .string("say \"hi\""))
        #expect(try batch.column(named: "b")[1] == .string(""))
    }

    @Test(arguments: [
        ("", "empty"),
        ("a,b\n1,2,3\n", "line 2: expected 2 fields"),
        ("a,b\n1\n", "line 2: expected 2 fields"),
        ("a,b\n\"open,2\n", "line 2: a quoted field is never closed"),
        ("a,b\n\"x\"y,2\n", "unexpected text after a closing quote"),
        ("a,,c\n", "header column 2 has no name"),
        ("a,a\n", "names column 'a' twice"),
    ])
    func refusesMalformedCSV(_ text: String, _ mention: String) {
        let error = #expect(throws: ColumnarError.self) { try read(text) }
        #expect(error?.code == .invalidCSV)
        #expect(error?.message.contains(mention) == true, "\(error?.message ?? "")")
    }

    @Test func writerRoundTrips() throws {
        let batch = try RecordBatch([
            ("id", .int64(Int64Column(optionals: [1, nil, 3]))),
            ("w", .double(DoubleColumn(optionals: [0.1, 2, nil]))),
            ("s", .string(StringColumn(optionals: ["a,b", "", nil]))),
            ("f", .bool(BoolColumn(optionals: [true, nil, false]))),
        ])
        let text = CSVWriter.write(batch)
        #expect(String(decoding: text, as: UTF8.self) == "id,w,s,f\n1,0.1,\"a,b\",true\n,2.0,\"\",\n3,,,false\n")
        #expect(try CSVReader.read(text) == batch)
    }
}
