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
        await #expect(throws: Status.self) { let _: Anant_V1_ApplyBatchResponse = try await reader.metadata("ApplyBatch", batch) }
        let file = try cluster.anant(["query", "lesmis", "--join", "/etc/passwd", "--on", "node"], directory: folder)
        #expect(file.status != 0 && file.stderrText.contains("PERMISSION_DENIED"), "\(file.stderrText)")
        await reader.close()
        await client.close()
        try cluster.down()
    }
}
