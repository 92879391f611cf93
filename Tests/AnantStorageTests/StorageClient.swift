import AnantColumnar
import AnantParquet
import AnantProto
import AnantWire
import Foundation

/// What the storage tests send: shards made with AnantParquet, puts in chunks, gets and
/// scans collected whole.
enum Shards {
    /// A Parquet shard of `rows` incidences (node, edge, weight, tag), row groups of 10,000.
    static func parquet(rows: Int, seed: UInt64) throws -> [UInt8] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        let nodes = (0..<rows).map { _ in Int64(next() % 5000) }
        let edges = (0..<rows).map { _ in Int64(next() % 2000) }
        let weights = (0..<rows).map { _ in Double(next() % 1_000_000) / 1_000_000 }
        let tags = (0..<rows).map { i -> String? in i % 17 == 0 ? nil : "t\(next() % 50)" }
        let batch = try RecordBatch([
            ("node", .int64(Int64Column(nodes))), ("edge", .int64(Int64Column(edges))),
            ("weight", .double(DoubleColumn(weights))), ("tag", .string(StringColumn(optionals: tags))),
        ])
        let writer = try ParquetFileWriter(schema: batch.schema, options: ParquetWriteOptions(compression: .zstd(level: 3), rowGroupRows: 10_000))
        try writer.write(batch)
        _ = try writer.close()
        return writer.bytes
    }

    static func sha(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.hexDigest()
    }

    static func descriptor(_ dataset: String, version: UInt64 = 1, table: Anant_V1_DatasetTable = .incidences, shard: UInt32 = 0,
                           bytes: [UInt8]) -> Anant_V1_ShardDescriptor {
        var d = Anant_V1_ShardDescriptor()
        d.dataset = dataset
        d.version = version
        d.table = table
        d.shard = shard
        d.bytes = UInt64(bytes.count)
        d.sha256 = sha(bytes)
        return d
    }

    /// Puts a shard in chunks of `chunk` bytes.
    static func put(_ client: RPCClient, _ descriptor: Anant_V1_ShardDescriptor, _ bytes: [UInt8], chunk: Int = 256 << 10,
                    afterChunk: (Int) async throws -> Void = { _ in }) async throws(Status) -> Anant_V1_PutShardResponse {
        var header = Anant_V1_PutShardRequest()
        header.header.shard = descriptor
        let answer = try await client.clientStream("anant.v1.Storage/PutShard", try header.wireBytes()) { upload in
            var offset = 0, index = 0
            while offset < bytes.count {
                var item = Anant_V1_PutShardRequest()
                item.chunk = Data(bytes[offset..<min(bytes.count, offset + chunk)])
                try await upload.send(item)
                offset += chunk
                try await afterChunk(index)
                index += 1
            }
        }
        return try Anant_V1_PutShardResponse(wire: answer)
    }

    /// A shard's bytes (or a range of them), and the descriptor of the first item.
    static func get(_ client: RPCClient, _ descriptor: Anant_V1_ShardDescriptor, offset: UInt64 = 0, length: UInt64 = 0)
        async throws -> ([UInt8], Anant_V1_ShardDescriptor) {
        var request = Anant_V1_GetShardRequest()
        request.shard = descriptor
        request.offset = offset
        request.length = length
        var out = [UInt8](), first: Anant_V1_ShardDescriptor? = nil
        for try await payload in try await client.serverStream("anant.v1.Storage/GetShard", try request.wireBytes()) {
            let item = try Anant_V1_GetShardResponse(wire: payload)
            if first == nil { first = item.shard }
            guard item.offset == offset + UInt64(out.count) else { throw Status(.internal, "an item at \(item.offset), not \(out.count)") }
            out.append(contentsOf: item.chunk)
        }
        return (out, first ?? Anant_V1_ShardDescriptor())
    }

    /// A scan's rows, every batch concatenated.
    static func scan(_ client: RPCClient, _ shards: [Anant_V1_ShardDescriptor], columns: [String] = [], predicate: String = "",
                     limit: UInt64? = nil) async throws -> RecordBatch {
        var request = Anant_V1_ScanRequest()
        request.shards = shards
        request.columns = columns
        request.predicate = predicate
        if let limit { request.limit = limit }
        var batches = [RecordBatch]()
        for try await payload in try await client.serverStream("anant.v1.Storage/Scan", try request.wireBytes()) {
            let item = try Anant_V1_ScanResponse(wire: payload)
            batches.append(contentsOf: try ArrowIPC.read(Array(item.batch.arrowIpc)).batches)
        }
        return RecordBatch.concatenating(batches)
    }
}
