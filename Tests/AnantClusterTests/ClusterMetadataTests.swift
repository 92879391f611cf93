import AnantClient
import AnantColumnar
import AnantMetadata
import AnantProto
import AnantTestSupport
import Foundation
import Testing

/// Entity metadata through the gateway, and a query joining a dataset with it: the same
/// rows as the embedded query over a local metadata store holding the same records.
@Suite(.serialized)
struct ClusterMetadataTests {
    @Test func aQueryJoinsADatasetWithEntityRecords() async throws {
        let cluster = try LocalCluster(compute: 2, storage: 1, replicas: 1)
        defer { cluster.kill() }
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sample = TestData.sample("lesmis.hif.json").path
        #expect(try TestData.anant(["import", sample, "lesmis"], directory: folder).status == 0)
        let client = try cluster.client()
        _ = try await client.importDataset(sample, as: "lesmis")

        // The same records, locally and in the cluster: a "character" kind keyed by node.
        let degrees = try TestData.anant(["degree", "lesmis", "--format", "csv"], directory: folder).stdoutText
        let nodes = degrees.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }
        let changes: [(String, JSONObject)] = nodes.enumerated().map { k, node in
            (node, JSONObject([("group", .int(Int64(k % 4))), ("score", .double(Double(k) / 8))]))
        }
        let store = try MetadataStore(path: "\(folder)/meta.db")
        _ = try store.registerSchema(kind: "character", fields: [EntityField("group", .int64), EntityField("score", .double)])
        _ = try store.apply(kind: "character", changes.map { .upsert(key: $0.0, values: $0.1) })

        var schema = Anant_V1_RegisterSchemaRequest()
        schema.schema.kind = "character"
        schema.schema.fields = [.with { $0.name = "group"; $0.type = .int64 }, .with { $0.name = "score"; $0.type = .double }]
        let _: Anant_V1_RegisterSchemaResponse = try await client.metadata("RegisterSchema", schema)
        var batch = Anant_V1_ApplyBatchRequest()
        batch.kind = "character"
        batch.changes = changes.map { change in .with { $0.key = change.0; $0.upsertJson = JSONWriter().string(.object(change.1)) } }
        let _: Anant_V1_ApplyBatchResponse = try await client.metadata("ApplyBatch", batch)

        let query = ["query", "lesmis", "--join", "meta:character", "--left-on", "node", "--right-on", "key", "--group-by", "group",
                     "--agg", "count(*) as incidences, sum(score) as score", "--sort", "group", "--format", "json"]
        let embedded = try TestData.anant(query + ["--meta-db", "\(folder)/meta.db"], directory: folder)
        let clustered = try cluster.anant(query, directory: folder)
        #expect(embedded.status == 0, "\(embedded.stderrText)")
        #expect(clustered.status == 0 && clustered.stdout == embedded.stdout, "\(clustered.stderrText)")
        #expect(embedded.stdoutText.contains("incidences"))

        // A reader may read records but not write them; a file path is no join target.
        let reader = try cluster.client(token: cluster.readerToken, retrySeconds: 0)
        var get = Anant_V1_GetRecordsRequest()
        get.kind = "character"
        get.keys = [nodes[0]]
        let got: Anant_V1_GetRecordsResponse = try await reader.metadata("GetRecords", get)
        #expect(got.records.count == 1)
        // The same lookups one after another from the connection's event loop.
        let keys = Array(nodes.prefix(5))
        let looked = try await reader.onConnectionLoop {
            var found = [String]()
            for key in keys {
                var one = Anant_V1_GetRecordsRequest()
                one.kind = "character"
                one.keys = [key]
                let answer: Anant_V1_GetRecordsResponse = try await reader.metadata("GetRecords", one)
                found += answer.records.map(\.key)
            }
            return found
        }
        #expect(looked == keys)
        await #expect(throws: Status.self) { let _: Anant_V1_ApplyBatchResponse = try await reader.metadata("ApplyBatch", batch) }
        let file = try cluster.anant(["query", "lesmis", "--join", "/etc/passwd", "--on", "node"], directory: folder)
        #expect(file.status != 0 && file.stderrText.contains("PERMISSION_DENIED"), "\(file.stderrText)")
        await reader.close()
        await client.close()
        try cluster.down()
    }

    /// `anant meta` through the gateway answers what it answers on a local store given the
    /// same commands (store versions and times aside), errors included, and keeps roles.
    @Test func theMetaCommandsAnswerAlikeLocallyAndThroughTheGateway() throws {
        let cluster = try LocalCluster(compute: 1, storage: 1, replicas: 1)
        defer { cluster.kill() }
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lines = ["{\"key\": \"p1\", \"year\": 2019, \"title\": \"Hypergraphs\"}", "{\"key\": \"p2\", \"year\": 2021, \"title\": \"Lines\"}",
                     "{\"key\": \"p3\", \"year\": 2023}"]
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: "\(folder)/papers.jsonl"))
        try Data("{\"key\": \"p1\", \"year\": 2020, \"title\": \"Hypergraphs, revised\"}\n".utf8).write(to: URL(fileURLWithPath: "\(folder)/update.jsonl"))
        let steps: [[String]] = [
            ["schema", "paper", "--fields", "[{\"name\": \"year\", \"type\": \"int32\"}, {\"name\": \"title\", \"type\": \"string\"}]"],
            ["schema", "paper"],
            ["put", "paper", "papers.jsonl"],
            ["get", "paper", "p2"],
            ["index", "paper", "year"],
            ["query", "paper", "--where", "year >= 2020", "--sort", "year desc", "--select", "title, year"],
            ["query", "paper", "--where", "year >= 2020", "--explain"],
            ["put", "paper", "update.jsonl"],
            ["history", "paper", "p1"],
            ["delete", "paper", "p2"],
            ["get", "paper", "p2"],
            ["schema", "paper", "--fields", "[{\"name\": \"year\", \"type\": \"string\"}, {\"name\": \"title\", \"type\": \"string\"}]"],
            ["query", "paper", "--where", "year >>= 1"],
        ]
        /// The output without what differs between two stores: store versions and times.
        func comparable(_ text: String) -> String {
            text.split(separator: "\n").map { line -> String in
                guard case .object(let o)? = try? JSONParser.parse(String(line)) else { return String(line) }
                func strip(_ object: JSONObject) -> JSONValue {
                    .object(JSONObject(object.filter { !["store_version", "version", "time"].contains($0.0) }.map { key, value in
                        if case .object(let inner) = value { return (key, strip(inner)) }
                        return (key, value)
                    }))
                }
                return JSONWriter().string(strip(o))
            }.joined(separator: "\n")
        }
        for step in steps {
            let local = try TestData.anant(["meta"] + step + ["--db", "\(folder)/local.db"], directory: folder)
            let remote = try cluster.anant(["meta"] + step, directory: folder)
            #expect(local.status == remote.status, "meta \(step.joined(separator: " ")): \(local.stderrText) | \(remote.stderrText)")
            #expect(comparable(local.stdoutText) == comparable(remote.stdoutText), "meta \(step.joined(separator: " "))")
            #expect(local.stderrText == remote.stderrText, "meta \(step.joined(separator: " "))")
        }
        // Refusals: NOT_FOUND and the evolution rule came through with their codes above;
        // a reader may read but not write; export, backup and restore are local only.
        try Data("\(cluster.readerToken)\n".utf8).write(to: URL(fileURLWithPath: "\(folder)/reader.token"))
        let reader = ["--gateway", cluster.gateway, "--token-file", "\(folder)/reader.token"]
        let read = try TestData.anant(["meta", "get", "paper", "p1"] + reader, directory: folder)
        #expect(read.status == 0 && read.stdoutText.contains("revised"), "\(read.stderrText)")
        let write = try TestData.anant(["meta", "put", "paper", "update.jsonl"] + reader, directory: folder)
        #expect(write.status != 0 && write.stderrText.contains("PERMISSION_DENIED"), "\(write.stderrText)")
        let export = try cluster.anant(["meta", "export", "paper", "\(folder)/out.parquet"], directory: folder)
        #expect(export.status != 0 && export.stderrText.contains("--db"), "\(export.stderrText)")
        let both = try cluster.anant(["meta", "get", "paper", "p1", "--db", "\(folder)/local.db"], directory: folder)
        #expect(both.status != 0 && both.stderrText.contains("not both"), "\(both.stderrText)")
    }
}
