import AnantColumnar
import AnantHypergraph
import Foundation

/// Writing results to stdout: JSON values and aligned text tables.
enum Output {
    /// Prints one JSON value (indented) and a newline.
    static func json(_ value: JSONValue) {
        var bytes = [UInt8]()
        JSONWriter(indent: 2).write(value, into: &bytes)
        bytes.append(0x0A)
        write(bytes)
    }

    /// Prints text followed by a newline.
    static func line(_ text: String = "") {
        write(Array((text + "\n").utf8))
    }

    static func write(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    /// Prints a table with a header row; numbers are right-aligned. Linear in the text's
    /// length (components of a million members are one cell): widths count Unicode
    /// scalars, the lines are built as bytes.
    static func table(_ header: [String], _ rows: [[String]]) {
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
                // The last column is never padded: its padding would only be trimmed.
                if !numeric[i] && i + 1 < cells.count { out.append(contentsOf: repeatElement(0x20, count: pad)) }
            }
            // No trailing spaces (leading ones keep a first numeric column aligned).
            while out.count > start && out.last == 0x20 { out.removeLast() }
            out.append(0x0A)
        }
        render(header, header.map(width))
        for (row, rowWidths) in zip(rows, cellWidths) { render(row, rowWidths) }
        write(out)
    }

    /// A number for people: integers bare, others with up to 6 significant decimals.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.6g", value)
    }
}

extension ElementID {
    /// The id as a JSON value: integers as numbers, strings as strings.
    var json: JSONValue {
        switch self {
        case .int(let v): return .int(v)
        case .string(let s): return .string(s)
        }
    }
}

extension Hypergraph {
    /// JSON array of the ids of the given nodes.
    func nodeJSON(_ indices: [Int]) -> JSONValue { .array(indices.map { nodes[$0].json }) }
    /// JSON array of the ids of the given edges.
    func edgeJSON(_ indices: [Int]) -> JSONValue { .array(indices.map { edges[$0].json }) }
    /// Comma-separated ids of the given nodes, for text output.
    func nodeText(_ indices: [Int]) -> String { indices.map { nodes[$0].description }.joined(separator: ", ") }
    /// Comma-separated ids of the given edges, for text output.
    func edgeText(_ indices: [Int]) -> String { indices.map { edges[$0].description }.joined(separator: ", ") }
}
