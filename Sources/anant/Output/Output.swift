import AnantColumnar
import AnantHypergraph
import AnantOperations
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// Writes bytes to standard output. A reader that went away (`anant ... | head`) ends
    /// the command quietly; any other write error ends it with the reason.
    static func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(1, $0.baseAddress! + offset, $0.count - offset) }
            if written >= 0 { offset += written; continue }
            if errno == EINTR { continue }
            if errno == EPIPE { exit(0) }
            FileHandle.standardError.write(Data("Error: cannot write the output: \(String(cString: strerror(errno)))\n".utf8))
            exit(1)
        }
    }

    /// Prints a table with a header row (`TextTable`, shared with clients).
    static func table(_ header: [String], _ rows: [[String]]) {
        write(TextTable.render(header, rows))
    }

    /// A number for people: integers bare, others with up to 6 significant decimals.
    static func number(_ value: Double) -> String { TextTable.number(value) }
}

/// Text for a person at a terminal: bounded, so that a result of a million rows or a
/// component of a million members does not scroll past. Pipes, files and the other
/// formats get everything.
enum TerminalText {
    /// True when standard output is a terminal.
    static let isTerminal = isatty(STDOUT_FILENO) == 1

    /// `text` with at most `lines` lines, each at most about `width` characters: a long
    /// list ("a, b, c, …") keeps its first items and says how many more there are; the
    /// lines left out are counted on a last line that says how to see them.
    static func bounded(_ text: [UInt8], lines: Int = 60, width: Int = 240) -> [UInt8] {
        let all = String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let body = all.last == "" ? all.dropLast() : all[...]
        var out = body.prefix(lines).map { shortened(String($0), width: width) }
        if body.count > lines {
            out.append("… \(body.count - lines) more lines (--all shows them; --format csv or json, or a pipe, gives everything)")
        }
        return Array((out.joined(separator: "\n") + "\n").utf8)
    }

    /// A line cut at a list separator before `width` characters, with the count of the
    /// items left out.
    static func shortened(_ line: String, width: Int) -> String {
        guard line.count > width else { return line }
        let head = line.prefix(width)
        guard let cut = head.range(of: ", ", options: .backwards) else { return head + "…" }
        let rest = line[cut.lowerBound...]
        let left = rest.components(separatedBy: ", ").count - 1
        return line[..<cut.lowerBound] + ", … (\(left) more)"
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
