import AnantCluster
import AnantColumnar
import AnantDataset
import AnantOperations
import AnantProto
import AnantWire
import Foundation
import SwiftProtobuf

/// A connection to an Anant cluster's gateway: run operations, stream query rows, import,
/// export and remove datasets, read and write entity metadata. Every error is a `Status`
/// carrying the gateway's status code (`UNAUTHENTICATED`, `PERMISSION_DENIED`,
/// `NOT_FOUND`, `DEADLINE_EXCEEDED`...) and its message.
///
/// Calls that change nothing (run, list, export, status, metadata reads) are retried while
/// the gateway is unreachable (a restart), for up to `retrySeconds`; a query's stream of
/// rows is not.
public final class AnantClient: Sendable {
    static let prefix = "anant.v1.Gateway/"

    let rpc: RPCClient
    /// How long idempotent calls keep retrying an unreachable gateway.
    public let retrySeconds: Double

    /// A client of the gateway at `address` ("HOST:PORT") presenting `token`; over TLS
    /// when `tlsCA` names the PEM CA that signed the gateway's certificate (or "system"
    /// for the system's roots).
    ///
    /// - Throws: `INVALID_ARGUMENT` for an address that is not HOST:PORT, or a CA file
    ///   that holds no certificate.
    public init(address: String, token: String, retrySeconds: Double = 15, maximumFrameBytes: Int = 256 << 20,
                tlsCA: String? = nil) throws(Status) {
        var configuration = RPCClientConfiguration()
        if let tlsCA { configuration.tls = try WireTLS.client(ca: tlsCA == "system" ? nil : tlsCA) }
        configuration.token = token
        configuration.maximumFrameBytes = maximumFrameBytes
        configuration.connectAttempts = 3
        rpc = try RPCClient(address: address, configuration: configuration)
        self.retrySeconds = retrySeconds
    }

    /// Closes the connections.
    public func close() async { await rpc.close() }

    /// Runs `body` with its code on the event loop of the client's connection: calls it
    /// makes one after another skip two thread crossings each (`RPCClient.onConnectionLoop`),
    /// for sequences of small calls whose latency counts (metadata reads, listings). `body`
    /// must not block: no `importDataset` or `exportDataset` (they read and write files),
    /// no large `run` answers (their assembly is heavy work).
    public func onConnectionLoop<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await rpc.onConnectionLoop(body)
    }

    /// Runs `body` again while it fails with `UNAVAILABLE`, backing off, for up to
    /// `retrySeconds`.
    func idempotent<T: Sendable>(_ body: () async throws(Status) -> T) async throws(Status) -> T {
        let end = Date().addingTimeInterval(retrySeconds)
        var pause = 0.05
        while true {
            do { return try await body() } catch where error.code == .unavailable && error.retryable && Date() < end {
                try? await Task.sleep(nanoseconds: UInt64(pause * 1e9))
                pause = min(pause * 2, 1)
            }
        }
    }

    // MARK: Operations

    /// What `run` answers: the result and the dataset version it was computed on.
    public struct Answer: Sendable {
        public var result: OperationResult
        public var dataset: String
        public var version: UInt64
        /// Where the job's time went, on the gateway.
        public var timings: Anant_V1_JobTimings
        /// Seconds this client spent after the last item arrived, appending the pieces of
        /// the answer into its tables.
        public var assembleSeconds: Double
    }

    /// Runs `operation` on the dataset `name` (version 0: the latest), split into at most
    /// `parts` tasks (0: one per live compute worker). The answer equals the embedded one,
    /// byte for byte, whatever the split. With `progress`, the job's state is passed to it
    /// when the job starts and whenever one of its tasks finishes or is tried again.
    public func run(_ operation: AnantOperations.Operation, on name: String, version: UInt64 = 0, parts: Int = 0,
                    timeout: Double? = nil, progress: (@Sendable (Anant_V1_Job) -> Void)? = nil) async throws(Status) -> Answer {
        var request = Anant_V1_RunRequest()
        request.dataset = Self.ref(name, version)
        request.operation = operation.proto
        request.parts = UInt32(clamping: parts)
        request.progress = progress != nil
        let payload = try request.wireBytes()
        return try await idempotent { () async throws(Status) -> Answer in
            // Pieces are decoded as they arrive (while the gateway waits for later tasks),
            // and appended at the end.
            var dataset = Anant_V1_DatasetRef(), timings: Anant_V1_JobTimings? = nil, parts = [OperationResult]()
            do {
                for try await item in try await rpc.serverStream(Self.prefix + "Run", payload, timeout: timeout) {
                    let (response, result) = try Self.runItem(item)
                    if response.hasDataset { dataset = response.dataset }
                    if let result { parts.append(result) }
                    if response.hasTimings { timings = response.timings }
                    if response.hasProgress, timings == nil { progress?(response.progress) }
                }
            } catch { throw error as? Status ?? Status(.unavailable, "the answer stopped: \(error)") }
            guard let timings, dataset.version > 0, !parts.isEmpty else {
                throw Status(.internal, "the gateway's answer ended early (no \(parts.isEmpty ? "result" : timings == nil ? "timings" : "dataset version"))")
            }
            let result: OperationResult, assembling = Date()
            do throws(Status) { result = try OperationResult(appending: parts, scalarsFirst: true) } catch {
                throw Status(.internal, "the gateway's answer is damaged: \(error.message)")
            }
            return Answer(result: result, dataset: dataset.name, version: dataset.version, timings: timings,
                          assembleSeconds: Date().timeIntervalSince(assembling))
        }
    }

    /// An item of a Run answer: the message without its result, and the result, its
    /// tables read from the item's bytes in place (the rows of a large answer are copied
    /// once, into their columns).
    static func runItem(_ item: [UInt8]) throws(Status) -> (Anant_V1_RunResponse, OperationResult?) {
        var rest = [UInt8](), result: OperationResult? = nil
        for field in try WireFields.fields(item, in: 0..<item.count) {
            guard field.number == 2, field.wire == 2 else {
                rest += item[field.entry]
                continue
            }
            // A result given twice merges, as protobuf reads a message field: its tables
            // and scalars appended.
            let piece: OperationResult
            do { piece = try OperationResult(wire: item, in: field.value) } catch {
                throw Status(.internal, "the gateway's answer is damaged: \(error.message)")
            }
            result = result.map { OperationResult(tables: $0.tables + piece.tables, scalars: $0.scalars + piece.scalars) } ?? piece
        }
        return (try Anant_V1_RunResponse(wire: rest), result)
    }

    /// A query's rows as they arrive, in batches (the call starts on the first `next()`;
    /// a stream is not retried).
    public func query(_ spec: QuerySpec, on name: String, version: UInt64 = 0, timeout: Double? = nil) throws(Status) -> QueryRows {
        var request = Anant_V1_RunRequest()
        request.dataset = Self.ref(name, version)
        request.operation = AnantOperations.Operation.query(spec).proto
        return QueryRows(rpc: rpc, payload: try request.wireBytes(), timeout: timeout)
    }

    // MARK: Datasets

    /// Imports a hypergraph file (HIF JSON, or a CSV or Parquet incidence table with its
    /// `FILE.nodes.EXT` and `FILE.edges.EXT` companions when present) as a new version of
    /// the dataset `name`; the published version.
    public func importDataset(_ path: String, as name: String, compression: String = "", shards: Int = 0,
                              timeout: Double? = nil) async throws(Status) -> Anant_V1_DatasetVersion {
        let fileName = (path as NSString).lastPathComponent
        var parts = [path]
        do {
            let format = try HypergraphFiles.format(of: path)
            if format != .hif {
                let (nodes, edges) = HypergraphFiles.companions(of: path, format: format)
                let schema = format == .csv ? HypergraphFiles.schemaCompanion(of: path) : ""
                for companion in [nodes, edges, schema] { parts.append(FileManager.default.fileExists(atPath: companion) ? companion : "") }
            }
        } catch { throw Status(error) }
        func size(_ p: String) -> UInt64 {
            p.isEmpty ? 0 : ((try? FileManager.default.attributesOfItem(atPath: p)[.size] as? NSNumber)?.uint64Value ?? 0)
        }
        guard FileManager.default.isReadableFile(atPath: path) else { throw Status(.notFound, "cannot read '\(path)': no such file") }
        var header = Anant_V1_ImportDatasetRequest()
        header.header.name = name
        header.header.fileName = fileName
        header.header.fileBytes = size(parts[0])
        if parts.count == 4 {
            (header.header.nodesBytes, header.header.edgesBytes, header.header.schemaBytes) = (size(parts[1]), size(parts[2]), size(parts[3]))
        }
        header.header.compression = compression
        header.header.shards = UInt32(clamping: shards)
        let sending = parts.filter { !$0.isEmpty }
        let answer = try await rpc.clientStream(Self.prefix + "ImportDataset", try header.wireBytes(), timeout: timeout) { upload in
            for part in sending {
                guard let handle = FileHandle(forReadingAtPath: part) else { throw Status(.notFound, "cannot read '\(part)'") }
                defer { try? handle.close() }
                while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
                    var item = Anant_V1_ImportDatasetRequest()
                    item.chunk = data
                    try await upload.send(item)
                }
            }
        }
        return try Anant_V1_ImportDatasetResponse(wire: answer).version
    }

    /// Writes version `version` (0: the latest) of the dataset `name` into the folder
    /// `root` as a dataset folder (`Dataset.open` reads it; every shard checked against
    /// its SHA-256), and opens it. `root` must not exist or be empty.
    public func exportDataset(_ name: String, version: UInt64 = 0, to root: String, timeout: Double? = nil) async throws(Status) -> Dataset {
        var request = Anant_V1_ExportDatasetRequest()
        request.dataset = Self.ref(name, version)
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: root), !entries.isEmpty {
            throw Status(.failedPrecondition, "\(root) is not empty: export into a new folder")
        }
        return try await idempotent { () async throws(Status) -> Dataset in
            var manifest = ""
            var handle: FileHandle? = nil
            defer { try? handle?.close() }
            do {
                try? FileManager.default.removeItem(atPath: root)
                try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
                for try await payload in try await rpc.serverStream(Self.prefix + "ExportDataset", try request.wireBytes(), timeout: timeout) {
                    let item = try Anant_V1_ExportDatasetResponse(wire: payload)
                    switch item.part {
                    case .version(let v): manifest = v.manifestJson
                    case .shard(let shard):
                        try handle?.close()
                        let path = try Self.inside(root, shard.path)
                        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                        _ = FileManager.default.createFile(atPath: path, contents: nil)
                        handle = FileHandle(forWritingAtPath: path)
                    case .chunk(let data): try handle?.write(contentsOf: data)
                    case nil: break
                    }
                }
                try handle?.close()
                try Data(manifest.utf8).write(to: URL(fileURLWithPath: "\(root)/_manifest.json"))
                let dataset = try Dataset.open(root)
                try dataset.verify()
                return dataset
            } catch { throw error as? Status ?? Status(error) }
        }
    }

    /// The datasets the token may see.
    public func datasets() async throws(Status) -> [Anant_V1_DatasetSummary] {
        try await idempotent { () async throws(Status) in
            let answer: Anant_V1_ListDatasetsResponse = try await rpc.unary(Self.prefix + "ListDatasets", Anant_V1_ListDatasetsRequest(), timeout: 30)
            return answer.datasets
        }
    }

    /// The versions of the dataset `name`, oldest first (with pending ones being imported).
    public func versions(_ name: String) async throws(Status) -> Anant_V1_ListVersionsResponse {
        var request = Anant_V1_ListVersionsRequest()
        request.dataset = name
        return try await idempotent { () async throws(Status) in try await rpc.unary(Self.prefix + "ListVersions", request, timeout: 30) }
    }

    /// Removes version `version` of the dataset `name`, or every version with 0.
    public func remove(_ name: String, version: UInt64 = 0) async throws(Status) -> Anant_V1_RemoveDatasetResponse {
        var request = Anant_V1_RemoveDatasetRequest()
        request.dataset = Self.ref(name, version)
        return try await rpc.unary(Self.prefix + "RemoveDataset", request, timeout: 60)
    }

    /// The cluster as the gateway sees it.
    public func status() async throws(Status) -> Anant_V1_ClusterStatusResponse {
        try await idempotent { () async throws(Status) in try await rpc.unary(Self.prefix + "ClusterStatus", Anant_V1_ClusterStatusRequest(), timeout: 10) }
    }

    // MARK: Metadata

    /// A call to the entity metadata store through the gateway: `method` is one of
    /// RegisterSchema, GetSchema, ApplyBatch, GetRecords, QueryRecords, GetRecordHistory,
    /// CreateIndex, with the request and response messages of metadata.proto.
    public func metadata<Response: Message>(_ method: String, _ request: some Message, as _: Response.Type = Response.self) async throws(Status) -> Response {
        let reads: Set<String> = ["GetSchema", "GetRecords", "QueryRecords", "GetRecordHistory"]
        if reads.contains(method) {
            return try await idempotent { () async throws(Status) in try await rpc.unary(Self.prefix + method, request, timeout: 60) }
        }
        return try await rpc.unary(Self.prefix + method, request, timeout: 60)
    }

    static func ref(_ name: String, _ version: UInt64) -> Anant_V1_DatasetRef {
        var ref = Anant_V1_DatasetRef()
        ref.name = name
        ref.version = version
        return ref
    }

    /// `relative` under `root`, refused when it would leave it.
    static func inside(_ root: String, _ relative: String) throws(Status) -> String {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !relative.hasPrefix("/"), !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw Status(.dataLoss, "the gateway sent the shard path '\(relative)', which is not inside a dataset")
        }
        return "\(root)/\(relative)"
    }
}

/// The rows of a query, in batches, as they arrive from the gateway.
public struct QueryRows: AsyncSequence, Sendable {
    public typealias Element = RecordBatch

    let rpc: RPCClient
    let payload: [UInt8]
    let timeout: Double?

    public struct AsyncIterator: AsyncIteratorProtocol {
        let rows: QueryRows
        var items: PayloadStream.AsyncIterator?

        /// The next batch; nil at the end.
        ///
        /// - Throws: `Status` with the gateway's code.
        public mutating func next() async throws -> RecordBatch? {
            if items == nil { items = try await rows.rpc.serverStream(AnantClient.prefix + "Query", rows.payload, timeout: rows.timeout).makeAsyncIterator() }
            guard let payload = try await items!.next() else { return nil }
            return try RecordBatch(proto: try Anant_V1_QueryResponse(wire: payload).batch)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rows: self) }
}
