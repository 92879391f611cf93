import AnantColumnar
import AnantTestSupport
import Foundation
import Testing

/// `--top K` means one thing in every command that ranks: the K first of its ranking — the
/// highest values (degree, centrality, line-graph overlap), or the K first groups
/// (components, communities, per-component diameters, largest or longest first) — and
/// the cut answer is the head of the full one, in text, JSON and CSV alike.
@Suite struct CLITopTests {
    let lesmis = TestData.sample("lesmis.hif.json").path

    private func output(_ arguments: [String]) throws -> String { try TestData.anantOutput(arguments) }

    /// JSON answers: keyed objects of values (ranked by value), or lists of groups under a key.
    static let jsonCommands: [[String]] = [
        ["degree"], ["degree", "--s", "2"], ["centrality", "--measure", "betweenness"], ["centrality", "--measure", "closeness", "--nodes", "--s", "2"],
        ["components", "--s", "2"], ["components", "--nodes", "--singletons"], ["communities"], ["diameter", "--components", "--s", "2"],
    ]

    @Test(arguments: jsonCommands, [1, 3, 7])
    func topIsTheHeadOfTheRanking(command: [String], k: Int) throws {
        let arguments = [command[0], lesmis] + command.dropFirst() + ["--format", "json"]
        let full = try JSONParser.parse(try output(arguments)), cut = try JSONParser.parse(try output(arguments + ["--top", String(k)]))
        switch (full, cut) {
        case (.object(let all), .object(let head)) where command[0] == "degree" || command[0] == "centrality":
            let values = all.values.map { $0.numberValue ?? -1 }.sorted(by: >)
            #expect(head.count == min(k, all.count))
            #expect(head.values.map { $0.numberValue ?? -1 } == Array(values.prefix(k)), "\(command): not the highest values")
            for (key, value) in head { #expect(all[key] == value) }
        case (.array(let all), .array(let head)):
            #expect(head == Array(all.prefix(k)), "\(command): not the first \(k) groups")
        case (.object(let all), .object(let head)):
            // Groups inside an object (communities, diameters): the list is cut, the rest stays.
            let key = all["communities"] != nil ? "communities" : "components"
            guard case .array(let groups)? = all[key], case .array(let kept)? = head[key] else {
                Issue.record("\(command): no \(key) list")
                return
            }
            #expect(kept == Array(groups.prefix(k)))
            for (name, value) in all where name != key { #expect(head[name] == value, "\(command): \(name) changed") }
        default:
            Issue.record("\(command): unexpected shapes")
        }
    }

    @Test(arguments: [["degree"], ["line-graph", "--s", "2"], ["centrality", "--measure", "harmonic"], ["components", "--s", "3"]])
    func textAndCSVCutTheSameRows(command: [String]) throws {
        let base = [command[0], lesmis] + command.dropFirst()
        let csv = try output(base + ["--format", "csv", "--top", "4"]).split(separator: "\n")
        let full = try output(base + ["--format", "csv"]).split(separator: "\n")
        #expect(csv.first == full.first)
        if command[0] == "components" {
            // Every member of the 4 largest components.
            let groups = Set(csv.dropFirst().map { $0.split(separator: ",")[0] })
            #expect(groups == ["1", "2", "3", "4"] || groups.count == Set(full.dropFirst().map { $0.split(separator: ",")[0] }).count)
        } else {
            #expect(csv.count == 5)
            let last = full[0].split(separator: ",").count - 1
            let values = full.dropFirst().map { Double($0.split(separator: ",")[last])! }.sorted(by: >)
            #expect(csv.dropFirst().map { Double($0.split(separator: ",")[last])! } == Array(values.prefix(4)))
        }
        let text = try output(base + ["--top", "4"])
        #expect(text.split(separator: "\n").count <= csv.count + (command[0] == "components" ? 8 : 2))
    }

    /// A cut list of groups still says how many there were.
    @Test func communitiesSayHowManyThereWere() throws {
        let full = try output(["communities", lesmis]).split(separator: "\n")[0]
        let count = full.split(separator: " ")[0]
        let cut = try output(["communities", lesmis, "--top", "2"]).split(separator: "\n")
        #expect(cut[0].hasPrefix("\(count) communities (the first 2 shown), modularity"), "\(cut[0])")
        #expect(cut.count == 4)
    }

    @Test func lineGraphOutKeepsTheTopPairs() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("pairs.csv").path
        #expect(try output(["line-graph", lesmis, "--s", "2", "--top", "5", "--out", path]).contains(": 5 pairs"))
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 6)
    }

    static let refusals: [([String], String)] = [
        (["degree", "--top", "0"], "--top must be at least 1 (got 0)"),
        (["components", "--top=-2"], "--top must be at least 1 (got -2)"),
        (["centrality", "--measure", "closeness", "--top", "0"], "--top must be at least 1 (got 0)"),
        (["diameter", "--top", "3"], "--top applies to the per-component diameters: add --components"),
    ]

    @Test(arguments: refusals)
    func badTopsAreUsageErrors(arguments: [String], message: String) throws {
        let outcome = try TestData.anant([arguments[0], lesmis] + arguments.dropFirst())
        #expect(outcome.status == 64)
        #expect(outcome.stderrText.contains(message), "\(outcome.stderrText)")
    }
}
