import AnantColumnar
import Testing

@Suite struct JSONTests {
    @Test func keepsIntegersDoublesAndKeyOrder() throws {
        let value = try JSONParser.parse(#"{"b": 1, "a": 1.0, "c": -0, "d": 12345678901234567890, "e": 1e2, "f": [true, false, null]}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["b", "a", "c", "d", "e", "f"])
        #expect(object["b"] == .int(1))
        #expect(object["a"] == .double(1.0))
        #expect(object["c"] == .int(0))
        #expect(object["d"] == .double(1.2345678901234567e19))
        #expect(object["e"] == .double(100))
        #expect(object["f"] == .array([.bool(true), .bool(false), .null]))
    }

    @Test(arguments: [
        (#""a\"b\\c\/d\n\t""#, "a\"b\\c/d\n\t"),
        (#""\u00e9\u4e2d""#, "é中"),
        (#""\ud83d\ude00""#, "😀"),
        ("\"é中😀\"", "é中😀"),
    ])
    func decodesStrings(_ text: String, _ expected: String) throws {
        #expect(try JSONParser.parse(text) == .string(expected))
    }

    @Test(arguments: [
        ("", "empty"),
        ("{\"a\": 1,}", "expected a quoted object key"),
        ("[1 2]", "expected ',' or ']'"),
        ("01", "leading zeros"),
        ("\"abc", "unterminated string"),
        ("\"a\u{01}\"", "control character"),
        (#""\ud800""#, "low surrogate"),
        (#""\x""#, "invalid escape"),
        ("{} x", "after the end"),
        ("[1,\n  nul]", "line 2, column 3"),
        ("-", "digit after '-'"),
        ("1.", "digits after the decimal point"),
    ])
    func refusesMalformedText(_ text: String, _ mention: String) {
        let error = #expect(throws: ColumnarError.self) { try JSONParser.parse(text) }
        #expect(error?.code == .invalidJSON)
        #expect(error?.message.contains(mention) == true, "\(error?.message ?? "")")
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: ColumnarError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = #expect(throws: ColumnarError.self) { try JSONParser.parse(deep) }
        #expect(error?.message.contains("nested more than") == true)
    }

    @Test func repeatedKeyKeepsLastValueAtFirstPosition() throws {
        let object = try #require(try JSONParser.parse(#"{"a": 1, "b": 2, "a": 3}"#).objectValue)
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == .int(3))
    }

    /// Large objects (indexed from 16 members on) behave as small ones: order kept, a
    /// repeated key replaced in place, removal and lookups consistent, equality by content.
    @Test func largeObjectsKeepOrderAndReplaceInPlace() throws {
        var object = JSONObject()
        for k in 0..<1000 { object["k\(k)"] = .int(Int64(k)) }
        object["k5"] = .int(-5)
        object["k999"] = nil
        object["k0"] = nil
        #expect(object.count == 998 && object.keys.first == "k1" && object.keys.last == "k998")
        #expect(object["k5"] == .int(-5) && object["k0"] == nil && object["k999"] == nil && object["k998"] == .int(998))
        object["k0"] = .null
        #expect(object.keys.last == "k0" && object["k0"] == .null)
        let text = "{" + (0..<40).map { "\"m\($0 % 30)\": \($0)" }.joined(separator: ", ") + "}"
        let parsed = try #require(try JSONParser.parse(text).objectValue)
        #expect(parsed.keys == (0..<30).map { "m\($0)" })
        #expect(parsed["m3"] == .int(33) && parsed["m29"] == .int(29))
        #expect(parsed == JSONObject((0..<30).map { ("m\($0)", .int(Int64($0 < 10 ? $0 + 30 : $0))) }))
    }

    @Test func writerRoundTripsAndEscapesLikePython() throws {
        let value = JSONValue.object(JSONObject([
            ("text", .string("é \"q\" \u{01}\n😀")), ("int", .int(-7)), ("double", .double(0.1)), ("whole", .double(2)),
            ("list", .array([.null, .bool(true), .double(1e-5)])),
        ]))
        let compact = JSONWriter().string(value)
        #expect(try JSONParser.parse(compact) == value)
        #expect(try JSONParser.parse(JSONWriter(indent: 2).string(value)) == value)
        #expect(JSONWriter(escapeNonASCII: true).string(.string("é😀\u{7F}")) == #""\u00e9\ud83d\ude00\#u{7F}""#)
        #expect(JSONWriter().string(.double(2)) == "2.0")
        #expect(JSONWriter().string(.double(.infinity)) == "null")
        #expect(JSONWriter(pythonNonFinite: true).string(.array([.double(.nan), .double(-.infinity)])) == "[NaN,-Infinity]")
        #expect(try JSONParser.parse("[NaN, -Infinity]").arrayValue?.last == .double(-.infinity))
    }
}
