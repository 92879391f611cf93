import AnantColumnar
import AnantTestSupport
import Foundation
import Testing

/// `anant centrality`, `components` and `diameter --components` on the bundled HIF files
/// (`../shared/data/hif/`) give HyperNetX's answers, run by the test from the same files.
///
/// HyperNetX has no isolated nodes or empty edges (diseasome has 108 isolated nodes): Anant
/// keeps them as vertices of their own, so its extra vertices must score 0 and be
/// singleton components, and normalised betweenness (which divides by the vertex count)
/// is compared only where both count the same vertices; the raw values always are.
@Suite struct CLIAnalyticsOracleTests {
    static let files = ["lesmis.hif.json", "e-coli.json", "publications_main_component.hif.json", "diseasome.json"]
        .map { TestData.sample($0).path }

    static let oracle: Result<JSONObject, any Error> = Result {
        let output = try Oracle.run("hnx_cli.py", input: Data(), timeout: 900, arguments: files)
        return try JSONParser.parse(Array(output)).objectValue ?? JSONObject()
    }

    private func run(_ arguments: [String]) throws -> JSONValue {
        let outcome = try TestData.anant(arguments + ["--format", "json"])
        #expect(outcome.status == 0, "\(arguments): \(outcome.stderrText)")
        return try JSONParser.parse(Array(outcome.stdout))
    }

    private func labels(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).map { $0.stringValue ?? JSONWriter().string($0) }.sorted()
    }

    /// Kumar's clustering finds communities at least as modular as HyperNetX's (Louvain
    /// tie-breaking differs, so the partitions themselves may).
    @Test(arguments: files)
    func communitiesAreAsModularAsHyperNetX(file: String) throws {
        let want = try #require(try Self.oracle.get()[file]?.objectValue?["kumar_modularity"]?.numberValue)
        let got = try #require(try run(["communities", file]).objectValue?["modularity"]?.numberValue)
        #expect(got >= want - 0.02, "\(file): \(got) vs HyperNetX \(want)")
    }

    @Test(arguments: files, [1, 2])
    func answersMatchHyperNetX(file: String, s: Int) throws {
        let all = try #require(try Self.oracle.get()[file]?.objectValue)
        for vertices in ["edges", "nodes"] {
            let expected = try #require(all["\(s)|\(vertices)"]?.objectValue)
            let common = [file, "--s", String(s), "--\(vertices)"]
            let raw = try #require(expected["betweenness_raw"]?.objectValue)
            let sameVertices = try #require(try run(["centrality"] + common + ["--measure", "closeness"]).objectValue).count == raw.count
            var measures = [("betweenness_raw", ["--measure", "betweenness", "--raw"]), ("closeness", ["--measure", "closeness"]),
                            ("harmonic", ["--measure", "harmonic"])]
            if sameVertices { measures.append(("betweenness", ["--measure", "betweenness"])) }
            for (key, options) in measures {
                let want = try #require(expected[key]?.objectValue)
                let got = try #require(try run(["centrality"] + common + options).objectValue)
                // HyperNetX keys every id by its text; Anant quotes a string id that reads as
                // an integer when the ids mix both kinds (diseasome's edges).
                for (id, value) in zip(want.keys, want.values) {
                    let mine = (got[id] ?? got["\"\(id)\""])?.numberValue ?? .nan
                    #expect(abs(mine - (value.numberValue ?? .nan)) <= 1e-9 * max(1, abs(mine)), "\(file) s=\(s) \(vertices) \(key) \(id): \(mine) vs \(value)")
                }
                for id in got.keys where want[id.count >= 2 && id.hasPrefix("\"") && id.hasSuffix("\"") ? String(id.dropFirst().dropLast()) : id] == nil {
                    #expect(got[id]?.numberValue == 0, "\(file) \(vertices) \(id) is not in HyperNetX and should score 0")
                }
            }
            let known = Set(raw.keys)
            let components = try #require(try run(["components"] + common.filter { $0 != "--edges" }).arrayValue)
                .map { labels($0.objectValue?[vertices]) }.filter { $0.count > 1 }.sorted { $0.lexicographicallyPrecedes($1) }
            let wantComponents = (expected["components"]?.arrayValue ?? []).map(labels).sorted { $0.lexicographicallyPrecedes($1) }
            #expect(components == wantComponents, "\(file) s=\(s) \(vertices) components")
            let diameters = try #require(try run(["diameter", "--components"] + common).objectValue?["components"]?.arrayValue)
                .compactMap { entry -> [String]? in
                    let members = labels(entry.objectValue?[vertices])
                    guard members.allSatisfy(known.contains) else { return nil }
                    return [String(entry.objectValue?["diameter"]?.numberValue ?? -1)] + members
                }.sorted { $0.lexicographicallyPrecedes($1) }
            let wantDiameters = (expected["diameters"]?.arrayValue ?? []).map { pair -> [String] in
                [String(pair.arrayValue?[0].numberValue ?? -2)] + labels(pair.arrayValue?[1])
            }.sorted { $0.lexicographicallyPrecedes($1) }
            #expect(diameters == wantDiameters, "\(file) s=\(s) \(vertices) diameters")
        }
    }
}
