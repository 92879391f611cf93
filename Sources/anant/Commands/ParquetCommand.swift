import AnantColumnar
import AnantOperations
import AnantParquet
import AnantQuery
import ArgumentParser
import Foundation

/// `anant parquet`: look inside Parquet files.
struct ParquetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet",
        abstract: "Inspect, print and digest Parquet files.",
        subcommands: [ParquetInspectCommand.self, ParquetCatCommand.self, ParquetDigestCommand.self])
}

/// Options shared by the Parquet subcommands.
struct ParquetFileOptions: ParsableArguments {
    @Argument(help: "A Parquet file.")
    var file: String

    @Flag(name: .customLong("verify-checksums"), help: "Check every page's CRC, when pages carry one.")
    var verifyChecksums = false

    func open() throws -> ParquetFileReader {
        try HypergraphFiles.checkReadable(file)
        return try ParquetFileReader(path: file, options: ParquetReadOptions(verifyChecksums: verifyChecksums))
    }
}

/// `anant parquet inspect`: schema, row groups and column chunks.
struct ParquetInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a Parquet file's schema, row groups and column chunks (codec, encodings, sizes, statistics).")

    @OptionGroup var options: ParquetFileOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let reader = try options.open()
        let description = ParquetDescription(reader)
        if format == .json { Output.json(description.json) } else { Output.write(Array(description.text.utf8)) }
    }
}

/// How `parquet cat` prints rows.
enum RowFormat: String, ExpressibleByArgument, CaseIterable {
    /// Tab-separated, with a header line.
    case text
    /// One JSON document: an array of row objects.
    case json
    /// JSON Lines: one row object per line.
    case jsonl
}

/// `anant parquet cat`: rows as text, a JSON array or JSON lines.
struct ParquetCatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print rows of a Parquet file, optionally some columns, filtered, limited.",
        discussion: """
        --where takes the expression language of `anant query --where`, e.g. "weight > 0.9 and starts_with(label, 'cat')". \
        Comparisons of columns with literals (and/or/not of them) are tested by the reader, so row groups whose statistics \
        exclude them are not read; the rest of the expression is applied to the rows read. --format json prints one JSON \
        array of row objects, --format jsonl one object per line.
        """)

    @OptionGroup var options: ParquetFileOptions

    @Option(help: "Output format: text (tab-separated), json (one array) or jsonl (JSON Lines).")
    var format: RowFormat = .text

    @Option(help: "Comma-separated columns to print (default: all).")
    var columns: String?

    @Option(name: .customLong("where"), help: "A row filter (the language of `anant query --where`).")
    var filter: String?

    @Option(help: "Print at most this many rows.")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() throws {
        let reader = try options.open()
        let expression: Expr?
        do throws(QueryError) {
            expression = try filter.map { text throws(QueryError) in try Expr.parse(text) }
        } catch { throw CLIError("--where: \(error.message)") }
        let names = columns.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        let shown = names ?? reader.columnarSchema.names
        // The filter's columns are read too, and dropped after filtering.
        let read = names.map { $0 + (expression?.columns.sorted() ?? []).filter { !$0.isEmpty && !names!.contains($0) } }
        var remaining = limit ?? Int.max
        var rows = 0
        let writer = JSONWriter(pythonNonFinite: true)
        var batches = try reader.batches(columns: read, where: expression?.parquetPredicate)
        if format == .text { Output.line(shown.joined(separator: "\t")) }
        if format == .json { Output.write(Array("[".utf8)) }
        while remaining > 0, var batch = try batches.next() {
            if let expression {
                do throws(QueryError) { batch = batch.gather(try expression.selection(batch).setIndices()) } catch {
                    throw CLIError("--where: \(error.message)")
                }
            }
            if read != nil { batch = try batch.select(shown) }
            let count = Swift.min(remaining, batch.rowCount)
            remaining -= count
            var out = [UInt8]()
            for row in 0..<count {
                switch format {
                case .text:
                    out.append(contentsOf: batch.columns.map { $0[row].description }.joined(separator: "\t").utf8)
                case .json, .jsonl:
                    if format == .json { out.append(contentsOf: (rows == 0 ? "\n" : ",\n").utf8) }
                    writer.write(.object(JSONObject(zip(batch.schema.names, batch.columns).map { ($0, $1[row].jsonValue) })), into: &out)
                }
                if format != .json { out.append(0x0A) }
                rows += 1
            }
            Output.write(out)
        }
        if format == .json { Output.write(Array((rows == 0 ? "]\n" : "\n]\n").utf8)) }
    }
}

/// `anant parquet digest`: the canonical value digest of parquet-testing/MANIFEST.md.
struct ParquetDigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print num_rows and, per top-level column, the SHA-256 of its canonical values (parquet-testing/MANIFEST.md).")

    @OptionGroup var options: ParquetFileOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let digest = try ParquetDigest(try options.open())
        if format == .json {
            Output.json(digest.json)
        } else {
            Output.table(["column", "rows", "nulls", "sha256"], digest.columns.map { [$0.name, String($0.rows), String($0.nulls), $0.sha256] })
            Output.line("values digest \(digest.valuesDigest)")
        }
    }
}
