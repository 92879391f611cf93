import AnantColumnar
import AnantProto
import AnantWire
import Foundation
import GRDB

/// The catalog: datasets, their versions (pending, then published and immutable, or
/// deleted) and each published version's manifest and shard placement.
extension MetadataStore {
    /// A dataset's namespace: the part of its name before the first '.', or "default".
    public static func namespace(of dataset: String) -> String {
        guard let dot = dataset.firstIndex(of: "."), dot != dataset.startIndex else { return "default" }
        return String(dataset[..<dot])
    }

    /// Every dataset (of a namespace, when given), by name, with its latest published
    /// version.
    public func datasets(namespace: String? = nil) throws(Status) -> [Anant_V1_DatasetSummary] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.name, COALESCE(MAX(CASE WHEN v.state = ? THEN v.version END), 0) AS latest, COUNT(v.version) AS count
                FROM datasets d LEFT JOIN versions v ON v.dataset = d.name
                GROUP BY d.name ORDER BY d.name
                """, arguments: [Anant_V1_VersionState.published.rawValue]).map { row in
                var summary = Anant_V1_DatasetSummary()
                summary.name = row["name"]
                summary.latestVersion = UInt64(row["latest"] as Int64)
                summary.versionCount = UInt32(row["count"] as Int64)
                summary.namespace = Self.namespace(of: summary.name)
                return summary
            }.filter { namespace == nil || $0.namespace == namespace }
        }
    }

    /// A dataset's versions, oldest first.
    ///
    /// - Throws: `NOT_FOUND` for an unknown dataset.
    public func versions(of dataset: String) throws(Status) -> [Anant_V1_DatasetVersion] {
        try WireNames.validate(dataset: dataset)
        return try read { db in
            try Self.requireDataset(db, dataset)
            return try Row.fetchAll(db, sql: "SELECT * FROM versions WHERE dataset = ? ORDER BY version", arguments: [dataset]).map(Self.version)
        }
    }

    /// A version and its placements; version 0 is the latest published one. A pending
    /// version is returned as it stands (no placements yet).
    ///
    /// - Throws: `NOT_FOUND` for an unknown dataset or version, or when none is published.
    public func version(_ ref: Anant_V1_DatasetRef) throws(Status) -> (Anant_V1_DatasetVersion, [Anant_V1_ShardPlacement]) {
        try WireNames.validate(dataset: ref.name)
        return try read { db in
            try Self.requireDataset(db, ref.name)
            let row: Row?
            if ref.version == 0 {
                row = try Row.fetchOne(db, sql: "SELECT * FROM versions WHERE dataset = ? AND state = ? ORDER BY version DESC LIMIT 1",
                                       arguments: [ref.name, Anant_V1_VersionState.published.rawValue])
                guard row != nil else { throw Status(.notFound, "dataset \(ref.name) has no published version") }
            } else {
                row = try Row.fetchOne(db, sql: "SELECT * FROM versions WHERE dataset = ? AND version = ?", arguments: [ref.name, Int64(ref.version)])
                guard row != nil else { throw Status(.notFound, "dataset \(ref.name) has no version \(ref.version)") }
            }
            let version = Self.version(row!)
            return (version, try Self.placements(db, version.dataset))
        }
    }

    /// Opens the next version of a dataset (creating the dataset when new), pending.
    /// Version numbers are never reused, even after a deletion.
    public func createVersion(of dataset: String) throws(Status) -> Anant_V1_DatasetRef {
        try WireNames.validate(dataset: dataset)
        return try write { db in
            let now = Self.timestamp()
            try db.execute(sql: "INSERT INTO datasets (name, created, next_version) VALUES (?, ?, 1) ON CONFLICT(name) DO NOTHING",
                           arguments: [dataset, now])
            let next = try Int64.fetchOne(db, sql: "SELECT next_version FROM datasets WHERE name = ?", arguments: [dataset])!
            try db.execute(sql: "UPDATE datasets SET next_version = ? WHERE name = ?", arguments: [next + 1, dataset])
            try db.execute(sql: "INSERT INTO versions (dataset, version, state, created) VALUES (?, ?, ?, ?)",
                           arguments: [dataset, next, Anant_V1_VersionState.pending.rawValue, now])
            var ref = Anant_V1_DatasetRef()
            ref.name = dataset
            ref.version = UInt64(next)
            return ref
        }
    }

    /// Publishes a pending version, in one transaction: its manifest and every shard's
    /// placement. Each shard names at least one replica, and each replica must be a live
    /// storage worker of the registry (it acknowledged the shard durable before the
    /// publisher got here). The manifest must be a JSON object.
    ///
    /// - Throws: `NOT_FOUND`, `FAILED_PRECONDITION` for a version that is not pending or
    ///   a replica that is not a live storage worker, `INVALID_ARGUMENT` for bad
    ///   placements or manifest.
    public func publish(_ ref: Anant_V1_DatasetRef, manifest: String, placements: [Anant_V1_ShardPlacement],
                        now: UInt64 = WireClock.unixNanos) throws(Status) -> Anant_V1_DatasetVersion {
        try WireNames.validate(dataset: ref.name)
        guard case .object? = try? JSONParser.parse(Array(manifest.utf8)) else {
            throw Status(.invalidArgument, "a version's manifest is a JSON object")
        }
        var seen = Set<String>()
        for placement in placements {
            let shard = placement.shard
            guard shard.dataset == ref.name, shard.version == ref.version else {
                throw Status(.invalidArgument, "a placement of \(WireNames.printable(shard.dataset)) v\(shard.version) in the publication of \(ref.name) v\(ref.version)")
            }
            guard shard.table != .unspecified, case .some = Anant_V1_DatasetTable(rawValue: shard.table.rawValue), shard.table.rawValue <= 3 else {
                throw Status(.invalidArgument, "a placement with no table")
            }
            guard seen.insert("\(shard.table.rawValue)/\(shard.shard)").inserted else {
                throw Status(.invalidArgument, "shard \(shard.shard) of table \(shard.table) is placed twice")
            }
            guard shard.sha256.utf8.count == 64, !placement.replicas.isEmpty else {
                throw Status(.invalidArgument, "shard \(shard.shard) of table \(shard.table) needs a SHA-256 and at least one replica")
            }
        }
        return try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM versions WHERE dataset = ? AND version = ?", arguments: [ref.name, Int64(ref.version)]) else {
                throw Status(.notFound, "dataset \(ref.name) has no version \(ref.version)")
            }
            let state = Anant_V1_VersionState(rawValue: row["state"]) ?? .unspecified
            guard state == .pending else { throw Status(.failedPrecondition, "\(ref.name) v\(ref.version) is \(state), not pending: versions are immutable") }
            // Live by address: a storage service that registered again (a restart, a lapsed
            // lease) has a new id at the same address, and still holds what was put there.
            let live = Set(try String.fetchAll(db, sql: "SELECT rpc_address FROM workers WHERE role = ? AND lease_expires > ?",
                                               arguments: [Anant_V1_WorkerRole.storage.rawValue, Int64(clamping: now)]))
            for placement in placements {
                let s = placement.shard
                try db.execute(sql: "INSERT INTO shards (dataset, version, tbl, shard, path, rows, bytes, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               arguments: [ref.name, Int64(ref.version), s.table.rawValue, Int64(s.shard), s.path, Int64(clamping: s.rows),
                                           Int64(clamping: s.bytes), s.sha256])
                guard Set(placement.replicas.map(\.address)).count == placement.replicas.count else {
                    throw Status(.failedPrecondition, "two replicas of shard \(s.shard) are at one address")
                }
                for (position, replica) in placement.replicas.enumerated() {
                    guard live.contains(replica.address) else {
                        throw Status(.unavailable, "replica \(WireNames.printable(replica.address)) of shard \(s.shard) is not a live storage worker", retryable: true)
                    }
                    try db.execute(sql: "INSERT INTO replicas (dataset, version, tbl, shard, position, worker_id, address) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   arguments: [ref.name, Int64(ref.version), s.table.rawValue, Int64(s.shard), position, replica.workerID, replica.address])
                }
            }
            try db.execute(sql: "UPDATE versions SET state = ?, published = ?, manifest = ? WHERE dataset = ? AND version = ?",
                           arguments: [Anant_V1_VersionState.published.rawValue, Self.timestamp(), manifest, ref.name, Int64(ref.version)])
            return Self.version(try Row.fetchOne(db, sql: "SELECT * FROM versions WHERE dataset = ? AND version = ?",
                                                 arguments: [ref.name, Int64(ref.version)])!)
        }
    }

    /// Removes a version (pending or published): the placements whose shards the storage
    /// replicas should now delete.
    public func deleteVersion(_ ref: Anant_V1_DatasetRef) throws(Status) -> [Anant_V1_ShardPlacement] {
        try WireNames.validate(dataset: ref.name)
        guard ref.version >= 1 else { throw Status(.invalidArgument, "the version to delete is named (not 0)") }
        return try write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM versions WHERE dataset = ? AND version = ?", arguments: [ref.name, Int64(ref.version)]) != nil else {
                throw Status(.notFound, "dataset \(ref.name) has no version \(ref.version)")
            }
            let placements = try Self.placements(db, ref)
            try db.execute(sql: "DELETE FROM versions WHERE dataset = ? AND version = ?", arguments: [ref.name, Int64(ref.version)])
            return placements
        }
    }

    // MARK: Rows

    static func requireDataset(_ db: Database, _ name: String) throws {
        guard try Row.fetchOne(db, sql: "SELECT 1 FROM datasets WHERE name = ?", arguments: [name]) != nil else {
            throw Status(.notFound, "no dataset \(name) in the catalog")
        }
    }

    static func version(_ row: Row) -> Anant_V1_DatasetVersion {
        var v = Anant_V1_DatasetVersion()
        v.dataset.name = row["dataset"]
        v.dataset.version = UInt64(row["version"] as Int64)
        v.state = Anant_V1_VersionState(rawValue: row["state"]) ?? .unspecified
        v.created = row["created"]
        v.published = row["published"]
        v.manifestJson = row["manifest"]
        return v
    }

    static func placements(_ db: Database, _ ref: Anant_V1_DatasetRef) throws -> [Anant_V1_ShardPlacement] {
        var out = [Anant_V1_ShardPlacement]()
        var index = [String: Int]()
        let rows = try Row.fetchAll(db, sql: """
            SELECT s.*, r.position, r.worker_id, r.address FROM shards s
            LEFT JOIN replicas r ON r.dataset = s.dataset AND r.version = s.version AND r.tbl = s.tbl AND r.shard = s.shard
            WHERE s.dataset = ? AND s.version = ? ORDER BY s.tbl, s.shard, r.position
            """, arguments: [ref.name, Int64(ref.version)])
        for row in rows {
            let key = "\(row["tbl"] as Int)/\(row["shard"] as Int64)"
            if index[key] == nil {
                var p = Anant_V1_ShardPlacement()
                p.shard.dataset = row["dataset"]
                p.shard.version = UInt64(row["version"] as Int64)
                p.shard.table = Anant_V1_DatasetTable(rawValue: row["tbl"]) ?? .unspecified
                p.shard.shard = UInt32(row["shard"] as Int64)
                p.shard.path = row["path"]
                p.shard.rows = UInt64(row["rows"] as Int64)
                p.shard.bytes = UInt64(row["bytes"] as Int64)
                p.shard.sha256 = row["sha256"]
                index[key] = out.count
                out.append(p)
            }
            if let worker: String = row["worker_id"] {
                var replica = Anant_V1_StorageReplica()
                replica.workerID = worker
                replica.address = row["address"]
                out[index[key]!].replicas.append(replica)
            }
        }
        return out
    }
}
