import AnantColumnar

/// A collapsed hypergraph and the equivalence classes it came from.
public struct CollapseResult: Sendable {
    /// The hypergraph with one element per class.
    public let hypergraph: Hypergraph
    /// The classes as dense indices of the original hypergraph, each ascending, ordered by
    /// their first member (the representative).
    public let classes: [[Int]]
    /// For class `k`, the id of its element in `hypergraph` (the representative's id, or
    /// "id:size" with `useCounts`).
    public let representatives: [ElementID]
}

extension Hypergraph {
    /// Groups edges with identical node sets; classes are ascending and ordered by their
    /// first edge (HyperNetX `equivalence_classes`, whose groups follow sorted labels).
    public func edgeEquivalenceClasses() -> [[Int]] {
        Hypergraph.equivalenceClasses(edgeMembers)
    }

    /// Groups nodes that lie in exactly the same edges.
    public func nodeEquivalenceClasses() -> [[Int]] {
        Hypergraph.equivalenceClasses(nodeMemberships)
    }

    static func equivalenceClasses(_ rows: CSR) -> [[Int]] {
        var classOf = [ArraySlice<Int32>: Int]()
        var classes = [[Int]]()
        for row in 0..<rows.rowCount {
            let key = rows[row]
            if let existing = classOf[key] {
                classes[existing].append(row)
            } else {
                classOf[key] = classes.count
                classes.append([row])
            }
        }
        return classes
    }

    /// Collapses edges with identical node sets into their first edge (HyperNetX
    /// `collapse_edges`): edge weights and the weights of matching incidences are summed,
    /// other properties come from the representative, and the edge property
    /// `equivalence_class_size` holds each class size. With `useCounts` the representative
    /// is renamed "id:size".
    public func collapsedEdges(useCounts: Bool = false) -> CollapseResult {
        let classes = edgeEquivalenceClasses()
        let representatives = classes.map { $0[0] }
        let kept = subhypergraph(keptNodes: Array(0..<nodeCount), keptEdges: representatives)

        let edgeWeight = edgeWeights()
        let summedEdgeWeights = classes.map { members in members.reduce(0.0) { $0 + edgeWeight[$1] } }
        let incidenceWeight = incidenceWeights()
        var summedIncidenceWeights = [Double]()
        summedIncidenceWeights.reserveCapacity(kept.incidenceCount)
        for members in classes {
            for k in 0..<edgeMembers.count(members[0]) {
                summedIncidenceWeights.append(members.reduce(0.0) { $0 + incidenceWeight[edgeMembers.offsets[$1] + k] })
            }
        }
        var result = kept
        result.edgeProperties = try! kept.edgeProperties
            .setting("weight", .double(DoubleColumn(summedEdgeWeights)))
            .setting("equivalence_class_size", .int64(Int64Column(classes.map { Int64($0.count) })))
        result.incidenceProperties = try! kept.incidenceProperties.setting("weight", .double(DoubleColumn(summedIncidenceWeights)))
        guard useCounts else {
            return CollapseResult(hypergraph: result, classes: classes, representatives: representatives.map { edges[$0] })
        }
        let names = zip(representatives, classes).map { ElementID.string("\(edges[$0.0]):\($0.1.count)") }
        return CollapseResult(hypergraph: result.renamingEdges(names), classes: classes, representatives: names)
    }

    /// Collapses nodes that lie in exactly the same edges (HyperNetX `collapse_nodes`):
    /// the mirror image of `collapsedEdges`, with `equivalence_class_size` on nodes.
    public func collapsedNodes(useCounts: Bool = false) -> CollapseResult {
        let collapsed = dual().collapsedEdges(useCounts: useCounts)
        return CollapseResult(hypergraph: collapsed.hypergraph.dual(), classes: collapsed.classes,
                              representatives: collapsed.representatives)
    }

    /// This hypergraph with edge `k` renamed `names[k]` (names unique); rows are re-sorted
    /// into the order of the new ids.
    func renamingEdges(_ names: [ElementID]) -> Hypergraph {
        let encoded = IDEncoder(context: .default).encode([.mixed(names)])
        var order = [Int](repeating: 0, count: names.count)
        for (old, new) in encoded.codes[0].enumerated() { order[Int(new)] = old }
        var offsets = [0]
        var members = [Int32]()
        var slots = [Int]()
        for old in order {
            for slot in edgeMembers.offsets[old]..<edgeMembers.offsets[old + 1] {
                members.append(edgeMembers.members[slot])
                slots.append(slot)
            }
            offsets.append(members.count)
        }
        return Hypergraph(
            nodes: nodes, edges: encoded.dictionary, edgeMembers: CSR(offsets: offsets, members: members),
            nodeProperties: nodeProperties, edgeProperties: edgeProperties.gather(order),
            incidenceProperties: incidenceProperties.gather(slots), defaultWeights: defaultWeights,
            networkType: networkType, metadata: metadata, name: name)
    }
}
