import AnantColumnar
import AnantTestSupport
import Foundation
import Testing

/// `centrality --approx`: the estimate, what it promises and its sample count, in text
/// and JSON; the bound's options only with --approx, and only for the measures it serves.
@Suite struct CLIApproximationTests {
    let lesmis = TestData.sample("lesmis.hif.json").path

    static let measures: [(String, [String], String)] = [
        ("betweenness", [], "sampled_paths"), ("betweenness", ["--raw", "--nodes"], "sampled_paths"),
        ("closeness", ["--s", "2"], "searches"), ("harmonic", ["--normalized", "--nodes"], "searches"),
    ]

    @Test(arguments: measures)
    func estimatesNameTheirBoundInTextAndJSON(measure: String, extra: [String], count: String) throws {
        let base = ["centrality", lesmis, "--measure", measure, "--approx", "--epsilon", "0.05", "--delta", "0.2", "--seed", "9"] + extra
        let text = try TestData.anant(base)
        #expect(text.status == 0, "\(text.stderrText)")
        let footer = text.stdoutText.split(separator: "\n").last.map(String.init) ?? ""
        #expect(footer.hasPrefix("Estimated from ") && footer.contains("(epsilon 0.05, delta 0.2, seed 9)") && footer.contains("probability at least 1 - delta"),
                "\(footer)")
        let json = try TestData.anant(base + ["--format", "json"])
        #expect(json.status == 0)
        guard case .object(let document) = try JSONParser.parse(json.stdoutText),
              case .object(let values)? = document["values"], case .object(let approximation)? = document["approximation"] else {
            Issue.record("\(measure): not {values, approximation}: \(json.stdoutText.prefix(200))")
            return
        }
        #expect(approximation["epsilon"] == .double(0.05) && approximation["delta"] == .double(0.2) && approximation["seed"] == .int(9))
        guard case .int(let samples)? = approximation[count] else {
            Issue.record("\(measure): no \(count) in \(approximation)")
            return
        }
        #expect(footer.contains("from \(samples) "))
        // Every row of the text is in the JSON, with the same value.
        let rows = text.stdoutText.split(separator: "\n").dropFirst().dropLast()
        #expect(rows.count == values.count)
        // The same seed gives the same bytes; the exact run names no estimate, and its
        // values are within the bound of the estimates (betweenness: normalised, epsilon).
        #expect(try TestData.anant(base).stdoutText == text.stdoutText)
        let exact = try TestData.anant(["centrality", lesmis, "--measure", measure, "--format", "json"] + extra)
        #expect(exact.status == 0 && !exact.stdoutText.contains("Estimated"))
        if measure == "betweenness" && !extra.contains("--raw"), case .object(let exactValues) = try JSONParser.parse(exact.stdoutText) {
            #expect(exactValues.count == values.count)
            for (id, value) in exactValues {
                #expect(abs((values[id]?.numberValue ?? -1) - (value.numberValue ?? 0)) <= 0.05, "\(id)")
            }
        }
    }

    static let refusals: [([String], String)] = [
        (["--measure", "betweenness", "--epsilon", "0.1"], "add --approx"),
        (["--measure", "closeness", "--seed", "3"], "add --approx"),
        (["--measure", "eccentricity", "--approx"], "approximation applies to betweenness, closeness and harmonic"),
        (["--measure", "katz", "--nodes", "--approx"], "approximation applies to betweenness, closeness and harmonic"),
        (["--measure", "betweenness", "--approx", "--epsilon", "0"], "epsilon must lie between 0 and 1"),
        (["--measure", "harmonic", "--approx", "--epsilon", "2"], "epsilon must lie between 0 and 1"),
        (["--measure", "closeness", "--approx", "--delta", "1"], "delta must lie between 0 and 1"),
        (["--measure", "closeness", "--approx", "--delta", "nan"], "delta must lie between 0 and 1"),
    ]

    @Test(arguments: refusals)
    func boundsAreCheckedBeforeAnyWork(arguments: [String], message: String) throws {
        let outcome = try TestData.anant(["centrality", lesmis] + arguments)
        #expect(outcome.status == 64, "\(arguments): exit \(outcome.status), a usage error")
        #expect(outcome.stdoutText.isEmpty)
        #expect(outcome.stderrText.contains(message), "\(arguments): \(outcome.stderrText)")
    }
}
