import Foundation

// A standalone demo of the Plots sources: compiled with them by swiftc (check.sh), it writes
// one SVG per chart kind and edge case, plus an index.html, into the folder given as its
// argument, and checks a few things no browser can: determinism, escaping and tick labels.
// It prints the files it wrote, one a line; it exits 1 if a self-check fails.

@main
struct PlotDemo {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: plotdemo OUTPUT-DIR\n".utf8))
            exit(2)
        }
        let directory = URL(fileURLWithPath: arguments[1], isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var failures = [String]()
        for (name, chart) in charts() {
            let svg = chart.svg()
            if svg != chart.svg() { failures.append("\(name): two renderings differ") }
            if svg.lowercased().contains("<script") { failures.append("\(name): unescaped <script") }
            let url = directory.appendingPathComponent("\(name).svg")
            try Data(svg.utf8).write(to: url)
            print(url.path)
        }
        let page = try PlotPage.write(
            to: directory, title: "Report: <b>hostile</b> & \"quoted\" graph",
            summary: [("nodes", "5,000"), ("edges", "1,234"), ("name", "<script>alert('x')</script>"), ("density", "0.0012")],
            files: ["nodes.parquet", "edges.parquet", "javascript:alert(1)", "odd name #1?.parquet"],
            charts: charts().filter { !$0.name.hasPrefix("edge-") }.prefix(6).map(\.chart))
        print(page.path)
        failures += selfChecks()
        for failure in failures { FileHandle.standardError.write(Data("FAIL \(failure)\n".utf8)) }
        if !failures.isEmpty { exit(1) }
    }

    /// Deterministic sample data: a heavy-tailed degree sequence and friends.
    static func charts() -> [(name: String, chart: Chart)] {
        let degrees = (1...5000).map { i in i % 97 == 0 ? 0 : max(1, Int(2000 / pow(Double(i), 0.9))) }
        let sizes = (1...1234).map { i in 2 + Int(300 / pow(Double(i), 0.7)) }
        let components: [(s: Int, sizes: [Int])] = [
            (1, [4200] + Array(repeating: 1, count: 700) + Array(repeating: 2, count: 90) + [5, 9, 17, 40]),
            (2, [2900, 800] + Array(repeating: 1, count: 1500) + Array(repeating: 3, count: 60) + [130]),
            (3, [1200, 300, 77] + Array(repeating: 1, count: 2600) + Array(repeating: 4, count: 25)),
        ]
        let labels = ["<script>alert(1)</script>", "AT&T", "node \"quoted\" & 'single'",
                      "a-very-long-node-identifier-that-goes-on-and-on-forever", "Zürich ☃ 東京", "bell\u{7}char",
                      "]]>--><!--", "n7", "n8", "n9"]
        let values = [0.42, 0.38, 0.31, 0.305, 0.2, 0.11, 0.09, 0.05, 0.02, 0.004]
        let profile: [(s: Int, components: Int, largest: Int)] = [
            (1, 12, 4200), (2, 140, 2900), (3, 610, 1200), (4, 1500, 310), (5, 2100, 44), (6, 900, 7), (7, 3, 2), (8, 0, 0),
        ]
        let hostile = Chart(title: "<script>alert(\"t\")</script> & <![CDATA[ x ]]> \u{0}",
                            xAxis: .init("x & <y>"), yAxis: .init("\"count\" <b>"),
                            series: [.init("<i>first</i> & co", mark: .line, points: (0..<6).map { .init(x: Double($0), y: Double($0 * $0)) }),
                                     .init("second ' \" >", mark: .points, points: (0..<6).map { .init(x: Double($0), y: Double(30 - $0)) })],
                            notes: ["note with <tags> & ampersands"])
        return [
            ("degree", .degreeDistribution(degrees: degrees)),
            ("edge-size", .edgeSizeDistribution(sizes: sizes + [0, 0])),
            ("components", .componentSizes(sizesByS: components)),
            ("centrality", .topCentralities(labels: labels, values: values, measure: "betweenness")),
            ("s-profile", .sProfile(points: profile)),
            ("hostile", hostile),
            ("empty-distribution", .degreeDistribution(degrees: [])),
            ("empty-bars", .topCentralities(labels: [], values: [], measure: "closeness")),
            ("empty-linear", Chart(title: "Empty linear", xAxis: .init("x"), yAxis: .init("y"), series: [])),
            ("single-point", Chart(title: "One point", xAxis: .init("x"), yAxis: .init("y"),
                                   series: [.init("p", mark: .points, points: [.init(x: 3, y: 7)])])),
            ("single-point-log", .degreeDistribution(degrees: [5])),
            ("all-equal", Chart(title: "All equal values", xAxis: .init("s", integer: true), yAxis: .init("value"),
                                series: [.init("flat", mark: .line, points: (1...5).map { .init(x: Double($0), y: 42) })])),
            ("all-zero-bars", .topCentralities(labels: ["a", "b", "c"], values: [0, 0, 0], measure: "closeness")),
            ("huge-range", Chart(title: "Huge ranges", xAxis: .init("x (log)", scale: .log10), yAxis: .init("y (linear)"),
                                 series: [.init("wide", mark: .line, points: (0...15).map { .init(x: pow(10, Double($0) - 3), y: pow(10, Double($0))) })])),
            ("tiny-log-range", Chart(title: "Narrow log range", xAxis: .init("x", scale: .log10), yAxis: .init("y", scale: .log10),
                                     series: [.init("narrow", mark: .points, points: [.init(x: 3.1, y: 3.2), .init(x: 3.4, y: 3.35)])])),
            ("nan-inf", Chart(title: "NaN, infinities and non-positive values on log axes",
                              xAxis: .init("x", scale: .log10), yAxis: .init("y", scale: .log10),
                              series: [.init("mixed", mark: .line, points: [
                                  .init(x: 1, y: 10), .init(x: 2, y: .nan), .init(x: 3, y: 30), .init(x: .infinity, y: 1),
                                  .init(x: -4, y: 5), .init(x: 5, y: 0), .init(x: 6, y: 60), .init(x: 7, y: -.infinity), .init(x: 8, y: 80)])])),
            ("negative-linear", Chart(title: "Negative values on a linear axis", xAxis: .init("x"), yAxis: .init("y"),
                                      series: [.init("bars", mark: .bars, points: (-3...3).map { .init(x: Double($0), y: Double($0) * 1.5) })])),
            ("many-categories", .topCentralities(labels: (0..<120).map { "node-\($0)-with-a-longish-name" },
                                                 values: (0..<120).map { 1 / Double($0 + 1) }, measure: "closeness")),
            ("tiny-canvas", Chart(title: "A chart drawn smaller than its minimum size, with a long title that cannot fit",
                                  xAxis: .init("x axis with a long title"), yAxis: .init("y axis with a long title too"),
                                  series: [.init("a", mark: .points, points: [.init(x: 1, y: 1), .init(x: 2, y: 4)]),
                                           .init("b", mark: .line, points: [.init(x: 1, y: 2), .init(x: 2, y: 3)])],
                                  notes: ["a note"], width: 100, height: 50)),
            ("many-series", Chart(title: "Seven series (palette and markers)", xAxis: .init("x"), yAxis: .init("y"),
                                  series: (0..<7).map { k in .init("series number \(k)", mark: .line,
                                                                   points: (0..<10).map { .init(x: Double($0), y: Double(k * 3 + $0 % 4)) }) })),
        ]
    }

    /// Checks of the number formatting and escaping that a rendered image cannot show.
    static func selfChecks() -> [String] {
        var failures = [String]()
        func expect(_ got: String, _ want: String, _ what: String) {
            if got != want { failures.append("\(what): got \(got), want \(want)") }
        }
        expect(ChartNumberFormat.tick(1500, step: 500), "1.5k", "tick 1500")
        expect(ChartNumberFormat.tick(1_000_000, step: nil), "1M", "tick 1M")
        expect(ChartNumberFormat.tick(1005, step: 5), "1005", "tick 1005 step 5")
        expect(ChartNumberFormat.tick(0.0001, step: nil), "1e-4", "tick 1e-4")
        expect(ChartNumberFormat.tick(2.5e20, step: nil), "2.5e20", "tick 2.5e20")
        expect(ChartNumberFormat.tick(0.30000000000000004, step: 0.1), "0.3", "tick 0.3")
        expect(ChartNumberFormat.tick(-2, step: 1), "-2", "tick -2")
        expect(ChartNumberFormat.coordinate(-0.001), "0", "coordinate -0.001")
        expect(ChartNumberFormat.coordinate(12.345), "12.35", "coordinate 12.345")
        expect(ChartNumberFormat.coordinate(.nan), "0", "coordinate NaN")
        expect(ChartMarkup.escape("<a href='x'>&\"\u{1}"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\u{FFFD}", "escape")
        expect(PlotPage.relativeHref("javascript:alert(1)"), "./javascript:alert(1)", "href scheme")
        let ticks = ChartAxisScale.log(low: 1, high: 12345, target: 6, bars: false).major.map(\.label).joined(separator: ",")
        expect(ticks, "1,10,100,1k,10k", "log ticks")
        let linear = ChartAxisScale.linear(low: 0, high: 97, target: 6, integer: false, snap: true).major.map(\.label).joined(separator: ",")
        expect(linear, "0,20,40,60,80,100", "linear ticks")
        return failures
    }
}
