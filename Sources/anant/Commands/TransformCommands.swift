import AnantColumnar
import AnantHypergraph
import AnantOperations
import AnantParquet
import ArgumentParser
import Foundation

/// `anant dual`: swap the roles of nodes and edges.
struct DualCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dual",
        abstract: "Write the dual hypergraph: every edge becomes a node and every node an edge.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Where to write the dual (.json HIF or .csv).")
    var out: String

    func run() throws {
        let result = try common.execute(.dual, progress: "computing the dual")
        let dual = try result.hypergraph(context: common.context)
        let written = try HypergraphFiles.write(dual, to: out)
        Written.report(dual, written, format: common.format == .json ? .json : .text)
    }
}

/// `anant restrict`: the sub-hypergraph on some nodes or some edges.
struct RestrictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restrict",
        abstract: "Write the sub-hypergraph on the given nodes (edges shrink) or on the given edges (with all their nodes).",
        discussion: """
        Ids are comma-separated and the option may repeat. A token that is a canonical integer names the integer \
        id when it exists; put a token in double quotes to name the string id (for example '"42"'). \
        Use --nodes-file/--edges-file for ids containing commas (one id per line).
        """)

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("nodes"), help: "Keep these nodes (repeatable or comma-separated).")
    var nodeLists: [String] = []

    @Option(name: .customLong("edges"), help: "Keep these edges (repeatable or comma-separated).")
    var edgeLists: [String] = []

    @Option(name: .customLong("nodes-file"), help: "Keep the nodes listed in this file, one per line.")
    var nodesFile: String?

    @Option(name: .customLong("edges-file"), help: "Keep the edges listed in this file, one per line.")
    var edgesFile: String?

    @Option(help: "Where to write the result (.json HIF or .csv).")
    var out: String

    func validate() throws {
        let byNodes = !nodeLists.isEmpty || nodesFile != nil
        let byEdges = !edgeLists.isEmpty || edgesFile != nil
        if byNodes == byEdges { throw ValidationError("give nodes (--nodes/--nodes-file) or edges (--edges/--edges-file), not both and not neither") }
    }

    func run() throws {
        let byNodes = !nodeLists.isEmpty || nodesFile != nil
        let ids = byNodes ? nodeLists + (try nodesFile.map(lines) ?? [])
            : edgeLists + (try edgesFile.map(lines) ?? [])
        let operation = AnantOperations.Operation.restrict(to: byNodes ? .nodes : .edges, ids: ids)
        let result = try common.execute(operation, progress: "restricting").hypergraph(context: common.context)
        let written = try HypergraphFiles.write(result, to: out)
        Written.report(result, written, format: common.format == .json ? .json : .text)
    }

    private func lines(_ path: String) throws -> [String] {
        String(decoding: try HypergraphFiles.readBytes(path), as: UTF8.self)
            .split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
    }
}

/// `anant convert`: between HIF, CSV and Parquet.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert between HIF JSON (.json), CSV (.csv) and Parquet (.parquet) incidence files.",
        discussion: """
        Writing a table (CSV, Parquet or Arrow) also writes OUTPUT.nodes.EXT and OUTPUT.edges.EXT when nodes or edges carry \
        properties or have no incidences, so nothing is lost. Parquet and Arrow tables carry the network type and metadata in \
        their key-value metadata; CSV gets OUTPUT.schema.json with them and every column's type, read back with the tables \
        (ids of both kinds are written as JSON in CSV: 1 and "1").
        """)

    @Argument(help: "The input file (.json, .csv or .parquet).")
    var input: String

    @Argument(help: "The output file (.json, .csv, .parquet or .arrow).")
    var output: String

    @Option(help: "Parquet compression: none, snappy, gzip[:LEVEL], lz4, zstd[:LEVEL].")
    var codec: ParquetCompression = .zstd(level: 3)

    @Flag(help: "Name a table's edge, node and weight columns as the input table did (with --edge-col paper_id: paper_id).")
    var originalNames = false

    @Option(name: .long, help: "Output format of the summary: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var columns: ColumnOptions

    func validate() throws {
        try columns.validate(remote: false)
    }

    func run() throws {
        try ConvertCommand.convert(input, to: output, codec: codec, columns: columns.names, originalNames: originalNames, format: format)
    }

    /// Reads any input (a file or a dataset) and writes it as `output`'s format says.
    static func convert(_ input: String, to output: String, codec: ParquetCompression, columns: ColumnNames?, originalNames: Bool,
                        format: OutputFormat) throws {
        let h = try Progress.run("reading \(input)") { try HypergraphFiles.read(input, columns: columns) }
        let written = try Progress.run("writing \(output)") { try HypergraphFiles.write(h, to: output, codec: codec, originalNames: originalNames) }
        Written.report(h, written, format: format)
    }
}

/// The summary printed after writing a hypergraph.
enum Written {
    static func report(_ h: Hypergraph, _ paths: [String], format: OutputFormat) {
        if format == .json {
            Output.json(.object(JSONObject([
                ("written", .array(paths.map { .string($0) })), ("nodes", .int(Int64(h.nodeCount))),
                ("edges", .int(Int64(h.edgeCount))), ("incidences", .int(Int64(h.incidenceCount))),
            ])))
        } else {
            Output.line("wrote \(paths.joined(separator: ", ")): \(h.nodeCount) nodes, \(h.edgeCount) edges, \(h.incidenceCount) incidences")
        }
    }
}
