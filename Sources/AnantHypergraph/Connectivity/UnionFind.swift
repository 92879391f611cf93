/// Disjoint sets over `0 ..< count` with path halving and union by size.
struct UnionFind: Sendable {
    private var parent: [Int32]
    private var size: [Int32]

    /// The number of elements.
    var count: Int { parent.count }

    init(count: Int) {
        parent = (0..<Int32(count)).map { $0 }
        size = [Int32](repeating: 1, count: count)
    }

    mutating func find(_ x: Int) -> Int {
        var x = Int32(x)
        while parent[Int(x)] != x {
            let grand = parent[Int(parent[Int(x)])]
            parent[Int(x)] = grand
            x = grand
        }
        return Int(x)
    }

    mutating func union(_ a: Int, _ b: Int) {
        var ra = find(a), rb = find(b)
        if ra == rb { return }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = Int32(ra)
        size[ra] += size[rb]
    }

    /// The sets, each ascending, ordered by their smallest element.
    mutating func groups() -> [[Int]] {
        var slot = [Int32](repeating: -1, count: parent.count)
        var groups = [[Int]]()
        for x in 0..<parent.count {
            let root = find(x)
            if slot[root] < 0 {
                slot[root] = Int32(groups.count)
                groups.append([])
            }
            groups[Int(slot[root])].append(x)
        }
        return groups
    }
}
