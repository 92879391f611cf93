/// A strict, fast JSON parser producing `JSONValue`s.
///
/// It follows RFC 8259 and, like Python's `json` module, also accepts `NaN`, `Infinity` and
/// `-Infinity`; a repeated object key keeps the last value (at the first key's position).
/// Errors name the line and column (1-based) and what was expected there. Nesting deeper
/// than `maximumDepth` is refused instead of exhausting the stack.
public struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 512

    /// Parses one JSON document (surrounding whitespace allowed, nothing else).
    public static func parse(_ bytes: [UInt8]) throws(ColumnarError) -> JSONValue {
        do { return try bytes.withUnsafeBufferPointer(document) } catch { throw columnar(error) }
    }

    /// Parses one JSON document from a string (its UTF-8 read in place).
    public static func parse(_ text: String) throws(ColumnarError) -> JSONValue {
        var text = text
        do { return try text.withUTF8(document) } catch { throw columnar(error) }
    }

    private static func document(_ buffer: UnsafeBufferPointer<UInt8>) throws(ColumnarError) -> JSONValue {
        var parser = JSONParser(buffer)
        return try parser.parseDocument()
    }

    private static func columnar(_ error: any Error) -> ColumnarError {
        error as? ColumnarError ?? ColumnarError(.invalidJSON, "\(error)")
    }

    private let input: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0

    private init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
    }

    private mutating func parseDocument() throws(ColumnarError) -> JSONValue {
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF { position = 3 }
        skipWhitespace()
        if position == input.count { throw failure("the document is empty; expected a JSON value") }
        let value = try parseValue()
        skipWhitespace()
        if position != input.count { throw failure("unexpected \(describeCurrent()) after the end of the JSON value") }
        return value
    }

    private mutating func parseValue() throws(ColumnarError) -> JSONValue {
        guard position < input.count else { throw failure("unexpected end of input; expected a value") }
        switch input[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "N"): try expectWord("NaN"); return .double(.nan)
        case UInt8(ascii: "I"): try expectWord("Infinity"); return .double(.infinity)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw failure("unexpected \(describeCurrent()); expected a value")
        }
    }

    private mutating func parseObject() throws(ColumnarError) -> JSONValue {
        try enter()
        position += 1
        var object = JSONObject()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure("unexpected \(describeCurrent()); expected a quoted object key") }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw failure("unexpected \(describeCurrent()); expected ':' after key \"\(key)\"") }
            position += 1
            skipWhitespace()
            let value = try parseValue()
            object[key] = value
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(object)
            default: throw failure("unexpected \(describeCurrent()); expected ',' or '}' after the value of key \"\(key)\"")
            }
        }
    }

    private mutating func parseArray() throws(ColumnarError) -> JSONValue {
        try enter()
        position += 1
        var array = [JSONValue]()
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            array.append(try parseValue())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(array)
            default: throw failure("unexpected \(describeCurrent()); expected ',' or ']' after array element \(array.count - 1)")
            }
        }
    }

    private mutating func enter() throws(ColumnarError) {
        depth += 1
        if depth > JSONParser.maximumDepth {
            throw failure("arrays and objects are nested more than \(JSONParser.maximumDepth) levels deep")
        }
    }

    private mutating func parseString() throws(ColumnarError) -> String {
        let start = position
        position += 1
        var scratch: [UInt8]? = nil
        var runStart = position
        while true {
            guard position < input.count else {
                position = start
                throw failure("unterminated string")
            }
            let byte = input[position]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeBufferPointer(rebasing: input[runStart..<position])
                position += 1
                if var bytes = scratch {
                    bytes.append(contentsOf: run)
                    return try makeString(bytes, at: start)
                }
                return try makeString(run, at: start)
            }
            if byte == UInt8(ascii: "\\") {
                if scratch == nil { scratch = [] }
                scratch!.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<position]))
                try parseEscape(into: &scratch!)
                runStart = position
                continue
            }
            if byte < 0x20 { throw failure("control character 0x\(String(byte, radix: 16)) inside a string; escape it") }
            position += 1
        }
    }

    private func makeString<C: Collection>(_ bytes: C, at start: Int) throws(ColumnarError) -> String where C.Element == UInt8 {
        if let string = String(validating: bytes, as: UTF8.self) { return string }
        var copy = self
        copy.position = start
        throw copy.failure("string is not valid UTF-8")
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(ColumnarError) {
        position += 1
        guard position < input.count else { throw failure("unterminated escape sequence") }
        let byte = input[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                if position + 1 < input.count, input[position] == UInt8(ascii: "\\"), input[position + 1] == UInt8(ascii: "u") {
                    position += 2
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw failure("a high surrogate \\u escape is not followed by a low surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    throw failure("a high surrogate \\u escape is not followed by a low surrogate")
                }
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw failure("a lone low surrogate \\u escape")
            }
            out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
        default:
            position -= 1
            throw failure("invalid escape '\\\(describeCurrent())' in a string")
        }
    }

    private mutating func parseHex4() throws(ColumnarError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < input.count else { throw failure("unterminated \\u escape") }
            let byte = input[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("invalid hex digit in a \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private mutating func parseNumber() throws(ColumnarError) -> JSONValue {
        let start = position
        var negative = false
        if input[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
            if peek() == UInt8(ascii: "I") {
                try expectWord("Infinity")
                return .double(-.infinity)
            }
        }
        guard let first = peek(), isDigit(first) else { throw failure("a number needs a digit after '-'") }
        var integer: Int64 = 0
        var overflow = false
        if first == UInt8(ascii: "0") {
            position += 1
            if let next = peek(), isDigit(next) { throw failure("numbers must not have leading zeros") }
        } else {
            while let byte = peek(), isDigit(byte) {
                let digit = Int64(byte - UInt8(ascii: "0"))
                let (times, o1) = integer.multipliedReportingOverflow(by: 10)
                let (sum, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
                if o1 || o2 { overflow = true }
                integer = sum
                position += 1
            }
        }
        var isInteger = true
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let byte = peek(), isDigit(byte) else { throw failure("a number needs digits after the decimal point") }
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard let byte = peek(), isDigit(byte) else { throw failure("a number needs digits in its exponent") }
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        if isInteger && !overflow { return .int(integer) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
        guard let value = Double(text) else { throw failure("number \(text) cannot be represented") }
        return .double(value)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func expectWord(_ word: StaticString) throws(ColumnarError) {
        let count = word.utf8CodeUnitCount
        let matches = position + count <= input.count && word.withUTF8Buffer { expected in
            (0..<count).allSatisfy { input[position + $0] == expected[$0] }
        }
        guard matches else { throw failure("unexpected \(describeCurrent()); expected a value") }
        position += count
    }

    private func peek() -> UInt8? {
        position < input.count ? input[position] : nil
    }

    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private func describeCurrent() -> String {
        guard position < input.count else { return "end of input" }
        let byte = input[position]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    /// An error at the current position, with its line and column.
    private func failure(_ message: String) -> ColumnarError {
        var line = 1
        var column = 1
        for i in 0..<min(position, input.count) {
            if input[i] == 0x0A {
                line += 1
                column = 1
            } else if input[i] & 0xC0 != 0x80 {
                column += 1
            }
        }
        return ColumnarError(.invalidJSON, "invalid JSON at line \(line), column \(column): \(message)")
    }
}
