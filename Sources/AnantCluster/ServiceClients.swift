import AnantColumnar
import AnantProto
import AnantWire
import Foundation
import NIOSSL
import Synchronization

/// One pooled `RPCClient` per service address, made on first use, all carrying the
/// cluster token: how the gateway and the workers reach each other.
public final class ServiceClients: Sendable {
    private let configuration: RPCClientConfiguration
    private let clients = Mutex<[String: RPCClient]>([:])

    public init(token: String, maximumFrameBytes: Int = 16 << 20, connections: Int = 1, tls: NIOSSLContext? = nil) {
        var configuration = RPCClientConfiguration()
        configuration.tls = tls
        configuration.token = token
        configuration.maximumFrameBytes = maximumFrameBytes
        configuration.connections = connections
        configuration.connectAttempts = 2
        self.configuration = configuration
    }

    /// The client of `address` ("HOST:PORT").
    public func client(_ address: String) throws(Status) -> RPCClient {
        if let client = clients.withLock({ $0[address] }) { return client }
        let made = try RPCClient(address: address, configuration: configuration)
        return clients.withLock { clients in
            if let existing = clients[address] { return existing }
            clients[address] = made
            return made
        }
    }

    /// Drops the client of an address that failed (the next call reconnects afresh).
    public func forget(_ address: String) async {
        let client = clients.withLock { $0.removeValue(forKey: address) }
        await client?.close()
    }

    /// Closes every connection.
    public func close() async {
        let all = clients.withLock { clients in
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in all { await client.close() }
    }
}

/// The storage service's methods the cluster calls: puts from bytes in memory, gets with
/// the replicas tried in order.
public enum StorageCalls {
    static let prefix = "anant.v1.Storage/"
    /// Bytes per PutShard item.
    public static let chunkBytes = 1 << 20

    /// Stores `bytes` as the shard `descriptor` (its size and checksum filled in here).
    @discardableResult
    public static func put(_ client: RPCClient, _ descriptor: Anant_V1_ShardDescriptor, _ bytes: [UInt8], timeout: Double? = nil)
        async throws(Status) -> Anant_V1_PutShardResponse {
        var header = Anant_V1_PutShardRequest()
        header.header.shard = descriptor
        let answer = try await client.clientStream(prefix + "PutShard", try header.wireBytes(), timeout: timeout) { upload in
            var offset = 0
            while offset < bytes.count {
                var item = Anant_V1_PutShardRequest()
                item.chunk = Data(bytes[offset..<min(bytes.count, offset + chunkBytes)])
                try await upload.send(item)
                offset += chunkBytes
            }
        }
        return try Anant_V1_PutShardResponse(wire: answer)
    }

    /// Runs `body` on every item, at most `atOnce` at a time (shard transfers: enough in
    /// flight to keep the replicas busy, not so many that memory holds every shard).
    public static func forEach<Item: Sendable>(_ items: [Item], atOnce: Int, _ body: @escaping @Sendable (Item) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func start() {
                guard next < items.count else { return }
                let item = items[next]
                next += 1
                group.addTask { try await body(item) }
            }
            for _ in 0..<max(1, atOnce) { start() }
            while try await group.next() != nil { start() }
        }
    }

    /// A shard's bytes from one replica, checked against the descriptor's size and SHA-256.
    public static func get(_ client: RPCClient, _ descriptor: Anant_V1_ShardDescriptor, timeout: Double? = nil) async throws(Status) -> [UInt8] {
        var request = Anant_V1_GetShardRequest()
        request.shard = descriptor
        guard let size = Int(exactly: descriptor.bytes), size <= 1 << 40 else {
            throw Status(.invalidArgument, "shard \(descriptor.path) claims \(descriptor.bytes) bytes")
        }
        var out = [UInt8]()
        out.reserveCapacity(min(size, 64 << 20))
        do {
            for try await payload in try await client.serverStream(prefix + "GetShard", try request.wireBytes(), timeout: timeout) {
                let item = try Anant_V1_GetShardResponse(wire: payload)
                guard item.offset == UInt64(out.count), out.count + item.chunk.count <= size else {
                    throw Status(.dataLoss, "shard \(descriptor.path): bytes at offset \(item.offset) (\(item.chunk.count)), expected \(out.count) of \(size)")
                }
                out.append(contentsOf: item.chunk)
            }
        } catch { throw error as? Status ?? Status(.unavailable, "\(error)") }
        guard out.count == size else {
            throw Status(.dataLoss, "shard \(descriptor.path): \(out.count) bytes received, \(descriptor.bytes) expected")
        }
        var hasher = SHA256()
        out.withUnsafeBytes { hasher.update($0) }
        guard hasher.hexDigest() == descriptor.sha256 else { throw Status(.dataLoss, "shard \(descriptor.path) fails its checksum") }
        return out
    }

    /// A shard's bytes from the first replica that serves them: a lost or damaged replica
    /// is read around. The last replica's error when none does.
    public static func get(_ placement: Anant_V1_ShardPlacement, clients: ServiceClients, timeout: Double? = nil) async throws(Status) -> [UInt8] {
        var last = Status(.unavailable, "shard \(placement.shard.path) has no storage replica")
        for replica in placement.replicas {
            do { return try await get(try clients.client(replica.address), placement.shard, timeout: timeout) } catch {
                // A cancelled call stops; a replica too slow for the timeout gives way to the next.
                if error.code == .cancelled { throw error }
                last = Status(error.code, "storage \(replica.workerID) at \(replica.address): \(error.message)")
            }
        }
        throw last
    }
}

/// The wire names of the methods the services call on each other.
public enum ClusterMethods {
    public static let runTask = "anant.v1.Compute/RunTask"
    public static let metadata = "anant.v1.Metadata/"
    public static let storage = "anant.v1.Storage/"
}
