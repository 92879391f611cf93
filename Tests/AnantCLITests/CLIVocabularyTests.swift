import AnantColumnar
import AnantTestSupport
import Foundation
import Testing

/// One option vocabulary: the same name means the same thing in every command that takes
/// it — `--edges`/`--nodes`, `--singletons`/`--no-singletons`, `--normalized`/`--raw`, and
/// id lists given repeated or comma-separated.
@Suite struct CLIVocabularyTests {
    let lesmis = TestData.sample("lesmis.hif.json").path

    private func output(_ arguments: [String]) throws -> String { try TestData.anantOutput(arguments) }

    /// (command and its own arguments, the default vertices).
    static let lineGraphCommands: [([String], String)] = [
        (["components", "--s", "2"], "edges"), (["line-graph", "--s", "3"], "edges"), (["distance", "--from", "JV", "--to", "MY", "--s", "1"], "nodes"),
        (["diameter", "--s", "1", "--components"], "nodes"), (["centrality", "--measure", "closeness", "--s", "2"], "edges"),
    ]

    @Test(arguments: lineGraphCommands)
    func edgesAndNodesMeanTheSameEverywhere(command: [String], defaultVertices: String) throws {
        var arguments = [command[0], lesmis] + command.dropFirst()
        if command[0] == "distance" {
            // Ids name the chosen vertices: edges need edge ids.
            let edges = try output(["toplexes", lesmis, "--format", "csv"]).split(separator: "\n").dropFirst().prefix(2)
                .map { String($0.split(separator: ",")[0]) }
            let byDefault = try output(arguments), byFlag = try output(arguments + ["--nodes"])
            #expect(byDefault == byFlag)
            arguments = [command[0], lesmis, "--from", edges[0], "--to", edges[1], "--edges"]
            #expect(!(try output(arguments)).isEmpty)
            return
        }
        let plain = try output(arguments)
        let edges = try output(arguments + ["--edges"]), nodes = try output(arguments + ["--nodes"])
        #expect(plain == (defaultVertices == "edges" ? edges : nodes), "\(command[0]): the default is --\(defaultVertices)")
        #expect(edges != nodes, "\(command[0]): --edges and --nodes give the same output")
        let help = try output([command[0], "--help"])
        #expect(help.contains("--edges") && help.contains("--nodes") && help.contains("default: --\(defaultVertices)"), "\(command[0]) help")
    }

    /// (command, the default: singletons included or not).
    @Test(arguments: [(["components", "--s", "3"], false), (["centrality", "--measure", "betweenness", "--s", "3"], true)])
    func singletonsIsOnePair(command: [String], included: Bool) throws {
        let arguments = [command[0], lesmis] + command.dropFirst()
        let plain = try output(arguments), with = try output(arguments + ["--singletons"]), without = try output(arguments + ["--no-singletons"])
        #expect(plain == (included ? with : without), "\(command[0]): default")
        #expect(with.count > without.count, "\(command[0]): --singletons shows more")
    }

    @Test(arguments: [("betweenness", "normalized"), ("harmonic", "raw")])
    func normalizedAndRawIsOnePair(measure: String, byDefault: String) throws {
        let arguments = ["centrality", lesmis, "--measure", measure, "--s", "2", "--format", "json"]
        let plain = try output(arguments), normalized = try output(arguments + ["--normalized"]), raw = try output(arguments + ["--raw"])
        #expect(plain == (byDefault == "normalized" ? normalized : raw), "\(measure): default --\(byDefault)")
        #expect(normalized != raw, "\(measure)")
        for other in ["closeness", "eccentricity"] {
            let refused = try TestData.anant(["centrality", lesmis, "--measure", other, "--nodes", "--raw"])
            #expect(refused.status != 0 && refused.stderrText.contains("--raw applies to betweenness and harmonic"), "\(other): \(refused.stderrText)")
        }
    }

    /// Id lists: repeated options and comma-separated values are the same list.
    @Test(arguments: [
        (["degree", "{}"], "--node", ["JV", "MY", "GA"]), (["neighbors", "{}", "--s", "2"], "--node", ["JV", "MY", "GA"]),
        (["edge-neighbors", "{}"], "--edge", ["1.1.1.0", "1.2.3.0", "5.5.4.0"]),
        (["restrict", "{}", "--out", "{out}"], "--nodes", ["JV", "MY", "GA"]), (["restrict", "{}", "--out", "{out}"], "--edges", ["1.1.1.0", "1.2.3.0"]),
    ])
    func listsAreRepeatedOrCommaSeparated(command: [String], option: String, ids: [String]) throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func run(_ list: [String], _ out: String) throws -> String {
            let base = command.map { $0 == "{}" ? lesmis : $0 == "{out}" ? folder.appendingPathComponent(out).path : $0 }
            let text = try output(base + list + ["--format", "json"])
            return text.replacingOccurrences(of: folder.path, with: "")
        }
        let repeated = try run(ids.flatMap { [option, $0] }, "a.json")
        let commas = try run([option, ids.joined(separator: ",")], "b.json")
        let mixed = try run([option, ids[0], option, ids.dropFirst().joined(separator: ",")], "c.json")
        #expect(repeated.replacingOccurrences(of: "a.json", with: "b.json") == commas, "\(command[0]) \(option)")
        #expect(repeated.replacingOccurrences(of: "a.json", with: "c.json") == mixed, "\(command[0]) \(option)")
        if command[0] == "restrict" {
            #expect(try TestData.bytes(folder.appendingPathComponent("a.json")) == TestData.bytes(folder.appendingPathComponent("b.json")))
        }
    }
}

/// Errors with a known next step name it, and the step works: a disconnected s-line graph
/// points diameter and eccentricity to --components, whose values match each component
/// taken alone; `query --stats --explain` prints the plan and the statistics.
@Suite struct CLINextStepTests {
    let lesmis = TestData.sample("lesmis.hif.json").path

    @Test(arguments: [
        (["diameter", "--s", "2"], "--components gives each component's diameter"),
        (["diameter", "--s", "2", "--edges"], "--components gives each component's diameter"),
        (["centrality", "--measure", "eccentricity", "--s", "2"], "--components gives eccentricities within each component"),
        (["centrality", "--measure", "eccentricity", "--s", "3", "--nodes"], "--components gives eccentricities within each component"),
        (["centrality", "--measure", "closeness", "--components"], "per-component values apply to eccentricity"),
    ])
    func errorsNameTheNextStep(command: [String], step: String) throws {
        let outcome = try TestData.anant([command[0], lesmis] + command.dropFirst())
        #expect(outcome.status != 0 && outcome.stderrText.contains(step), "\(command): \(outcome.stderrText)")
    }

    @Test func eccentricityPerComponentIsEachComponentsOwn() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let all = try TestData.anant(["centrality", lesmis, "--measure", "eccentricity", "--s", "2", "--components", "--format", "json"])
        #expect(all.status == 0, "\(all.stderrText)")
        let values = try #require(try JSONParser.parse(Array(all.stdout)).objectValue)
        let components = try JSONParser.parse(Array(try TestData.anant(["components", lesmis, "--s", "2", "--format", "json"]).stdout)).arrayValue ?? []
        #expect(components.count > 3)
        for group in components.prefix(3) {
            let edges = group.objectValue?["edges"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let part = folder.appendingPathComponent("part.json").path
            #expect(try TestData.anant(["restrict", lesmis, "--edges", edges.joined(separator: ","), "--out", part]).status == 0)
            let alone = try TestData.anant(["centrality", part, "--measure", "eccentricity", "--s", "2", "--format", "json"])
            #expect(alone.status == 0, "\(alone.stderrText)")
            for (edge, value) in try #require(try JSONParser.parse(Array(alone.stdout)).objectValue) {
                #expect(values[edge] == value, "edge \(edge)")
            }
        }
    }

    @Test func statsAndExplainPrintBoth() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ds = folder.appendingPathComponent("ds").path
        #expect(try TestData.anant(["import", lesmis, ds]).status == 0)
        let both = try TestData.anant(["query", ds, "--where", "weight > 1", "--stats", "--explain"])
        #expect(both.status == 0 && both.stdoutText.contains("scan parquet") && both.stderrText.contains("scanned 1 of 1 row groups"),
                "\(both.stdoutText) \(both.stderrText)")
        let explain = try TestData.anant(["query", ds, "--where", "weight > 1", "--explain"])
        #expect(explain.stdoutText == both.stdoutText && !explain.stderrText.contains("scanned"))
    }
}

/// Text on a terminal is bounded — 60 lines, long lists cut with the count of what is left
/// out — for every command; a pipe, --all and the other formats get everything.
@Suite struct CLITerminalTests {
    let lesmis = TestData.sample("lesmis.hif.json").path

    /// `arguments` run under a pseudo-terminal (util-linux `script`).
    private func onTerminal(_ arguments: [String]) throws -> String {
        let quoted = ([TestData.anantBinary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let outcome = try Oracle.capture("/usr/bin/script", ["-qec", quoted.joined(separator: " "), "/dev/null"])
        #expect(outcome.status == 0, "\(arguments): \(outcome.stderrText)")
        return outcome.stdoutText.replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// A long phase on a terminal shows its label, the time, how far it is and the time
    /// left on stderr, and erases the line before the answer.
    @Test func longPhasesShowProgressAndTimeLeft() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("cl.parquet").path
        #expect(try TestData.anant(["generate", "--model", "chung-lu", "--nodes", "2000", "--edges", "4500", "--seed", "5", "--out", input]).status == 0)
        let shown = try onTerminal(["centrality", input, "--measure", "betweenness", "--top", "2"])
        let updates = shown.split(separator: "\r").filter { $0.contains("computing s=1 betweenness… ") }
        #expect(updates.contains { $0.contains(" %, about ") && $0.contains(" left") }, "\(shown.suffix(600))")
        #expect(shown.contains("edge") && shown.contains("betweenness"))
    }

    @Test(arguments: [
        ["degree"], ["components", "--s", "2"], ["components", "--nodes", "--singletons"], ["line-graph", "--s", "2"],
        ["centrality", "--measure", "betweenness", "--nodes"], ["communities"], ["neighbors", "--node", "JV,MY"], ["toplexes"], ["info", "--node", "JV"],
    ])
    func terminalTextIsBounded(command: [String]) throws {
        let arguments = [command[0], lesmis] + command.dropFirst()
        let piped = try TestData.anant(arguments)
        #expect(piped.status == 0)
        let full = piped.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let shown = try onTerminal(arguments).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(try onTerminal(arguments + ["--all"]) == piped.stdoutText, "\(command): --all prints everything")
        #expect(shown.count <= 61, "\(command): \(shown.count) lines")
        if full.count > 60 {
            #expect(shown.last == "… \(full.count - 60) more lines (--all shows them; --format csv or json, or a pipe, gives everything)", "\(command)")
        } else {
            #expect(shown.count == full.count, "\(command)")
        }
        for (line, whole) in zip(shown.prefix(60), full) {
            #expect(line.count <= 260, "\(command): a line of \(line.count) characters")
            guard line != whole else { continue }
            // A cut list: the items shown and the count left out make the whole list.
            guard let open = line.range(of: ", … ("), let count = Int(line[open.upperBound...].prefix { $0.isNumber }) else {
                Issue.record("\(command): a line changed without saying how: \(line)")
                continue
            }
            #expect(whole.hasPrefix(line[..<open.lowerBound]), "\(command)")
            #expect(line[..<open.lowerBound].components(separatedBy: ", ").count + count == whole.components(separatedBy: ", ").count, "\(command): \(line)")
        }
    }
}

/// Big work shows its cost: every command that would build an s-line graph over
/// --memory-budget refuses before the work with the estimate and the ways through; the
/// s = 1 searches that walk the incidences run under the same budget.
@Suite struct CLIMemoryBudgetTests {
    @Test(arguments: [
        (["--memory-budget", "0"], "--memory-budget must be between 1 and"),
        (["--memory-budget", "99999999999999999"], "--memory-budget must be between 1 and"),
        (["--memory-budget", "64", "--cluster", "/nonexistent-cluster"], "a cluster's gateway has its own"),
    ])
    func badBudgetsAreRefused(options: [String], message: String) throws {
        let outcome = try TestData.anant(["centrality", TestData.sample("lesmis.hif.json").path, "--measure", "betweenness"] + options)
        #expect(outcome.status != 0 && outcome.stderrText.contains(message), "\(options): \(outcome.stderrText)")
    }


    @Test(arguments: [
        (["line-graph", "--s", "1"], true), (["line-graph", "--s", "2", "--nodes"], true), (["centrality", "--measure", "betweenness"], true),
        (["centrality", "--measure", "closeness", "--s", "2"], true), (["diameter", "--s", "2", "--components"], true),
        (["centrality", "--measure", "closeness"], false), (["centrality", "--measure", "harmonic", "--nodes"], false),
        (["diameter", "--s", "1", "--components"], false), (["components", "--s", "1"], false), (["distance", "--from", "JV", "--to", "MY"], false),
    ])
    func lineGraphsOverTheBudgetAreRefused(command: [String], refused: Bool) throws {
        // A Chung–Lu hypergraph whose line graphs take a few MiB (Les Misérables' fit in 1).
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("cl.parquet").path
        #expect(try TestData.anant(["generate", "--model", "chung-lu", "--nodes", "3000", "--edges", "6000", "--seed", "5", "--out", input]).status == 0)
        let ids = try TestData.anant(["degree", input, "--format", "csv"]).stdoutText.split(separator: "\n").dropFirst().prefix(2)
            .map { String($0.split(separator: ",")[0]) }
        let named = command.map { $0 == "JV" ? ids[0] : $0 == "MY" ? ids[1] : $0 }
        let arguments = [named[0], input] + named.dropFirst() + ["--memory-budget", "1"]
        let outcome = try TestData.anant(arguments)
        if refused {
            #expect(outcome.status != 0, "\(command)")
            #expect(outcome.stderrText.contains("over the memory budget of 1 MiB") && outcome.stderrText.contains("raise --memory-budget")
                    && outcome.stderrText.contains("pairs"), "\(command): \(outcome.stderrText)")
            #expect(try TestData.anant(Array(arguments.dropLast(2))).status == 0, "\(command): runs under the default budget")
        } else {
            #expect(outcome.status == 0, "\(command): \(outcome.stderrText)")
        }
    }
}
