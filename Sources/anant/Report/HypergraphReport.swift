import Foundation
import AnantColumnar
import AnantHypergraph

/// The main job's summary of a hypergraph: counts, density, degree and edge-size
/// distributions, s-connected components for s = 1, 2, 3, and the top nodes and edges.
struct HypergraphReport {
    /// Components of the s-line graphs at one s.
    struct Components {
        var s: Int
        /// Component sizes (in edges) of the edge s-line graph, largest first, singletons included.
        var edgeSizes: [Int]
        /// Component sizes (in nodes) of the node s-line graph, largest first, singletons included.
        var nodeSizes: [Int]
    }

    var source: String
    var h: Hypergraph
    var info: HypergraphInfo
    var isolatedNodes: Int
    var emptyEdges: Int
    var singletonEdges: Int
    var toplexes: Int
    var distinctEdges: Int
    var degrees: IntegerDistribution
    var sizes: IntegerDistribution
    var components: [Components]
    var topNodes: [Int]
    var topEdges: [Int]
    var degreeOf: [Int]
    var sizeOf: [Int]
    /// s = 1 node and edge centralities, when the s-line graphs are small enough for an
    /// all-pairs pass (nil otherwise: `anant centrality` computes them on demand).
    var nodeCentrality: Centralities?
    var edgeCentrality: Centralities?

    /// s = 1 betweenness (normalised) and closeness of every node or edge.
    struct Centralities {
        var betweenness: [Double]
        var closeness: [Double]
        /// The most between, best first.
        var top: [Int]
    }

    /// Above this many vertices the report leaves centralities to `anant centrality`.
    static let centralityLimit = 20_000

    init(_ h: Hypergraph, source: String, top: Int, context: ExecutionContext) throws {
        self.source = source
        self.h = h
        info = h.info()
        degreeOf = h.nodeDegrees()
        sizeOf = h.edgeSizes()
        isolatedNodes = degreeOf.filter { $0 == 0 }.count
        emptyEdges = sizeOf.filter { $0 == 0 }.count
        singletonEdges = h.singletons().count
        toplexes = Progress.run("finding toplexes") { h.toplexes().count }
        distinctEdges = h.edgeEquivalenceClasses().count
        degrees = IntegerDistribution(degreeOf)
        sizes = IntegerDistribution(sizeOf)
        components = try (1...3).map { s in
            try Progress.run("computing s=\(s) components") {
                Components(s: s,
                           edgeSizes: try h.sConnectedComponents(s: s, edges: true, includeSingletons: true, context: context).map(\.count).sorted(by: >),
                           nodeSizes: try h.sConnectedComponents(s: s, edges: false, includeSingletons: true, context: context).map(\.count).sorted(by: >))
            }
        }
        func centralities(_ edges: Bool) throws -> Centralities? {
            guard (edges ? h.edgeCount : h.nodeCount) <= HypergraphReport.centralityLimit else { return nil }
            return try Progress.run("computing s=1 \(edges ? "edge" : "node") centralities") {
                let betweenness = try h.sBetweennessCentrality(s: 1, edges: edges, context: context)
                let ranked = betweenness.indices.sorted { betweenness[$0] != betweenness[$1] ? betweenness[$0] > betweenness[$1] : $0 < $1 }
                return Centralities(betweenness: betweenness, closeness: try h.sClosenessCentrality(s: 1, edges: edges, context: context), top: Array(ranked.prefix(top)))
            }
        }
        nodeCentrality = try centralities(false)
        edgeCentrality = try centralities(true)
        let degreeOf = self.degreeOf, sizeOf = self.sizeOf
        topNodes = Array((0..<h.nodeCount).sorted { degreeOf[$0] != degreeOf[$1] ? degreeOf[$0] > degreeOf[$1] : $0 < $1 }.prefix(top))
        topEdges = Array((0..<h.edgeCount).sorted { sizeOf[$0] != sizeOf[$1] ? sizeOf[$0] > sizeOf[$1] : $0 < $1 }.prefix(top))
    }
}

extension HypergraphReport {
    /// Writes DIR/nodes.parquet and DIR/edges.parquet (`Hypergraph.metricsTable`).
    func writeMetrics(to folder: String, context: ExecutionContext) throws {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } else if !isDirectory.boolValue {
            throw CLIError("cannot write metrics to '\(folder)': it is a file, not a folder")
        }
        for edges in [false, true] {
            let table = try h.metricsTable(context: context, edges: edges, centralities: (edges ? edgeCentrality : nodeCentrality).map { ($0.betweenness, $0.closeness) })
            try HypergraphFiles.writeResult(table, to: folder + (edges ? "/edges.parquet" : "/nodes.parquet"))
        }
    }
}

extension Hypergraph {
    /// One row per node (or edge): its id, degree (or size), its s-component index for
    /// s = 1, 2, 3 (components numbered by their smallest element), and s = 1 betweenness
    /// and closeness when given.
    func metricsTable(context: ExecutionContext = .default, edges: Bool, centralities: (betweenness: [Double], closeness: [Double])?) throws -> RecordBatch {
        let count = edges ? edgeCount : nodeCount
        var named: [(String, Column)] = [
            (edges ? "edge" : "node", edges ? self.edges.column : nodes.column),
            (edges ? "size" : "degree", .int64(Int64Column((edges ? edgeSizes() : nodeDegrees()).map(Int64.init)))),
        ]
        for s in 1...3 {
            var component = [Int64](repeating: 0, count: count)
            for (k, members) in try sConnectedComponents(s: s, edges: edges, includeSingletons: true, context: context).enumerated() {
                for v in members { component[v] = Int64(k) }
            }
            named.append(("component_s\(s)", .int64(Int64Column(component))))
        }
        if let centralities {
            named += [("betweenness_s1", .double(DoubleColumn(centralities.betweenness))), ("closeness_s1", .double(DoubleColumn(centralities.closeness)))]
        }
        // The names are distinct and the columns equally long.
        return try! RecordBatch(named)
    }
}
