import AnantColumnar
import AnantHypergraph

/// The main job's summary of a hypergraph (`Operation.report`), as a result: scalars for
/// the counts and the distributions' statistics, tables for the histograms, the component
/// sizes, the top nodes and edges, and (with metrics) every node's and edge's metrics.
/// `OperationRenderer` prints it as the report for people or as one JSON object.
extension LocalExecutor {
    /// Above this many vertices the report leaves s = 1 centralities to `centrality`.
    public static let reportCentralityLimit = QuerySpec.centralityLimit

    func report(_ h: Hypergraph, top: Int, metrics: Bool, source: String) throws -> OperationResult {
        let info = h.info()
        let degreeOf = h.nodeDegrees(), sizeOf = h.edgeSizes()
        var scalars: [NamedScalar] = [
            NamedScalar("source", .string(source)),
            NamedScalar("name", h.name.map(ScalarValue.string) ?? .null),
            NamedScalar("network_type", h.networkType.map { .string($0.rawValue) } ?? .null),
            NamedScalar("nodes", .int(Int64(info.nodeCount))), NamedScalar("edges", .int(Int64(info.edgeCount))),
            NamedScalar("incidences", .int(Int64(info.incidenceCount))),
            NamedScalar("density", info.density.map(ScalarValue.double) ?? .null),
            NamedScalar("aspect_ratio", info.aspectRatio.map(ScalarValue.double) ?? .null),
            NamedScalar("isolated_nodes", .int(Int64(degreeOf.filter { $0 == 0 }.count))),
            NamedScalar("empty_edges", .int(Int64(sizeOf.filter { $0 == 0 }.count))),
            NamedScalar("singleton_edges", .int(Int64(h.singletons().count))),
            NamedScalar("toplexes", .int(Int64(h.toplexes().count))),
            NamedScalar("distinct_edges", .int(Int64(h.edgeEquivalenceClasses().count))),
        ]
        var tables = [NamedTable]()
        for (label, values) in [("degree", degreeOf), ("edge_size", sizeOf)] {
            let d = IntegerDistribution(values)
            let s = d.statistics
            for (stat, value) in [("min", s?.min), ("max", s?.max), ("mean", s?.mean), ("median", s?.median), ("std", s?.standardDeviation)] {
                scalars.append(NamedScalar("\(label)_\(stat)", value.map(ScalarValue.double) ?? .null))
            }
            tables.append(NamedTable("\(label)_histogram", try RecordBatch([("value", .int64(Int64Column(d.histogram.map { Int64($0.value) }))),
                                                                           ("count", .int64(Int64Column(d.histogram.map { Int64($0.count) })))])))
        }
        var sValues = [Int64](), of = [String](), numbers = [Int64](), sizes = [Int64]()
        for s in 1...3 {
            for vertices in Vertices.allCases {
                let found = try h.sConnectedComponents(s: s, edges: vertices == .edges, includeSingletons: true, context: context)
                let sized = Hypergraph.inNumberingOrder(found).map(\.count)
                sValues += repeatElement(Int64(s), count: sized.count)
                of += repeatElement(vertices.rawValue, count: sized.count)
                numbers += (1...max(sized.count, 1)).prefix(sized.count).map(Int64.init)
                sizes += sized.map(Int64.init)
            }
        }
        tables.append(NamedTable("components", try RecordBatch([("s", .int64(Int64Column(sValues))), ("of", .string(StringColumn(of))),
                                                                ("size", .int64(Int64Column(sizes))), ("component", .int64(Int64Column(numbers)))])))
        let topNodes = Array((0..<h.nodeCount).sorted { degreeOf[$0] != degreeOf[$1] ? degreeOf[$0] > degreeOf[$1] : $0 < $1 }.prefix(top))
        let topEdges = Array((0..<h.edgeCount).sorted { sizeOf[$0] != sizeOf[$1] ? sizeOf[$0] > sizeOf[$1] : $0 < $1 }.prefix(top))
        tables.append(NamedTable("top_nodes", try RecordBatch([("node", h.ids(topNodes, .nodes)), ("degree", .int64(Int64Column(topNodes.map { Int64(degreeOf[$0]) })))])))
        tables.append(NamedTable("top_edges", try RecordBatch([("edge", h.ids(topEdges, .edges)), ("size", .int64(Int64Column(topEdges.map { Int64(sizeOf[$0]) })))])))
        var centralities = [Vertices: ([Double], [Double])]()
        for vertices in [Vertices.nodes, .edges] where (vertices == .edges ? h.edgeCount : h.nodeCount) <= Self.reportCentralityLimit {
            let edges = vertices == .edges
            let betweenness: [Double]
            // A line graph over the memory budget leaves the centralities out, as the
            // element limit does.
            switch Result(catching: { () throws(HypergraphError) -> [Double] in try h.sBetweennessCentrality(s: 1, edges: edges, context: context) }) {
            case .success(let values): betweenness = values
            case .failure(let error): if error.code == .tooLarge { continue } else { throw error }
            }
            let ranked = Array(betweenness.indices.sorted { betweenness[$0] != betweenness[$1] ? betweenness[$0] > betweenness[$1] : $0 < $1 }.prefix(top))
            let key = String(vertices.rawValue.dropLast())
            tables.append(NamedTable("top_\(vertices.rawValue)_betweenness",
                                     try RecordBatch([(key, h.ids(ranked, vertices)), ("betweenness", .double(DoubleColumn(ranked.map { betweenness[$0] })))])))
            if metrics { centralities[vertices] = (betweenness, try h.sClosenessCentrality(s: 1, edges: edges, context: context)) }
        }
        if metrics {
            for vertices in [Vertices.nodes, .edges] {
                let table = try h.metricsTable(edges: vertices == .edges, centralities: centralities[vertices], context: context)
                tables.append(NamedTable("\(String(vertices.rawValue.dropLast()))_metrics", table))
            }
        }
        scalars.append(NamedScalar("centrality_limit", .int(Int64(Self.reportCentralityLimit))))
        return OperationResult(tables: tables, scalars: scalars)
    }
}
