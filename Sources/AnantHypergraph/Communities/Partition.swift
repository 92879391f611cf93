/// A partition of a hypergraph's nodes into parts (communities): the part of every node.
public struct Partition: Sendable, Hashable {
    /// The part of every node (dense index), 0 ..< partCount.
    public let parts: [Int32]
    /// The number of parts.
    public let partCount: Int

    /// A partition from the part of every node; part numbers are renumbered 0, 1, ... in
    /// order of first appearance.
    public init(parts: [Int]) {
        var renumber = [Int: Int32]()
        self.parts = parts.map { p in
            if let known = renumber[p] { return known }
            let next = Int32(renumber.count)
            renumber[p] = next
            return next
        }
        partCount = renumber.count
    }

    /// A partition from its parts (node indices); every one of `nodeCount` nodes must be
    /// in exactly one part.
    public init(sets: [[Int]], nodeCount: Int) throws(HypergraphError) {
        var parts = [Int](repeating: -1, count: nodeCount)
        for (k, set) in sets.enumerated() {
            for v in set {
                guard v >= 0 && v < nodeCount else {
                    throw HypergraphError(.invalidArgument, "a part names node index \(v), outside 0..<\(nodeCount)")
                }
                guard parts[v] < 0 else { throw HypergraphError(.invalidArgument, "node index \(v) is in two parts") }
                parts[v] = k
            }
        }
        if let missing = parts.firstIndex(of: -1) {
            throw HypergraphError(.invalidArgument, "node index \(missing) is in no part: a partition must cover every node")
        }
        self.init(parts: parts)
    }

    /// The parts as sets of node indices, each ascending, in part order.
    public var sets: [[Int]] {
        var out = [[Int]](repeating: [], count: partCount)
        for (v, p) in parts.enumerated() { out[Int(p)].append(v) }
        return out
    }
}
