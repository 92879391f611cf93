/// Writes a `RecordBatch` as CSV text: a header line, then one line per row (LF endings).
///
/// Nulls are empty fields; an empty string is `""`. Fields holding the delimiter, a quote,
/// a line break or surrounding spaces are quoted, quotes doubled. Doubles are written in
/// the shortest form that reads back to the same value; JSON values as compact JSON text.
public enum CSVWriter {
    /// The CSV text of `batch`; without `header`, its rows alone (the next part of a file
    /// written batch by batch).
    public static func write(_ batch: RecordBatch, delimiter: UInt8 = UInt8(ascii: ","), header: Bool = true) -> [UInt8] {
        var out = [UInt8]()
        if header {
            for (i, name) in batch.schema.names.enumerated() {
                if i > 0 { out.append(delimiter) }
                appendField(name, delimiter: delimiter, into: &out)
            }
            out.append(0x0A)
        }
        for row in 0..<batch.rowCount {
            for (i, column) in batch.columns.enumerated() {
                if i > 0 { out.append(delimiter) }
                appendValue(column, row, delimiter: delimiter, into: &out)
            }
            out.append(0x0A)
        }
        return out
    }

    private static func appendValue(_ column: Column, _ row: Int, delimiter: UInt8, into out: inout [UInt8]) {
        if column.isNull(row) { return }
        switch column {
        case .int32(let c): out.append(contentsOf: String(c.values[row]).utf8)
        case .int64(let c): out.append(contentsOf: String(c.values[row]).utf8)
        case .double(let c): JSONWriter(pythonNonFinite: true).writeDouble(c.values[row], into: &out)
        case .bool(let c): out.append(contentsOf: (c.bits[row] ? "true" : "false").utf8)
        case .string(let c), .json(let c):
            c.withUTF8(row) { appendField($0, delimiter: delimiter, into: &out) }
        }
    }

    private static func appendField(_ text: String, delimiter: UInt8, into out: inout [UInt8]) {
        var copy = text
        copy.withUTF8 { appendField($0, delimiter: delimiter, into: &out) }
    }

    private static func appendField(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, into out: inout [UInt8]) {
        let needsQuotes = bytes.isEmpty || bytes.first == 0x20 || bytes.last == 0x20
            || bytes.contains { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return out.append(contentsOf: bytes) }
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }
}
