extension Hypergraph {
    /// The s-connected components (HyperNetX `s_connected_components`): the connected
    /// components of the s-line graph of edges (`edges: true`) or of nodes.
    ///
    /// Every element is a vertex of the s-line graph, so with `includeSingletons` the
    /// components partition all edges (or nodes); without it, one-element components are
    /// left out, as HyperNetX's default `return_singletons=False`.
    ///
    /// - Returns: components, each ascending, ordered by their smallest element.
    /// - Precondition: `s >= 1`.
    public func sConnectedComponents(s: Int = 1, edges: Bool = true, includeSingletons: Bool = false) -> [[Int]] {
        precondition(s >= 1, "s must be at least 1")
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
            let (rows, back) = edges ? (edgeMembers, nodeMemberships) : (nodeMemberships, edgeMembers)
            sets = UnionFind(count: rows.rowCount)
            var counter = OverlapCounter(elements: rows.rowCount)
            for a in 0..<rows.rowCount where rows.count(a) >= s {
                counter.forEachNeighbor(of: a, s: s, through: rows, back: back, onlyGreater: true) { b, _ in sets.union(a, b) }
            }
        }
        let groups = sets.groups()
        return includeSingletons ? groups : groups.filter { $0.count > 1 }
    }

    /// True when the s-line graph (of nodes by default, as HyperNetX `is_connected`) is
    /// connected; false for a hypergraph without elements.
    public func isConnected(s: Int = 1, edges: Bool = false) -> Bool {
        let count = edges ? edgeCount : nodeCount
        guard count > 0 else { return false }
        return sConnectedComponents(s: s, edges: edges, includeSingletons: true).count == 1
    }
}
