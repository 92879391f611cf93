extension Hypergraph {
    /// The edges not contained in any other edge, one per group of duplicates (the first),
    /// ascending (HyperNetX `toplexes`, which lists the same set in discovery order).
    ///
    /// An edge is checked only against the edges through its rarest node, so the cost is
    /// near-linear in the incidences for sparse hypergraphs.
    public func toplexes() -> [Int] {
        var stamp = [Int32](repeating: -1, count: nodeCount)
        let anyNonEmpty = (0..<edgeCount).contains { edgeMembers.count($0) > 0 }
        var firstEmptyEdge: Int? = nil
        var result = [Int]()
        for e in 0..<edgeCount {
            let size = edgeMembers.count(e)
            if size == 0 {
                // An empty edge lies in every edge; it is maximal only when all edges are empty.
                if !anyNonEmpty && firstEmptyEdge == nil {
                    firstEmptyEdge = e
                    result.append(e)
                }
                continue
            }
            var rarest = Int(edgeMembers[e].first!)
            for v in edgeMembers[e] {
                stamp[Int(v)] = Int32(e)
                if nodeMemberships.count(Int(v)) < nodeMemberships.count(rarest) { rarest = Int(v) }
            }
            var maximal = true
            for f32 in nodeMemberships[rarest] where Int(f32) != e {
                let f = Int(f32)
                let otherSize = edgeMembers.count(f)
                if otherSize < size || (otherSize == size && f > e) { continue }
                var shared = 0
                for u in edgeMembers[f] where stamp[Int(u)] == Int32(e) { shared += 1 }
                if shared == size {
                    maximal = false
                    break
                }
            }
            if maximal { result.append(e) }
        }
        return result
    }

    /// Edges of size 1 whose node lies in no other edge, ascending (HyperNetX `singletons`).
    public func singletons() -> [Int] {
        (0..<edgeCount).filter { e in
            edgeMembers.count(e) == 1 && nodeMemberships.count(Int(edgeMembers[e].first!)) == 1
        }
    }

    /// This hypergraph without its singleton edges (and so without their nodes), as
    /// HyperNetX `remove_singletons`.
    public func removingSingletons() -> Hypergraph {
        let singles = Set(singletons())
        return restricted(toEdges: (0..<edgeCount).filter { !singles.contains($0) })
    }
}
