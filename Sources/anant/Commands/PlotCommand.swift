import AnantColumnar
import AnantHypergraph
import AnantOperations
import ArgumentParser
import Foundation

/// `anant plot KIND INPUT --out F.svg`: the shape of a hypergraph as a self-contained SVG
/// chart, embedded or through a cluster (the data come from the same operations).
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a chart of a hypergraph as a self-contained SVG file.",
        discussion: """
        KIND is one of: degree (node degree distribution, log-log), edge-size (edge size \
        distribution, log-log), components (s-component sizes of the edge s-line graph for \
        s = 1 ... --s-max), centrality (the --top highest s-centralities as bars), s-profile \
        (the number of s-components and the largest against s).
        """)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case degree, edgeSize = "edge-size", components, centrality, sProfile = "s-profile"
    }

    @Argument(help: "The chart: degree, edge-size, components, centrality or s-profile.")
    var kind: Kind

    @OptionGroup var common: CommonOptions

    @Option(help: "The SVG file to write.")
    var out: String

    @Option(name: .customLong("s-max"), help: "The largest s of components and s-profile.")
    var sMax = 5

    @Option(help: "The centrality measure: \(CentralityMeasure.allCases.filter(\.isS).map(\.rawValue).joined(separator: ", ")).")
    var measure: CentralityMeasure = .betweenness

    @Option(name: .customLong("s"), help: "The s of centrality.")
    var s = 1

    @Flag var vertices: LineGraphVertices = .edges

    @Option(help: "How many of the highest centralities to draw.")
    var top = 20

    func validate() throws {
        guard (1...64).contains(sMax) else { throw ValidationError("--s-max must be 1 to 64") }
        guard s >= 1 else { throw ValidationError("--s must be at least 1") }
        guard (1...500).contains(top) else { throw ValidationError("--top must be 1 to 500") }
        guard measure.isS else { throw ValidationError("--measure must be an s-measure: betweenness, closeness, harmonic or eccentricity") }
        guard out.hasSuffix(".svg") else { throw ValidationError("--out names an .svg file") }
    }

    func run() throws {
        let chart = try Self.chart(kind, title: URL(fileURLWithPath: common.input).lastPathComponent, sMax: sMax, measure: measure, s: s,
                                   vertices: vertices.vertices, top: top, run: runner())
        try Self.write(chart.svg(), to: out)
        Output.line("wrote \(out) (\(kind.rawValue))")
    }

    /// Runs operations on the input: loaded once in this process, or through the cluster.
    func runner() throws -> (AnantOperations.Operation) throws -> OperationResult {
        if common.cluster.isRemote { return { try common.execute($0, progress: "computing \($0.name)") } }
        let h = try common.load()
        return { try common.execute($0, on: h, progress: "computing \($0.name)") }
    }

    /// The chart of `kind`, from the operations' results.
    static func chart(_ kind: Kind, title: String, sMax: Int, measure: CentralityMeasure, s: Int, vertices: Vertices, top: Int,
                      run: (AnantOperations.Operation) throws -> OperationResult) throws -> Chart {
        switch kind {
        case .degree:
            let degrees = try integers(run(.degree(s: 1, maxSize: nil, nodes: [])), table: "degrees", column: "degree")
            return .degreeDistribution(degrees: degrees, title: "Degree distribution of \(title)")
        case .edgeSize:
            let query = QuerySpec(table: .incidences, groupBy: ["edge"], aggregations: ["count(*) as size"])
            let sizes = try integers(run(.query(query)), table: "rows", column: "size")
            return .edgeSizeDistribution(sizes: sizes, title: "Edge size distribution of \(title)")
        case .components, .sProfile:
            var sizesByS = [(s: Int, sizes: [Int])]()
            for s in 1...sMax {
                let members = try integers(run(.components(s: s, of: .edges, singletons: true)), table: "components", column: "component")
                var sizes = [Int: Int]()
                for component in members { sizes[component, default: 0] += 1 }
                sizesByS.append((s, sizes.values.sorted(by: >)))
            }
            if kind == .components { return .componentSizes(sizesByS: sizesByS, title: "s-component sizes of \(title)") }
            return .sProfile(points: sizesByS.map { ($0.s, $0.sizes.count, $0.sizes.first ?? 0) }, title: "s-profile of \(title)")
        case .centrality:
            let result = try run(.centrality(measure: measure, s: s, of: vertices, raw: false, normalized: true, withoutSingletons: false, top: top))
            guard let table = result.table("centrality"), table.columns.count == 2 else { throw CLIError("the centrality result has no table") }
            let labels = (0..<table.rowCount).map { row -> String in
                switch table.columns[0][row] {
                case .string(let id): id
                case .int(let id): String(id)
                default: "\(table.columns[0][row])"
                }
            }
            let values = (0..<table.rowCount).map { row -> Double in
                switch table.columns[1][row] {
                case .double(let value): value
                case .int(let value): Double(value)
                default: .nan
                }
            }
            return .topCentralities(labels: labels, values: values, measure: "s=\(s) \(measure.rawValue)", entity: vertices.rawValue,
                                    title: "Top \(labels.count) \(vertices.rawValue) by s=\(s) \(measure.rawValue) in \(title)")
        }
    }

    /// The integers of a result's column.
    static func integers(_ result: OperationResult, table name: String, column: String) throws -> [Int] {
        guard let table = result.table(name) else { throw CLIError("the result has no table \(name)") }
        guard case .int64(let values) = try table.column(named: column) else { throw CLIError("\(name).\(column) is not an integer column") }
        return (0..<values.count).compactMap { values[$0].map(Int.init) }
    }

    /// Writes `text` to `path` whole or not at all.
    static func write(_ text: String, to path: String) throws {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
