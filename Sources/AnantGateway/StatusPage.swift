import AnantColumnar
import AnantProto
import AnantRuntime
import AnantWire
import Foundation
import Synchronization

/// The calls the gateway answered in the last hour: their rates by method and their
/// errors by status code, for the status page. At most `limit` calls are kept.
public final class RequestLog: Sendable {
    struct Entry: Sendable {
        var at: UInt64
        var method: String
        var code: StatusCode
        var nanos: UInt64
    }

    static let limit = 100_000
    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// Records a call as it ends (`RPCServerConfiguration.observe`).
    public func record(method: String, code: StatusCode, nanos: UInt64) {
        let entry = Entry(at: WireClock.unixNanos, method: String(method.split(separator: "/").last ?? ""), code: code, nanos: nanos)
        entries.withLock { entries in
            entries.append(entry)
            let hourAgo = entry.at - min(entry.at, 3_600_000_000_000)
            if entries.count > Self.limit || (entries.first?.at ?? entry.at) < hourAgo {
                entries.removeFirst(entries.prefix { $0.at < hourAgo }.count + max(0, entries.count - Self.limit))
            }
        }
    }

    /// Per method over the last `seconds`: calls, calls per second, errors, and the p50 and
    /// p99 durations in milliseconds.
    func rates(seconds: Double, now: UInt64 = WireClock.unixNanos) -> [(method: String, calls: Int, perSecond: Double, errors: Int, p50: Double, p99: Double)] {
        let since = now - min(now, UInt64(seconds * 1e9))
        let window = entries.withLock { $0.filter { $0.at >= since } }
        return Dictionary(grouping: window, by: \.method).map { method, calls in
            let times = calls.map(\.nanos).sorted()
            func quantile(_ q: Double) -> Double { Double(times[min(times.count - 1, Int(Double(times.count - 1) * q))]) / 1e6 }
            return (method, calls.count, Double(calls.count) / seconds, calls.filter { $0.code != .ok }.count, quantile(0.5), quantile(0.99))
        }.sorted { $0.method < $1.method }
    }

    /// Errors of the last hour by status code, most frequent first.
    func errors() -> [(code: String, count: Int)] {
        let failed = entries.withLock { $0.filter { $0.code != .ok } }
        return Dictionary(grouping: failed, by: \.code.name).map { ($0.key, $0.value.count) }.sorted { ($1.count, $0.code) < ($0.count, $1.code) }
    }
}

extension GatewayService {
    /// `/status` on the gateway's HTTP port: a server-rendered page that refreshes itself
    /// every two seconds (services and their health, workers with their leases, caches and
    /// tasks, datasets, running and recent jobs with progress and attempts, errors by code,
    /// request rates). It takes the admin token, as `Authorization: Bearer TOKEN` or as the
    /// password of HTTP basic authentication (any user name).
    public func statusPage(authorization: String?) async -> HTTPPage {
        let challenge = [("www-authenticate", "Basic realm=\"anant gateway\", charset=\"UTF-8\"")]
        guard let token = Self.token(authorization) else {
            return .text(401, "the status page needs the admin token (Authorization: Bearer TOKEN, or basic authentication)", headers: challenge)
        }
        let who: Principal
        do { who = try tokens.authenticate(token) } catch { return .text(401, error.message, headers: challenge) }
        guard who.role == .admin else { return .text(403, "the status page needs an admin token, not a \(who.role.rawValue) token") }
        var html = StatusHTML()
        do {
            let snapshot = try await snapshot(for: who)
            let recent = jobs.withLock { $0.recent }
            html.page(snapshot, recent: recent, rates: requests.rates(seconds: 60), errors: requests.errors(), now: WireClock.unixNanos)
        } catch {
            html.unreachable(error.message)
        }
        return HTTPPage(body: Array(html.text.utf8), headers: [("cache-control", "no-store")])
    }

    /// The token of an `Authorization` header: a bearer token, or basic authentication's
    /// password (its user name when it has none).
    static func token(_ authorization: String?) -> String? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0].lowercased() {
        case "bearer": return parts[1].trimmingCharacters(in: .whitespaces)
        case "basic":
            guard let data = Data(base64Encoded: parts[1].trimmingCharacters(in: .whitespaces)),
                  let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":") else { return nil }
            let password = String(pair[pair.index(after: colon)...])
            return password.isEmpty ? String(pair[..<colon]) : password
        default: return nil
        }
    }
}

/// The status page's HTML, built section by section; every value is escaped.
struct StatusHTML {
    private(set) var text = ""

    static func escape(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private mutating func start() {
        text += """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
        <title>Anant gateway</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:24px}
        table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}
        th{background:#f4f4f4}.ok{color:#1a7f37}.bad{color:#c62828}.num{text-align:right;font-variant-numeric:tabular-nums}
        progress{width:140px}
        </style></head><body>
        <h1>Anant gateway</h1>

        """
    }

    private mutating func end() { text += "</body></html>\n" }

    private mutating func table(_ id: String, _ caption: String, _ headers: [String], _ rows: [[String]], numeric: Set<Int> = [], raw: Set<Int> = []) {
        text += "<h2>\(Self.escape(caption))</h2>\n<table id=\"\(id)\"><tr>" + headers.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>\n"
        if rows.isEmpty { text += "<tr><td colspan=\"\(headers.count)\">none</td></tr>\n" }
        for row in rows {
            text += "<tr>" + row.enumerated().map { k, cell in
                "<td\(numeric.contains(k) ? " class=\"num\"" : "")>\(raw.contains(k) ? cell : Self.escape(cell))</td>"
            }.joined() + "</tr>\n"
        }
        text += "</table>\n"
    }

    mutating func unreachable(_ message: String) {
        start()
        text += "<p class=\"bad\" id=\"metadata-unreachable\">The metadata service does not answer: \(Self.escape(message))</p>\n"
        end()
    }

    static func bytes(_ n: UInt64) -> String {
        n >= 1 << 30 ? String(format: "%.1f GiB", Double(n) / 1_073_741_824) : String(format: "%.1f MiB", Double(n) / 1_048_576)
    }

    static func seconds(_ nanos: UInt64) -> String { String(format: "%.2f s", Double(nanos) / 1e9) }

    mutating func page(_ s: Anant_V1_ClusterStatusResponse, recent: [JobTable.Ended], rates: [(method: String, calls: Int, perSecond: Double, errors: Int, p50: Double, p99: Double)],
                       errors: [(code: String, count: Int)], now: UInt64) {
        start()
        let live = s.workers.filter { $0.leaseExpiresUnixNanos > now }
        func health(_ ok: Bool, _ text: String) -> String { "<span class=\"\(ok ? "ok" : "bad")\">\(Self.escape(text))</span>" }
        var services: [[String]] = [["gateway", "1", health(true, "serving")], ["metadata", "1", health(true, "answering")]]
        for (role, name) in [(Anant_V1_WorkerRole.storage, "storage"), (.compute, "compute")] {
            let all = s.workers.filter { $0.role == role }, up = all.filter { $0.leaseExpiresUnixNanos > now }
            services.append([name, "\(up.count) of \(all.count)", health(!up.isEmpty && up.count == all.count, up.count == all.count ? "all live" : "\(all.count - up.count) lost")])
        }
        table("services", "Services", ["service", "live", "health"], services, raw: [2])

        let workers = s.workers.sorted { ($0.role.rawValue, $0.workerID) < ($1.role.rawValue, $1.workerID) }.map { w -> [String] in
            let left = Int64(bitPattern: w.leaseExpiresUnixNanos &- now)
            let lease = left > 0 ? health(true, String(format: "%.1f s left", Double(left) / 1e9)) : health(false, String(format: "lost %.0f s ago", Double(-left) / 1e9))
            let role = w.role == .storage ? "storage" : w.role == .compute ? "compute" : "\(w.role)"
            let use = w.role == .compute ? "cache \(Self.bytes(w.bytesUsed)) of \(Self.bytes(w.bytesUsed + w.bytesFree))"
                : "\(Self.bytes(w.bytesUsed)) used, \(Self.bytes(w.bytesFree)) free"
            return [Self.escape(w.workerID), role, Self.escape(w.rpcAddress), lease, Self.escape(use), w.role == .compute ? "\(w.tasksInFlight)" : ""]
        }
        table("workers", "Workers (\(live.count) live)", ["worker", "role", "address", "lease", "memory / disk", "tasks"], workers, numeric: [5],
              raw: [0, 2, 3, 4])

        table("datasets", "Datasets", ["dataset", "namespace", "latest version", "versions"],
              s.datasets.map { [$0.name, $0.namespace, "\($0.latestVersion)", "\($0.versionCount)"] }, numeric: [2, 3])

        let running = s.jobs.map { job -> [String] in
            let share = job.tasks > 0 ? Double(job.tasksDone) / Double(job.tasks) : 0
            return [Self.escape(job.jobID), Self.escape(job.operation), Self.escape("\(job.dataset.name)@\(job.dataset.version)"),
                    "<progress max=\"\(job.tasks)\" value=\"\(job.tasksDone)\"></progress> \(job.tasksDone) of \(job.tasks) tasks (\(Int(share * 100))%)",
                    "\(job.extraAttempts)", Self.seconds(now - min(job.startedUnixNanos, now))]
        }
        table("running-jobs", "Running jobs", ["job", "operation", "dataset", "progress", "extra attempts", "running for"], running,
              numeric: [4, 5], raw: [0, 1, 2, 3])
        table("recent-jobs", "Recent jobs (\(s.jobsFinished) finished, \(s.jobsFailed) failed since start)",
              ["job", "operation", "dataset", "tasks", "extra attempts", "took", "outcome"],
              recent.reversed().map { e in
                  [Self.escape(e.job.jobID), Self.escape(e.job.operation), Self.escape("\(e.job.dataset.name)@\(e.job.dataset.version)"),
                   "\(e.job.tasksDone) of \(e.job.tasks)", "\(e.job.extraAttempts)", Self.seconds(e.nanos), health(e.succeeded, e.succeeded ? "done" : "failed")]
              }, numeric: [3, 4, 5], raw: [0, 1, 2, 6])

        table("errors", "Errors in the last hour, by code", ["code", "calls"], errors.map { [$0.code, "\($0.count)"] }, numeric: [1])
        table("rates", "Requests in the last minute", ["method", "calls", "per second", "errors", "p50", "p99"],
              rates.map { [$0.method, "\($0.calls)", String(format: "%.2f", $0.perSecond), "\($0.errors)", String(format: "%.1f ms", $0.p50),
                           String(format: "%.1f ms", $0.p99)] }, numeric: [1, 2, 3, 4, 5])
        end()
    }
}
