import AnantColumnar

/// Leaf values as JSON for people and for JSON columns: strings as text, decimals as exact
/// decimal strings, dates and timestamps in ISO 8601, UUIDs in their usual form, other
/// binary values as lowercase hex, floats as numbers (NaN and infinities as Python
/// literals when written with `JSONWriter(pythonNonFinite: true)`).
enum ValueRendering {
    static func json(_ values: LeafValues, _ index: Int, _ column: ColumnDescriptor) -> JSONValue {
        let logical = column.logicalType
        switch values {
        case .boolean(let v): return .bool(v[index])
        case .int32(let v): return integer(Int64(v[index]), bits: 32, logical)
        case .int64(let v): return integer(v[index], bits: 64, logical)
        case .int96(let v):
            return .string(v[index].isoText)
        case .float(let v): return .double(Double(v[index]))
        case .double(let v): return .double(v[index])
        case .bytes(let v):
            let bytes = v.value(index)
            switch logical {
            case .string?, .enumeration?, .json?: return .string(String(decoding: bytes, as: UTF8.self))
            case .decimal(let scale, _)?:
                return .string(decimalText(CanonicalValue.decimalDigits(bigEndian: bytes), scale: Int(scale)))
            case .float16?:
                guard bytes.count == 2 else { return .string(CanonicalValue.hex(bytes)) }
                let bits = UInt16(bytes[bytes.startIndex]) | UInt16(bytes[bytes.startIndex + 1]) << 8
                return .double(Double(Float16Bits.decode(bits)))
            case .uuid?:
                let hex = CanonicalValue.hex(bytes)
                guard hex.count == 32 else { return .string(hex) }
                let h = Array(hex)
                return .string(String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32]))
            default:
                // Unannotated BYTE_ARRAY is often text; keep it when it is valid UTF-8.
                if column.physicalType == .byteArray, let text = String(validating: bytes, as: UTF8.self) { return .string(text) }
                return .string(CanonicalValue.hex(bytes))
            }
        }
    }

    private static func integer(_ value: Int64, bits: Int, _ logical: LogicalType?) -> JSONValue {
        switch logical {
        case .integer(let width, false)?:
            // Unsigned values are stored in the same bits.
            let unsigned = bits == 32 ? Int64(UInt32(truncatingIfNeeded: value)) : value
            if width == 64 && value < 0 { return .string(String(UInt64(bitPattern: value))) }
            return .int(unsigned)
        case .decimal(let scale, _)?: return .string(decimalText(String(value), scale: Int(scale)))
        case .date?: return .string(Timestamps.date(days: value))
        case .timestamp(let utc, let unit)?: return .string(Timestamps.iso(value, unit: unit, utc: utc))
        case .time(_, let unit)?: return .string(Timestamps.timeOfDay(value, unit: unit))
        default: return .int(value)
        }
    }

    /// "12345" with scale 2 → "123.45".
    static func decimalText(_ digits: String, scale: Int) -> String {
        guard scale > 0 else { return digits }
        let negative = digits.hasPrefix("-")
        var magnitude = negative ? String(digits.dropFirst()) : digits
        if magnitude.count <= scale { magnitude = String(repeating: "0", count: scale - magnitude.count + 1) + magnitude }
        let split = magnitude.index(magnitude.endIndex, offsetBy: -scale)
        return (negative ? "-" : "") + magnitude[..<split] + "." + magnitude[split...]
    }
}

/// IEEE 754 half precision.
enum Float16Bits {
    static func decode(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F), fraction = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * Float(pow2: -24)
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Float(pow2: exponent - 15)
        }
    }
}

extension Float {
    init(pow2 exponent: Int) { self = Float(sign: .plus, exponent: exponent, significand: 1) }
}

/// Civil dates and times from counts since the Unix epoch (proleptic Gregorian, UTC).
enum Timestamps {
    /// "YYYY-MM-DD" of a day count.
    static func date(days: Int64) -> String {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// ISO 8601 of a count of `unit` since the epoch, with the fraction the unit carries.
    static func iso(_ value: Int64, unit: TimeUnit, utc: Bool) -> String {
        let perSecond = unit.perSecond
        var seconds = value / perSecond
        var fraction = value % perSecond
        if fraction < 0 {
            fraction += perSecond
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        return date(days: days) + "T" + clock(secondOfDay, fraction: fraction, unit: unit) + (utc ? "Z" : "")
    }

    /// "HH:MM:SS[.fff]" of a time of day.
    static func timeOfDay(_ value: Int64, unit: TimeUnit) -> String {
        clock(value / unit.perSecond, fraction: value % unit.perSecond, unit: unit)
    }

    private static func clock(_ secondOfDay: Int64, fraction: Int64, unit: TimeUnit) -> String {
        let digits = unit == .millis ? 3 : unit == .micros ? 6 : 9
        let base = "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        return fraction == 0 ? base : base + "." + pad(fraction, digits)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(abs(value))
        return (value < 0 ? "-" : "") + String(repeating: "0", count: Swift.max(0, width - text.count)) + text
    }
}
