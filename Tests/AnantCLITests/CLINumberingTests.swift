import AnantColumnar
import AnantParquet
import AnantTestSupport
import Foundation
import Testing

/// One numbering everywhere: an s-component has the same number (1 = largest, ties by
/// smallest member) in `components` text, CSV and JSON, in `diameter --components`, in
/// `query --metrics` and in the `report --out` tables; communities are numbered the same
/// way, and `modularity --partition` keeps the labels it is given, `communities --format
/// json` among them.
@Suite struct CLINumberingTests {
    static let samples = ["lesmis.hif.json", "diseasome.json", "e-coli.json"]

    private func run(_ arguments: [String], in folder: URL) throws -> Oracle.Outcome {
        let outcome = try TestData.anant(arguments, directory: folder.path)
        #expect(outcome.status == 0, "\(arguments.joined(separator: " ")): \(outcome.stderrText)")
        return outcome
    }

    /// An id's text: a string as it is, an integer in decimal (numbering does not depend on
    /// the id's kind; `mixedIdsNeverCollide` checks that 1 and "1" stay apart).
    static func key(_ id: JSONValue) -> String {
        guard case .string(let s) = id else { return JSONWriter().string(id) }
        // A CSV field of a column of ids of both kinds holds the string as JSON.
        if s.hasPrefix("\""), case .string(let inner)? = try? JSONParser.parse(s) { return inner }
        return s
    }

    /// A CSV result, its id column read as text.
    static func table(_ csv: String, id: String) throws -> RecordBatch {
        try CSVReader.read(Array(csv.utf8), options: CSVReadOptions(columnTypes: [id: .string]))
    }

    /// member id → number, from a table with a number column and an id column.
    static func numbers(_ table: RecordBatch, number: String, id: String) throws -> [String: Int64] {
        let n = try table.column(named: number), ids = try table.column(named: id)
        var out = [String: Int64]()
        for row in 0..<table.rowCount { if case .int(let v) = n[row] { out[key(ids[row].jsonValue)] = v } }
        return out
    }

    private func numbers(_ csv: String, number: String, id: String) throws -> [String: Int64] {
        try Self.numbers(try Self.table(csv, id: id), number: number, id: id)
    }

    @Test(arguments: samples)
    func componentsHaveOneNumberEverywhere(sample: String) throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = TestData.sample(sample).path
        _ = try run(["import", input, "ds"], in: folder)
        _ = try run(["report", input, "--out", "report"], in: folder)
        for vertices in ["edges", "nodes"] {
            let id = String(vertices.dropLast())
            let metricsCSV = try run(["query", "ds", "--table", vertices, "--metrics", "--format", "csv"], in: folder).stdoutText
            let metrics = try Self.table(metricsCSV, id: id)
            let reportTable = try ParquetFileReader(path: folder.appendingPathComponent("report/\(vertices).parquet").path).readTable()
            for s in 1...3 {
                let case_ = "\(sample) \(vertices) s=\(s)"
                let csv = try run(["components", input, "--s", "\(s)", "--\(vertices)", "--singletons", "--format", "csv"], in: folder).stdoutText
                let expected = try numbers(csv, number: "component", id: id)
                #expect(!expected.isEmpty, "\(case_)")
                // Largest first, numbered from 1.
                var sizes = [Int64: Int]()
                for n in expected.values { sizes[n, default: 0] += 1 }
                #expect(Set(sizes.keys) == Set(1...Int64(sizes.count)), "\(case_): numbers are not 1…\(sizes.count)")
                #expect((1..<Int64(sizes.count)).allSatisfy { sizes[$0]! >= sizes[$0 + 1]! }, "\(case_): not largest first")
                // JSON: the same numbers and members.
                let json = try JSONParser.parse(Array(try run(["components", input, "--s", "\(s)", "--\(vertices)", "--singletons", "--format", "json"],
                                                              in: folder).stdout))
                var fromJSON = [String: Int64]()
                for group in json.arrayValue ?? [] {
                    guard case .int(let n)? = group.objectValue?["component"], let members = group.objectValue?[vertices]?.arrayValue else { continue }
                    #expect(group.objectValue?["size"] == .int(Int64(members.count)), "\(case_): JSON size")
                    for m in members { fromJSON[Self.key(m)] = n }
                }
                #expect(fromJSON == expected, "\(case_): JSON numbers differ from the table's")
                // Query metrics and the report's tables.
                for (label, table) in [("query --metrics", metrics), ("report --out", reportTable)] {
                    let found = try Self.numbers(table, number: "component_s\(s)", id: id)
                    #expect(found == expected, "\(case_): \(label) numbers differ from components'")
                }
                // Per-component diameters keep the numbers (only where components have edges).
                let diameters = try TestData.anant(["diameter", input, "--s", "\(s)", "--\(vertices)", "--components", "--format", "csv"],
                                                   directory: folder.path)
                if diameters.status == 0 {
                    let numbered = try numbers(diameters.stdoutText, number: "component", id: id)
                    #expect(numbered == expected, "\(case_): diameter --components numbers differ")
                }
            }
        }
    }

    @Test(arguments: samples)
    func communitiesAndPartitionsKeepTheirNumbersAndLabels(sample: String) throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = TestData.sample(sample).path
        let communities = try run(["communities", input, "--format", "json"], in: folder)
        try communities.stdout.write(to: folder.appendingPathComponent("communities.json"))
        let document = try JSONParser.parse(Array(communities.stdout))
        let groups = document.objectValue?["communities"]?.arrayValue ?? []
        #expect(!groups.isEmpty)
        let csvNumbers = try numbers(try run(["communities", input, "--format", "csv"], in: folder).stdoutText, number: "community", id: "node")
        // communities --format json goes into modularity --partition as it is: the same
        // modularity, parts labelled by community number with their sizes.
        let modularity = try JSONParser.parse(Array(try run(["modularity", input, "--partition", "communities.json", "--format", "json"], in: folder).stdout))
        #expect(modularity.objectValue?["modularity"] == document.objectValue?["modularity"], "\(sample): modularity differs")
        let parts = modularity.objectValue?["parts"]?.arrayValue ?? []
        #expect(parts.count == groups.count)
        for (part, group) in zip(parts, groups) {
            let number = group.objectValue?["community"]
            #expect(part.objectValue?["part"]?.stringValue == number.map { JSONWriter().string($0) }, "\(sample): part label")
            #expect(part.objectValue?["nodes"] == group.objectValue?["size"], "\(sample): part size")
            for node in group.objectValue?["nodes"]?.arrayValue ?? [] {
                #expect(csvNumbers[Self.key(node)].map { JSONValue.int($0) } == number, "\(sample): CSV and JSON numbers")
            }
        }
        // The user's labels are kept, in every form a partition can take, in text and JSON.
        let nodes = try run(["degree", input, "--format", "csv"], in: folder).stdoutText.split(separator: "\n").dropFirst().map(String.init)
        let ids = nodes.map { String($0.split(separator: ",")[0]) }
        func label(_ k: Int) -> String { "grp\(["A", "B", "C"][k % 3])" }
        let csv = "node,part\n" + ids.enumerated().map { "\($0.element),\(label($0.offset))" }.joined(separator: "\n") + "\n"
        try Data(csv.utf8).write(to: folder.appendingPathComponent("labels.csv"))
        let grouped = (0..<3).map { k in ids.enumerated().filter { $0.offset % 3 == k }.map(\.element) }
        let object = JSONValue.object(JSONObject(ids.enumerated().map { ($0.element, JSONValue.string(label($0.offset))) }))
        let listed = JSONValue.array((0..<3).map { k in
            .object(JSONObject([("part", .string(label(k))), ("nodes", .array(grouped[k].map { .string($0) }))]))
        })
        for (name, value) in [("labels.json", object), ("listed.json", listed)] {
            try Data(JSONWriter().string(value).utf8).write(to: folder.appendingPathComponent(name))
        }
        for file in ["labels.csv", "labels.json", "listed.json"] {
            let text = try run(["modularity", input, "--partition", file], in: folder).stdoutText
            let rows = text.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").first.map(String.init) ?? "" }
            #expect(rows == ["grpA", "grpB", "grpC"], "\(sample) \(file): \(rows)")
            let json = try JSONParser.parse(Array(try run(["modularity", input, "--partition", file, "--format", "json"], in: folder).stdout))
            #expect(json.objectValue?["parts"]?.arrayValue?.map { $0.objectValue?["part"]?.stringValue ?? "" } == ["grpA", "grpB", "grpC"], "\(sample) \(file)")
            #expect(json.objectValue?["parts"]?.arrayValue?.map { $0.objectValue?["nodes"] } == grouped.map { .int(Int64($0.count)) }, "\(sample) \(file)")
        }
    }
}
