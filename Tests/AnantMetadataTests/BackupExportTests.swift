import AnantColumnar
import AnantMetadata
import AnantTestSupport
import Foundation
import Testing

/// Online backup and restore; export of a kind to Parquet, read back by polars.
@Suite struct BackupExportTests {
    static let paperFields = [
        EntityField("title", .string, required: true), EntityField("year", .int32), EntityField("score", .float),
        EntityField("open", .bool), EntityField("extra", .json), EntityField("seen", .timestamp),
    ]

    static func populated(_ folder: URL) throws -> MetadataStore {
        let store = try MetadataStore(path: folder.appendingPathComponent("meta.db").path)
        _ = try store.registerSchema(kind: "paper", fields: paperFields)
        _ = try store.apply(kind: "paper", [
            .upsert(key: "p1", values: JSONObject([("title", .string("Hypergraphs")), ("year", .int(2020)), ("score", .double(0.5)),
                                                   ("open", .bool(true)), ("extra", .object(JSONObject([("a", .int(1))]))),
                                                   ("seen", .string("2026-12-04T10:00:00Z"))])),
            .upsert(key: "p2", values: JSONObject([("title", .string("Ünïcode, \"quotes\""))])),
        ])
        _ = try store.createVersion(of: "papers")
        return store
    }

    /// A populated store in a fresh folder, backed up to `backup.db` there.
    static func withBackup(_ body: (_ store: MetadataStore, _ folder: URL, _ backup: String) throws -> Void) throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try populated(folder)
        let backup = folder.appendingPathComponent("backup.db").path
        try store.backup(to: backup)
        try body(store, folder, backup)
    }

    @Test func backupThenRestore() throws {
        try Self.withBackup { store, folder, backup in
            #expect(#expect(throws: Status.self) { try store.backup(to: backup) }?.code == .failedPrecondition)
            // Later writes are undone by a restore.
            _ = try store.apply(kind: "paper", [.delete(key: "p1")])
            _ = try store.createVersion(of: "papers")
            try store.restore(from: backup)
            #expect(try store.records(kind: "paper").map(\.key) == ["p1", "p2"])
            #expect(try store.versions(of: "papers").map(\.dataset.version) == [1])
            // A backup is a store of its own.
            #expect(try MetadataStore(path: backup).record(kind: "paper", key: "p1")?.values["year"] == .int(2020))
            // Not a store: refused, nothing changed.
            let junk = folder.appendingPathComponent("junk").path
            try Data(repeating: 1, count: 3000).write(to: URL(fileURLWithPath: junk))
            #expect(#expect(throws: Status.self) { try store.restore(from: junk) }?.code == .failedPrecondition)
            #expect(try store.records(kind: "paper").count == 2)
        }
    }

    /// A restore takes the store's store-version counter back too, so a schema registered
    /// after it can carry the kind, version and store version of one registered (and read)
    /// before it, with other fields: reads see the new fields, not the ones decoded first.
    @Test func restoreForgetsTheSchemasItUndid() throws {
        try Self.withBackup { store, _, backup in
            let names = Self.paperFields.map(\.name)
            let undone = try store.registerSchema(kind: "paper", fields: Self.paperFields + [EntityField("pages", .int64)])
            #expect(try store.schema(kind: "paper").fields.map(\.name) == names + ["pages"])
            #expect(try store.record(kind: "paper", key: "p1")?.values["pages"] == .null)
            try store.restore(from: backup)
            let again = try store.registerSchema(kind: "paper", fields: Self.paperFields + [EntityField("venue", .string)])
            #expect(again.version == undone.version && again.storeVersion == undone.storeVersion)
            #expect(try store.schema(kind: "paper").fields.map(\.name) == names + ["venue"])
            let p1 = try #require(try store.record(kind: "paper", key: "p1"))
            #expect(p1.values.keys == names + ["venue"] && p1.values["venue"] == .null && p1.values["year"] == .int(2020))
        }
    }

    @Test func exportIsReadByPolars() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Self.populated(folder)
        let path = folder.appendingPathComponent("paper.parquet").path
        #expect(try store.export(kind: "paper", to: path) == 2)
        let out = try Oracle.run("polars_read.py", input: Data(), arguments: [path])
        let table = try #require(try JSONSerialization.jsonObject(with: out) as? [String: Any])
        #expect(table["columns"] as? [String] == ["key", "version", "title", "year", "score", "open", "extra", "seen"])
        #expect(table["dtypes"] as? [String] == ["String", "Int64", "String", "Int32", "Float64", "Boolean", "String", "String"])
        let rows = try #require(table["rows"] as? [[Any]])
        #expect(rows.count == 2 && rows[0][0] as? String == "p1" && rows[0][3] as? Int == 2020 && rows[0][5] as? Bool == true)
        #expect(rows[0][6] as? String == #"{"a":1}"# && rows[1][2] as? String == "Ünïcode, \"quotes\"" && rows[1][3] is NSNull)
    }
}
