import AnantCluster
import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantOperations
import AnantProto
import AnantQuery
import AnantWire
import Foundation
import Logging
import NIOPosix
import Synchronization

/// The gateway: the cluster's only entry point (DESIGN.md §4). It authenticates every
/// call with the client's token, resolves the dataset version in the catalog, plans the
/// operation with `AnantOperations`' planner, fans the tasks out to live compute workers
/// (`FanOut`), merges their partials exactly as the embedded executor does, and answers;
/// it imports datasets onto R storage replicas and publishes them only once durable.
public final class GatewayService: Sendable {
    public static let prefix = "anant.v1.Gateway/"
    /// The tasks a plan gives each worker by default when they answer rows of the answer.
    static let rowTasksPerWorker = 4

    /// How the gateway runs.
    public struct Configuration: Sendable {
        /// Storage replicas per shard.
        public var replicas = 1
        /// Where uploads and the gateway's copies of dataset versions are kept.
        public var scratch: String
        public var fanOut = FanOutPolicy()
        /// The threads of one merge or one import.
        public var threads = ExecutionContext.processorCount
        /// A pending version no import of this gateway writes is abandoned after this long
        /// (another gateway may still be writing a younger one).
        public var pendingSeconds = 3600.0

        public init(scratch: String) { self.scratch = scratch }
    }

    let metadata: RPCClient
    let clients: ServiceClients
    let cache: VersionCache
    let tokens: TokenFile
    let configuration: Configuration
    let pool: NIOThreadPool
    let logger: Logger
    let jobs = Mutex(JobTable())
    /// The calls of the last hour, for the status page.
    public let requests = RequestLog()
    /// The versions this gateway's imports are writing ("name@version").
    let importing = Mutex<Set<String>>([])
    /// Which workers ran tasks on which version: a version's tasks go to them first.
    let holders = Mutex<[VersionCache.Key: [String]]>([:])
    private let workerList = Mutex<(at: UInt64, workers: [ComputeWorker])?>(nil)

    public init(metadata: RPCClient, clients: ServiceClients, cache: VersionCache, tokens: TokenFile, configuration: Configuration,
                pool: NIOThreadPool, logger: Logger) {
        self.metadata = metadata
        self.clients = clients
        self.cache = cache
        self.tokens = tokens
        self.configuration = configuration
        self.pool = pool
        self.logger = logger
    }

    public var methods: [RPCMethod] {
        var methods: [RPCMethod] = [
            .serverStream(Self.prefix + "Run") { [self] (request: Anant_V1_RunRequest, call: RPCCall) in try await run(request, call) },
            .serverStream(Self.prefix + "Query") { [self] (request: Anant_V1_RunRequest, call: RPCCall) in try await query(request, call) },
            .clientStream(Self.prefix + "ImportDataset") { [self] (call: RPCCall) in try await importDataset(call) },
            .serverStream(Self.prefix + "ExportDataset") { [self] (request: Anant_V1_ExportDatasetRequest, call: RPCCall) in
                try await exportDataset(request, call)
            },
            .unary(Self.prefix + "ListDatasets") { [self] (request: Anant_V1_ListDatasetsRequest, call: RPCCall) in try await listDatasets(request, call) },
            .unary(Self.prefix + "ListVersions") { [self] (request: Anant_V1_ListVersionsRequest, call: RPCCall) in
                _ = try authenticate(call, .reader, dataset: request.dataset)
                return try await metadata.unary(ClusterMethods.metadata + "ListVersions", request, as: Anant_V1_ListVersionsResponse.self, timeout: 10)
            },
            .unary(Self.prefix + "RemoveDataset") { [self] (request: Anant_V1_RemoveDatasetRequest, call: RPCCall) in try await removeDataset(request, call) },
            .unary(Self.prefix + "ClusterStatus") { [self] (_: Anant_V1_ClusterStatusRequest, call: RPCCall) in try await status(call) },
        ]
        // The entity metadata store, passed through with the caller's role checked.
        let passed: [(String, Role)] = [
            ("RegisterSchema", .writer), ("GetSchema", .reader), ("ApplyBatch", .writer), ("GetRecords", .reader),
            ("QueryRecords", .reader), ("GetRecordHistory", .reader), ("CreateIndex", .writer),
        ]
        for (name, role) in passed {
            methods.append(RPCMethod(Self.prefix + name, shape: .unary) { [self] call in
                _ = try authenticate(call, role, dataset: nil)
                return try await metadata.unary(ClusterMethods.metadata + name, call.payload, timeout: Self.seconds(left: call.context))
            })
        }
        return methods
    }

    // MARK: Authentication

    /// The caller of `call`, who must hold `role` and, for a dataset, cover its namespace.
    func authenticate(_ call: RPCCall, _ role: Role, dataset: String?) throws(Status) -> Principal {
        let who = try tokens.authenticate(call.token)
        guard who.role >= role else {
            throw Status(.permissionDenied, "this token is a \(who.role.rawValue) token: \(call.method.split(separator: "/").last ?? "") needs a \(role.rawValue) token")
        }
        if let dataset, !who.covers(dataset) {
            throw Status(.permissionDenied, "this token is scoped to the namespace '\(who.namespace ?? "")': dataset \(WireNames.printable(dataset)) is outside it")
        }
        return who
    }

    // MARK: Run

    /// A resolved dataset version.
    struct Resolved: Sendable {
        var ref: Anant_V1_DatasetRef
        var version: Anant_V1_DatasetVersion
        var placements: [Anant_V1_ShardPlacement]
        var manifest: DatasetManifest
        var key: VersionCache.Key { VersionCache.Key(name: ref.name, version: ref.version) }
    }

    /// The published version `ref` names (0: the latest), with its placements.
    func resolve(_ ref: Anant_V1_DatasetRef, timeout: Double?) async throws(Status) -> Resolved {
        try WireNames.validate(dataset: ref.name)
        var request = Anant_V1_GetVersionRequest()
        request.dataset = ref
        let answer: Anant_V1_GetVersionResponse = try await metadata.unary(ClusterMethods.metadata + "GetVersion", request, timeout: timeout)
        guard answer.version.state == .published else {
            throw Status(.notFound, "dataset \(ref.name) version \(ref.version) is not published (\(answer.version.state))")
        }
        let manifest: DatasetManifest
        do { manifest = try DatasetManifest(json: try JSONParser.parse(answer.version.manifestJson), source: "the catalog") } catch {
            throw Status(.dataLoss, "the catalog's manifest of \(ref.name) v\(answer.version.dataset.version) does not parse: \(error)")
        }
        return Resolved(ref: answer.version.dataset, version: answer.version, placements: answer.placements, manifest: manifest)
    }

    /// The live compute workers, asked of the registry at most every half second.
    func computeWorkers() async throws(Status) -> [ComputeWorker] {
        let now = ExecutionContext.now
        if let cached = workerList.withLock({ $0 }), now - cached.at < 500_000_000, !cached.workers.isEmpty { return cached.workers }
        var request = Anant_V1_ListWorkersRequest()
        request.role = .compute
        let answer: Anant_V1_ListWorkersResponse = try await metadata.unary(ClusterMethods.metadata + "ListWorkers", request, timeout: 5)
        let workers = answer.workers.map { ComputeWorker(id: $0.workerID, address: $0.rpcAddress) }.sorted { $0.id < $1.id }
        workerList.withLock { $0 = (now, workers) }
        return workers
    }

    /// Forgets the cached worker list (a worker was lost).
    func refreshWorkers() { workerList.withLock { $0 = nil } }

    static func seconds(left context: ExecutionContext) -> Double? {
        context.deadline.map { Double($0 > ExecutionContext.now ? $0 - ExecutionContext.now : 0) / 1e9 }
    }

    /// Runs the operation and streams its answer: the dataset version and the first piece,
    /// the other pieces (rows of the answer as their tasks finish, in task order), the
    /// timings.
    func run(_ request: Anant_V1_RunRequest, _ call: RPCCall) async throws {
        _ = try authenticate(call, .reader, dataset: request.dataset.name)
        let forwarder = Forwarder(call: call)
        // Progress, when asked for: an item with the job's state when it starts and whenever
        // a task finishes or is tried again (the client ignores any that comes last).
        var progress: (@Sendable (Anant_V1_Job) -> Void)? = nil
        if request.progress {
            progress = { (job: Anant_V1_Job) -> Void in
                Task {
                    var item = Anant_V1_RunResponse()
                    item.progress = job
                    try? await call.send(item)
                }
            }
        }
        let (resolved, answer, timings) = try await execute(request, call.context, forwarder: forwarder, progress: progress)
        let sending = ExecutionContext.now
        for piece in try await answer.pieces(pool) { try await forwarder.send(piece, dataset: resolved.ref) }
        var last = Anant_V1_RunResponse()
        last.timings = timings
        last.timings.encode = ExecutionContext.now - sending
        try await call.send(last)
    }

    /// Runs the query and streams its rows, in the batches its pieces hold.
    func query(_ request: Anant_V1_RunRequest, _ call: RPCCall) async throws {
        _ = try authenticate(call, .reader, dataset: request.dataset.name)
        guard case .query = request.operation.kind else { throw Status(.invalidArgument, "Query runs query operations; use Run for the others") }
        let (resolved, answer, _) = try await execute(request, call.context)
        var first = true
        for piece in try await answer.pieces(pool) {
            for table in piece.tables {
                guard table.name == "rows" else { throw Status(.internal, "the query answered a table '\(table.name)', not rows") }
                var item = Anant_V1_QueryResponse()
                if first { item.dataset = resolved.ref }
                first = false
                item.batch = table.table
                try await call.send(item)
            }
        }
        if first { throw Status(.internal, "the query answered no rows table") }
    }

    /// Plans, fans out and merges one operation.
    /// With a `forwarder`, rows of the answer go to the client as their tasks finish.
    func execute(_ request: Anant_V1_RunRequest, _ context: ExecutionContext, forwarder: Forwarder? = nil,
                 progress: (@Sendable (Anant_V1_Job) -> Void)? = nil) async throws
        -> (Resolved, JobAnswer, Anant_V1_JobTimings) {
        let started = ExecutionContext.now
        var timings = Anant_V1_JobTimings()
        let operation = try AnantOperations.Operation(proto: request.operation)
        if case .query(let spec) = operation { try spec.checkClusterJoin() }
        let resolved = try await resolve(request.dataset, timeout: Self.seconds(left: context))
        var workers = try await computeWorkers()
        let key = resolved.key
        let held = holders.withLock { $0[key] ?? [] }
        workers.sort { (held.contains($0.id) ? 0 : 1, $0.id) < (held.contains($1.id) ? 0 : 1, $1.id) }
        timings.resolve = ExecutionContext.now - started

        let planning = ExecutionContext.now
        // By default a part per worker, and four for tasks that answer rows of the answer
        // (a query's parts excepted, whose group states merge): they cost nothing to pass
        // on, and balance rows of uneven work (a source's line-graph rows go to the higher
        // sources only). At most 256 parts, and 16 a worker: more would only queue.
        var perWorker = Planner.mergesByAppending(operation) ? Self.rowTasksPerWorker : 1
        if case .query = operation { perWorker = 1 }
        let parts = min(request.parts > 0 ? Int(request.parts) : perWorker * max(1, workers.count), 256, 16 * max(1, workers.count))
        var planned: [OperationTask]
        // A query splits over the scan's row groups when its plan streams (planned over the
        // gateway's copy of the version, whose files are the workers'); one that joins entity
        // records or attaches metrics runs whole on one worker.
        var splitQuery: LazyFrame? = nil
        if case .query(let spec) = operation {
            planned = [OperationTask(operation: operation, range: .whole, index: 0)]
            if !spec.metrics, spec.metaKind == nil, parts > 1 {
                let pool = self.pool
                let (frame, tasks) = try await cache.withDataset(key, manifestJSON: resolved.version.manifestJson, placements: resolved.placements) { dataset in
                    try await pool.runIfActive { () throws -> (LazyFrame, [OperationTask]) in
                        let frame = try spec.frame(on: try OperationInput(path: dataset.root), context: ExecutionContext(threads: 1))
                        return (frame, try Planner.tasks(forQuery: spec, frame: frame, parts: parts))
                    }
                }
                if tasks.count > 1 { (planned, splitQuery) = (tasks, frame) }
            }
        } else {
            planned = try Planner.tasks(for: operation, edgeCount: resolved.manifest.edgeCount, nodeCount: resolved.manifest.nodeCount, parts: parts)
        }
        let job = jobs.withLock { $0.start(operation: operation.name, dataset: resolved.ref, tasks: planned.count) }
        if let progress {
            job.progress.listener.withLock { $0 = { progress(job.proto) } }
            progress(job.proto)
        }
        var succeeded = false
        defer { jobs.withLock { $0.finish(job.id, succeeded: succeeded) } }
        // Tasks that answer rows of the answer are passed through; the others merge over the
        // hypergraph, which the gateway loads while the workers run.
        let merges = splitQuery == nil && !Planner.mergesByAppending(operation)
        async let warmed: Void = warm(key, resolved, needed: merges)
        // A join with entity metadata: the kind's records, read once here, go with the task.
        var joinTables = [Anant_V1_NamedTable]()
        if case .query(let spec) = operation, let kind = spec.metaKind, let join = spec.join {
            var request = Anant_V1_RecordsTableRequest()
            request.kind = kind
            request.keyColumn = join.rightOn.first ?? "key"
            request.integerKeys = true
            let records: Anant_V1_RecordsTableResponse = try await metadata.unary(ClusterMethods.metadata + "RecordsTable", request,
                                                                                   timeout: Self.seconds(left: context))
            joinTables.append(.with { $0.name = join.table; $0.table = records.table })
        }
        let messages = planned.map { task -> Anant_V1_Task in
            var m = task.proto
            m.joinTables = joinTables
            m.taskID = "\(job.id)/\(task.index)"
            m.dataset = resolved.ref
            m.shards = resolved.placements
            m.manifestJson = resolved.version.manifestJson
            return m
        }
        timings.plan = ExecutionContext.now - planning

        let fanning = ExecutionContext.now
        let fanOut = FanOut(clients: clients, policy: configuration.fanOut, logger: logger, unreachable: { [self] _ in refreshWorkers() })
        let answers: [[TaskItem.Partial]]
        let forwarding = splitQuery == nil && !merges ? forwarder : nil
        let dataset = resolved.ref
        var deliver: (@Sendable (Int, [TaskItem.Partial]) async throws -> Void)? = nil
        if let forwarding { deliver = { index, items in try await forwarding.deliver(index, items, dataset: dataset) } }
        do throws(Status) {
            answers = try await fanOut.run(messages, on: workers, deadline: context.deadline, progress: job.progress, deliver: deliver)
        } catch {
            if error.code == .unavailable { refreshWorkers() }
            throw error
        }
        holders.withLock { $0[key] = workers.prefix(messages.count).map(\.id) }
        // Checking and sending rows as their tasks finished is the gateway's work, not the
        // workers'.
        let forwarded = forwarding?.state.withLock { $0.spent } ?? 0
        timings.forward = forwarded
        timings.fanOut = ExecutionContext.now - fanning - min(forwarded, ExecutionContext.now - fanning)

        let merging = ExecutionContext.now
        let result: JobAnswer
        if let frame = splitQuery {
            result = .merged(try await mergeQuery(frame, try Self.decoded(answers), context))
            timings.merge = ExecutionContext.now - merging
        } else if !merges {
            result = forwarding == nil ? .pieces(try Self.passThrough(answers).map { piece throws(Status) in try piece.message }) : .pieces([])
            timings.merge = ExecutionContext.now - merging
        } else {
            var partials = [PartialResult]()
            for items in try Self.decoded(answers) { partials.append(try PartialResult(pieces: items)) }
            let decode = ExecutionContext.now - merging
            let waiting = ExecutionContext.now
            let executor = LocalExecutor(context: ExecutionContext(threads: configuration.threads, deadline: context.deadline,
                                                                   cancellation: context.cancellation))
            let pool = self.pool
            let finished = partials
            result = .merged(try await cache.withHypergraph(key, manifestJSON: resolved.version.manifestJson, placements: resolved.placements) { h in
                let ready = ExecutionContext.now
                let merged = try await pool.runIfActive { try executor.merge(operation, finished, on: h) }
                return MergeTimes(result: merged, wait: ready - waiting, merge: ExecutionContext.now - ready)
            }.apply(to: &timings, decode: decode))
        }
        await warmed
        timings.total = ExecutionContext.now - started
        timings.tasks = UInt32(messages.count)
        timings.extraAttempts = UInt32(job.progress.state.withLock { $0.extraAttempts })
        timings.workers = UInt32(workers.count)
        succeeded = true
        return (resolved, result, timings)
    }

    /// A split query's answer: the parts' rows or group states, checked against each other
    /// and the plan, merged in part order as `LazyFrame.merge` does in one process.
    private func mergeQuery(_ frame: LazyFrame, _ answers: [[Anant_V1_PartialResult]], _ context: ExecutionContext) async throws -> OperationResult {
        var states = [QueryPartialState]()
        for answer in answers {
            guard answer.count == 1, case .query(let message) = answer[0].kind else { throw Status(.internal, "a query task answered no query partial") }
            states.append(try QueryPartialState(proto: message))
        }
        var partials = [QueryPartial]()
        do {
            try QueryPartialState.checkCompatible(states)
            for state in states { partials.append(try frame.partial(from: state)) }
        } catch { throw Status(.internal, "a query task's partial result is damaged: \(error.message)") }
        let options = QueryOptions(context: ExecutionContext(threads: configuration.threads, deadline: context.deadline, cancellation: context.cancellation))
        let merged = partials
        let rows = try await pool.runIfActive { try frame.merge(merged, options: options) }
        return OperationResult(tables: [NamedTable("rows", rows)])
    }

    /// The tasks' rows of the answer as the pieces of one answer, in task order, without
    /// decoding them (the client appends them, checking that every piece of a table has its
    /// schema).
    static func passThrough(_ answers: [[TaskItem.Partial]]) throws(Status) -> [TaskItem.Rows] {
        var pieces = [TaskItem.Rows](), scalars: [Anant_V1_NamedScalar]? = nil
        for (task, items) in answers.enumerated() { pieces += try passThrough(task: task, items, scalars: &scalars) }
        return pieces
    }

    /// The same for decoded partials.
    static func passThrough(_ answers: [[Anant_V1_PartialResult]]) throws(Status) -> [Anant_V1_OperationResult] {
        try passThrough(answers.map { $0.map { .decoded($0) } }).map { piece throws(Status) in try piece.message }
    }

    /// One task's pieces: every item must be rows of the answer, with the scalars of the
    /// tasks before it (`scalars`: nil before the first task), which only the first task's
    /// first piece keeps.
    static func passThrough(task: Int, _ items: [TaskItem.Partial], scalars: inout [Anant_V1_NamedScalar]?) throws(Status)
        -> [TaskItem.Rows] {
        var pieces = [TaskItem.Rows]()
        for (k, item) in items.enumerated() {
            var piece: TaskItem.Rows
            switch item {
            case .rows(let rows): piece = rows
            case .decoded(let partial):
                guard case .result(let result) = partial.kind else {
                    throw Status(.internal, "a task's partial result is damaged: task \(task) answered no rows of the answer")
                }
                piece = try TaskItem.Rows(result)
            }
            if k > 0 || scalars != nil {
                guard piece.scalars == (k == 0 ? scalars : []) else {
                    throw Status(.internal, "a task's partial result is damaged: task \(task) answered other scalars than task 0")
                }
                piece.scalars = []
                piece.scalarFields = []
            } else { scalars = piece.scalars }
            pieces.append(piece)
        }
        return pieces
    }

    /// The partials as messages.
    static func decoded(_ answers: [[TaskItem.Partial]]) throws(Status) -> [[Anant_V1_PartialResult]] {
        try answers.map { items throws(Status) in try items.map { item throws(Status) in try item.decoded } }
    }

    /// Loads the version's hypergraph into the gateway's cache (a merge needs it), while
    /// the workers run.
    private func warm(_ key: VersionCache.Key, _ resolved: Resolved, needed: Bool) async {
        guard needed else { return }
        _ = try? await cache.withHypergraph(key, manifestJSON: resolved.version.manifestJson, placements: resolved.placements) { _ in () }
    }

    /// A merge's answer with its times.
    struct MergeTimes: Sendable {
        var result: OperationResult
        var wait: UInt64
        var merge: UInt64

        func apply(to timings: inout Anant_V1_JobTimings, decode: UInt64) -> OperationResult {
            timings.loadWait = wait
            timings.merge = decode + merge
            return result
        }
    }

    // MARK: Listing and status

    func listDatasets(_ request: Anant_V1_ListDatasetsRequest, _ call: RPCCall) async throws -> Anant_V1_ListDatasetsResponse {
        let who = try authenticate(call, .reader, dataset: nil)
        var answer: Anant_V1_ListDatasetsResponse = try await metadata.unary(ClusterMethods.metadata + "ListDatasets", request, timeout: 10)
        answer.datasets.removeAll { !who.covers($0.name) }
        return answer
    }

    func status(_ call: RPCCall) async throws -> Anant_V1_ClusterStatusResponse {
        try await snapshot(for: try authenticate(call, .reader, dataset: nil))
    }

    /// The cluster as `who` may see it: every worker, the datasets and running jobs of its
    /// namespaces.
    func snapshot(for who: Principal) async throws(Status) -> Anant_V1_ClusterStatusResponse {
        var response = Anant_V1_ClusterStatusResponse()
        var workers = Anant_V1_ListWorkersRequest()
        workers.includeExpired = true
        let listed: Anant_V1_ListWorkersResponse = try await metadata.unary(ClusterMethods.metadata + "ListWorkers", workers, timeout: 5)
        response.workers = listed.workers
        let datasets: Anant_V1_ListDatasetsResponse = try await metadata.unary(ClusterMethods.metadata + "ListDatasets", Anant_V1_ListDatasetsRequest(), timeout: 5)
        response.datasets = datasets.datasets.filter { who.covers($0.name) }
        jobs.withLock { table in
            response.jobs = table.running.values.filter { who.covers($0.dataset.name) }.sorted { $0.id < $1.id }.map { $0.proto }
            response.jobsFinished = table.finished
            response.jobsFailed = table.failed
        }
        return response
    }
}

/// Sends a Run's answer: the first item with the dataset version, and the tasks' rows
/// of the answer as they finish, in task order (a task's pieces wait for the tasks before
/// it), checked as `GatewayService.passThrough` checks them.
final class Forwarder: Sendable {
    struct State {
        var next = 0
        var waiting: [Int: [TaskItem.Partial]] = [:]
        var scalars: [Anant_V1_NamedScalar]? = nil
        var sent = false
        /// Nanoseconds spent checking and sending pieces (the gateway's own part of a
        /// fan-out whose rows went out as tasks finished).
        var spent: UInt64 = 0
    }

    let call: RPCCall
    let state = Mutex(State())

    init(call: RPCCall) { self.call = call }

    /// Task `index`'s items (called one at a time).
    func deliver(_ index: Int, _ items: [TaskItem.Partial], dataset: Anant_V1_DatasetRef) async throws {
        let started = ExecutionContext.now
        defer { state.withLock { $0.spent += ExecutionContext.now - started } }
        let ready = try state.withLock { s throws(Status) -> [TaskItem.Rows] in
            s.waiting[index] = items
            var pieces = [TaskItem.Rows]()
            while let next = s.waiting.removeValue(forKey: s.next) {
                pieces += try GatewayService.passThrough(task: s.next, next, scalars: &s.scalars)
                s.next += 1
            }
            return pieces
        }
        for piece in ready { try await send(piece, dataset: dataset) }
    }

    /// Whether this is the first item (which carries the dataset version).
    private func first() -> Bool { state.withLock { s in defer { s.sent = true }; return !s.sent } }

    /// Sends one piece (the first with the dataset version).
    func send(_ piece: Anant_V1_OperationResult, dataset: Anant_V1_DatasetRef) async throws {
        var item = Anant_V1_RunResponse()
        if first() { item.dataset = dataset }
        item.result = piece
        try await call.send(item)
    }

    /// Sends one piece as the fields it came in, written straight into the frame.
    func send(_ piece: TaskItem.Rows, dataset: Anant_V1_DatasetRef) async throws {
        let count = piece.count
        // An empty result would be left out as an empty bytes field is: sent as a message.
        guard count > 0 else { return try await send(try piece.message, dataset: dataset) }
        var head = Anant_V1_RunResponse()
        if first() { head.dataset = dataset }
        try await call.send(prefix: try head.wireBytes(), bytesField: 2, count: count) { space in piece.write(into: space) }
    }
}

/// What a job answers: a result merged here, or the workers' pieces of it, passed through.
enum JobAnswer: Sendable {
    case merged(OperationResult)
    case pieces([Anant_V1_OperationResult])

    /// The pieces to stream (a merged result encoded on `pool`).
    func pieces(_ pool: NIOThreadPool) async throws -> [Anant_V1_OperationResult] {
        switch self {
        case .merged(let result): try await pool.runIfActive { try result.pieces() }
        case .pieces(let pieces): pieces
        }
    }
}

/// The jobs the gateway runs, for the status page.
struct JobTable: Sendable {
    struct Job: Sendable {
        var id: String
        var operation: String
        var dataset: Anant_V1_DatasetRef
        var started: UInt64
        var progress: JobProgress

        var proto: Anant_V1_Job {
            var m = Anant_V1_Job()
            m.jobID = id
            m.operation = operation
            m.dataset = dataset
            m.tasks = UInt32(progress.total)
            progress.state.withLock {
                m.tasksDone = UInt32($0.done)
                m.extraAttempts = UInt32($0.extraAttempts)
            }
            m.startedUnixNanos = started
            return m
        }
    }

    /// A job that ended, as the status page lists it.
    struct Ended: Sendable {
        var job: Anant_V1_Job
        var nanos: UInt64
        var succeeded: Bool
    }

    var running: [String: Job] = [:]
    var next = 0
    var finished: UInt64 = 0
    var failed: UInt64 = 0
    /// The latest jobs that ended, newest last (at most `recentLimit`).
    var recent: [Ended] = []
    static let recentLimit = 20

    mutating func start(operation: String, dataset: Anant_V1_DatasetRef, tasks: Int) -> Job {
        next += 1
        let job = Job(id: "job-\(next)", operation: operation, dataset: dataset, started: WireClock.unixNanos, progress: JobProgress(total: tasks))
        running[job.id] = job
        return job
    }

    mutating func finish(_ id: String, succeeded: Bool) {
        guard let job = running.removeValue(forKey: id) else { return }
        finished += 1
        if !succeeded { failed += 1 }
        recent.append(Ended(job: job.proto, nanos: WireClock.unixNanos - min(job.started, WireClock.unixNanos), succeeded: succeeded))
        if recent.count > Self.recentLimit { recent.removeFirst(recent.count - Self.recentLimit) }
    }
}
