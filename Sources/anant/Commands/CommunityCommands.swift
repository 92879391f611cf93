import AnantColumnar
import AnantHypergraph
import AnantOperations
import ArgumentParser

/// Reads a partition of a hypergraph's nodes. JSON: an object {node: part}; an array of
/// arrays of node ids (parts 1, 2, …, as `communities` numbers them); an array of objects
/// {"community" (or "component", "part"): label, "nodes": [...]}; or the document
/// `communities --format json` prints, as it is. CSV: a header, node ids in the first
/// column and parts in the second. Part labels are kept as given. Every node must be in
/// exactly one part.
enum PartitionFile {
    /// The entries of the partition in the file (node token, part label), in file order,
    /// checked to give every node of `h` exactly one part (without `h`, a hypergraph the
    /// cluster holds: checked to name no node twice; the gateway checks the rest).
    static func read(_ path: String, for h: Hypergraph?) throws -> [PartitionEntry] {
        let bytes = try HypergraphFiles.readBytes(path)
        var seen = [Bool](repeating: false, count: h?.nodeCount ?? 0)
        var tokens = Set<String>()
        var entries = [PartitionEntry]()
        func assign(_ token: String, _ label: String) throws {
            if let h {
                let v = try ElementReference.nodes([token], in: h)[0]
                guard !seen[v] else { throw CLIError("'\(path)': node '\(h.nodes[v])' is in two parts") }
                seen[v] = true
            } else {
                guard tokens.insert(token).inserted else { throw CLIError("'\(path)': node '\(token)' is in two parts") }
            }
            entries.append(PartitionEntry(node: token, part: label))
        }
        func token(_ json: JSONValue) throws -> String {
            switch json {
            case .int(let v): return String(v)
            case .string(let s): return s
            default: throw CLIError("'\(path)': node ids must be integers or strings, not \(JSONWriter().string(json))")
            }
        }
        if (try? HypergraphFiles.format(of: path)) == .hif || bytes.first(where: { $0 > 0x20 }) == UInt8(ascii: "{") || bytes.first(where: { $0 > 0x20 }) == UInt8(ascii: "[") {
            let json: JSONValue
            do { json = try JSONParser.parse(bytes) } catch { throw CLIError("'\(path)': \(error.message)") }
            func label(_ value: JSONValue) -> String {
                if case .string(let s) = value { return s }
                return JSONWriter().string(value)
            }
            var parts: [JSONValue]? = json.arrayValue
            // The output of `communities --format json`: its communities are the parts.
            if case .object(let object) = json, let communities = object["communities"]?.arrayValue { parts = communities }
            if let parts {
                for (k, part) in parts.enumerated() {
                    if let list = part.arrayValue {
                        for member in list { try assign(try token(member), String(k + 1)) }
                    } else if case .object(let group) = part, let list = group["nodes"]?.arrayValue,
                              let name = ["community", "component", "part"].lazy.compactMap({ group[$0] }).first {
                        for member in list { try assign(try token(member), label(name)) }
                    } else {
                        throw CLIError("'\(path)': part \(k + 1) is neither an array of node ids nor an object with \"community\" (or \"part\") and \"nodes\"")
                    }
                }
            } else if case .object(let object) = json {
                for (key, value) in zip(object.keys, object.values) { try assign(key, label(value)) }
            } else {
                throw CLIError("'\(path)': a partition is a JSON object {node: part}, an array of arrays of nodes, or the output of `communities --format json`")
            }
        } else {
            let table: RecordBatch
            do { table = try CSVReader.read(bytes, options: CSVReadOptions(identifierColumns: [])) } catch {
                throw CLIError("'\(path)': \(error.message)")
            }
            guard table.columns.count >= 2 else { throw CLIError("'\(path)': a partition CSV needs two columns, node and part") }
            for row in 0..<table.rowCount {
                let node = table.columns[0][row], label = table.columns[1][row]
                guard !node.isNull, !label.isNull else { throw CLIError("'\(path)': line \(row + 2) lacks a node or a part") }
                try assign(try token(node.jsonValue), label.description)
            }
        }
        if let h, let missing = seen.firstIndex(of: false) {
            throw CLIError("'\(path)': node '\(h.nodes[missing])' is in no part; a partition must cover every node")
        }
        return entries
    }
}

extension ModularityWeighting: ExpressibleByArgument {}

/// `anant modularity`: hypergraph modularity of a partition.
struct ModularityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modularity",
        abstract: "Hypergraph modularity (Kamiński–Prałat–Théberge) of a partition of the nodes, and each part's conductance.")

    @OptionGroup var common: CommonOptions

    @Option(help: "The partition: JSON {node: part} or [[nodes], ...], or CSV node,part.")
    var partition: String

    @Option(help: "How an edge with a majority in one part counts: linear (c/d), majority (1) or strict (1 if whole).")
    var wdc: ModularityWeighting = .linear

    func run() throws {
        let h = common.cluster.isRemote ? nil : try common.load()
        let operation = Operation.modularity(partition: try PartitionFile.read(partition, for: h), weighting: wdc)
        if let h { try common.run(operation, on: h, progress: "computing modularity") } else { try common.run(operation, progress: "computing modularity") }
    }
}

extension CommunityMethod: ExpressibleByArgument {}

/// `anant communities`: find communities.
struct CommunitiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "communities",
        abstract: "Communities of the nodes: Kumar's clustering (Louvain on a re-weighted two-section graph), optionally refined by last-step moves.",
        discussion: "--method last-step refines --partition (or, without one, Kumar's result) by moving nodes while modularity grows.")

    @OptionGroup var common: CommonOptions

    @Option(help: "kumar or last-step.")
    var method: CommunityMethod = .kumar

    @Option(help: "A starting partition for last-step (JSON or CSV, as for modularity).")
    var partition: String?

    @Option(help: "Modularity rule for last-step.")
    var wdc: ModularityWeighting = .linear

    @Option(help: "Stop when a round improves by less than this.")
    var delta: Double = 0.01

    @Option(help: "Seed of last-step's node order.")
    var seed: UInt64 = 0

    @OptionGroup var top: TopOption

    func run() throws {
        let h = common.cluster.isRemote ? nil : try common.load()
        let operation = Operation.communities(method: method, partition: try partition.map { try PartitionFile.read($0, for: h) },
                                              weighting: wdc, delta: delta, seed: seed)
        let label = method == .kumar ? "Kumar clustering" : "last-step refinement"
        if let h { try common.run(operation, on: h, progress: label, top: top) } else { try common.run(operation, progress: label, top: top) }
    }
}

/// Random hypergraph models of `anant generate`.
enum GeneratorModel: String, ExpressibleByArgument, CaseIterable {
    case erdosRenyi = "erdos-renyi"
    case chungLu = "chung-lu"
}

/// `anant generate`: a seeded random hypergraph.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a seeded random hypergraph: Erdős–Rényi (each incidence with probability p) or Chung–Lu (power-law expected degrees and sizes).")

    @Option(help: "erdos-renyi or chung-lu.") var model: GeneratorModel
    @Option(help: "Number of nodes.") var nodes: Int
    @Option(help: "Number of edges.") var edges: Int
    @Option(help: "Erdős–Rényi: probability of each incidence.") var p: Double?
    @Option(help: "Chung–Lu: mean node degree.") var meanDegree: Double = 4
    @Option(help: "Chung–Lu: power-law exponent of degrees and sizes.") var exponent: Double = 2.5
    @Option(help: "Random seed (the same seed gives the same hypergraph).") var seed: UInt64 = 0
    @Option(help: "Where to write (.json HIF, .csv or .parquet).") var out: String
    @Option(help: "Output format of the summary: text or json.") var format: OutputFormat = .text

    func validate() throws {
        guard nodes >= 0, edges >= 0 else { throw ValidationError("--nodes and --edges must not be negative") }
        if model == .erdosRenyi && p == nil { throw ValidationError("erdos-renyi needs --p") }
        if model == .chungLu && (exponent <= 1 || meanDegree <= 0) { throw ValidationError("chung-lu needs --exponent > 1 and --mean-degree > 0") }
    }

    func run() throws {
        let h: Hypergraph
        switch model {
        case .erdosRenyi:
            h = try Hypergraph.erdosRenyi(nodes: nodes, edges: edges, probability: p!, seed: seed)
        case .chungLu:
            h = try Hypergraph.chungLu(nodes: nodes, edges: edges, meanDegree: meanDegree, exponent: exponent, seed: seed)
        }
        let written = try HypergraphFiles.write(h, to: out)
        // Like HyperNetX's, the hypergraph holds only nodes and edges that drew an incidence:
        // say how many of the requested ones that left out, never silently.
        let missingNodes = nodes - h.nodeCount, missingEdges = edges - h.edgeCount
        if format == .json {
            Output.json(.object(JSONObject([("written", .array(written.map(JSONValue.string))), ("nodes", .int(Int64(h.nodeCount))),
                                            ("edges", .int(Int64(h.edgeCount))), ("incidences", .int(Int64(h.incidenceCount))),
                                            ("requested_nodes", .int(Int64(nodes))), ("requested_edges", .int(Int64(edges))),
                                            ("nodes_without_incidence", .int(Int64(missingNodes))),
                                            ("edges_without_incidence", .int(Int64(missingEdges)))])))
        } else {
            Output.line("wrote \(written.joined(separator: ", ")): \(h.nodeCount) nodes, \(h.edgeCount) edges, \(h.incidenceCount) incidences")
            if missingNodes > 0 || missingEdges > 0 {
                Output.line("left out: \(missingNodes) of the \(nodes) requested nodes and \(missingEdges) of the \(edges) requested edges drew no incidence (as in HyperNetX, a hypergraph holds only nodes and edges with incidences)")
            }
        }
    }
}
