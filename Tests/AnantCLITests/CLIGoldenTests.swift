import AnantColumnar
import AnantTestSupport
import Foundation
import Testing

/// Every CLI command, run on the bundled samples and on a generated dataset, gives exactly
/// the output recorded in `Tests/Fixtures/cli-golden/out/` (captured before the core was
/// reorganised into operations, and kept since): exit status, stdout, the first line of
/// stderr, and the files written (text files in full, binary ones by SHA-256).
///
/// `ANANT_UPDATE_GOLDEN=1 swift test --filter CLIGoldenTests` records the outputs anew;
/// do that only for a deliberate change of output, and say why in the commit.
@Suite struct CLIGoldenTests {
    struct Case: Decodable {
        var name: String
        var args: [String]
        var files: [String]
    }

    static let folder = TestData.fixture("cli-golden")

    @Test func everyCommandMatchesItsGoldenOutput() throws {
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: Self.folder.appendingPathComponent("cases.json")))
        let tmp = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let places = [("{tmp}", tmp.path), ("{samples}", TestData.sample("").path.replacingOccurrences(of: "/$", with: "", options: .regularExpression)),
                      ("{fixtures}", Self.folder.path)]
        let update = ProcessInfo.processInfo.environment["ANANT_UPDATE_GOLDEN"] == "1"
        let outFolder = Self.folder.appendingPathComponent("out")
        if update { try FileManager.default.createDirectory(at: outFolder, withIntermediateDirectories: true) }
        var mismatches = [String]()
        for c in cases {
            let args = c.args.map { arg in places.reduce(arg) { $0.replacingOccurrences(of: $1.0, with: $1.1) } }
            let outcome = try TestData.anant(args, timeout: 300)
            var text = "$ anant \(c.args.joined(separator: " "))\nstatus: \(outcome.status)\n--- stdout\n"
            text += Self.placeholders(outcome.stdoutText, places)
            let firstError = outcome.stderrText.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
            text += "--- stderr (first line)\n\(Self.placeholders(firstError, places))\n"
            for file in c.files {
                let path = places.reduce(file) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
                text += "--- file \(file)\n"
                guard let data = FileManager.default.contents(atPath: path) else { text += "(missing)\n"; continue }
                if path.hasSuffix(".csv") || path.hasSuffix(".json") {
                    text += String(decoding: data, as: UTF8.self)
                } else {
                    var hash = SHA256()
                    hash.update(Array(data))
                    text += "\(data.count) bytes, sha256 \(hash.hexDigest())\n"
                }
            }
            let golden = outFolder.appendingPathComponent("\(c.name).txt")
            if update {
                try text.write(to: golden, atomically: true, encoding: .utf8)
                continue
            }
            let expected = (try? String(contentsOf: golden, encoding: .utf8)) ?? "(no golden file \(golden.lastPathComponent))"
            if expected != text { mismatches.append("\(c.name): \(Self.firstDifference(expected, text))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) commands differ from their golden output:\n\(mismatches.joined(separator: "\n"))")
    }

    /// The run's folders as placeholders, and timestamps (dataset versions) as `{time}`.
    static func placeholders(_ text: String, _ places: [(String, String)]) -> String {
        places.reduce(text) { $0.replacingOccurrences(of: $1.1, with: $1.0) }
            .replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "{time}", options: .regularExpression)
    }

    /// The first line where two texts differ, both versions.
    static func firstDifference(_ expected: String, _ actual: String) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? String(a[i]) : "(end)", y = i < b.count ? String(b[i]) : "(end)"
            if x != y { return "line \(i + 1): expected «\(x.prefix(200))», got «\(y.prefix(200))»" }
        }
        return "same lines, different bytes"
    }
}
