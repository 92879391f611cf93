/// The canonical form of a value for digests (`parquet-testing/MANIFEST.md`): integers of
/// any size as decimal digits, floats and bytes as lowercase hex strings, nested values as
/// arrays and objects. Written as compact JSON with non-ASCII escaped, as Python's
/// `json.dumps(v, separators=(",", ":"), ensure_ascii=True)`.
indirect enum CanonicalValue {
    case null
    case bool(Bool)
    /// Decimal digits, optionally signed.
    case integer(String)
    case string(String)
    case array([CanonicalValue])
    case object([(String, CanonicalValue)])

    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let digits): out.append(contentsOf: digits.utf8)
        case .string(let s): CanonicalValue.writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, (key, item)) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                CanonicalValue.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for unit in s.utf16 {
            switch unit {
            case 0x22: out.append(contentsOf: "\\\"".utf8)
            case 0x5C: out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0x20...0x7F: out.append(UInt8(unit))
            default:
                out.append(contentsOf: "\\u".utf8)
                out.append(contentsOf: String(unit, radix: 16).leftPadded(to: 4).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The lowercase hex of bytes.
    static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The decimal digits of a big-endian two's-complement integer of any length.
    static func decimalDigits<C: Collection>(bigEndian bytes: C) -> String where C.Element == UInt8 {
        guard let first = bytes.first else { return "0" }
        let negative = first & 0x80 != 0
        var magnitude = Array(bytes)
        if negative {
            // Two's complement negation: invert and add one.
            for i in magnitude.indices { magnitude[i] = ~magnitude[i] }
            var i = magnitude.count - 1
            while i >= 0 {
                magnitude[i] &+= 1
                if magnitude[i] != 0 { break }
                i -= 1
            }
        }
        var digits = [UInt8]()
        while magnitude.contains(where: { $0 != 0 }) {
            var remainder = 0
            for i in magnitude.indices {
                let current = remainder * 256 + Int(magnitude[i])
                magnitude[i] = UInt8(current / 10)
                remainder = current % 10
            }
            digits.append(UInt8(ascii: "0") + UInt8(remainder))
        }
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + String(decoding: digits.reversed(), as: UTF8.self)
    }
}

extension String {
    /// The string padded on the left to `width` characters.
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
