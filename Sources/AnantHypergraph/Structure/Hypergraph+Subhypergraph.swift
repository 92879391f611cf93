import AnantColumnar

extension Hypergraph {
    /// The part of this hypergraph on the given nodes and edges, keeping the incidences
    /// between them that `keep(slot)` accepts. Indices keep their relative order, so the
    /// result needs no re-sorting; properties follow their elements.
    ///
    /// - Parameters:
    ///   - keptNodes: node indices to keep, ascending.
    ///   - keptEdges: edge indices to keep, ascending.
    ///   - keep: decides, for an incidence slot of `edgeMembers` between a kept edge and a
    ///     kept node, whether it stays.
    func subhypergraph(keptNodes: [Int], keptEdges: [Int], keep: (Int) -> Bool = { _ in true }) -> Hypergraph {
        var newNode = [Int32](repeating: -1, count: nodeCount)
        for (position, node) in keptNodes.enumerated() { newNode[node] = Int32(position) }
        var offsets = [Int]()
        offsets.reserveCapacity(keptEdges.count + 1)
        offsets.append(0)
        var members = [Int32]()
        var slots = [Int]()
        for edge in keptEdges {
            for slot in edgeMembers.offsets[edge]..<edgeMembers.offsets[edge + 1] {
                let mapped = newNode[Int(edgeMembers.members[slot])]
                if mapped >= 0 && keep(slot) {
                    members.append(mapped)
                    slots.append(slot)
                }
            }
            offsets.append(members.count)
        }
        return Hypergraph(
            nodes: nodes.subset(keptNodes), edges: edges.subset(keptEdges),
            edgeMembers: CSR(offsets: offsets, members: members),
            nodeProperties: nodeProperties.gather(keptNodes), edgeProperties: edgeProperties.gather(keptEdges),
            incidenceProperties: incidenceProperties.gather(slots), defaultWeights: defaultWeights,
            networkType: networkType, metadata: metadata, name: name)
    }

    /// The sub-hypergraph on the nodes `nodeIndices`: their incidences are kept, edges left
    /// with none of these nodes vanish (HyperNetX `restrict_to_nodes`).
    public func restricted(toNodes nodeIndices: some Sequence<Int>) -> Hypergraph {
        let keptNodes = Array(Set(nodeIndices)).sorted()
        var isKept = [Bool](repeating: false, count: nodeCount)
        for node in keptNodes { isKept[node] = true }
        let keptEdges = (0..<edgeCount).filter { e in edgeMembers[e].contains { isKept[Int($0)] } }
        return subhypergraph(keptNodes: keptNodes, keptEdges: keptEdges)
    }

    /// The sub-hypergraph of the edges `edgeIndices` with all their nodes; nodes in none of
    /// them vanish (HyperNetX `restrict_to_edges`).
    public func restricted(toEdges edgeIndices: some Sequence<Int>) -> Hypergraph {
        let keptEdges = Array(Set(edgeIndices)).sorted()
        var isKept = [Bool](repeating: false, count: nodeCount)
        for edge in keptEdges { for node in edgeMembers[edge] { isKept[Int(node)] = true } }
        let keptNodes = (0..<nodeCount).filter { isKept[$0] }
        return subhypergraph(keptNodes: keptNodes, keptEdges: keptEdges)
    }

    /// The incidences of this hypergraph that also occur in `other` (matched by ids), with
    /// the elements they join and this hypergraph's properties (HyperNetX `intersection`).
    public func intersection(_ other: Hypergraph) -> Hypergraph {
        keepingIncidences { other.containsIncidence(edge: $0, node: $1) }
    }

    /// The incidences of this hypergraph that do not occur in `other`, with the elements
    /// they join and this hypergraph's properties (HyperNetX `difference`).
    public func difference(_ other: Hypergraph) -> Hypergraph {
        keepingIncidences { !other.containsIncidence(edge: $0, node: $1) }
    }

    /// True when this hypergraph has an incidence between edge id `edge` and node id `node`.
    public func containsIncidence(edge: ElementID, node: ElementID) -> Bool {
        guard let e = edges.index(of: edge), let v = nodes.index(of: node) else { return false }
        return edgeMembers.contains(row: e, member: Int32(v))
    }

    /// The sub-hypergraph of the incidences accepted by `keep(edge id, node id)`; elements
    /// left without incidences vanish.
    private func keepingIncidences(_ keep: (ElementID, ElementID) -> Bool) -> Hypergraph {
        var keptSlot = [Bool](repeating: false, count: incidenceCount)
        var nodeUsed = [Bool](repeating: false, count: nodeCount)
        var edgeUsed = [Bool](repeating: false, count: edgeCount)
        for e in 0..<edgeCount {
            let edgeID = edges[e]
            for slot in edgeMembers.offsets[e]..<edgeMembers.offsets[e + 1] {
                let v = Int(edgeMembers.members[slot])
                if keep(edgeID, nodes[v]) {
                    keptSlot[slot] = true
                    nodeUsed[v] = true
                    edgeUsed[e] = true
                }
            }
        }
        return subhypergraph(keptNodes: (0..<nodeCount).filter { nodeUsed[$0] },
                             keptEdges: (0..<edgeCount).filter { edgeUsed[$0] },
                             keep: { keptSlot[$0] })
    }
}
