import AnantColumnar
import AnantMetadata
import AnantProto
import AnantTestSupport
import Foundation
import Testing

/// The entity metadata store: every evolution rule (one allowed and one refused case
/// each), the evolved view of old records, atomic batches, and history checked against a
/// model kept by the test.
@Suite struct EntityStoreTests {
    static func withStore(_ body: (MetadataStore) throws -> Void) throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(try MetadataStore(path: folder.appendingPathComponent("meta.db").path))
    }

    static func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let status as Status { return status.code == .failedPrecondition ? status.message : "\(status)" } catch { return "\(error)" }
    }

    static func object(_ pairs: [(String, JSONValue)]) -> JSONObject { JSONObject(pairs) }

    let v1: [EntityField] = [EntityField("name", .string, required: true), EntityField("score", .int32), EntityField("weight", .float),
                             EntityField("tag", .string)]

    @Test func everyEvolutionRuleAllowsAndRefuses() throws {
        try Self.withStore { store in
            _ = try store.registerSchema(kind: "node", fields: v1)
            var fields = v1
            // Allowed, one after another: add a nullable field, add a field with a default,
            // widen int32 → int64 and float → double, rename through an alias, deprecate.
            fields.append(EntityField("note", .string))
            _ = try store.registerSchema(kind: "node", fields: fields)
            fields.append(EntityField("level", .int64, required: true, defaultJSON: "3"))
            _ = try store.registerSchema(kind: "node", fields: fields)
            fields[1].type = .int64
            fields[2].type = .double
            _ = try store.registerSchema(kind: "node", fields: fields)
            fields[0] = EntityField("label", .string, required: true, aliases: ["name"])
            _ = try store.registerSchema(kind: "node", fields: fields)
            fields[3].deprecated = true
            let current = try store.registerSchema(kind: "node", fields: fields)
            #expect(current.version == 6 && current.fields.map(\.name) == ["label", "score", "weight", "tag", "note", "level"])
            #expect(current.fields[0].id == 1 && current.fields[0].aliases == ["name"] && current.fields[3].deprecated)

            // Refused, each naming its rule.
            var narrow = fields
            narrow[1].type = .int32
            #expect(Self.refusal { _ = try store.registerSchema(kind: "node", fields: narrow) }?.contains("narrowing score from int64 to int32") == true)
            var retype = fields
            retype[4].type = .int64
            #expect(Self.refusal { _ = try store.registerSchema(kind: "node", fields: retype) }?.contains("changing the type of note") == true)
            let dropRequired = Array(fields.dropFirst())
            #expect(Self.refusal { _ = try store.registerSchema(kind: "node", fields: dropRequired) }?.contains("dropping the required field label") == true)
            var dropOptional = fields
            dropOptional.remove(at: 4)
            #expect(Self.refusal { _ = try store.registerSchema(kind: "node", fields: dropOptional) }?.contains("dropping the field note") == true)
            var requiredNoDefault = fields
            requiredNoDefault.append(EntityField("must", .bool, required: true))
            #expect(Self.refusal { _ = try store.registerSchema(kind: "node", fields: requiredNoDefault) }?.contains("adding a required field without a default") == true)
            var stealName = fields
            stealName.append(EntityField("other", .string, aliases: ["note"]))
            #expect(Self.refusal { _ = try store.registerSchema(kind: "node", fields: stealName) }?.contains("the alias note of other is the name of another field") == true)
            var undeprecate = fields
            undeprecate[3].deprecated = false
            #expect(Self.refusal { _ = try store.registerSchema(kind: "node", fields: undeprecate) }?.contains("un-deprecating tag") == true)
            // The refusals registered nothing.
            #expect(try store.schema(kind: "node").version == 6)
            // "tag" is deprecated: renamed away, its name may not come back with another type.
            var renamed = fields
            renamed[3] = EntityField("old_tag", .string, aliases: ["tag"], deprecated: true)
            _ = try store.registerSchema(kind: "node", fields: renamed)
            var reuse = renamed
            reuse[3].aliases = []
            reuse.append(EntityField("tag", .int64))
            #expect(Self.refusal { _ = try store.registerSchema(kind: "node", fields: reuse) }?.contains("reusing the deprecated name tag") == true)
        }
    }

    @Test func oldRecordsReadThroughTheEvolvedSchema() throws {
        try Self.withStore { store in
            _ = try store.registerSchema(kind: "node", fields: v1)
            let written = try store.apply(kind: "node", [
                .upsert(key: "n1", values: Self.object([("name", .string("alpha")), ("score", .int(7)), ("weight", .double(0.5))])),
                .upsert(key: "gone", values: Self.object([("name", .string("omega"))])),
                .upsert(key: "nœud é", values: Self.object([("name", .string("ünï"))])),
            ])
            _ = try store.apply(kind: "node", [.delete(key: "gone")])
            // Point reads through v1, by this store (v1 decoded by its writes) and by another
            // on the same file (v1 not yet decoded: the first read takes the long way);
            // absent and deleted keys have no record; an unknown kind is not found.
            for store in [store, try MetadataStore(path: store.path), try MetadataStore(path: store.path)] {
                #expect(try store.record(kind: "node", key: "n1")?.values
                    == Self.object([("name", .string("alpha")), ("score", .int(7)), ("weight", .double(0.5)), ("tag", .null)]))
                #expect(try store.record(kind: "node", key: "gone") == nil)
                #expect(try store.record(kind: "node", key: "absent") == nil)
                // A key of several-byte characters is bound whole, and its prefix is another key.
                let unicode = try store.record(kind: "node", key: "nœud é")
                #expect(unicode?.key == "nœud é" && unicode?.version == written && unicode?.values["name"] == .string("ünï"))
                #expect(try store.record(kind: "node", key: "nœud") == nil)
                #expect(try store.records(kind: "node", keys: ["n1", "gone", "absent"]).map(\.key) == ["n1"])
            }
            #expect(throws: Status(.notFound, "no kind edge")) { try store.record(kind: "edge", key: "n1") }
            var fields = v1
            fields[0] = EntityField("label", .string, required: true, aliases: ["name"])
            fields[1].type = .int64
            fields[2].type = .double
            fields.append(EntityField("level", .int64, required: true, defaultJSON: "3"))
            fields.append(EntityField("note", .string))
            _ = try store.registerSchema(kind: "node", fields: fields)
            let record = try #require(try store.record(kind: "node", key: "n1"))
            #expect(record.version == written)
            #expect(record.values == Self.object([("label", .string("alpha")), ("score", .int(7)), ("weight", .double(0.5)), ("tag", .null),
                                                  ("level", .int(3)), ("note", .null)]))
            // New writes may use the old name through its alias, and the widened range.
            _ = try store.apply(kind: "node", [.upsert(key: "n2", values: Self.object([("name", .string("beta")), ("score", .int(1 << 40))]))])
            #expect(try store.record(kind: "node", key: "n2")?.values["score"] == .int(1 << 40))
        }
    }

    @Test func wireRecordsAreTheRecordsAsTheirValuesWouldBeWritten() throws {
        // The wire's point read copies each stored value's text; its answer must be, byte
        // for byte, the record's values written out, for every type and awkward text.
        var state: UInt64 = 11
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let pieces = ["a", "é", "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "\n", "\u{1}", "𝄞", "null", "1e9"]
        func text() -> String { (0..<next(6)).map { _ in pieces[next(pieces.count)] }.joined() }
        func json(_ depth: Int) -> JSONValue {
            switch next(depth > 2 ? 5 : 7) {
            case 0: .null
            case 1: .bool(next(2) == 0)
            case 2: .int(Int64(next(2_000_001)) - 1_000_000)
            case 3: .double(Double(next(1_000_001)) / Double(1 + next(997)) * (next(2) == 0 ? -1 : 1e-7))
            case 4: .string(text())
            case 5: .array((0..<next(4)).map { _ in json(depth + 1) })
            default: .object(JSONObject((0..<next(4)).map { k in ("\(text())\(k)", json(depth + 1)) }))
            }
        }
        try Self.withStore { store in
            _ = try store.registerSchema(kind: "w", fields: [
                EntityField("name", .string, required: true), EntityField("n", .int64), EntityField("x", .double), EntityField("f", .bool),
                EntityField("t", .timestamp), EntityField("j", .json), EntityField("i", .int32), EntityField("s", .string, defaultJSON: "\"dflt\""),
            ])
            var changes = [EntityChange]()
            for k in 0..<300 {
                var values: [(String, JSONValue)] = [("name", .string(text()))]
                if next(2) == 0 { values.append(("n", .int(Int64(next(1 << 30)) - (1 << 29)))) }
                if next(2) == 0 { values.append(("x", next(5) == 0 ? .null : .double(Double(next(1 << 20)) / 7))) }
                if next(2) == 0 { values.append(("f", .bool(next(2) == 0))) }
                if next(2) == 0 { values.append(("t", .string("2026-12-0\(1 + next(9))T12:00:0\(next(10)).\(next(1000))+05:30"))) }
                if next(2) == 0 { values.append(("j", json(0))) }
                if next(2) == 0 { values.append(("i", .int(Int64(next(1000))))) }
                if next(3) == 0 { values.append(("s", .string(text()))) }
                changes.append(.upsert(key: "k\(k)é", values: Self.object(values)))
            }
            _ = try store.apply(kind: "w", changes)
            _ = try store.apply(kind: "w", [.delete(key: "k7é")])
            // Evolved: a rename through an alias, a widening, a field with a default and
            // a nullable one added; old records read through it.
            _ = try store.registerSchema(kind: "w", fields: [
                EntityField("label", .string, required: true, aliases: ["name"]), EntityField("n", .int64), EntityField("x", .double),
                EntityField("f", .bool), EntityField("t", .timestamp), EntityField("j", .json), EntityField("i", .int64),
                EntityField("s", .string, defaultJSON: "\"dflt\""), EntityField("level", .int64, defaultJSON: "3"), EntityField("note", .string),
            ])
            for k in 0..<300 {
                let key = "k\(k)é"
                let wire = try store.wireRecords(kind: "w", keys: [key])
                guard let record = try store.record(kind: "w", key: key) else {
                    #expect(k == 7 && wire.isEmpty)
                    continue
                }
                #expect(wire.count == 1)
                #expect(wire.first?.key == key && wire.first?.version == UInt64(record.version))
                #expect(wire.first?.valuesJson == JSONWriter().string(.object(record.values)))
            }
            #expect(try store.wireRecords(kind: "w", keys: ["absent"]).isEmpty)
            // More keys take the general read: the same answer.
            let two = try store.wireRecords(kind: "w", keys: ["k1é", "k2é"])
            #expect(two.map(\.valuesJson) == (try [store.wireRecords(kind: "w", keys: ["k1é"]), store.wireRecords(kind: "w", keys: ["k2é"])]).map { $0[0].valuesJson })
            #expect(throws: Status(.notFound, "no kind nokind")) { try store.wireRecords(kind: "nokind", keys: ["k1é"]) }
        }
    }

    @Test func batchesAreAtomicAndValidated() throws {
        try Self.withStore { store in
            _ = try store.registerSchema(kind: "edge", fields: v1)
            let good = JSONObject([("name", .string("e"))])
            let before = try store.storeVersion()
            let cases: [([EntityChange], StatusCode)] = [
                ([.upsert(key: "a", values: good), .upsert(key: "b", values: JSONObject([("score", .int(1))]))], .invalidArgument),  // name required
                ([.upsert(key: "a", values: good), .upsert(key: "b", values: JSONObject([("name", .string("x")), ("nope", .int(1))]))], .invalidArgument),
                ([.upsert(key: "a", values: good), .upsert(key: "b", values: JSONObject([("name", .int(3))]))], .invalidArgument),
                ([.upsert(key: "a", values: JSONObject([("name", .string("x")), ("score", .int(1 << 40))]))], .outOfRange),  // int32
                ([.upsert(key: "a", values: JSONObject([("name", .string("x")), ("weight", .double(1e39))]))], .outOfRange),  // float
                ([.upsert(key: "a", values: good), .upsert(key: "a", values: good)], .invalidArgument),
                ([.upsert(key: "a", values: good), .delete(key: "ghost")], .notFound),
                ([], .invalidArgument),
            ]
            for (batch, code) in cases {
                let failure = #expect(throws: Status.self) { _ = try store.apply(kind: "edge", batch) }
                #expect(failure?.code == code, "\(String(describing: failure))")
            }
            // Nothing of a refused batch was applied, and no store version was made.
            #expect(try store.records(kind: "edge").isEmpty && (try store.storeVersion()) == before)
            #expect(#expect(throws: Status.self) { _ = try store.apply(kind: "unknown", [.upsert(key: "a", values: good)]) }?.code == .notFound)
        }
    }

    /// Seeded random upserts, deletes and schema changes; every record as of every store
    /// version, and every history, equal a model kept here.
    @Test(arguments: [UInt64(1), 2, 3]) func historyMatchesAModel(seed: UInt64) throws {
        try Self.withStore { store in
            var state = seed
            func next(_ n: Int) -> Int {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Int(state >> 33) % n
            }
            var fields: [EntityField] = [EntityField("name", .string, required: true), EntityField("score", .int32)]
            _ = try store.registerSchema(kind: "k", fields: fields, now: 1_000)
            // The model: per store version, the live records' values by field id.
            var live = [String: [Int: JSONValue]]()
            var snapshots = [Int64: [String: [Int: JSONValue]]]()
            var histories = [String: [(Int64, Bool, [Int: JSONValue])]]()
            var ids = ["name": 1, "score": 2]
            func view(_ stored: [Int: JSONValue], _ schema: EntitySchema) -> JSONObject {
                JSONObject(schema.fields.map { f in (f.name, stored[f.id] ?? f.defaultJSON.map { .int(Int64($0)!) } ?? .null) })
            }
            var time: UInt64 = 2_000
            for step in 0..<120 {
                time += 1_000
                if step % 25 == 24 {
                    // A schema change: a nullable field, a field with a default, or a rename.
                    switch next(3) {
                    case 0:
                        fields.append(EntityField("f\(step)", .double))
                    case 1:
                        fields.append(EntityField("d\(step)", .int64, required: true, defaultJSON: "\(step)"))
                    default:
                        let old = fields[0].name
                        fields[0] = EntityField("name\(step)", .string, required: true, aliases: [old] + fields[0].aliases)
                    }
                    let schema = try store.registerSchema(kind: "k", fields: fields, now: time)
                    fields = schema.fields
                    for f in fields { ids[f.name] = f.id }
                    snapshots[schema.storeVersion] = live
                    continue
                }
                var batch = [EntityChange]()
                var touched = Set<String>()
                for _ in 0..<(1 + next(4)) {
                    let key = "r\(next(15))"
                    guard touched.insert(key).inserted else { continue }
                    if live[key] != nil && next(4) == 0 {
                        batch.append(.delete(key: key))
                    } else {
                        var values: [(String, JSONValue)] = [(fields[0].name, .string("v\(step)-\(key)"))]
                        if next(2) == 0 { values.append(("score", .int(Int64(next(1000))))) }
                        if let extra = fields.last, extra.type == .double, next(2) == 0 { values.append((extra.name, .double(Double(next(100)) / 4))) }
                        batch.append(.upsert(key: key, values: JSONObject(values)))
                    }
                }
                let version = try store.apply(kind: "k", batch, now: time)
                for change in batch {
                    switch change {
                    case .delete(let key):
                        live[key] = nil
                        histories[key, default: []].append((version, true, [:]))
                    case .upsert(let key, let values):
                        var stored = [Int: JSONValue]()
                        for (name, value) in values { stored[ids[name]!] = value }
                        live[key] = stored
                        histories[key, default: []].append((version, false, stored))
                    }
                }
                snapshots[version] = live
                // Point reads as of now, then the schema they should have been read through.
                let read = try touched.sorted().map { key in (key, try store.record(kind: "k", key: key)) }
                let now = try store.schema(kind: "k")
                for (key, record) in read { #expect(record?.values == live[key].map { view($0, now) }, "step \(step) \(key)") }
            }
            let schema = try store.schema(kind: "k")
            // Every record as of every store version (schema versions included).
            for (version, records) in snapshots {
                let read = try store.records(kind: "k", asOf: version)
                #expect(read.map(\.key) == records.keys.sorted(), "v\(version)")
                for record in read { #expect(record.values == view(records[record.key]!, schema), "v\(version) \(record.key)") }
            }
            // As of a time: the store version current then.
            let middle = try store.storeVersion(atUnixNanos: 2_000 + 60 * 1_000 + 500)
            #expect(snapshots[middle] != nil)
            // Histories.
            for (key, entries) in histories {
                let history = try store.history(kind: "k", key: key)
                #expect(history.map(\.version) == entries.map(\.0) && history.map(\.deleted) == entries.map(\.1), "\(key)")
                for (entry, expected) in zip(history, entries) where !expected.1 { #expect(entry.values == view(expected.2, schema), "\(key) v\(entry.version)") }
            }
        }
    }
}
