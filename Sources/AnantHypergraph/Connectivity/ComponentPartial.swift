import AnantColumnar

/// The unions found over a range of source vertices (a work range of the planner): merged
/// with the partials of the other ranges, in any order, they give the s-components of the
/// whole s-line graph, exactly those of `sConnectedComponents`.
///
/// For s = 1 the sets are over nodes (every edge joins its nodes, which gives both the node
/// components and, through any member, the edge components); for s ≥ 2 over the vertices of
/// the s-line graph.
public struct ComponentPartial: Sendable {
    let s: Int
    let ofEdges: Bool
    var sets: UnionFind

    /// Its s, whether edges were asked for, and how many elements its sets hold.
    public var shape: (s: Int, ofEdges: Bool, count: Int) { (s, ofEdges, sets.count) }

    /// The partial as plain values, to carry it elsewhere (the wire's `ComponentsPartial`):
    /// its s, whether edges were asked for, and the root of every element.
    public var state: (s: Int, ofEdges: Bool, roots: [Int32]) {
        var sets = self.sets
        return (s, ofEdges, (0..<sets.count).map { Int32(sets.find($0)) })
    }

    /// The partial whose `state` is given: every element joined to its root.
    ///
    /// - Throws: `invalidArgument` for s < 1 or a root that is not an element.
    public init(s: Int, ofEdges: Bool, roots: [Int32]) throws(HypergraphError) {
        try HypergraphError.validate(s: s)
        var sets = UnionFind(count: roots.count)
        for (v, root) in roots.enumerated() {
            guard root >= 0, Int(root) < roots.count else {
                throw HypergraphError(.invalidArgument, "component partial: the root \(root) of element \(v) is not one of the \(roots.count) elements")
            }
            sets.union(v, Int(root))
        }
        self.init(s: s, ofEdges: ofEdges, sets: sets)
    }

    init(s: Int, ofEdges: Bool, sets: UnionFind) {
        self.s = s
        self.ofEdges = ofEdges
        self.sets = sets
    }

    /// Adds another range's unions.
    public mutating func merge(_ other: ComponentPartial) throws(HypergraphError) {
        guard other.sets.count == sets.count, other.s == s, other.ofEdges == ofEdges else {
            throw HypergraphError(.invalidArgument, "component partials of different shapes: \(sets.count) and \(other.sets.count) elements")
        }
        absorb(other)
    }

    /// Adds the unions of a partial of the same shape.
    mutating func absorb(_ other: ComponentPartial) {
        var other = other
        for v in 0..<sets.count { sets.union(v, other.sets.find(v)) }
    }

    /// The components, each ascending, ordered by their smallest element; one-element
    /// components only with `includeSingletons`.
    public func components(of h: Hypergraph, includeSingletons: Bool) -> [[Int]] {
        var sets = self.sets
        if s == 1 && ofEdges {
            // Edges through the components of their first node; empty edges stay alone.
            var edgeSets = UnionFind(count: h.edgeCount)
            var edgeOfRoot = [Int32](repeating: -1, count: h.nodeCount)
            for e in 0..<h.edgeCount {
                guard let first = h.edgeMembers[e].first else { continue }
                let root = sets.find(Int(first))
                if edgeOfRoot[root] < 0 { edgeOfRoot[root] = Int32(e) } else { edgeSets.union(Int(edgeOfRoot[root]), e) }
            }
            sets = edgeSets
        }
        let groups = sets.groups()
        return includeSingletons ? groups : groups.filter { $0.count > 1 }
    }
}

extension Hypergraph {
    /// The unions of the s-components found from the sources in `sources`: for s = 1 the
    /// nodes of the edges in the range (of edges, whichever vertices are asked for); for
    /// s ≥ 2 each source with its s-neighbours above it.
    ///
    /// - Throws: `invalidArgument` for s < 1; `interrupted` when the context stops the work.
    public func sComponentPartial(s: Int, edges: Bool, sources: Range<Int>,
                                  context: ExecutionContext = .default) throws(HypergraphError) -> ComponentPartial {
        try HypergraphError.validate(s: s)
        if s == 1 {
            var nodeSets = UnionFind(count: nodeCount)
            for e in sources.clamped(to: 0..<edgeCount) {
                let row = edgeMembers[e]
                guard let first = row.first else { continue }
                for v in row.dropFirst() { nodeSets.union(Int(first), Int(v)) }
            }
            return ComponentPartial(s: s, ofEdges: edges, sets: nodeSets)
        }
        // Overlap counting on the context's threads, each worker uniting pairs in its own
        // sets; the workers' sets are merged at the end.
        let (rows, back) = edges ? (edgeMembers, nodeMemberships) : (nodeMemberships, edgeMembers)
        let n = rows.rowCount
        let range = sources.clamped(to: 0..<n)
        let scratch = WorkerScratch(threads: context.threads) { (sets: UnionFind(count: n), counter: OverlapCounter(elements: n)) }
        let (sharedRows, sharedBack) = (UncheckedSendable(rows), UncheckedSendable(back))
        let first = range.lowerBound
        try context.forEachChunk(count: range.count, chunk: Swift.max(64, range.count / (context.threads * 16))) { worker, chunk in
            scratch.with(worker) { state in
                for a in (chunk.lowerBound + first)..<(chunk.upperBound + first) where sharedRows.value.count(a) >= s {
                    state.counter.forEachNeighbor(of: a, s: s, through: sharedRows.value, back: sharedBack.value, onlyGreater: true) { b, _ in
                        state.sets.union(a, b)
                    }
                }
            }
        }
        var partial = ComponentPartial(s: s, ofEdges: edges, sets: UnionFind(count: n))
        for sets in scratch.values.map(\.sets) { partial.absorb(ComponentPartial(s: s, ofEdges: edges, sets: sets)) }
        return partial
    }
}
