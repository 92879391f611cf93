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

    /// Prints a table with a header row; numbers are right-aligned.
    static func table(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        let numeric = header.indices.map { i in !rows.isEmpty && rows.allSatisfy { Double($0[i]) != nil } }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return numeric[i] ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var out = render(header) + "\n"
        for row in rows { out += render(row) + "\n" }
        write(Array(out.utf8))
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
