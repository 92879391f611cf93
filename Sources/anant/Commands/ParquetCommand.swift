import AnantColumnar
import AnantOperations
import AnantParquet
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

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

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

    func run() throws {
        let reader = try options.open()
        let description = ParquetDescription(reader)
        if options.format == .json { Output.json(description.json) } else { Output.write(Array(description.text.utf8)) }
    }
}

/// `anant parquet cat`: rows as text or JSON lines.
struct ParquetCatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print rows of a Parquet file, optionally some columns, filtered, limited.",
        discussion: "--where takes comparisons with literals joined by and/or/not, e.g. \"weight > 0.9 and label = 'cat_01'\". Row groups whose statistics exclude the filter are not read. --format json prints JSON lines, one object per row.")

    @OptionGroup var options: ParquetFileOptions

    @Option(help: "Comma-separated columns to print (default: all).")
    var columns: String?

    @Option(name: .customLong("where"), help: "A row filter.")
    var filter: String?

    @Option(help: "Print at most this many rows.")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() throws {
        let reader = try options.open()
        let predicate = try filter.map { try ParquetPredicate.parse($0) }
        let names = columns.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        var remaining = limit ?? Int.max
        var printedHeader = false
        let writer = JSONWriter(pythonNonFinite: true)
        var batches = try reader.batches(columns: names, where: predicate)
        while remaining > 0, let batch = try batches.next() {
            let count = Swift.min(remaining, batch.rowCount)
            remaining -= count
            var out = [UInt8]()
            if options.format == .text && !printedHeader {
                out.append(contentsOf: (batch.schema.names.joined(separator: "\t") + "\n").utf8)
                printedHeader = true
            }
            for row in 0..<count {
                if options.format == .json {
                    writer.write(.object(JSONObject(zip(batch.schema.names, batch.columns).map { ($0, $1[row].jsonValue) })), into: &out)
                } else {
                    out.append(contentsOf: batch.columns.map { $0[row].description }.joined(separator: "\t").utf8)
                }
                out.append(0x0A)
            }
            Output.write(out)
        }
        if options.format == .text && !printedHeader {
            Output.line((names ?? reader.columnarSchema.names).joined(separator: "\t"))
        }
    }
}

/// `anant parquet digest`: the canonical value digest of parquet-testing/MANIFEST.md.
struct ParquetDigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print num_rows and, per top-level column, the SHA-256 of its canonical values (parquet-testing/MANIFEST.md).")

    @OptionGroup var options: ParquetFileOptions

    func run() throws {
        let digest = try ParquetDigest(try options.open())
        if options.format == .json {
            Output.json(digest.json)
        } else {
            Output.table(["column", "rows", "nulls", "sha256"], digest.columns.map { [$0.name, String($0.rows), String($0.nulls), $0.sha256] })
            Output.line("values digest \(digest.valuesDigest)")
        }
    }
}
