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

    init(_ h: Hypergraph, source: String, top: Int) {
        self.source = source
        self.h = h
        info = h.info()
        degreeOf = h.degrees()
        sizeOf = h.edgeSizes()
        isolatedNodes = degreeOf.filter { $0 == 0 }.count
        emptyEdges = sizeOf.filter { $0 == 0 }.count
        singletonEdges = h.singletons().count
        toplexes = Progress.run("finding toplexes") { h.toplexes().count }
        distinctEdges = h.edgeEquivalenceClasses().count
        degrees = IntegerDistribution(degreeOf)
        sizes = IntegerDistribution(sizeOf)
        components = (1...3).map { s in
            Progress.run("computing s=\(s) components") {
                Components(s: s,
                           edgeSizes: h.sConnectedComponents(s: s, edges: true, includeSingletons: true).map(\.count).sorted(by: >),
                           nodeSizes: h.sConnectedComponents(s: s, edges: false, includeSingletons: true).map(\.count).sorted(by: >))
            }
        }
        let degreeOf = self.degreeOf, sizeOf = self.sizeOf
        topNodes = Array((0..<h.nodeCount).sorted { degreeOf[$0] != degreeOf[$1] ? degreeOf[$0] > degreeOf[$1] : $0 < $1 }.prefix(top))
        topEdges = Array((0..<h.edgeCount).sorted { sizeOf[$0] != sizeOf[$1] ? sizeOf[$0] > sizeOf[$1] : $0 < $1 }.prefix(top))
    }
}
