import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantParquet
import Foundation

/// Reads and writes hypergraph files, choosing the format by extension: .json is HIF;
/// .csv and .parquet are incidence tables (`edge`, `node`, properties) with optional
/// companions FILE.nodes.EXT and FILE.edges.EXT holding node and edge tables. A file
/// with another extension is read only when its content says what it is (Parquet or Arrow
/// magic bytes, a HIF JSON object); anything else is refused, never guessed to be CSV.
///
/// Nothing is lost between formats: Parquet and Arrow incidence tables carry the
/// hypergraph's facts (name, network type, metadata, default weights) in their key-value
/// metadata under `factsKey`; a CSV table gets FILE.schema.json (`CSVSchema`: the facts
/// and every column's type, so that a string id "2441" stays a string).
/// The CLI and clients share it, so that a path means the same everywhere.
///
/// Errors are `OperationError`s (`notFound` for a missing file, `failedPrecondition` for
/// a path of the wrong kind, `invalidArgument` for a name without a known format) or the
/// reading module's own error.
public enum HypergraphFiles {
    public enum Format: String, Sendable {
        /// HIF JSON; CSV, Parquet or Arrow IPC tables (`.arrow`: the IPC file format,
        /// `.arrows`: the stream format; both are read).
        case hif, csv, parquet, arrow

        public var fileExtension: String { self == .hif ? ".json" : ".\(rawValue)" }
    }

    /// The format of a path, by extension or, for reading, by its first bytes.
    public static func format(of path: String, sniff: Bool = false) throws -> Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".json") { return .hif }
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".parquet") || lower.hasSuffix(".pq") { return .parquet }
        if lower.hasSuffix(".arrow") || lower.hasSuffix(".arrows") || lower.hasSuffix(".ipc") { return .arrow }
        if sniff, let head = FileHandle(forReadingAtPath: path).flatMap({ try? $0.read(upToCount: 64) }) {
            if head.starts(with: Array("PAR1".utf8)) { return .parquet }
            if ArrowIPC.isArrow(head) { return .arrow }
            let first = head.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
            if first == UInt8(ascii: "{") { return .hif }
        }
        throw OperationError(.invalidArgument, "cannot tell the format of '\(path)': its extension is none of .json (HIF), .csv, .parquet, "
                             + ".arrow (incidence tables)\(sniff ? " and its content is neither Parquet, Arrow nor a HIF object" : ""); "
                             + "rename it (a CSV table: .csv)")
    }

    /// A dataset folder (`anant import` makes them), optionally `FOLDER@VERSION`.
    public static func dataset(_ path: String) throws -> Dataset? {
        var root = path, version: Int? = nil
        if let at = path.lastIndex(of: "@"), let v = Int(path[path.index(after: at)...]), !Dataset.isDataset(path) {
            root = String(path[..<at])
            version = v
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        guard Dataset.isDataset(root) else {
            throw OperationError(.failedPrecondition, "cannot read '\(root)': it is a folder but not an Anant dataset (no _manifest.json; make one with `anant import`)")
        }
        return try Dataset.open(root, version: version)
    }

    /// Reads a hypergraph file or dataset folder. `columns` names the edge, node and weight
    /// columns of an incidence table that calls them otherwise (nil: the names the table's
    /// own facts record, else edge, node and weight); companion tables may use either name
    /// for their id column.
    public static func read(_ path: String, columns: ColumnNames? = nil, context: ExecutionContext = .default) throws -> Hypergraph {
        func noMapping(_ what: String) throws {
            guard columns == nil || columns!.isStandard else {
                throw OperationError(.invalidArgument, "--edge-col, --node-col and --weight-col apply to CSV, Parquet and Arrow incidence tables, "
                                     + "not to \(what) \(path)")
            }
        }
        if let dataset = try dataset(path) {
            try noMapping("the dataset")
            return try dataset.hypergraph(context: context)
        }
        try checkReadable(path)
        let format = try format(of: path, sniff: true)
        if format == .hif {
            try noMapping("the HIF file")
            return try HIFReader.read(try readBytes(path))
        }
        let (nodesPath, edgesPath) = companions(of: path, format: format)
        let hasNodes = FileManager.default.fileExists(atPath: nodesPath), hasEdges = FileManager.default.fileExists(atPath: edgesPath)
        var incidences: RecordBatch, nodes: RecordBatch?, edges: RecordBatch?, facts: JSONObject
        var names = columns ?? ColumnNames()
        switch format {
        case .csv:
            // FILE.schema.json is read when it is Anant's (another tool's JSON Schema of the
            // same name is left alone); errors of declared types name it.
            let schemaPath = schemaCompanion(of: path)
            var schema: CSVSchema? = nil
            if FileManager.default.fileExists(atPath: schemaPath) {
                let bytes = try readBytes(schemaPath)
                if CSVSchema.isAnantSchema(bytes) { schema = try CSVSchema(json: bytes, source: schemaPath) }
            }
            let declared = schema == nil ? "" : " (column types from \(schemaPath))"
            facts = schema?.facts ?? JSONObject()
            names = columns ?? ColumnNames(facts: facts)
            incidences = try Hypergraph.csvTable(try readBytes(path), ids: [names.edge, names.node, "edge", "node"], required: [], types: schema?.incidences,
                                                 what: "incidence file \(path)\(declared)")
            nodes = hasNodes ? try Hypergraph.csvTable(try readBytes(nodesPath), ids: [names.node, "node"], required: [], types: schema?.nodes, what: "node table \(nodesPath)\(declared)") : nil
            edges = hasEdges ? try Hypergraph.csvTable(try readBytes(edgesPath), ids: [names.edge, "edge"], required: [], types: schema?.edges, what: "edge table \(edgesPath)\(declared)") : nil
        case .parquet:
            func table(_ file: String) throws -> (RecordBatch, [(String, String)]) {
                do {
                    let reader = try ParquetFileReader(path: file)
                    return (try reader.readTable(), reader.metadata.keyValueMetadata.map { ($0.key, $0.value ?? "") })
                } catch {
                    throw ParquetError(error.code, "cannot read '\(file)': \(error.message)", underlying: error.underlying, retryable: error.retryable)
                }
            }
            let (read, metadata) = try table(path)
            (incidences, facts) = (read, try self.facts(in: metadata, of: path))
            nodes = hasNodes ? try table(nodesPath).0 : nil
            edges = hasEdges ? try table(edgesPath).0 : nil
        case .arrow, .hif:
            let (read, metadata) = try arrowTable(path)
            (incidences, facts) = (read, try self.facts(in: metadata, of: path))
            nodes = hasNodes ? try arrowTable(nodesPath).0 : nil
            edges = hasEdges ? try arrowTable(edgesPath).0 : nil
        }
        // The names the table's facts record apply when the table uses them (it was written
        // with --original-names); a table with the standard names needs no mapping.
        let recorded = ColumnNames(facts: facts)
        let usesRecorded = !recorded.isStandard && recorded.renamed.allSatisfy { incidences.schema.index(of: $0.source) != nil }
        names = columns ?? (usesRecorded ? recorded : ColumnNames())
        // The dataset's and the hypergraph's tables name the columns edge, node and weight.
        incidences = try renamed(incidences, names.renamed, in: path, required: true)
        for id in ["edge", "node"] where incidences.schema.index(of: id) == nil {
            throw OperationError(.invalidArgument, "\(path) has no column '\(id)' (columns: \(incidences.schema.names.joined(separator: ", "))); "
                                 + "name its id columns with --edge-col and --node-col")
        }
        nodes = try nodes.map { try renamed($0, names.renamed.filter { $0.standard == "node" }, in: nodesPath, required: false) }
        edges = try edges.map { try renamed($0, names.renamed.filter { $0.standard == "edge" }, in: edgesPath, required: false) }
        var h = try Hypergraph(incidences: incidences, nodes: nodes, edges: edges, facts: facts, context: context)
        h.columnNames = columns ?? recorded
        return h
    }

    /// `table` with each (standard, source) column renamed to its standard name. A source
    /// column that is missing is an error when `required` (a companion may already use
    /// the standard name); a table holding both names is an error either way.
    private static func renamed(_ table: RecordBatch, _ renames: [(standard: String, source: String)], in path: String,
                                required: Bool) throws -> RecordBatch {
        var table = table
        for (standard, source) in renames {
            guard table.schema.index(of: source) != nil else {
                if !required { continue }
                throw OperationError(.invalidArgument, "\(path) has no column '\(source)' (columns: \(table.schema.names.joined(separator: ", ")))")
            }
            if table.schema.index(of: standard) != nil {
                throw OperationError(.invalidArgument, "\(path) has a column '\(standard)' besides '\(source)'; rename one of them "
                                     + "(the hypergraph's tables call the \(standard) column '\(standard)')")
            }
            table = try table.renaming(source, to: standard)
        }
        return table
    }

    /// The key-value metadata key under which a Parquet or Arrow incidence table carries
    /// the hypergraph's facts (name, network type, metadata, default weights) as JSON.
    public static let factsKey = "anant:hypergraph"

    /// The facts a table's key-value metadata carries (none: an empty object, so that the
    /// defaults hold for tables other tools wrote).
    private static func facts(in metadata: [(String, String)], of path: String) throws -> JSONObject {
        guard let text = metadata.first(where: { $0.0 == factsKey })?.1 else { return JSONObject() }
        guard case .object(let found)? = try? JSONParser.parse(text) else {
            throw OperationError(.invalidArgument, "cannot read '\(path)': its \(factsKey) metadata is not a JSON object")
        }
        return found
    }

    /// The batches of an Arrow IPC file or stream, as one table, and its schema metadata.
    public static func arrowTable(_ path: String) throws -> (RecordBatch, [(String, String)]) {
        let bytes = try readBytes(path)
        let read: (schema: Schema, batches: [RecordBatch], metadata: [(String, String)])
        do { read = try ArrowIPC.read(bytes) } catch {
            throw ColumnarError(error.code, "cannot read '\(path)': \(error.message)", underlying: error.underlying, retryable: error.retryable)
        }
        let (schema, batches, metadata) = read
        let table = batches.isEmpty ? try RecordBatch(schema: schema, columns: schema.fields.map { Column.nulls($0.type, count: 0) })
            : RecordBatch.concatenating(batches)
        return (table, metadata)
    }

    /// Writes a hypergraph; returns the paths written (tables may add companion files).
    /// With `originalNames`, a table names its edge, node and weight columns as the table
    /// the hypergraph was read from did (`Hypergraph.columnNames`).
    @discardableResult
    public static func write(_ hypergraph: Hypergraph, to path: String, codec: ParquetCompression = .zstd(level: 3),
                             originalNames: Bool = false) throws -> [String] {
        let format = try format(of: path)
        if format == .hif {
            try writeAtomically(HIFWriter.write(hypergraph), to: path)
            return [path]
        }
        let (nodesPath, edgesPath) = companions(of: path, format: format)
        var written = [path]
        var facts = [UInt8]()
        JSONWriter().write(.object(hypergraph.facts), into: &facts)
        // With `originalNames`, the columns are named as in the table the hypergraph came
        // from; the facts say so, and reading the files back maps them again.
        // The incidence table takes all three names; the node and edge tables only their
        // id column's (their weight columns are the elements' own weights).
        let renames = originalNames ? hypergraph.columnNames.renamed : []
        func named(_ table: RecordBatch, only: String? = nil) throws -> RecordBatch {
            var table = table
            for (standard, source) in renames where only == nil || standard == only { table = try table.renaming(standard, to: source) }
            return table
        }
        let incidences = try named(hypergraph.incidenceTable())
        try writeResult(incidences, to: path, codec: codec, metadata: [(factsKey, String(decoding: facts, as: UTF8.self))])
        var elementTables: (nodes: RecordBatch, edges: RecordBatch)? = nil
        if hypergraph.needsElementTables {
            elementTables = (try named(hypergraph.nodeTable(), only: "node"), try named(hypergraph.edgeTable(), only: "edge"))
            try writeResult(elementTables!.nodes, to: nodesPath, codec: codec)
            try writeResult(elementTables!.edges, to: edgesPath, codec: codec)
            written += [nodesPath, edgesPath]
        } else {
            // Stale companions from an earlier write would be read back with this file.
            for stale in [nodesPath, edgesPath] where FileManager.default.fileExists(atPath: stale) {
                try? FileManager.default.removeItem(atPath: stale)
            }
        }
        if format == .csv {
            let schema = CSVSchema(hypergraph, incidences: incidences.schema, nodes: elementTables?.nodes.schema, edges: elementTables?.edges.schema)
            var bytes = [UInt8]()
            JSONWriter(indent: 2).write(schema.json, into: &bytes)
            bytes.append(0x0A)
            try writeAtomically(bytes, to: schemaCompanion(of: path))
            written.append(schemaCompanion(of: path))
        }
        return written
    }

    /// Writes a table as CSV, Parquet or Arrow IPC, by the extension of `path`;
    /// `metadata` goes into Parquet key-value or Arrow schema metadata (CSV has none).
    public static func writeResult(_ table: RecordBatch, to path: String, codec: ParquetCompression = .zstd(level: 3),
                                   metadata: [(String, String)] = []) throws {
        let writer = try TableFileWriter(path: path, schema: table.schema, codec: codec, metadata: metadata)
        try writer.write(table)
        try writer.close()
    }

    /// Removes the CSV schema companion of `path` (left by an earlier hypergraph written
    /// there, it would retype a result table written over it).
    static func removeStaleSchema(of path: String) {
        let stale = schemaCompanion(of: path)
        if FileManager.default.fileExists(atPath: stale) { try? FileManager.default.removeItem(atPath: stale) }
    }


    /// FILE.csv → FILE.schema.json, the column types and facts of a CSV table.
    public static func schemaCompanion(of path: String) -> String {
        (path.lowercased().hasSuffix(".csv") ? String(path.dropLast(4)) : path) + ".schema.json"
    }

    /// FILE.EXT → (FILE.nodes.EXT, FILE.edges.EXT).
    public static func companions(of path: String, format: Format) -> (String, String) {
        let ext = format.fileExtension
        let stem = path.lowercased().hasSuffix(ext) ? String(path.dropLast(ext.count)) : path
        return (stem + ".nodes" + ext, stem + ".edges" + ext)
    }

    public static func checkReadable(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw OperationError(.notFound, "cannot read '\(path)': no such file")
        }
        if isDirectory.boolValue { throw OperationError(.failedPrecondition, "cannot read '\(path)': it is a directory, not a file") }
    }

    public static func readBytes(_ path: String) throws -> [UInt8] {
        try checkReadable(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OperationError(.failedPrecondition, "cannot read '\(path)': permission denied or unreadable")
        }
        return Array(data)
    }

    public static func checkFolder(of path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OperationError(.notFound, "cannot write '\(path)': folder '\(folder)' does not exist")
        }
    }

    /// Writes durably (`DurableFile`: a temporary file in the same folder, fsync, rename,
    /// fsync of the folder), so a reader never sees a partial file.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        try checkFolder(of: path)
        do { try DurableFile.write(bytes, to: path) } catch { throw ColumnarError(error.code, "cannot write '\(path)': \(error.message)", underlying: error.underlying, retryable: error.retryable) }
    }
}

