import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantOperations
import AnantTestSupport
import Foundation
import Testing

/// Conversions lose nothing: every bundled and conformance HIF file, and hypergraphs built
/// to be awkward (ids of both kinds, strings that look like numbers, typed properties),
/// go HIF → A → B → HIF through every pair of formats and come back equal — ids with
/// their types, properties with their types, metadata, network type, default weights and
/// name, isolated nodes and empty edges.
@Suite struct RoundTripTests {
    /// The formats a hypergraph can be written in, by the extension of the path (a
    /// dataset is a folder).
    static let formats = ["json", "csv", "parquet", "arrow", "arrows", "dataset"]

    /// Hypergraphs whose ids and properties CSV alone would get wrong.
    static let awkward: [(String, String)] = [
        ("mixed ids", """
        {"network-type": "directed", "metadata": {"source": "test", "nested": {"k": [1, "2", null]}},
         "incidences": [{"edge": 1, "node": "1", "direction": "head"}, {"edge": "1", "node": 1, "direction": "tail"},
                        {"edge": "x", "node": 1, "weight": 0.25}],
         "nodes": [{"node": 2}], "edges": [{"edge": "empty"}]}
        """),
        ("numeric-looking strings", """
        {"incidences": [{"edge": "2441", "node": "007"}, {"edge": "2441", "node": "12"}, {"edge": "10", "node": "12"}],
         "nodes": [{"node": "007", "attrs": {"year": 1999, "code": "0042", "score": 1.5, "flag": true, "tags": ["a", "b"]}},
                   {"node": "12", "attrs": {"year": 2001, "code": "17", "score": 2, "flag": false}}]}
        """),
        ("integer ids, typed edge properties", """
        {"network-type": "asc", "incidences": [{"edge": 5, "node": 1}, {"edge": 5, "node": 2}, {"edge": 6, "node": 2}],
         "edges": [{"edge": 5, "weight": 3, "attrs": {"year": "2020", "n": 4}}, {"edge": 6, "attrs": {"year": "1999"}}]}
        """),
    ]

    static func originals() throws -> [(String, Hypergraph)] {
        let bundled = ["lesmis.hif.json", "diseasome.json", "e-coli.json", "publications_main_component.hif.json"].map(TestData.sample)
        var list = try (bundled + TestData.files(in: "hif/compliant")).map { ($0.lastPathComponent, try HIFReader.read(try TestData.bytes($0))) }
        list += try awkward.map { ($0.0, try HIFReader.read(Array($0.1.utf8))) }
        return list
    }

    static func write(_ h: Hypergraph, as format: String, in folder: URL, _ tag: String) throws -> String {
        let path = folder.appendingPathComponent(format == "dataset" ? tag : "\(tag).\(format)").path
        if format == "dataset" {
            try Dataset.write(h, to: path, options: DatasetWriteOptions(shards: 2, rowGroupRows: 64))
        } else {
            try HypergraphFiles.write(h, to: path, codec: .snappy)
        }
        return path
    }

    /// `value` with every object's members sorted by key: JSON objects are unordered, and
    /// the order of property columns may change on the way (attrs keys come out in column
    /// order).
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o): return .object(JSONObject(o.sorted { $0.0 < $1.0 }.map { ($0.0, canonical($0.1)) }))
        case .array(let a): return .array(a.map(canonical))
        default: return value
        }
    }

    @Test(arguments: formats)
    func everyFileThroughEveryPairOfFormats(first: String) throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (k, (name, original)) in try RoundTripTests.originals().enumerated() {
            let document = RoundTripTests.canonical(try JSONParser.parse(HIFWriter.write(original)))
            let a = try HypergraphFiles.read(try RoundTripTests.write(original, as: first, in: folder, "a\(k)"))
            #expect(a == original, "\(name): HIF → \(first)")
            for second in RoundTripTests.formats {
                let b = try HypergraphFiles.read(try RoundTripTests.write(a, as: second, in: folder, "b\(k)-\(second)"))
                #expect(b == original, "\(name): HIF → \(first) → \(second)")
                #expect(b.networkType == original.networkType && b.metadata == original.metadata, "\(name): \(first) → \(second) facts")
                #expect(RoundTripTests.canonical(try JSONParser.parse(HIFWriter.write(b))) == document, "\(name): HIF → \(first) → \(second) → HIF differs")
            }
        }
    }

    /// The CSV written for ids of both kinds and numeric-looking strings, and its schema.
    @Test func csvKeepsIdAndPropertyTypes() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mixed = try HIFReader.read(Array(RoundTripTests.awkward[0].1.utf8))
        let path = try RoundTripTests.write(mixed, as: "csv", in: folder, "mixed")
        let text = String(decoding: try TestData.bytes(URL(fileURLWithPath: path)), as: UTF8.self)
        // JSON ids: the integer 1 and the string "1" stay apart even for other readers.
        #expect(text.contains("1,\"\"\"1\"\"\",,head"))
        #expect(text.contains("\"\"\"1\"\"\",1,,tail"))
        let strings = try HIFReader.read(Array(RoundTripTests.awkward[1].1.utf8))
        let back = try HypergraphFiles.read(try RoundTripTests.write(strings, as: "csv", in: folder, "strings"))
        #expect(back.nodes.ids.contains(.string("007")) && back.edges.ids.contains(.string("2441")))
        #expect(try back.nodeProperties.column(named: "year").dataType == .int64)
        #expect(try back.nodeProperties.column(named: "code").dataType == .string)
        #expect(try back.nodeProperties.column(named: "flag").dataType == .bool)
        #expect(try back.nodeProperties.column(named: "tags").dataType == .json)
        // Without the schema, the same CSV infers: numbers become numbers.
        try FileManager.default.removeItem(atPath: HypergraphFiles.schemaCompanion(of: folder.appendingPathComponent("strings.csv").path))
        let inferred = try HypergraphFiles.read(folder.appendingPathComponent("strings.csv").path)
        #expect(inferred.edges.ids.contains(.int(2441)))
    }

    /// A schema that does not fit its CSV, or is not a schema, is an error naming the file
    /// and the line, never a silent retype.
    @Test(arguments: [
        ("{\"format\": \"anant-csv-schema\", \"version\": 1, \"columns\": {\"incidences\": {\"node\": \"int64\"}}}", "line 2: column 'node' is declared int64"),
        ("{\"format\": \"anant-csv-schema\", \"version\": 1, \"columns\": {\"incidences\": {\"w\": \"bool\"}}}", "line 2: column 'w' is declared bool"),
        ("{\"format\": \"anant-csv-schema\", \"version\": 1, \"columns\": {\"incidences\": {\"w\": \"decimal\"}}}", "column 'w' of incidences has type"),
        ("{\"format\": \"anant-csv-schema\", \"version\": 2, \"columns\": {\"incidences\": {}}}", "this Anant reads version 1"),
        ("{\"format\": \"anant-csv-schema\", \"version\": 1}", "it has no columns.incidences"),
    ])
    func badSchemasAreRefused(schema: String, message: String) throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("t.csv").path
        try Data("edge,node,w\ne1,a,1.5\n".utf8).write(to: URL(fileURLWithPath: csv))
        try Data(schema.utf8).write(to: URL(fileURLWithPath: HypergraphFiles.schemaCompanion(of: csv)))
        do {
            _ = try HypergraphFiles.read(csv)
            Issue.record("read with schema \(schema)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            if message.hasPrefix("line ") { #expect("\(error)".contains("column types from \(HypergraphFiles.schemaCompanion(of: csv))"), "\(error)") }
        }
    }

    /// Another tool's FILE.schema.json (a JSON Schema) is left alone: the CSV reads as
    /// without one.
    @Test func foreignSchemasAreIgnored() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("t.csv").path
        try Data("edge,node\ne1,a\ne1,b\n".utf8).write(to: URL(fileURLWithPath: csv))
        try Data(#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}"#.utf8)
            .write(to: URL(fileURLWithPath: HypergraphFiles.schemaCompanion(of: csv)))
        #expect(try HypergraphFiles.read(csv).incidenceCount == 2)
    }

    /// A mapping of some columns only, and weighted node and edge tables: written with the
    /// standard names or the original ones, read back without options, the same
    /// hypergraph, node and edge weights included.
    @Test(arguments: [ColumnNames(weight: "w"), ColumnNames(node: "author"), ColumnNames(edge: "paper", weight: "w"),
                      ColumnNames(edge: "paper", node: "author", weight: "w")])
    func partialMappingsAndElementWeightsComeBack(names: ColumnNames) throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("t.csv").path
        let header = [names.edge, names.node, names.weight, "year"].joined(separator: ",")
        try Data((header + "\np1,ann,1.5,2001\np1,bob,2,2001\np2,bob,0.5,2003\n").utf8).write(to: URL(fileURLWithPath: csv))
        try Data("\(names.node),weight,team\nann,3,x\nbob,4,y\ncyd,5,z\n".utf8).write(to: URL(fileURLWithPath: folder.appendingPathComponent("t.nodes.csv").path))
        try Data("\(names.edge),weight\np1,7\np2,8\np3,9\n".utf8).write(to: URL(fileURLWithPath: folder.appendingPathComponent("t.edges.csv").path))
        let original = try HypergraphFiles.read(csv, columns: names)
        #expect(original.columnNames == names && original.nodeCount == 3 && original.edgeCount == 3)
        #expect(try original.nodeProperties.column(named: "weight").dataType.isNumeric)
        for ext in ["csv", "parquet", "arrow"] {
            for restore in [false, true] {
                let out = folder.appendingPathComponent("out-\(restore).\(ext)").path
                try HypergraphFiles.write(original, to: out, originalNames: restore)
                let back = try HypergraphFiles.read(out)
                #expect(back == original, "\(names) \(ext) original names \(restore)")
                #expect(back.nodeWeights() == original.nodeWeights() && back.edgeWeights() == original.edgeWeights(), "\(ext) \(restore)")
            }
        }
    }
}
