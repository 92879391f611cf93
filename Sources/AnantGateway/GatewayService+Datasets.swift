import AnantCluster
import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantOperations
import AnantParquet
import AnantProto
import AnantWire
import Foundation
import Logging

extension GatewayService {
    /// The largest upload accepted, file and companions together.
    static let maximumUploadBytes: UInt64 = 64 << 30

    // MARK: Import

    /// Receives a hypergraph file, writes it as a dataset version (sharded by edge hash,
    /// exactly as `anant import` does), puts every shard on R storage replicas and
    /// publishes the version once all are durable. Anything that fails on the way removes
    /// what was stored and the pending version: no version is published, no shard is left.
    func importDataset(_ call: RPCCall) async throws -> Anant_V1_ImportDatasetResponse {
        _ = try authenticate(call, .writer, dataset: nil)
        let header = try call.request(Anant_V1_ImportDatasetRequest.self).header
        try WireNames.validate(dataset: header.name)
        _ = try authenticate(call, .writer, dataset: header.name)
        let fileName = try Self.uploadName(header.fileName)
        let limit = Self.maximumUploadBytes
        guard header.schemaBytes <= 1 << 20 else {
            throw Status(.invalidArgument, "a CSV schema companion is at most 1 MiB (the header says \(header.schemaBytes) bytes)")
        }
        guard header.fileBytes > 0, header.fileBytes <= limit, header.nodesBytes <= limit, header.edgesBytes <= limit,
              header.fileBytes + header.nodesBytes + header.edgesBytes <= limit else {
            throw Status(.invalidArgument, "an import sends 1 byte to \(Self.maximumUploadBytes >> 30) GiB (the header says \(header.fileBytes) + \(header.nodesBytes) + \(header.edgesBytes))")
        }
        let compression: ParquetCompression
        if header.compression.isEmpty { compression = .zstd(level: 3) } else {
            guard let codec = ParquetCompression(name: header.compression) else {
                throw Status(.invalidArgument, "unknown compression '\(WireNames.printable(header.compression))': none, snappy, gzip, lz4 or zstd")
            }
            compression = codec
        }
        guard header.shards <= 4096 else { throw Status(.invalidArgument, "at most 4096 shards per table (got \(header.shards))") }

        let folder = "\(configuration.scratch)/upload-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw Status(.internal, "cannot make the upload folder: \(error)")
        }
        let path = "\(folder)/\(fileName)"
        try await receive(call, header: header, path: path)

        let context = ExecutionContext(threads: configuration.threads, deadline: call.context.deadline, cancellation: call.context.cancellation)
        let h = try await pool.runIfActive { try HypergraphFiles.read(path, context: context) }
        var create = Anant_V1_CreateVersionRequest()
        create.dataset = header.name
        let created: Anant_V1_CreateVersionResponse = try await metadata.unary(ClusterMethods.metadata + "CreateVersion", create, timeout: 10)
        let ref = created.dataset
        let key = "\(ref.name)@\(ref.version)"
        importing.withLock { _ = $0.insert(key) }
        defer { importing.withLock { _ = $0.remove(key) } }
        var stored = Set<String>()
        do {
            let root = "\(folder)/\(header.name)"
            let options = DatasetWriteOptions(compression: compression, shards: header.shards == 0 ? nil : Int(header.shards), context: context)
            let written = try await pool.runIfActive { try Dataset.write(h, to: root, options: options) }
            var manifest = written.manifest
            manifest.version = Int(ref.version)
            let placements = try await place(written, ref: ref, stored: &stored)
            var publish = Anant_V1_PublishVersionRequest()
            publish.dataset = ref
            publish.manifestJson = JSONWriter(indent: 2).string(manifest.json)
            publish.placements = placements
            let published: Anant_V1_PublishVersionResponse = try await metadata.unary(ClusterMethods.metadata + "PublishVersion", publish, timeout: 30)
            logger.info("imported", metadata: ["dataset": "\(ref.name)", "version": "\(ref.version)", "shards": "\(placements.count)"])
            var response = Anant_V1_ImportDatasetResponse()
            response.version = published.version
            return response
        } catch {
            // In a task of its own (an exception to "no unstructured tasks" in libraries):
            // the call's task may be the one cancelled, and the clean-up must still reach
            // storage and metadata. A publication whose answer was lost may have committed:
            // then the import stands.
            let stored = stored
            if let version = await Task(operation: { await abandon(ref, storage: stored) }).value {
                logger.notice("imported (the publication's answer was lost; the catalog has it)", metadata: ["dataset": "\(ref.name)", "version": "\(ref.version)"])
                var response = Anant_V1_ImportDatasetResponse()
                response.version = version
                return response
            }
            throw error
        }
    }

    /// The uploaded file's name, kept (it names the hypergraph as `anant import` would)
    /// when it is a plain file name with a known extension.
    static func uploadName(_ name: String) throws(Status) -> String {
        let allowed = name.utf8.allSatisfy { c in (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E }
        let lower = name.lowercased()
        guard (1...200).contains(name.utf8.count), allowed, !name.hasPrefix("."),
              [".json", ".csv", ".parquet"].contains(where: { lower.hasSuffix($0) }) else {
            throw Status(.invalidArgument, "the upload's file name '\(WireNames.printable(name))' must be a plain name (letters, digits, '.', '-', '_') ending in .json, .csv or .parquet")
        }
        return name
    }

    /// Writes the upload's parts where `HypergraphFiles.read` finds them: the file, then its
    /// node and edge companions and a CSV file's schema.
    private func receive(_ call: RPCCall, header: Anant_V1_ImportHeader, path: String) async throws {
        guard let input = call.input else { throw Status(.invalidArgument, "ImportDataset is client-streamed") }
        let format = try HypergraphFiles.format(of: path)
        let (nodes, edges) = HypergraphFiles.companions(of: path, format: format)
        var parts = [(path, header.fileBytes)]
        if header.nodesBytes > 0 { parts.append((nodes, header.nodesBytes)) }
        if header.edgesBytes > 0 { parts.append((edges, header.edgesBytes)) }
        if header.schemaBytes > 0 {
            guard format == .csv else { throw Status(.invalidArgument, "only a CSV upload has a schema companion") }
            parts.append((HypergraphFiles.schemaCompanion(of: path), header.schemaBytes))
        }
        var part = 0, written: UInt64 = 0
        guard var handle = FileHandle(forWritingAtPath: Self.create(parts[0].0)) else { throw Status(.internal, "cannot write the upload") }
        defer { try? handle.close() }
        for try await payload in input {
            let item = try Anant_V1_ImportDatasetRequest(wire: payload)
            guard case .chunk(var chunk) = item.part else { throw Status(.invalidArgument, "an import sends its header once, then chunks") }
            while !chunk.isEmpty {
                guard part < parts.count else { throw Status(.invalidArgument, "the import sent more bytes than its header announced") }
                let take = Int(min(UInt64(chunk.count), parts[part].1 - written))
                try handle.write(contentsOf: chunk.prefix(take))
                chunk = chunk.dropFirst(take)
                written += UInt64(take)
                if written == parts[part].1 {
                    try handle.close()
                    part += 1
                    written = 0
                    if part < parts.count {
                        guard let next = FileHandle(forWritingAtPath: Self.create(parts[part].0)) else { throw Status(.internal, "cannot write the upload") }
                        handle = next
                    }
                }
            }
        }
        guard part == parts.count else {
            throw Status(.invalidArgument, "the import ended early: part \(part + 1) of \(parts.count) has \(written) of \(parts[min(part, parts.count - 1)].1) bytes")
        }
    }

    private static func create(_ path: String) -> String {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    /// Puts every shard of `dataset` on R live storage replicas (spread round the storage
    /// workers by shard), recording in `stored` each replica written to.
    private func place(_ dataset: Dataset, ref: Anant_V1_DatasetRef, stored: inout Set<String>) async throws -> [Anant_V1_ShardPlacement] {
        var request = Anant_V1_ListWorkersRequest()
        request.role = .storage
        let listed: Anant_V1_ListWorkersResponse = try await metadata.unary(ClusterMethods.metadata + "ListWorkers", request, timeout: 5)
        // One worker per address: a storage service restarted within its old lease is
        // listed twice (its old id and its new one); two replicas must never share a place.
        let newest = Dictionary(listed.workers.map { ($0.rpcAddress, $0) }, uniquingKeysWith: { $0.leaseExpiresUnixNanos >= $1.leaseExpiresUnixNanos ? $0 : $1 })
        let storage = newest.values.sorted { $0.workerID < $1.workerID }
        guard storage.count >= configuration.replicas else {
            throw Status(.unavailable, "\(configuration.replicas) storage replicas are needed and \(storage.count) are live", retryable: true)
        }
        var placements = [Anant_V1_ShardPlacement](), files = [String]()
        var k = 0
        for table in DatasetTable.allCases {
            for (index, shard) in (dataset.manifest.tables[table]?.shards ?? []).enumerated() {
                var placement = Anant_V1_ShardPlacement()
                placement.shard.dataset = ref.name
                placement.shard.version = ref.version
                placement.shard.table = table.proto
                placement.shard.shard = UInt32(index)
                // The storage service names a shard by its place in the version (the
                // manifest's path without the version folder).
                placement.shard.path = String(shard.path.split(separator: "/").dropFirst().joined(separator: "/"))
                placement.shard.rows = UInt64(shard.rows)
                placement.shard.bytes = UInt64(shard.bytes)
                placement.shard.sha256 = shard.sha256
                placement.replicas = (0..<configuration.replicas).map { r in
                    let worker = storage[(k + r) % storage.count]
                    return .with { $0.workerID = worker.workerID; $0.address = worker.rpcAddress }
                }
                placements.append(placement)
                files.append("\(dataset.root)/\(shard.path)")
                k += 1
            }
        }
        for replica in Set(placements.flatMap { $0.replicas.map(\.address) }) { stored.insert(replica) }
        let clients = self.clients, work = Array(zip(files, placements))
        try await StorageCalls.forEach(work, atOnce: 4) { file, placement in
            let bytes = try HypergraphFiles.readBytes(file)
            for replica in placement.replicas {
                try await StorageCalls.put(try clients.client(replica.address), placement.shard, bytes, timeout: 600)
            }
        }
        return placements
    }

    /// Removes a version whose import failed: first its pending entry in the catalog, then,
    /// once the catalog no longer has it, its shards on `storage`. A version the catalog
    /// holds as published (its publication committed, the answer was lost) is kept and
    /// returned; when the catalog cannot be asked, the shards stay for `cleanup`, which
    /// removes them once the catalog says the version is gone.
    func abandon(_ ref: Anant_V1_DatasetRef, storage: Set<String>) async -> Anant_V1_DatasetVersion? {
        var ask = Anant_V1_GetVersionRequest()
        ask.dataset = ref
        do {
            let answer: Anant_V1_GetVersionResponse = try await metadata.unary(ClusterMethods.metadata + "GetVersion", ask, timeout: 10)
            if answer.version.state == .published { return answer.version }
            var delete = Anant_V1_DeleteDatasetVersionRequest()
            delete.dataset = ref
            let _: Anant_V1_DeleteDatasetVersionResponse = try await metadata.unary(ClusterMethods.metadata + "DeleteDatasetVersion", delete, timeout: 10)
        } catch where error.code != .notFound {
            logger.warning("import failed; its shards stay until the catalog can be asked", metadata: [
                "dataset": "\(ref.name)", "version": "\(ref.version)", "error": "\(error.message)"])
            return nil
        } catch {}
        logger.notice("import abandoned", metadata: ["dataset": "\(ref.name)", "version": "\(ref.version)"])
        for address in storage { await deleteOnStorage(ref, address: address) }
        return nil
    }

    @discardableResult
    func deleteOnStorage(_ ref: Anant_V1_DatasetRef, address: String) async -> UInt32 {
        var request = Anant_V1_DeleteVersionRequest()
        request.dataset = ref.name
        request.version = ref.version
        let answer: Anant_V1_DeleteVersionResponse? = try? await clients.client(address).unary(ClusterMethods.storage + "DeleteVersion", request, timeout: 30)
        return answer?.shardsDeleted ?? 0
    }

    /// Removes what failed imports left (an import whose gateway died, or whose cancel
    /// raced a shard put): pending versions that no import of this gateway is writing and
    /// that are older than `pendingSeconds`, with their shards; and shards on live storage
    /// of versions the catalog no longer holds. Returns the shards deleted.
    @discardableResult
    public func cleanup() async -> Int {
        var request = Anant_V1_ListWorkersRequest()
        request.role = .storage
        guard let listed: Anant_V1_ListWorkersResponse = try? await metadata.unary(ClusterMethods.metadata + "ListWorkers", request, timeout: 5),
              let datasets: Anant_V1_ListDatasetsResponse = try? await metadata.unary(ClusterMethods.metadata + "ListDatasets", Anant_V1_ListDatasetsRequest(), timeout: 10)
        else { return 0 }
        let storage = listed.workers.map(\.rpcAddress)
        var deleted = 0
        // 1. Pending versions nobody is writing.
        let writing = importing.withLock { $0 }
        var known = Set<String>()
        for dataset in datasets.datasets {
            var list = Anant_V1_ListVersionsRequest()
            list.dataset = dataset.name
            guard let versions: Anant_V1_ListVersionsResponse = try? await metadata.unary(ClusterMethods.metadata + "ListVersions", list, timeout: 10) else {
                return deleted
            }
            for version in versions.versions {
                let key = "\(version.dataset.name)@\(version.dataset.version)"
                let age = Date().timeIntervalSince1970 - (Self.unixSeconds(version.created) ?? Date().timeIntervalSince1970)
                if version.state == .pending && !writing.contains(key) && age >= configuration.pendingSeconds {
                    deleted += await remove(version.dataset, storage: storage)
                } else {
                    known.insert(key)
                }
            }
        }
        // 2. Shards of versions the catalog does not hold.
        for address in storage {
            guard let client = try? clients.client(address),
                  let shards: Anant_V1_ListShardsResponse = try? await client.unary(ClusterMethods.storage + "ListShards", Anant_V1_ListShardsRequest(), timeout: 30)
            else { continue }
            let orphans = Set(shards.shards.map { "\($0.dataset)@\($0.version)" }).subtracting(known).subtracting(importing.withLock { $0 })
            for orphan in orphans {
                guard let at = orphan.lastIndex(of: "@"), let version = UInt64(orphan[orphan.index(after: at)...]) else { continue }
                var ref = Anant_V1_DatasetRef()
                ref.name = String(orphan[..<at])
                ref.version = version
                // Only when the catalog has not published it meanwhile.
                var get = Anant_V1_GetVersionRequest()
                get.dataset = ref
                do {
                    let _: Anant_V1_GetVersionResponse = try await metadata.unary(ClusterMethods.metadata + "GetVersion", get, timeout: 5)
                    continue
                } catch where error.code == .notFound {} catch { continue }
                deleted += Int(await deleteOnStorage(ref, address: address))
            }
        }
        if deleted > 0 { logger.notice("cleanup", metadata: ["shards": "\(deleted)"]) }
        return deleted
    }

    /// Deletes a version from the catalog and its shards from every storage worker.
    private func remove(_ ref: Anant_V1_DatasetRef, storage: [String]) async -> Int {
        var delete = Anant_V1_DeleteDatasetVersionRequest()
        delete.dataset = ref
        let _: Anant_V1_DeleteDatasetVersionResponse? = try? await metadata.unary(ClusterMethods.metadata + "DeleteDatasetVersion", delete, timeout: 10)
        var deleted = 0
        for address in storage { deleted += Int(await deleteOnStorage(ref, address: address)) }
        logger.notice("pending version removed", metadata: ["dataset": "\(ref.name)", "version": "\(ref.version)"])
        return deleted
    }

    /// Seconds since the epoch of an ISO 8601 UTC time ("2026-12-04T10:00:00.123Z").
    static func unixSeconds(_ text: String) -> Double? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))?.timeIntervalSince1970
            ?? (try? Date.ISO8601FormatStyle().parse(text))?.timeIntervalSince1970
    }

    // MARK: Export and removal

    func exportDataset(_ request: Anant_V1_ExportDatasetRequest, _ call: RPCCall) async throws {
        _ = try authenticate(call, .reader, dataset: request.dataset.name)
        let resolved = try await resolve(request.dataset, timeout: Self.seconds(left: call.context))
        var head = Anant_V1_ExportDatasetResponse()
        head.version = resolved.version
        try await call.send(head)
        for (path, placement) in try VersionCache.shardFiles(resolved.manifest, resolved.placements) {
                let bytes = try await StorageCalls.get(placement, clients: clients, timeout: Self.seconds(left: call.context))
                var item = Anant_V1_ExportDatasetResponse()
                item.shard = placement.shard
                item.shard.path = path
                try await call.send(item)
                for start in stride(from: 0, to: bytes.count, by: StorageCalls.chunkBytes) {
                    var chunk = Anant_V1_ExportDatasetResponse()
                    chunk.chunk = Data(bytes[start..<min(bytes.count, start + StorageCalls.chunkBytes)])
                    try await call.send(chunk)
                }
        }
    }

    func removeDataset(_ request: Anant_V1_RemoveDatasetRequest, _ call: RPCCall) async throws -> Anant_V1_RemoveDatasetResponse {
        _ = try authenticate(call, .writer, dataset: nil)
        try WireNames.validate(dataset: request.dataset.name)
        _ = try authenticate(call, .writer, dataset: request.dataset.name)
        var versions = [request.dataset.version]
        if request.dataset.version == 0 {
            var list = Anant_V1_ListVersionsRequest()
            list.dataset = request.dataset.name
            let listed: Anant_V1_ListVersionsResponse = try await metadata.unary(ClusterMethods.metadata + "ListVersions", list, timeout: 10)
            versions = listed.versions.map(\.dataset.version)
        }
        var response = Anant_V1_RemoveDatasetResponse()
        for version in versions {
            var ref = Anant_V1_DatasetRef()
            ref.name = request.dataset.name
            ref.version = version
            var delete = Anant_V1_DeleteDatasetVersionRequest()
            delete.dataset = ref
            let removed: Anant_V1_DeleteDatasetVersionResponse = try await metadata.unary(ClusterMethods.metadata + "DeleteDatasetVersion", delete, timeout: 10)
            response.versionsRemoved += 1
            for address in Set(removed.placements.flatMap { $0.replicas.map(\.address) }) {
                response.shardsDeleted += await deleteOnStorage(ref, address: address)
            }
        }
        return response
    }
}
