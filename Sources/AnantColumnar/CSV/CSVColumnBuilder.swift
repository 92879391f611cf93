#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Accumulates one CSV column while inferring its type (see `CSVReader`).
///
/// It starts undetermined and settles on the first non-null value; later values may widen
/// it (int64 → double, int64 → string, since canonical integers print back to their
/// text). A widening that would need lost text (a double or Boolean column meeting text)
/// reports failure, and the reader parses again with the column forced to strings.
/// A column whose type a schema declares takes that type from the start and never widens:
/// a value that does not fit it reports failure, which the reader turns into an error.
/// Each kind has its own stored buffer, so appends mutate in place.
struct CSVColumnBuilder {
    private enum Kind { case undetermined, int64, double, bool, string, json }

    private var kind: Kind
    private let identifier: Bool
    private let declared: DataType?
    private var nulls = 0
    private var integers = [Int64]()
    private var doubles = [Double]()
    private var validity: Bitmap? = nil
    private var booleans = BoolColumn(bits: Bitmap(count: 0, value: false))
    private var strings = StringColumn()

    init(identifier: Bool, forcedString: Bool, declared: DataType? = nil) {
        self.identifier = identifier
        self.declared = declared
        switch declared {
        case nil: kind = forcedString ? .string : .undetermined
        case .int32, .int64: kind = .int64
        case .double: kind = .double
        case .bool: kind = .bool
        case .string: kind = .string
        case .json: kind = .json
        }
    }

    /// Appends one field; false when the column must be re-read as strings.
    mutating func append(_ field: UnsafeBufferPointer<UInt8>, quoted: Bool) -> Bool {
        let isNull = field.isEmpty && !quoted
        switch kind {
        case .undetermined:
            if isNull {
                nulls += 1
                return true
            }
            settle(on: field)
            return append(field, quoted: quoted)
        case .int64:
            if isNull {
                CSVColumnBuilder.appendNull(&integers, &validity)
            } else if let v = CSVColumnBuilder.canonicalInteger(field), declared != .int32 || Int32(exactly: v) != nil {
                integers.append(v)
                validity?.append(true)
            } else if declared != nil {
                return false
            } else if !identifier, CSVColumnBuilder.number(field) != nil {
                doubles = integers.map(Double.init)
                integers = []
                kind = .double
                return append(field, quoted: quoted)
            } else {
                for (i, v) in integers.enumerated() {
                    if validity.map({ !$0[i] }) ?? false { strings.appendNull() } else { strings.append(String(v)) }
                }
                integers = []
                validity = nil
                kind = .string
                return append(field, quoted: quoted)
            }
        case .double:
            if isNull {
                CSVColumnBuilder.appendNull(&doubles, &validity)
            } else if let d = CSVColumnBuilder.number(field) {
                doubles.append(d)
                validity?.append(true)
            } else {
                return false
            }
        case .bool:
            if isNull {
                booleans.append(nil)
            } else if let b = CSVColumnBuilder.boolean(field) {
                booleans.append(b)
            } else {
                return false
            }
        case .string:
            if isNull { strings.appendNull() } else { strings.append(utf8: field) }
        case .json:
            if isNull {
                strings.appendNull()
            } else {
                // Stored as compact JSON text, as JSON columns hold it.
                guard let value = try? JSONParser.parse(Array(field)) else { return false }
                strings.append(JSONWriter().string(value))
            }
        }
        return true
    }

    /// Chooses the kind from the first non-null value; the nulls seen so far lead the column.
    private mutating func settle(on field: UnsafeBufferPointer<UInt8>) {
        if CSVColumnBuilder.canonicalInteger(field) != nil {
            kind = .int64
        } else if !identifier, CSVColumnBuilder.number(field) != nil {
            kind = .double
        } else if !identifier, CSVColumnBuilder.boolean(field) != nil {
            kind = .bool
        } else {
            kind = .string
        }
        for _ in 0..<nulls {
            switch kind {
            case .int64: CSVColumnBuilder.appendNull(&integers, &validity)
            case .double: CSVColumnBuilder.appendNull(&doubles, &validity)
            case .bool: booleans.append(nil)
            case .string, .json, .undetermined: strings.appendNull()
            }
        }
    }

    private static func appendNull<V: FixedWidthValue>(_ values: inout [V], _ validity: inout Bitmap?) {
        if validity == nil { validity = Bitmap(count: values.count, value: true) }
        values.append(.zero)
        validity!.append(false)
    }

    /// The finished column (a column of nulls only is a string column).
    func finish() -> Column {
        switch kind {
        case .undetermined: return .nulls(.string, count: nulls)
        case .int64 where declared == .int32: return .int32(Int32Column(integers.map { Int32(truncatingIfNeeded: $0) }, validity: validity))
        case .int64: return .int64(Int64Column(integers, validity: validity))
        case .double: return .double(DoubleColumn(doubles, validity: validity))
        case .bool: return .bool(booleans)
        case .string: return .string(strings)
        case .json: return .json(strings)
        }
    }

    /// The integer written canonically in `field` ("0", "-12"; no sign "+", no leading
    /// zeros, no spaces), if it fits 64 bits.
    static func canonicalInteger(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        let negative = field.first == UInt8(ascii: "-")
        if negative { i = 1 }
        let digits = field.count - i
        guard digits >= 1, digits <= 19 else { return nil }
        if field[i] == UInt8(ascii: "0") && (digits > 1 || negative) { return nil }
        var value: Int64 = 0
        while i < field.count {
            let d = field[i] &- UInt8(ascii: "0")
            guard d <= 9 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = negative ? times.subtractingReportingOverflow(Int64(d)) : times.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            value = sum
            i += 1
        }
        return value
    }

    /// The number in `field` (decimal, exponent, "nan", "inf"), parsed with correct
    /// rounding; nil when the field is not entirely a number.
    static func number(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        guard field.count > 0, field.count < 64 else { return nil }
        // Only digits, sign, point, exponent and the letters of nan/inf(inity) may appear.
        for byte in field {
            switch byte | 0x20 {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "e"), UInt8(ascii: "n"), UInt8(ascii: "a"),
                 UInt8(ascii: "i"), UInt8(ascii: "f"), UInt8(ascii: "t"), UInt8(ascii: "y"):
                continue
            default:
                if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") { continue }
                return nil
            }
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { text -> Double? in
            for (i, byte) in field.enumerated() { text[i] = CChar(bitPattern: byte) }
            text[field.count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(text.baseAddress!, &end)
            guard let end, end - text.baseAddress! == field.count else { return nil }
            return value
        }
    }

    /// true/false in any case.
    static func boolean(_ field: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard field.count == 4 || field.count == 5 else { return nil }
        let lowered = field.map { $0 | 0x20 }
        if lowered.elementsEqual("true".utf8) { return true }
        if lowered.elementsEqual("false".utf8) { return false }
        return nil
    }
}
