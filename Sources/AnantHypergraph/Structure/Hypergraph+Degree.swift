extension Hypergraph {
    /// The number of edges of size in `s ... maxSize` containing node `node` (HyperNetX
    /// `degree(node, s, max_size)`).
    ///
    /// - Throws: `invalidArgument` for s < 1 or a `maxSize` below 1.
    public func degree(ofNode node: Int, s: Int = 1, maxSize: Int? = nil) throws(HypergraphError) -> Int {
        try HypergraphError.validate(s: s, maxSize: maxSize)
        if s == 1 && maxSize == nil { return nodeMemberships.count(node) }
        let upper = maxSize ?? Int.max
        var total = 0
        for e in nodeMemberships[node] {
            let size = edgeMembers.count(Int(e))
            if size >= s && size <= upper { total += 1 }
        }
        return total
    }

    /// `degree(ofNode:s:maxSize:)` of every node, in dense order.
    public func degrees(s: Int = 1, maxSize: Int? = nil) throws(HypergraphError) -> [Int] {
        try degrees(of: 0..<nodeCount, s: s, maxSize: maxSize)
    }

    /// `degree(ofNode:s:maxSize:)` of the nodes `nodes` (dense indices within
    /// `0 ..< nodeCount`), in order.
    public func degrees(of nodes: Range<Int>, s: Int = 1, maxSize: Int? = nil) throws(HypergraphError) -> [Int] {
        try HypergraphError.validate(s: s, maxSize: maxSize)
        if s == 1 && maxSize == nil { return nodes.map { nodeMemberships.count($0) } }
        let upper = maxSize ?? Int.max
        return nodes.map { v in
            nodeMemberships[v].reduce(0) { total, e in
                let size = edgeMembers.count(Int(e))
                return total + (size >= s && size <= upper ? 1 : 0)
            }
        }
    }

    /// The number of nodes of edge `edge`.
    public func size(ofEdge edge: Int) -> Int { edgeMembers.count(edge) }

    /// The number of nodes of edge `edge` that lie in `nodeset` (HyperNetX
    /// `size(edge, nodeset)`).
    public func size(ofEdge edge: Int, within nodeset: Set<Int>) -> Int {
        edgeMembers[edge].reduce(0) { $0 + (nodeset.contains(Int($1)) ? 1 : 0) }
    }

    /// The degree (number of edges) of every node, in dense order: `degrees()` with no
    /// size bounds, which cannot fail.
    public func nodeDegrees() -> [Int] { (0..<nodeCount).map { nodeMemberships.count($0) } }

    /// The size of every edge, in dense order.
    public func edgeSizes() -> [Int] { (0..<edgeCount).map { edgeMembers.count($0) } }

    /// `size - 1` (HyperNetX `dim`); -1 for an empty edge.
    public func dim(ofEdge edge: Int) -> Int { edgeMembers.count(edge) - 1 }

    /// The nodes other than `node` sharing at least `s` edges with it, ascending (HyperNetX
    /// `neighbors(node, s)`).
    public func neighbors(ofNode node: Int, s: Int = 1) throws(HypergraphError) -> [Int] {
        try HypergraphError.validate(s: s)
        return Hypergraph.sNeighbors(of: node, s: s, through: nodeMemberships, back: edgeMembers, count: nodeCount)
    }

    /// The edges other than `edge` sharing at least `s` nodes with it, ascending (HyperNetX
    /// `edge_neighbors(edge, s)`).
    public func edgeNeighbors(ofEdge edge: Int, s: Int = 1) throws(HypergraphError) -> [Int] {
        try HypergraphError.validate(s: s)
        return Hypergraph.sNeighbors(of: edge, s: s, through: edgeMembers, back: nodeMemberships, count: edgeCount)
    }

    /// Elements sharing at least `s` intermediaries with `element`: walks element →
    /// intermediaries (`through`) → elements (`back`) and counts the overlaps.
    static func sNeighbors(of element: Int, s: Int, through: CSR, back: CSR, count: Int) -> [Int] {
        var overlap = [Int32](repeating: 0, count: count)
        var touched = [Int]()
        for middle in through[element] {
            for other in back[Int(middle)] where Int(other) != element {
                if overlap[Int(other)] == 0 { touched.append(Int(other)) }
                overlap[Int(other)] += 1
            }
        }
        return touched.filter { overlap[$0] >= s }.sorted()
    }
}
