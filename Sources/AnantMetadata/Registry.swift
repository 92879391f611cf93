import AnantColumnar
import AnantProto
import AnantWire
import GRDB

/// The worker registry: storage and compute workers register, renew a lease by
/// heartbeat, and are lost once `missedBeats` heartbeat intervals pass without one.
extension MetadataStore {
    /// Registers a worker: its record, with a fresh id and lease, and the heartbeat
    /// interval to keep.
    public func register(role: Anant_V1_WorkerRole, rpcAddress: String, httpAddress: String,
                         now: UInt64 = WireClock.unixNanos) throws(Status) -> (Anant_V1_Worker, heartbeatNanos: UInt64) {
        guard role == .storage || role == .compute else { throw Status(.invalidArgument, "a worker is a storage or a compute worker") }
        for address in [rpcAddress, httpAddress] where !Self.isAddress(address) {
            throw Status(.invalidArgument, "\"\(WireNames.printable(address))\" is not a HOST:PORT address")
        }
        let id = "\(role == .storage ? "storage" : "compute")-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        let expires = now &+ leases.leaseNanos
        try write { db in
            try db.execute(sql: "INSERT INTO workers (id, role, rpc_address, http_address, lease_expires) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, role.rawValue, rpcAddress, httpAddress, Int64(clamping: expires)])
        }
        var worker = Anant_V1_Worker()
        worker.workerID = id
        worker.role = role
        worker.rpcAddress = rpcAddress
        worker.httpAddress = httpAddress
        worker.leaseExpiresUnixNanos = expires
        return (worker, leases.heartbeatNanos)
    }

    /// Renews a worker's lease with its latest figures: the new end of the lease.
    ///
    /// - Throws: `NOT_FOUND` for an unknown worker or one whose lease already ran out (it
    ///   registers again).
    public func heartbeat(_ request: Anant_V1_HeartbeatRequest, now: UInt64 = WireClock.unixNanos) throws(Status) -> UInt64 {
        let expires = now &+ leases.leaseNanos
        let renewed = try write { db -> Bool in
            try db.execute(sql: """
                UPDATE workers SET lease_expires = ?, bytes_used = ?, bytes_free = ?, tasks = ?
                WHERE id = ? AND lease_expires > ?
                """, arguments: [Int64(clamping: expires), Int64(clamping: request.bytesUsed), Int64(clamping: request.bytesFree),
                                 Int64(request.tasksInFlight), request.workerID, Int64(clamping: now)])
            return db.changesCount == 1
        }
        guard renewed else {
            throw Status(.notFound, "no live worker \(WireNames.printable(request.workerID)): its lease ran out or it never registered; register again")
        }
        return expires
    }

    /// Removes a worker (it shuts down).
    public func deregister(_ id: String) throws(Status) {
        let removed = try write { db -> Bool in
            try db.execute(sql: "DELETE FROM workers WHERE id = ?", arguments: [id])
            return db.changesCount == 1
        }
        guard removed else { throw Status(.notFound, "no worker \(WireNames.printable(id))") }
    }

    /// The workers of a role (every role for `.unspecified`), live ones unless
    /// `includeExpired`, by id.
    public func workers(role: Anant_V1_WorkerRole = .unspecified, includeExpired: Bool = false,
                        now: UInt64 = WireClock.unixNanos) throws(Status) -> [Anant_V1_Worker] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM workers WHERE (? = 0 OR role = ?) AND (? OR lease_expires > ?) ORDER BY id
                """), arguments: [role.rawValue, role.rawValue, includeExpired, Int64(clamping: now)]).map { row in
                var w = Anant_V1_Worker()
                w.workerID = row["id"]
                w.role = Anant_V1_WorkerRole(rawValue: row["role"]) ?? .unspecified
                w.rpcAddress = row["rpc_address"]
                w.httpAddress = row["http_address"]
                w.leaseExpiresUnixNanos = UInt64(row["lease_expires"] as Int64)
                w.bytesUsed = UInt64(row["bytes_used"] as Int64)
                w.bytesFree = UInt64(row["bytes_free"] as Int64)
                w.tasksInFlight = UInt32(row["tasks"] as Int64)
                return w
            }
        }
    }

    static func isAddress(_ text: String) -> Bool {
        guard text.utf8.count <= 300, let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
        else { return false }
        return !text[..<colon].contains { $0 == " " || $0 == "/" || $0.isNewline }
    }
}
