import AnantColumnar
import AnantOperations
import AnantProto
import AnantQuery
import AnantWire
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The storage service's methods (`proto/anant/v1/storage.proto`) over a `ShardStore`.
public struct StorageService: Sendable {
    public static let prefix = "anant.v1.Storage/"
    /// Bytes per GetShard item.
    public static let chunkBytes = 1 << 20
    /// Rows per Scan item at most (fewer when a batch's bytes would crowd a frame).
    public static let scanRows = 65_536

    public let store: ShardStore
    let maximumFrameBytes: Int

    public init(store: ShardStore, maximumFrameBytes: Int = 16 << 20) {
        self.store = store
        self.maximumFrameBytes = maximumFrameBytes
    }

    /// The method table.
    public var methods: [RPCMethod] {
        [
            .clientStream(Self.prefix + "PutShard") { call in try await putShard(call) },
            .serverStream(Self.prefix + "GetShard") { (request: Anant_V1_GetShardRequest, call) in try await getShard(request, call) },
            .serverStream(Self.prefix + "Scan") { (request: Anant_V1_ScanRequest, call) in try await scan(request, call) },
            .unary(Self.prefix + "ListShards") { (request: Anant_V1_ListShardsRequest, _) in try listShards(request) },
            .unary(Self.prefix + "DeleteVersion") { (request: Anant_V1_DeleteVersionRequest, _) in try deleteVersion(request) },
            .immediate(Self.prefix + "Stat") { (_: Anant_V1_StatRequest) in stat() },
        ]
    }

    func putShard(_ call: RPCCall) async throws -> Anant_V1_PutShardResponse {
        let first = try call.request(Anant_V1_PutShardRequest.self)
        guard case .header(let header)? = first.part else {
            throw Status(.invalidArgument, "a PutShard stream starts with its header (the shard's descriptor)")
        }
        guard let input = call.input else { throw Status(.internal, "PutShard has no input stream") }
        let chunks = input.map { payload throws -> [UInt8] in
            let message = try Anant_V1_PutShardRequest(wire: payload)
            guard case .chunk(let bytes)? = message.part else {
                throw Status(.invalidArgument, "after its header, a PutShard stream holds only chunks")
            }
            try call.context.check(ColumnarError.self)
            return Array(bytes)
        }
        let (stored, present) = try await store.put(header.shard, chunks: chunks)
        var response = Anant_V1_PutShardResponse()
        response.shard = stored.descriptor
        response.alreadyPresent = present
        return response
    }

    func getShard(_ request: Anant_V1_GetShardRequest, _ call: RPCCall) async throws {
        let key = try ShardKey(request.shard)
        let (stored, fd) = try store.open(key, expected: request.shard.sha256)
        defer { close(fd) }
        guard request.offset <= stored.bytes else {
            throw Status(.outOfRange, "offset \(request.offset) is past the end of \(key) (\(stored.bytes) bytes)")
        }
        let end = request.length == 0 ? stored.bytes : request.offset.addingReportingOverflow(request.length).partialValue
        guard request.length == 0 || (end >= request.offset && end <= stored.bytes) else {
            throw Status(.outOfRange, "bytes \(request.offset)..<\(request.offset &+ request.length) run past the end of \(key) (\(stored.bytes) bytes)")
        }
        var offset = request.offset
        var first = true
        repeat {
            try call.context.check(ColumnarError.self)
            let count = Int(min(end - offset, UInt64(Self.chunkBytes)))
            // The message's fields before its chunk (the descriptor on the first item, the
            // offset), then the chunk read from the file straight into the frame.
            var head = Anant_V1_GetShardResponse()
            if first { head.shard = stored.descriptor }
            head.offset = offset
            let at = offset
            try await call.send(prefix: try head.wireBytes(), bytesField: 3, count: count) { space throws(Status) in
                guard try ShardStore.read(fd, offset: at, into: space) == count else {
                    throw Status(.dataLoss, "\(key) is shorter on disk than stored")
                }
            }
            offset += UInt64(count)
            first = false
        } while offset < end
    }

    func scan(_ request: Anant_V1_ScanRequest, _ call: RPCCall) async throws {
        guard let head = request.shards.first else { throw Status(.invalidArgument, "a scan names at least one shard") }
        let keys = try request.shards.map { descriptor throws(Status) in try ShardKey(descriptor) }
        guard keys.allSatisfy({ $0.dataset == head.dataset && $0.version == head.version && $0.table == head.table }) else {
            throw Status(.invalidArgument, "a scan's shards are of one table of one dataset version")
        }
        let predicate: Expr? = request.predicate.isEmpty ? nil : try Expr.parse(request.predicate)
        var remaining: UInt64? = if case .limit(let n)? = request.optionalLimit { n } else { nil }
        var sent = false
        var empty: RecordBatch? = nil
        for (key, descriptor) in zip(keys, request.shards) {
            if remaining == 0 { break }
            let (stored, fd) = try store.open(key, expected: descriptor.sha256)
            close(fd)
            var frame = LazyFrame.scan(.parquet([stored.file]))
            if let predicate { frame = frame.filter(predicate) }
            if !request.columns.isEmpty { frame = frame.select(request.columns) }
            if let remaining { frame = frame.limit(Int(clamping: remaining)) }
            let rows = try frame.collect(options: QueryOptions(context: call.context))
            if let left = remaining { remaining = left - UInt64(min(UInt64(rows.rowCount), left)) }
            if rows.rowCount == 0 {
                empty = rows
                continue
            }
            try await send(rows, call)
            sent = true
        }
        // Every scan answers with at least one batch: the schema of an empty answer.
        if !sent, let empty { try await send(empty, call) }
    }

    /// Sends rows as Arrow IPC streams of at most `scanRows` rows, halving a slice whose
    /// bytes would take more than a quarter of a frame.
    private func send(_ rows: RecordBatch, _ call: RPCCall) async throws {
        var start = 0
        var step = Self.scanRows
        repeat {
            let slice = rows.slice(start..<min(rows.rowCount, start + step))
            let bytes = try ArrowIPC.stream(slice)
            if bytes.count > maximumFrameBytes / 4, step > 1 {
                step /= 2
                continue
            }
            var item = Anant_V1_ScanResponse()
            item.batch.arrowIpc = .init(bytes)
            try await call.send(item)
            start += slice.rowCount
        } while start < rows.rowCount
    }

    func listShards(_ request: Anant_V1_ListShardsRequest) throws -> Anant_V1_ListShardsResponse {
        if !request.dataset.isEmpty { try ShardKey.validate(dataset: request.dataset) }
        var response = Anant_V1_ListShardsResponse()
        response.shards = store.list(dataset: request.dataset.isEmpty ? nil : request.dataset,
                                     version: request.version == 0 ? nil : request.version).map(\.descriptor)
        return response
    }

    func deleteVersion(_ request: Anant_V1_DeleteVersionRequest) throws -> Anant_V1_DeleteVersionResponse {
        let (count, bytes) = try store.deleteVersion(dataset: request.dataset, version: request.version)
        var response = Anant_V1_DeleteVersionResponse()
        response.shardsDeleted = UInt32(count)
        response.bytesFreed = bytes
        return response
    }

    /// Bytes used and free and the shard count (what `Stat` answers, and what a storage
    /// worker's heartbeats report).
    public func stat() -> Anant_V1_StatResponse {
        let usage = store.usage()
        var response = Anant_V1_StatResponse()
        response.bytesUsed = usage.used
        response.bytesFree = usage.free
        response.shardCount = UInt64(usage.count)
        return response
    }
}
