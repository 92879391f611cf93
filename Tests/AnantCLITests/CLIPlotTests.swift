import AnantColumnar
import AnantTestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `anant plot` and the charts of `report --out`: every kind writes a well-formed,
/// self-contained SVG whose marks follow the data; hostile ids stay text. (Rendering in
/// headless Chromium is tests/plots/check.sh, run by scripts/test.)
@Suite struct CLIPlotTests {
    let lesmis = TestData.sample("lesmis.hif.json").path

    /// The SVG's elements by name, after parsing it as XML.
    static func elements(_ path: String) throws -> [String: Int] {
        final class Counter: NSObject, XMLParserDelegate {
            var counts = [String: Int]()
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                counts[name, default: 0] += 1
            }
        }
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: path)))
        let counter = Counter()
        parser.delegate = counter
        guard parser.parse() else { throw Oracle.Failure(description: "\(path) is not well-formed XML: \(String(describing: parser.parserError))") }
        return counter.counts
    }

    @Test func everyKindDrawsAWellFormedChartOfItsData() throws {
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for kind in ["degree", "edge-size", "components", "centrality", "s-profile"] {
            let out = "\(folder)/\(kind).svg"
            let outcome = try TestData.anant(["plot", kind, lesmis, "--out", out])
            #expect(outcome.status == 0, "\(kind): \(outcome.stderrText)")
            let text = try String(contentsOfFile: out, encoding: .utf8)
            let elements = try Self.elements(out)
            #expect(elements["svg"] == 1 && (elements["text"] ?? 0) > 5, "\(kind): \(elements)")
            #expect(!text.contains("<script") && !text.contains("href=\"http"), "\(kind) is self-contained")
            switch kind {
            // A point per distinct degree.
            case "degree":
                let degrees = try #require(try JSONParser.parse(Array(try TestData.anant(["degree", lesmis, "--format", "json"]).stdout)).objectValue)
                #expect(elements["circle"] == Set(degrees.values.map { "\($0)" }).count, "\(elements)")
            case "centrality": #expect(text.contains("5.5.4.0") && (elements["rect"] ?? 0) >= 20)
            case "s-profile": #expect(text.contains("s-profile"))
            default: break
            }
        }
        // Bad requests fail clearly and write nothing.
        let bad = try TestData.anant(["plot", "centrality", lesmis, "--measure", "cec", "--out", "\(folder)/x.svg"])
        #expect(bad.status != 0 && bad.stderrText.contains("s-measure") && !FileManager.default.fileExists(atPath: "\(folder)/x.svg"))
        #expect(try TestData.anant(["plot", "degree", lesmis, "--out", "\(folder)/x.png"]).status != 0)
    }

    @Test func hostileIdsStayTextAndTheReportPageHoldsItsCharts() throws {
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = "\(folder)/hostile.csv"
        try "edge,node\n\"<script>alert(1)</script>\",a\n\"<script>alert(1)</script>\",\"b&c\"\ne2,a\ne2,\"</svg>\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        let out = "\(folder)/top.svg"
        #expect(try TestData.anant(["plot", "centrality", file, "--out", out]).status == 0)
        _ = try Self.elements(out)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(!text.contains("<script>") && text.contains("&lt;script&gt;"))
        // report --out: index.html beside the metrics, with five charts inline.
        #expect(try TestData.anant(["report", lesmis, "--out", "\(folder)/report"]).status == 0)
        let page = try String(contentsOfFile: "\(folder)/report/index.html", encoding: .utf8)
        #expect(page.components(separatedBy: "<svg").count - 1 == 5)
        #expect(page.contains("nodes.parquet") && page.contains("edges.parquet") && page.contains("862"))
    }
}
