import AnantColumnar
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text for people: aligned tables and numbers, as the CLI prints them (and a client that
/// shares this library prints them the same).
public enum TextTable {
    /// A table with a header row; numbers are right-aligned. Linear in the text's length
    /// (components of a million members are one cell): widths count Unicode scalars, the
    /// lines are built as bytes. No trailing spaces; the last column is never padded.
    public static func render(_ header: [String], _ rows: [[String]]) -> [UInt8] {
        func width(_ cell: String) -> Int { cell.unicodeScalars.count }
        // Long cells are lists, never numbers: only short ones are parsed.
        func isNumber(_ cell: String) -> Bool { cell.utf8.count <= 40 && Double(cell) != nil }
        let cellWidths = rows.map { $0.map(width) }
        var widths = header.map(width)
        for row in cellWidths { for (i, w) in row.enumerated() { widths[i] = max(widths[i], w) } }
        let numeric = header.indices.map { i in !rows.isEmpty && rows.allSatisfy { isNumber($0[i]) } }
        var out = [UInt8]()
        func render(_ cells: [String], _ cellWidth: [Int]) {
            let start = out.count
            for (i, cell) in cells.enumerated() {
                if i > 0 { out.append(contentsOf: [0x20, 0x20]) }
                let pad = widths[i] - cellWidth[i]
                if numeric[i] { out.append(contentsOf: repeatElement(0x20, count: pad)) }
                out.append(contentsOf: cell.utf8)
                if !numeric[i] && i + 1 < cells.count { out.append(contentsOf: repeatElement(0x20, count: pad)) }
            }
            // No trailing spaces (leading ones keep a first numeric column aligned).
            while out.count > start && out.last == 0x20 { out.removeLast() }
            out.append(0x0A)
        }
        render(header, header.map(width))
        for (row, rowWidths) in zip(rows, cellWidths) { render(row, rowWidths) }
        return out
    }

    /// A number for people: integers bare, others with up to 6 significant decimals.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return sixDigits(value)
    }

    /// `%.6g` of C's printf, without Foundation.
    static func sixDigits(_ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = withVaList([value]) { vsnprintf(&buffer, 64, "%.6g", $0) }
        return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
