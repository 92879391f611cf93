import AnantColumnar
import AnantHypergraph

/// Seeded random hypergraphs with the features that trip implementations: multi-edges
/// (duplicate node sets under different ids), singleton edges, nodes of degree 1, a few
/// large edges, several components, and ids that are integers or strings.
public struct RandomHypergraphCase: Sendable {
    public var edges: [(ElementID, [ElementID])]
    public var other: [(ElementID, [ElementID])]
    public var queryNodes: [ElementID]
    public var queryEdges: [ElementID]
    public var restrictNodes: [ElementID]
    public var restrictEdges: [ElementID]

    public init(seed: UInt64, edgeCount: Int = 250) {
        var rng = SeededGenerator(seed: seed)
        let intEdges = seed % 2 == 0
        let nodeCount = edgeCount * 3 / 4
        func node(_ i: Int) -> ElementID { intEdges ? .string("v\(i)") : .int(Int64(i * 7 + 3)) }
        func edge(_ i: Int) -> ElementID { intEdges ? .int(Int64(i * 3 + 1)) : .string("e\(i)") }
        var edgeIDs = Array(0..<(edgeCount * 2)).shuffled(using: &rng).prefix(edgeCount).map(edge)
        edgeIDs.shuffle(using: &rng)
        var lists = [[ElementID]]()
        var nextFresh = nodeCount
        for k in 0..<edgeCount {
            let roll = Int.random(in: 0..<100, using: &rng)
            if roll < 10, !lists.isEmpty {
                lists.append(lists[Int.random(in: 0..<lists.count, using: &rng)].shuffled(using: &rng))  // multi-edge
            } else if roll < 15 {
                lists.append([node(nextFresh)])  // singleton edge on a fresh node
                nextFresh += 1
            } else {
                let size = roll < 18 ? Int.random(in: 8...16, using: &rng) : Int.random(in: 1...5, using: &rng)
                // Two communities so that components at s >= 2 are several.
                let half = k % 3 == 0 ? 0..<(nodeCount / 3) : (nodeCount / 3)..<nodeCount
                lists.append((0..<size).map { _ in node(Int.random(in: half, using: &rng)) })
            }
        }
        edges = Array(zip(edgeIDs, lists))
        // The second hypergraph keeps half the edges, alters some, and adds new ones.
        var other = [(ElementID, [ElementID])]()
        for (id, members) in edges where Bool.random(using: &rng) {
            other.append((id, Bool.random(using: &rng) ? members : Array(members.dropLast()) + [node(Int.random(in: 0..<nodeCount, using: &rng))]))
        }
        for k in 0..<20 { other.append((edge(edgeCount * 2 + k), [node(k), node(k + 5)])) }
        self.other = other
        let allNodes = Array(Set(lists.joined())).sorted()
        queryNodes = Array(allNodes.shuffled(using: &rng).prefix(15))
        queryEdges = Array(edgeIDs.shuffled(using: &rng).prefix(15))
        restrictNodes = Array(allNodes.shuffled(using: &rng).prefix(allNodes.count * 2 / 5))
        restrictEdges = Array(edgeIDs.shuffled(using: &rng).prefix(edgeCount * 3 / 10))
    }
}
