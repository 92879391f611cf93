/// Writes `JSONValue`s as JSON text.
///
/// Doubles are written in the shortest form that reads back to the same value; an
/// integral double keeps a ".0" so that it reads back as a double. Non-finite doubles have
/// no JSON form: they are written as `null` unless `pythonNonFinite` is set, which writes
/// Python's `NaN` / `Infinity` literals.
public struct JSONWriter: Sendable {
    /// Indent nested values by this many spaces per level (`nil`: compact, one line).
    public var indent: Int?
    /// Escape every non-ASCII character as `\uXXXX` (as Python's `ensure_ascii=True`).
    public var escapeNonASCII: Bool
    /// Write NaN and infinities as Python's literals instead of `null`.
    public var pythonNonFinite: Bool

    /// Creates a writer.
    public init(indent: Int? = nil, escapeNonASCII: Bool = false, pythonNonFinite: Bool = false) {
        self.indent = indent
        self.escapeNonASCII = escapeNonASCII
        self.pythonNonFinite = pythonNonFinite
    }

    /// The JSON text of `value`.
    public func string(_ value: JSONValue) -> String {
        var out = [UInt8]()
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the JSON text of `value` to `out`.
    public func write(_ value: JSONValue, into out: inout [UInt8]) {
        write(value, level: 0, into: &out)
    }

    private func write(_ value: JSONValue, level: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number): writeDouble(number, into: &out)
        case .string(let text): writeString(text, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1, into: &out)
                write(element, level: level + 1, into: &out)
            }
            if !elements.isEmpty { newline(level, into: &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (i, (key, member)) in object.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1, into: &out)
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                write(member, level: level + 1, into: &out)
            }
            if !object.isEmpty { newline(level, into: &out) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private func newline(_ level: Int, into out: inout [UInt8]) {
        guard let indent else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
    }

    /// Appends the JSON form of a double (see the type's discussion).
    public func writeDouble(_ number: Double, into out: inout [UInt8]) {
        if number.isFinite {
            out.append(contentsOf: number.description.utf8)
        } else if pythonNonFinite {
            out.append(contentsOf: (number.isNaN ? "NaN" : number > 0 ? "Infinity" : "-Infinity").utf8)
        } else {
            out.append(contentsOf: "null".utf8)
        }
    }

    /// Appends `text` as a quoted, escaped JSON string.
    public func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if escapeNonASCII {
            for scalar in text.unicodeScalars {
                if scalar.value < 0x80 {
                    appendASCII(UInt8(scalar.value), into: &out)
                } else if scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    appendEscape(UInt16(0xD800 + (v >> 10)), into: &out)
                    appendEscape(UInt16(0xDC00 + (v & 0x3FF)), into: &out)
                } else {
                    appendEscape(UInt16(scalar.value), into: &out)
                }
            }
        } else {
            for byte in text.utf8 {
                if byte < 0x80 { appendASCII(byte, into: &out) } else { out.append(byte) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private func appendASCII(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
        case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
        case 0x0A: out.append(contentsOf: "\\n".utf8)
        case 0x0D: out.append(contentsOf: "\\r".utf8)
        case 0x09: out.append(contentsOf: "\\t".utf8)
        case 0x08: out.append(contentsOf: "\\b".utf8)
        case 0x0C: out.append(contentsOf: "\\f".utf8)
        default:
            if byte < 0x20 { appendEscape(UInt16(byte), into: &out) } else { out.append(byte) }
        }
    }

    private func appendEscape(_ unit: UInt16, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(contentsOf: "\\u".utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(hex[Int((unit >> UInt16(shift)) & 0xF)])
        }
    }
}
