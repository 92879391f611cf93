import AnantColumnar

extension Hypergraph {
    /// The s-connected components (HyperNetX `s_connected_components`): the connected
    /// components of the s-line graph of edges (`edges: true`) or of nodes.
    ///
    /// Every element is a vertex of the s-line graph, so with `includeSingletons` the
    /// components partition all edges (or nodes); without it, one-element components are
    /// left out, as HyperNetX's default `return_singletons=False`.
    ///
    /// - Returns: components, each ascending, ordered by their smallest element.
    /// - Throws: `invalidArgument` for s < 1; `interrupted` when the context stops the work.
    public func sConnectedComponents(s: Int = 1, edges: Bool = true, includeSingletons: Bool = false,
                                     context: ExecutionContext = .default) throws(HypergraphError) -> [[Int]] {
        try HypergraphError.validate(s: s)
        var sets: UnionFind
        if s == 1 {
            // Edges sharing a node are 1-adjacent, so one union-find over the nodes of every
            // edge gives the node components and, through any member, the edge components.
            var nodeSets = UnionFind(count: nodeCount)
            for e in 0..<edgeCount {
                let row = edgeMembers[e]
                guard let first = row.first else { continue }
                for v in row.dropFirst() { nodeSets.union(Int(first), Int(v)) }
            }
            if edges {
                sets = UnionFind(count: edgeCount)
                var edgeOfRoot = [Int32](repeating: -1, count: nodeCount)
                for e in 0..<edgeCount {
                    guard let first = edgeMembers[e].first else { continue }
                    let root = nodeSets.find(Int(first))
                    if edgeOfRoot[root] < 0 { edgeOfRoot[root] = Int32(e) } else { sets.union(Int(edgeOfRoot[root]), e) }
                }
            } else {
                sets = nodeSets
            }
        } else {
            // Overlap counting on every core, each worker uniting pairs in its own sets;
            // the workers' sets are merged at the end.
            let (rows, back) = edges ? (edgeMembers, nodeMemberships) : (nodeMemberships, edgeMembers)
            let n = rows.rowCount
            let scratch = WorkerScratch(threads: context.threads) { (sets: UnionFind(count: n), counter: OverlapCounter(elements: n)) }
            let (sharedRows, sharedBack) = (UncheckedSendable(rows), UncheckedSendable(back))
            try context.forEachChunk(count: n, chunk: Swift.max(64, n / (context.threads * 16))) { worker, range in
                scratch.with(worker) { state in
                    for a in range where sharedRows.value.count(a) >= s {
                        state.counter.forEachNeighbor(of: a, s: s, through: sharedRows.value, back: sharedBack.value, onlyGreater: true) { b, _ in
                            state.sets.union(a, b)
                        }
                    }
                }
            }
            sets = UnionFind(count: n)
            for var partial in scratch.values.map(\.sets) {
                for v in 0..<n { sets.union(v, partial.find(v)) }
            }
        }
        let groups = sets.groups()
        return includeSingletons ? groups : groups.filter { $0.count > 1 }
    }

    /// True when the s-line graph (of nodes by default, as HyperNetX `is_connected`) is
    /// connected; false for a hypergraph without elements.
    public func isConnected(s: Int = 1, edges: Bool = false, context: ExecutionContext = .default) throws(HypergraphError) -> Bool {
        let count = edges ? edgeCount : nodeCount
        guard count > 0 else { return false }
        return try sConnectedComponents(s: s, edges: edges, includeSingletons: true, context: context).count == 1
    }

    /// The s-component subgraphs (HyperNetX `s_component_subgraphs`): per s-component, the
    /// hypergraph restricted to its edges (or nodes), named "name:index".
    public func sComponentSubgraphs(s: Int = 1, edges: Bool = true, includeSingletons: Bool = false,
                                    context: ExecutionContext = .default) throws(HypergraphError) -> [Hypergraph] {
        try sConnectedComponents(s: s, edges: edges, includeSingletons: includeSingletons, context: context).enumerated().map { k, members in
            var part = edges ? restricted(toEdges: members) : restricted(toNodes: members)
            part.name = "\(name ?? "None"):\(k)"
            return part
        }
    }
}
