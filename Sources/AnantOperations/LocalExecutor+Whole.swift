import AnantColumnar
import AnantHypergraph

// Operations that run whole, on one worker.
extension LocalExecutor {
    func whole(_ operation: Operation, on h: Hypergraph) throws -> OperationResult {
        switch operation {
        case .info(let node, let edge):
            return try info(node: node, edge: edge, h)
        case .degree(let s, let maxSize, let nodes):
            let selected = nodes.isEmpty ? Array(0..<h.nodeCount) : try ElementReference.nodes(nodes, in: h, lists: true)
            let degrees = try h.degrees(s: s, maxSize: maxSize)
            return try Self.table("degrees", [("node", h.ids(selected, .nodes)), ("degree", .int64(Int64Column(selected.map { Int64(degrees[$0]) })))])
        case .neighbors(let s, let nodes):
            let queried = try ElementReference.nodes(nodes, in: h, lists: true)
            return try Self.neighbors(queried, try queried.map { try h.neighbors(ofNode: $0, s: s) }, .nodes, h)
        case .edgeNeighbors(let s, let edges):
            let queried = try ElementReference.edges(edges, in: h, lists: true)
            return try Self.neighbors(queried, try queried.map { try h.edgeNeighbors(ofEdge: $0, s: s) }, .edges, h)
        case .distance(let s, let vertices, let from, let to):
            let ends = vertices == .edges ? try ElementReference.edges([from, to], in: h) : try ElementReference.nodes([from, to], in: h)
            let d = vertices == .edges ? try h.sDistance(fromEdge: ends[0], toEdge: ends[1], s: s, context: context)
                : try h.sDistance(fromNode: ends[0], toNode: ends[1], s: s, context: context)
            let ids = vertices == .edges ? (h.edges[ends[0]], h.edges[ends[1]]) : (h.nodes[ends[0]], h.nodes[ends[1]])
            return OperationResult(scalars: [NamedScalar("from", Self.id(ids.0)), NamedScalar("to", Self.id(ids.1)),
                                             NamedScalar("s", .int(Int64(s))), NamedScalar("distance", d.map { .int(Int64($0)) } ?? .null)])
        case .centrality(let measure, let s, let vertices, let raw, let normalized, let withoutSingletons, let top, _, let approximation?):
            let edges = vertices == .edges
            let values: [Double], samples: Int
            switch measure {
            case .betweenness:
                let estimate = try h.sApproximateBetweenness(s: s, edges: edges, approximation, context: context)
                (values, samples) = (raw ? estimate.raw : estimate.normalized, estimate.samples)
            case .closeness, .harmonic:
                let estimate = try h.sApproximateReach(s: s, edges: edges, approximation, context: context)
                let factor = normalized ? Self.pairFactor(edges ? h.edgeCount : h.nodeCount) : 1
                values = measure == .closeness ? estimate.closeness : estimate.harmonic.map { $0 * factor }
                samples = estimate.searches
            default:
                throw OperationError(.invalidArgument, "centrality: \(measure.rawValue) is computed exactly, not approximated")
            }
            var result = try centrality(measure, values, s: s, vertices, withoutSingletons: withoutSingletons, top: top, h)
            result.scalars += [NamedScalar("epsilon", .double(approximation.epsilon)), NamedScalar("delta", .double(approximation.delta)),
                               NamedScalar("seed", .int(Int64(bitPattern: approximation.seed))),
                               NamedScalar(measure == .betweenness ? "sampled_paths" : "searches", .int(Int64(samples)))]
            return result
        case .centrality(let measure, let s, let vertices, _, _, let withoutSingletons, let top, _, nil):
            let values: [Double]
            switch measure {
            case .cec: values = try h.cliqueEigenvectorCentrality()
            case .hec: values = try h.hEigenvectorCentrality()
            case .zec: values = try h.zEigenvectorCentrality()
            case .katz: values = try h.katzCentrality()
            case .nodeEdge:
                let both = try h.nodeEdgeCentrality()
                values = vertices == .edges ? both.edges : both.nodes
            case .clustering: values = h.clusteringCoefficients()
            case .betweenness, .closeness, .harmonic, .eccentricity:
                throw OperationError(.invalidArgument, "centrality: \(measure.rawValue) runs over source ranges, not whole")
            }
            return try centrality(measure, values, s: s, vertices, withoutSingletons: withoutSingletons, top: top, h)
        case .toplexes:
            return try Self.edgeListing(h.toplexes(), h)
        case .singletons:
            return try Self.edgeListing(h.singletons(), h)
        case .collapse(let vertices, let useCounts):
            let result = vertices == .edges ? h.collapsedEdges(useCounts: useCounts) : h.collapsedNodes(useCounts: useCounts)
            var names = [ElementID](), members = [Int]()
            for (name, group) in zip(result.representatives, result.classes) {
                names += repeatElement(name, count: group.count)
                members += group
            }
            var out = Self.hypergraph(result.hypergraph)
            out.tables.insert(NamedTable("classes", try RecordBatch([("class", ElementReference.column(names)),
                                                                       (String(vertices.rawValue.dropLast()), h.ids(members, vertices))])), at: 0)
            out.scalars.append(NamedScalar("of", .int(Int64(vertices == .edges ? h.edgeCount : h.nodeCount))))
            return out
        case .dual:
            return Self.hypergraph(h.dual())
        case .restrict(let vertices, let ids):
            return Self.hypergraph(vertices == .edges ? h.restricted(toEdges: try ElementReference.edges(ids, in: h, lists: true))
                                                      : h.restricted(toNodes: try ElementReference.nodes(ids, in: h, lists: true)))
        case .modularity(let entries, let weighting):
            let (partition, labels, sets) = try Self.partition(entries, h)
            let q = try h.modularity(partition, weighting: weighting)
            let conductances: [Double?] = sets.map { set in partition.partCount > 1 ? try? h.conductance(of: set) : nil }
            let conductance = Column.double(DoubleColumn(conductances.map { $0 ?? 0 }, validity: Bitmap(conductances.map { $0 != nil })))
            return OperationResult(
                tables: [NamedTable("parts", try RecordBatch([("part", .string(StringColumn(labels))),
                                                               ("nodes", .int64(Int64Column(sets.map { Int64($0.count) }))),
                                                               ("conductance", conductance)]))],
                scalars: [NamedScalar("modularity", .double(q)), NamedScalar("wdc", .string(weighting.rawValue)),
                          NamedScalar("parts", .int(Int64(partition.partCount)))])
        case .communities(let method, let entries, let weighting, let delta, let seed):
            var result = try entries.map { try Self.partition($0, h).0 } ?? h.kumarCommunities(delta: delta, context: context)
            if method == .lastStep { result = try h.lastStep(result, weighting: weighting, delta: delta, seed: seed, context: context) }
            let q = try h.modularity(result, weighting: weighting)
            let sets = Hypergraph.inNumberingOrder(result.sets)
            var number = [Int64](), members = [Int]()
            for (k, set) in sets.enumerated() {
                number += repeatElement(Int64(k + 1), count: set.count)
                members += set
            }
            return OperationResult(tables: [NamedTable("communities", try RecordBatch([("community", .int64(Int64Column(number))),
                                                                                        ("node", h.ids(members, .nodes))]))],
                                   scalars: [NamedScalar("modularity", .double(q)), NamedScalar("wdc", .string(weighting.rawValue)),
                                             NamedScalar("count", .int(Int64(sets.count)))])
        case .report(let top, let metrics, let source):
            return try report(h, top: top, metrics: metrics, source: source)
        case .query(let spec):
            return try query(spec, on: OperationInput(h)).result
        case .components, .lineGraph, .diameter:
            throw OperationError(.invalidArgument, "\(operation.name) runs over source ranges, not whole")
        }
    }

    private func info(node: String?, edge: String?, _ h: Hypergraph) throws -> OperationResult {
        if let node {
            let v = try ElementReference.nodes([node], in: h)[0]
            let memberships = h.nodeMemberships[v].map(Int.init)
            return OperationResult(
                tables: [NamedTable("memberships", try RecordBatch([("edge", h.ids(memberships, .edges))])),
                         NamedTable("neighbors", try RecordBatch([("node", h.ids(try h.neighbors(ofNode: v), .nodes))]))],
                scalars: [NamedScalar("node", Self.id(h.nodes[v])), NamedScalar("degree", .int(Int64(memberships.count)))])
        }
        if let edge {
            let e = try ElementReference.edges([edge], in: h)[0]
            let members = h.edgeMembers[e].map(Int.init)
            return OperationResult(tables: [NamedTable("nodes", try RecordBatch([("node", h.ids(members, .nodes))]))],
                                   scalars: [NamedScalar("edge", Self.id(h.edges[e])), NamedScalar("size", .int(Int64(members.count)))])
        }
        let info = h.info()
        return OperationResult(scalars: [
            NamedScalar("nodes", .int(Int64(info.nodeCount))), NamedScalar("edges", .int(Int64(info.edgeCount))),
            NamedScalar("incidences", .int(Int64(info.incidenceCount))),
            NamedScalar("aspect_ratio", info.aspectRatio.map(ScalarValue.double) ?? .null),
            NamedScalar("density", info.density.map(ScalarValue.double) ?? .null),
        ])
    }

    /// A hypergraph as a result: its incidence, node and edge tables, its counts and its
    /// facts (`OperationResult.hypergraph()` rebuilds it).
    static func hypergraph(_ h: Hypergraph) -> OperationResult {
        OperationResult(tables: [NamedTable("incidences", h.incidenceTable()), NamedTable("nodes", h.nodeTable()), NamedTable("edges", h.edgeTable())],
                        scalars: [NamedScalar("nodes", .int(Int64(h.nodeCount))), NamedScalar("edges", .int(Int64(h.edgeCount))),
                                  NamedScalar("incidences", .int(Int64(h.incidenceCount))), NamedScalar("facts", .json(.object(h.facts)))])
    }

    /// A partition from a request's entries (every node in exactly one part): the partition, its part labels in the order the entries first name
    /// them, and each labelled part's nodes (the labels' order, not the partition's).
    static func partition(_ entries: [PartitionEntry], _ h: Hypergraph) throws -> (Partition, [String], [[Int]]) {
        var part = [Int](repeating: -1, count: h.nodeCount)
        var labels = [String](), number = [String: Int]()
        for entry in entries {
            let v = try ElementReference.nodes([entry.node], in: h)[0]
            guard part[v] < 0 else { throw OperationError(.invalidArgument, "node '\(h.nodes[v])' is in two parts") }
            if number[entry.part] == nil { number[entry.part] = labels.count; labels.append(entry.part) }
            part[v] = number[entry.part]!
        }
        if let missing = part.firstIndex(of: -1) {
            throw OperationError(.invalidArgument, "node '\(h.nodes[missing])' is in no part; a partition must cover every node")
        }
        var sets = [[Int]](repeating: [], count: labels.count)
        for (v, p) in part.enumerated() { sets[p].append(v) }
        return (Partition(parts: part), labels, sets)
    }

    /// One row per (queried element, neighbour) pair, and each queried element's count.
    static func neighbors(_ queried: [Int], _ lists: [[Int]], _ vertices: Vertices, _ h: Hypergraph) throws -> OperationResult {
        let key = String(vertices.rawValue.dropLast())
        var owners = [Int](), found = [Int]()
        for (q, list) in zip(queried, lists) {
            owners += repeatElement(q, count: list.count)
            found += list
        }
        return OperationResult(tables: [
            NamedTable("neighbors", try RecordBatch([(key, h.ids(owners, vertices)), ("neighbor", h.ids(found, vertices))])),
            NamedTable("counts", try RecordBatch([(key, h.ids(queried, vertices)), ("count", .int64(Int64Column(lists.map { Int64($0.count) })))])),
        ])
    }

    /// Edges with their sizes, and their members one row each.
    static func edgeListing(_ edges: [Int], _ h: Hypergraph) throws -> OperationResult {
        var owners = [Int](), members = [Int]()
        for e in edges {
            let row = h.edgeMembers[e].map(Int.init)
            owners += repeatElement(e, count: row.count)
            members += row
        }
        return OperationResult(tables: [
            NamedTable("edges", try RecordBatch([("edge", h.ids(edges, .edges)), ("size", .int64(Int64Column(edges.map { Int64(h.edgeMembers.count($0)) })))])),
            NamedTable("members", try RecordBatch([("edge", h.ids(owners, .edges)), ("node", h.ids(members, .nodes))])),
        ], scalars: [NamedScalar("of", .int(Int64(h.edgeCount)))])
    }
}
