import AnantColumnar
import AnantHypergraph
import Foundation

/// Reads and writes hypergraph files, choosing the format by extension (.json: HIF,
/// .csv: CSV incidence file with optional .nodes.csv / .edges.csv companions).
enum HypergraphFiles {
    enum Format { case hif, csv }

    /// The format of a path, by extension; other extensions are sniffed from the content.
    static func format(of path: String, content: [UInt8]? = nil) throws -> Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".json") { return .hif }
        if lower.hasSuffix(".csv") { return .csv }
        if let first = content?.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) {
            return first == UInt8(ascii: "{") ? .hif : .csv
        }
        throw CLIError("cannot tell the format of '\(path)': name it .json (HIF) or .csv (incidence CSV)")
    }

    /// Reads a hypergraph file.
    static func read(_ path: String) throws -> Hypergraph {
        let bytes = try readBytes(path)
        switch try format(of: path, content: bytes) {
        case .hif:
            return try HIFReader.read(bytes)
        case .csv:
            let (nodesPath, edgesPath) = companions(of: path)
            let nodes = FileManager.default.fileExists(atPath: nodesPath) ? try readBytes(nodesPath) : nil
            let edges = FileManager.default.fileExists(atPath: edgesPath) ? try readBytes(edgesPath) : nil
            return try Hypergraph(csv: bytes, nodeTable: nodes, edgeTable: edges)
        }
    }

    /// Writes a hypergraph; returns the paths written (CSV may add companion files).
    @discardableResult
    static func write(_ hypergraph: Hypergraph, to path: String) throws -> [String] {
        switch try format(of: path) {
        case .hif:
            try writeAtomically(HIFWriter.write(hypergraph), to: path)
            return [path]
        case .csv:
            try writeAtomically(hypergraph.incidenceCSV(), to: path)
            guard hypergraph.needsElementTables else { return [path] }
            let (nodesPath, edgesPath) = companions(of: path)
            try writeAtomically(hypergraph.nodeCSV(), to: nodesPath)
            try writeAtomically(hypergraph.edgeCSV(), to: edgesPath)
            return [path, nodesPath, edgesPath]
        }
    }

    /// FILE.csv → (FILE.nodes.csv, FILE.edges.csv).
    static func companions(of path: String) -> (String, String) {
        let stem = path.lowercased().hasSuffix(".csv") ? String(path.dropLast(4)) : path
        return (stem + ".nodes.csv", stem + ".edges.csv")
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError("cannot read '\(path)': no such file")
        }
        if isDirectory.boolValue { throw CLIError("cannot read '\(path)': it is a directory, not a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read '\(path)': permission denied or unreadable")
        }
        return Array(data)
    }

    /// Writes to a temporary file in the same folder, flushes it, then renames it over
    /// `path`, so a reader never sees a partial file.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("cannot write '\(path)': folder '\(folder)' does not exist")
        }
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) ,
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw CLIError("cannot write '\(path)': permission denied")
        }
        do {
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
            try handle.close()
            if rename(temporary, path) != 0 {
                throw CLIError("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error is CLIError ? error : CLIError("cannot write '\(path)': \(error.localizedDescription)")
        }
    }
}
