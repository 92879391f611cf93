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
