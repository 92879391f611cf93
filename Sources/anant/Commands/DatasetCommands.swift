import AnantColumnar
import AnantOperations
import AnantDataset
import AnantHypergraph
import AnantParquet
import ArgumentParser
import Foundation

/// `anant import`: a hypergraph file into a dataset folder (a new version of it).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store a hypergraph as a dataset folder of Parquet shards (a new version on every import).",
        discussion: """
        INPUT is a HIF JSON file, a CSV or Parquet incidence table (with companions FILE.nodes.EXT and \
        FILE.edges.EXT when present), or another dataset. Tables whose id columns are not named edge and \
        node take a column mapping: --edge-col edge_id --node-col node_id (and --weight-col w to use w as \
        the incidence weight); the dataset names them edge, node and weight and remembers the original \
        names, which `anant export --original-names` restores. DATASET is created when absent; writing into it publishes a new version \
        atomically (old versions stay readable as DATASET@N until `anant versions --remove N`). \
        pyarrow, polars and DuckDB read DATASET/incidences, DATASET/nodes and DATASET/edges as they are.
        """)

    @Argument(help: "The hypergraph to import.")
    var input: String

    @Argument(help: "The dataset folder.")
    var dataset: String

    @Option(help: "Compression of the shards: none, snappy, gzip[:level], lz4, zstd[:level].")
    var codec: ParquetCompression = .zstd(level: 3)

    @Option(help: "Shards per table (default: one per two million incidences).")
    var shards: Int?

    @Option(help: "Rows per Parquet row group.")
    var rowGroupRows: Int = 1 << 20

    @OptionGroup var columns: ColumnOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        if let shards, !(1...4096).contains(shards) { throw ValidationError("--shards must be between 1 and 4096 (got \(shards))") }
        if rowGroupRows < 1 { throw ValidationError("--row-group-rows must be positive") }
        try columns.validate(remote: cluster.isRemote)
    }

    func run() throws {
        if let client = try cluster.client() {
            // Through the gateway: DATASET is the dataset's name in the cluster's catalog.
            let (input, name, codec, shards) = (self.input, dataset, codec.name, self.shards ?? 0)
            let version = try Progress.run("importing \(input)") {
                try blocking { try await client.importDataset(input, as: name, compression: codec, shards: shards) }
            }
            let manifest = try DatasetManifest(json: try JSONParser.parse(version.manifestJson), source: "the catalog")
            return DatasetSummary(root: name, manifest: manifest).print(format)
        }
        let h = try Progress.run("reading \(input)") { try HypergraphFiles.read(input, columns: columns.names) }
        let written = try Progress.run("writing \(dataset)") { () throws -> Dataset in
            do throws(DatasetError) {
                return try Dataset.write(h, to: dataset, options: DatasetWriteOptions(compression: codec, shards: shards, rowGroupRows: rowGroupRows))
            } catch { throw CLIError(error.message) }
        }
        DatasetSummary(written).print(format)
    }
}

/// What a dataset version holds, for people or as JSON.
struct DatasetSummary {
    /// The dataset's folder, or its name in a cluster's catalog.
    let root: String
    let manifest: DatasetManifest

    init(_ dataset: Dataset) { (root, manifest) = (dataset.root, dataset.manifest) }

    init(root: String, manifest: DatasetManifest) { (self.root, self.manifest) = (root, manifest) }

    var json: JSONValue {
        let m = manifest
        return .object(JSONObject([
            ("dataset", .string(root)), ("version", .int(Int64(m.version))), ("codec", .string(m.codec)),
            ("nodes", .int(Int64(m.nodeCount))), ("edges", .int(Int64(m.edgeCount))), ("incidences", .int(Int64(m.incidenceCount))),
            ("tables", .object(JSONObject(DatasetTable.allCases.map { t in
                let entry = m.tables[t]
                return (t.rawValue, .object(JSONObject([
                    ("rows", .int(Int64(entry?.rows ?? 0))), ("shards", .int(Int64(entry?.shards.count ?? 0))),
                    ("bytes", .int(Int64(entry?.shards.reduce(0) { $0 + $1.bytes } ?? 0))),
                ])))
            }))),
        ]))
    }

    func print(_ format: OutputFormat) {
        if format == .json { return Output.json(json) }
        let m = manifest
        Output.line("\(root) version \(m.version): \(m.nodeCount) nodes, \(m.edgeCount) edges, \(m.incidenceCount) incidences (\(m.codec))")
        Output.table(["table", "rows", "shards", "bytes"], DatasetTable.allCases.map { t in
            let entry = m.tables[t]
            return [t.rawValue, String(entry?.rows ?? 0), String(entry?.shards.count ?? 0), String(entry?.shards.reduce(0) { $0 + $1.bytes } ?? 0)]
        })
    }
}

/// `anant export`: a dataset (or any input) to a HIF, CSV or Parquet file — `convert`
/// under the name a dataset's user looks for.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a dataset (or version, DATASET@N) as a HIF JSON file, or a CSV, Parquet or Arrow IPC incidence table with node and edge companions.")

    @Argument(help: "The dataset folder (or any hypergraph input).")
    var dataset: String

    @Argument(help: "The output file: .json (HIF), or a .csv, .parquet or .arrow (Arrow IPC) incidence table.")
    var output: String

    @Option(help: "Compression of a Parquet output.")
    var codec: ParquetCompression = .zstd(level: 3)

    @Flag(help: "Name a table's edge, node and weight columns as the imported table did (--edge-col paper_id at import: paper_id).")
    var originalNames = false

    @Option(help: "Output format of the summary: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var columns: ColumnOptions

    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        try columns.validate(remote: cluster.isRemote)
    }

    func run() throws {
        guard let client = try cluster.client() else {
            return try ConvertCommand.convert(dataset, to: output, codec: codec, columns: columns.names, originalNames: originalNames, format: format)
        }
        // Through the gateway: fetch the version into a temporary dataset folder, then write it
        // exactly as a local export of that folder would.
        let (name, version) = try ClusterOptions.dataset(dataset)
        let folder = NSTemporaryDirectory() + "/anant-export-\(ProcessInfo.processInfo.processIdentifier)/\(name)"
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        _ = try Progress.run("fetching \(dataset)") { try blocking { try await client.exportDataset(name, version: version, to: folder) } }
        try ConvertCommand.convert(folder, to: output, codec: codec, columns: nil, originalNames: originalNames, format: format)
    }
}

/// `anant versions`: a dataset's versions; verify or remove one.
struct VersionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "List a dataset's versions, check a version's shard checksums (--verify), or remove an old version (--remove N).")

    @Argument(help: "The dataset folder (FOLDER@N for a version).")
    var dataset: String

    @Flag(help: "Check every shard's SHA-256 against the manifest.")
    var verify = false

    @Option(help: "Remove this version (not the current one).")
    var remove: Int?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        guard let opened = try HypergraphFiles.dataset(dataset) else {
            throw CLIError("'\(dataset)' is not a dataset folder")
        }
        do {
            if let remove {
                try Dataset.removeVersion(opened.root, remove)
                FileHandle.standardError.write(Data("removed version \(remove) of \(opened.root)\n".utf8))
            }
            if verify {
                try opened.verify()
                FileHandle.standardError.write(Data("version \(opened.manifest.version): every shard matches its checksum\n".utf8))
                let leftovers = Dataset.leftovers(opened.root)
                if !leftovers.isEmpty {
                    FileHandle.standardError.write(Data("""
                        note: \(leftovers.count) leftover(s) of interrupted writes (never part of a version; the next import removes them):
                        \(leftovers.map { "  " + $0 }.joined(separator: "\n"))

                        """.utf8))
                }
            }
        } catch { throw CLIError(error.message) }
        let current = try? Dataset.open(opened.root)
        let versions = Dataset.versions(opened.root)
        // One listing for both formats: JSON carries everything the text shows (a version
        // whose manifest cannot be read has nulls, "?" in text).
        let listed = versions.map { v in (version: v, manifest: try? Dataset.open(opened.root, version: v).manifest) }
        if format == .json {
            Output.json(.object(JSONObject([
                ("dataset", .string(opened.root)), ("current", current.map { .int(Int64($0.manifest.version)) } ?? .null),
                ("versions", .array(listed.map { v, m in
                    .object(JSONObject([("version", .int(Int64(v))), ("current", .bool(v == current?.manifest.version)),
                                        ("created", m.map { .string($0.created) } ?? .null),
                                        ("nodes", m.map { .int(Int64($0.nodeCount)) } ?? .null),
                                        ("edges", m.map { .int(Int64($0.edgeCount)) } ?? .null),
                                        ("incidences", m.map { .int(Int64($0.incidenceCount)) } ?? .null)]))
                })),
            ])))
        } else {
            Output.table(["version", "created", "nodes", "edges", "incidences"], listed.map { v, m in
                [String(v) + (v == current?.manifest.version ? " *" : ""), m?.created ?? "?",
                 m.map { String($0.nodeCount) } ?? "?", m.map { String($0.edgeCount) } ?? "?", m.map { String($0.incidenceCount) } ?? "?"]
            })
        }
    }
}
