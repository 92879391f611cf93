import AnantCluster
import AnantColumnar
import AnantHypergraph
import AnantOperations
import AnantProto
import AnantWire
import AnantParquet
import AnantQuery
import Foundation
import NIOPosix
import Synchronization

/// The compute service's one method: run a task of a planned operation on a dataset
/// version and answer with its partial result (DESIGN.md §4), streamed: rows of the
/// answer go in pieces of a few MiB, so that no frame has to hold a large table. The version's shards come
/// from storage into the `VersionCache`, which builds its hypergraph once for every task
/// on it. The work runs on the service's own threads, not on Swift's cooperative pool,
/// and stops when the request's context does (a cancel frame, a closed connection, the
/// deadline): the thread is free again at the work's next check.
public final class ComputeService: Sendable {
    public static let prefix = "anant.v1.Compute/"  // ClusterMethods.runTask names its one method

    private let cache: VersionCache
    private let pool: NIOThreadPool
    private let running = Atomic<Int>(0)

    public init(cache: VersionCache, pool: NIOThreadPool) {
        self.cache = cache
        self.pool = pool
    }

    /// Tasks running now.
    public var tasksInFlight: Int { running.load(ordering: .relaxed) }

    public var methods: [RPCMethod] {
        [.serverStream(Self.prefix + "RunTask") { [self] (request: Anant_V1_RunTaskRequest, call: RPCCall) in
            let message = request.task
            for item in try await run(message, call) {
                // Rows go straight from the answer's columns into their frames.
                if case .piece(let piece) = item, piece.count > 0 {
                    try await call.send(prefix: try piece.taskItemPrefix(taskID: message.taskID, attempt: message.attempt), bytesField: 6,
                                        count: piece.count) { piece.write(into: $0) }
                    continue
                }
                var response = Anant_V1_RunTaskResponse()
                response.taskID = message.taskID
                response.attempt = message.attempt
                switch item {
                case .piece(let piece): response.partial.result = try piece.message
                case .partial(let partial): response.partial = partial
                }
                try await call.send(response)
            }
        }]
    }

    /// The items of the task's answer.
    func run(_ message: Anant_V1_Task, _ call: RPCCall) async throws -> [TaskAnswerItem] {
        let task = try OperationTask(proto: message)
        let name = message.dataset.name
        try WireNames.validate(dataset: name)
        guard message.dataset.version > 0 else { throw Status(.invalidArgument, "a task names a published version (from 1), not 0") }
        let key = VersionCache.Key(name: name, version: message.dataset.version)
        running.add(1, ordering: .relaxed)
        defer { running.subtract(1, ordering: .relaxed) }
        let context = call.context, pool = self.pool
        if case .query(var spec) = task.operation {
            try spec.checkClusterJoin()
            // A join with entity records: the table the gateway sent, as a Parquet file
            // the join reads (removed afterwards).
            var joined: String? = nil
            defer { if let joined { try? FileManager.default.removeItem(atPath: joined) } }
            if let kind = spec.metaKind {
                guard let table = message.joinTables.first(where: { $0.name == spec.join?.table }) else {
                    throw Status(.invalidArgument, "the task joins meta:\(kind) but carries no table of its records")
                }
                let path = NSTemporaryDirectory() + "/anant-join-\(UUID().uuidString).parquet"
                joined = path
                try Self.writeParquet(try RecordBatch(proto: table.table), to: path)
                spec.join?.table = path
            }
            let query = spec
            if case .part(let index, let count) = task.range {
                // One share of a split query's scan: its rows, or its groups' running state.
                let state = try await cache.withDataset(key, manifestJSON: message.manifestJson, placements: message.shards) { dataset in
                    try await pool.runIfActive { () throws -> QueryPartialState in
                        let frame = try query.frame(on: try OperationInput(path: dataset.root), context: context)
                        return try frame.partial(try QueryPart(index, of: count), options: QueryOptions(context: context)).state
                    }
                }
                let query = try state.proto
                return [.partial(.with { $0.query = query })]
            }
            return try await cache.withDataset(key, manifestJSON: message.manifestJson, placements: message.shards) { dataset in
                try await pool.runIfActive {
                    try PartialResult.result(try LocalExecutor(context: context).run(.query(query), on: try OperationInput(path: dataset.root))).items
                }
            }
        }
        // The answer is laid out on the service's threads too.
        return try await cache.withHypergraph(key, manifestJSON: message.manifestJson, placements: message.shards) { h in
            try await pool.runIfActive { try LocalExecutor(context: context).run(task, on: h).items }
        }
    }

    static func writeParquet(_ table: RecordBatch, to path: String) throws(Status) {
        do {
            let writer = try ParquetFileWriter(path: path, schema: table.schema, options: ParquetWriteOptions(compression: .uncompressed))
            try writer.write(table)
            _ = try writer.close()
        } catch { throw Status(.internal, "cannot stage the joined records: \(error.message)") }
    }
}
