import AnantColumnar
import AnantDataset
import Testing

/// Manifests round-trip through JSON and refuse what they must not trust.
@Suite struct ManifestTests {
    @Test func roundTripAndRefusals() throws {
        let schema = try Schema([Field("edge", .int64, nullable: false), Field("node", .string, nullable: false)])
        let entry = TableEntry(schema: schema, shards: [ShardEntry(path: "v00001/incidences/part-00000.parquet", rows: 3, bytes: 100, sha256: "ab")])
        let manifest = DatasetManifest(name: "toy", version: 1, created: "2026-11-26T00:00:00Z", codec: "zstd", nodeCount: 2, edgeCount: 1,
                                       incidenceCount: 3, hypergraph: JSONObject([("name", .string("toy"))]),
                                       tables: [.incidences: entry, .edges: entry, .nodes: entry])
        #expect(try DatasetManifest(json: manifest.json, source: "test") == manifest)
        var hostile = manifest
        hostile.tables[DatasetTable.nodes]!.shards[0].path = "../../etc/passwd"
        #expect(throws: DatasetError.self) { try DatasetManifest(json: hostile.json, source: "test") }
        #expect(throws: DatasetError.self) { try DatasetManifest(json: .object(JSONObject([("format", .string("other"))])), source: "test") }
    }
}
