import AnantClient
import AnantColumnar
import AnantOperations
import AnantProto
import AnantTestSupport
import Foundation
import Synchronization
import Testing

/// The gateway's status page (on its HTTP port, for the admin token only), loaded in
/// headless Chromium while a job runs; and the progress a Run streams to its client.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ClusterStatusPageTests {
    /// GET `url` with an `Authorization` header (by curl: URLSession on Linux waits on a
    /// 401's challenge); the status code and body.
    static func get(_ url: String, authorization: String?) throws -> (Int, String) {
        let header = authorization.map { ["-H", "Authorization: \($0)"] } ?? []
        let outcome = try Oracle.capture("/usr/bin/curl", ["-s", "--max-time", "30", "-w", "\n%{http_code}"] + header + [url], timeout: 60)
        let text = outcome.stdoutText
        let split = text.lastIndex(of: "\n") ?? text.startIndex
        return (Int(text[split...].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, String(text[..<split]))
    }

    @Test func theStatusPageShowsWorkersAndARunningJobWithItsProgress() async throws {
        let cluster = try LocalCluster(compute: 2, storage: 1, replicas: 1, threads: 1)
        defer { cluster.kill() }
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = "\(folder)/g6k.csv"
        try ClusterEquivalenceTests.incidences(edges: 6_000, nodes: 2_000, size: 4, seed: 11).write(to: URL(fileURLWithPath: file))
        let admin = try cluster.client()
        _ = try await admin.importDataset(file, as: "lab.g6k")
        guard case .array(let list)? = cluster.json["services"],
              let http = list.compactMap({ value -> String? in
                  guard case .object(let s) = value, s["service"]?.stringValue == "gateway" else { return nil }
                  return s["http"]?.stringValue
              }).first else { throw LocalCluster.Failure(description: "no gateway in cluster.json") }
        let page = "http://\(http)/status"

        // Only the admin token opens it.
        #expect(try Self.get(page, authorization: nil).0 == 401)
        #expect(try Self.get(page, authorization: "Bearer not-a-token-of-this-cluster").0 == 401)
        #expect(try Self.get(page, authorization: "Bearer \(cluster.readerToken)").0 == 403)

        // A long job, with its progress: states as tasks finish, the last one complete.
        // Chromium, during the job: the DOM holds the workers and the job's row. On a busy
        // machine the job may end before the page is read; then it runs again (3 tries).
        let seen = JobStates()
        var dom = ""
        var answer: AnantClient.Answer? = nil
        for _ in 1...3 where !dom.contains("<progress") {
            seen.states.withLock { $0 = [] }
            let job = Task {
                try await admin.run(.centrality(measure: .betweenness, s: 1, of: .edges, raw: false, normalized: true, withoutSingletons: false, top: 3),
                                    on: "lab.g6k", parts: 8) { state in seen.states.withLock { $0.append(state) } }
            }
            let end = Date().addingTimeInterval(60)
            while Date() < end {
                let token = cluster.adminToken
                let outcome = try Oracle.capture("/usr/bin/chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                                                                       "http://admin:\(token)@\(http)/status"], timeout: 60)
                dom = outcome.stdoutText
                if dom.contains("<progress") || seen.states.withLock({ $0.last.map { $0.tasksDone == $0.tasks && $0.tasks > 0 } ?? false }) { break }
            }
            answer = try await job.value
        }
        let result = try #require(answer)
        #expect(dom.contains("id=\"workers\"") && dom.contains("id=\"running-jobs\"") && dom.contains("lab.g6k@1"), "\(dom.prefix(2000))")
        #expect(dom.contains("centrality") && dom.contains("<progress"))
        #expect(cluster.services("compute").allSatisfy { dom.contains($0.rpc) }, "every worker's address on the page")
        #expect(!dom.contains(cluster.adminToken), "the page never shows a token")
        let states = seen.states.withLock { $0 }
        #expect(states.first?.tasksDone == 0 && states.last?.tasksDone == states.last?.tasks && (states.last?.tasks ?? 0) == 8, "\(states.map { ($0.tasksDone, $0.tasks) })")
        #expect(zip(states, states.dropFirst()).allSatisfy { $0.tasksDone <= $1.tasksDone || $0.extraAttempts < $1.extraAttempts })
        #expect(result.result.tables.count == 1)

        // Afterwards: the job among the recent ones, the calls among the rates.
        let (code, html) = try Self.get(page, authorization: "Basic " + Data("anyone:\(cluster.adminToken)".utf8).base64EncodedString())
        #expect(code == 200 && html.contains("id=\"recent-jobs\"") && html.contains("done") && html.contains("<td>Run</td>"))
        await admin.close()
        try cluster.down()
    }
}

/// The job states a run reports, shared with the task running it.
final class JobStates: Sendable {
    let states = Mutex<[Anant_V1_Job]>([])
}
