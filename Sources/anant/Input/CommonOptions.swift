import AnantColumnar
import AnantHypergraph
import AnantOperations
import AnantProto
import ArgumentParser

/// How summaries are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// How an operation's result is printed: text, JSON, or its main table as CSV or an Arrow
/// IPC stream.
enum ResultFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
    case csv
    case arrow

    var render: RenderFormat {
        switch self {
        case .text: .text
        case .json: .json
        case .csv: .csv
        case .arrow: .arrow
        }
    }
}

/// The input hypergraph and the output format, shared by every command.
struct CommonOptions: ParsableArguments {
    @Argument(help: "A HIF JSON file (.json), an incidence table (.csv or .parquet), or a dataset folder (FOLDER or FOLDER@VERSION).")
    var input: String

    @Option(name: .long, help: "Output format: text (for people), json (one JSON value), or the main table as csv or arrow (an Arrow IPC stream).")
    var format: ResultFormat = .text

    @Flag(help: "Print all of a text result on a terminal (there it shows the first 60 lines and the first items of long lists).")
    var all = false

    @OptionGroup var columns: ColumnOptions

    @OptionGroup var run: RunOptions

    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        try columns.validate(remote: cluster.isRemote)
        if cluster.isRemote && run.memoryBudget != nil {
            throw ValidationError("--memory-budget bounds work in this process; a cluster's gateway has its own (anant cluster up --request-memory-mb)")
        }
    }

    /// The execution context of the command (threads, timeout).
    var context: ExecutionContext { run.context }

    /// Runs `operation` on the input (in this process, or through the cluster) and prints
    /// its result in `--format`.
    func run(_ operation: Operation, progress label: String, top: TopOption? = nil) throws {
        let result = try execute(operation, progress: label)
        try print(try top?.cut(result, of: operation) ?? result, of: operation)
    }

    /// Runs `operation` on the input: in this process, or through the gateway with
    /// `--gateway` or `--cluster` (the same result, rendered the same way).
    func execute(_ operation: Operation, progress label: String) throws -> OperationResult {
        if let client = try cluster.client() {
            defer { Task { await client.close() } }
            // On a terminal, one line for the whole job: the gateway's count of tasks done.
            return try Progress.run(label) { (line: (any Progress.Line)?) throws -> OperationResult in
                var show: (@Sendable (Anant_V1_Job) -> Void)? = nil
                if let line {
                    show = { (job: Anant_V1_Job) -> Void in
                        let retried = job.extraAttempts > 0 ? ", \(job.extraAttempts) tried again" : ""
                        line.detail = "\(job.tasksDone) of \(job.tasks) tasks" + retried
                    }
                }
                return try client.runBlocking(operation, on: input, context: context, progress: show)
            }
        }
        return try execute(operation, on: try load(), progress: label)
    }

    /// Runs `operation` on `h` (the input, loaded) and prints its result in `--format`.
    func run(_ operation: Operation, on h: Hypergraph, progress label: String, top: TopOption? = nil) throws {
        let result = try execute(operation, on: h, progress: label)
        try print(try top?.cut(result, of: operation) ?? result, of: operation)
    }

    /// Runs `operation` on `h` in this process, showing progress under `label`.
    func execute(_ operation: Operation, on h: Hypergraph, progress label: String) throws -> OperationResult {
        try Progress.run(label) { try LocalExecutor(context: context).run(operation, on: h) }
    }

    /// Prints `result` (of `operation`) in `--format`.
    func print(_ result: OperationResult, of operation: Operation) throws {
        let rendered = try OperationRenderer.render(result, of: operation, as: format.render)
        Output.write(format == .text && TerminalText.isTerminal && !all ? TerminalText.bounded(rendered) : rendered)
    }

    /// Loads the input, showing progress on a terminal when it takes a while.
    func load() throws -> Hypergraph {
        try Progress.run("reading \(input)") { try HypergraphFiles.read(input, columns: columns.names, context: context) }
    }
}

/// The column mapping of an incidence table whose columns are not named edge, node and
/// weight; every command that reads a hypergraph takes it.
struct ColumnOptions: ParsableArguments {
    @Option(help: "The edge id column of a CSV, Parquet or Arrow incidence table (default: edge, or the name recorded in the table by `--original-names`).")
    var edgeCol: String?

    @Option(help: "The node id column of a CSV, Parquet or Arrow incidence table (default: node, or the recorded name).")
    var nodeCol: String?

    @Option(help: "The column of a CSV, Parquet or Arrow incidence table holding the incidence weights (default: weight, or the recorded name).")
    var weightCol: String?

    /// The mapping the options give; nil when none is given.
    var names: ColumnNames? {
        guard edgeCol != nil || nodeCol != nil || weightCol != nil else { return nil }
        return ColumnNames(edge: edgeCol ?? "edge", node: nodeCol ?? "node", weight: weightCol ?? "weight")
    }

    /// Refuses a mapping for an input read through a cluster (it names a stored dataset).
    func validate(remote: Bool) throws {
        for (flag, value) in [("--edge-col", edgeCol), ("--node-col", nodeCol), ("--weight-col", weightCol)] where value?.isEmpty == true {
            throw ValidationError("\(flag) needs a column name")
        }
        if remote && names != nil {
            throw ValidationError("--edge-col, --node-col and --weight-col apply to tables read in this process; "
                                  + "through a cluster, import the table with them first")
        }
    }
}

/// The s of s-adjacency.
struct SOption: ParsableArguments {
    @Option(name: .customLong("s"), help: "Minimum overlap: elements are s-adjacent when they share at least s nodes (or edges).")
    var s: Int = 1

    func validate() throws {
        guard s >= 1 else { throw ValidationError("--s must be at least 1 (got \(s))") }
    }
}

/// `--top K`: the first K of a per-element answer's ranking (`Operation.ranking`): the
/// highest values, or the first groups; one option, one rule, in every command that ranks.
struct TopOption: ParsableArguments {
    @Option(help: "Only the K first: the highest values (degree, centrality, overlap), or the K first components or communities (largest first).")
    var top: Int?

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1 (got \(top))") }
    }

    /// `result` cut to the top the option asks for (all of it without one).
    func cut(_ result: OperationResult, of operation: Operation) throws -> OperationResult {
        guard let top else { return result }
        return try result.top(top, of: operation)
    }
}
