import AnantColumnar

/// Breadth-first search over an s-line graph, with buffers reused from source to source.
struct BreadthFirstSearch {
    /// Distance of every vertex from the current source; -1 when not reached.
    private(set) var distance: [Int32]
    /// The vertices reached, in visiting order (non-decreasing distance).
    private(set) var order: [Int32]
    private(set) var reached = 0
    /// For searches over incidences: the search that last expanded each element.
    private var expanded = [Int32]()
    private var searches: Int32 = 0

    init(vertices: Int) {
        distance = [Int32](repeating: -1, count: vertices)
        order = [Int32](repeating: 0, count: vertices)
    }

    /// Visits every vertex reachable from `source` in the s = 1 line graph of `rows`
    /// (vertex → elements; `back`: element → vertices) without building it: vertices
    /// sharing an element are adjacent, and each element is expanded once, when the search
    /// first meets it, so a search costs the incidences, not the line graph's pairs.
    mutating func run(from source: Int, rows: CSR, back: CSR) {
        for k in 0..<reached { distance[Int(order[k])] = -1 }
        if expanded.count != back.rowCount { expanded = [Int32](repeating: 0, count: back.rowCount) }
        if searches == Int32.max {
            for k in expanded.indices { expanded[k] = 0 }
            searches = 0
        }
        searches += 1
        let stamp = searches
        var tail = 1
        distance.withUnsafeMutableBufferPointer { distance in
            order.withUnsafeMutableBufferPointer { order in
                expanded.withUnsafeMutableBufferPointer { expanded in
                    rows.offsets.withUnsafeBufferPointer { rowOffsets in
                        rows.members.withUnsafeBufferPointer { rowMembers in
                            back.offsets.withUnsafeBufferPointer { backOffsets in
                                back.members.withUnsafeBufferPointer { backMembers in
                                    distance[source] = 0
                                    order[0] = Int32(truncatingIfNeeded: source)
                                    var head = 0
                                    while head < tail {
                                        let v = Int(order[head])
                                        head += 1
                                        let next = distance[v] + 1
                                        for k in rowOffsets[v]..<rowOffsets[v + 1] {
                                            let x = Int(rowMembers[k])
                                            guard expanded[x] != stamp else { continue }
                                            expanded[x] = stamp
                                            for j in backOffsets[x]..<backOffsets[x + 1] {
                                                let w = Int(backMembers[j])
                                                if distance[w] < 0 {
                                                    distance[w] = next
                                                    order[tail] = Int32(truncatingIfNeeded: w)
                                                    tail += 1
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        reached = tail
    }

    /// Visits every vertex reachable from `source`; `order[0 ..< reached]` lists them.
    mutating func run(from source: Int, _ graph: SLineGraph) {
        run(from: source, graph) { _, _ in }
    }

    /// The same, calling `edge(v, w)` for every edge from a vertex v to a vertex w one step
    /// farther from the source (the edges of the shortest-path DAG), in BFS order.
    @inline(__always)
    mutating func run(from source: Int, _ graph: SLineGraph, _ edge: (Int, Int) -> Void) {
        for k in 0..<reached { distance[Int(order[k])] = -1 }
        distance.withUnsafeMutableBufferPointer { distance in
            order.withUnsafeMutableBufferPointer { order in
                graph.offsets.withUnsafeBufferPointer { offsets in
                    graph.neighbors.withUnsafeBufferPointer { neighbors in
                        distance[source] = 0
                        order[0] = Int32(truncatingIfNeeded: source)
                        var head = 0, tail = 1
                        while head < tail {
                            let v = Int(order[head])
                            head += 1
                            let next = distance[v] + 1
                            for k in offsets[v]..<offsets[v + 1] {
                                let w = Int(neighbors[k])
                                if distance[w] < 0 {
                                    distance[w] = next
                                    order[tail] = Int32(truncatingIfNeeded: w)
                                    tail += 1
                                }
                                if distance[w] == next { edge(v, w) }
                            }
                        }
                        reached = tail
                    }
                }
            }
        }
    }
}

/// What a breadth-first search from one vertex learns: the numbers behind closeness,
/// harmonic centrality, eccentricity and diameters.
public struct ReachSummary: Sendable, Hashable {
    /// Vertices reached, the source included (its component's size).
    public var reached: Int
    /// Sum of the distances to the vertices reached.
    public var distanceSum: Int
    /// Sum of the reciprocal distances to the other vertices reached.
    public var reciprocalSum: Double
    /// The largest distance to a vertex reached.
    public var farthest: Int

    public init(reached: Int, distanceSum: Int, reciprocalSum: Double, farthest: Int) {
        (self.reached, self.distanceSum, self.reciprocalSum, self.farthest) = (reached, distanceSum, reciprocalSum, farthest)
    }
}

extension ReachSummary {
    /// A breadth-first search from each of `sources` (a work range of the planner), `run`
    /// doing one: their summaries, in source order. Each source's numbers come from its
    /// own search alone, so any split of the sources gives the same values.
    static func searching(vertices n: Int, sources: Range<Int>, context: ExecutionContext,
                          _ run: @escaping @Sendable (inout BreadthFirstSearch, Int) -> Void) throws(HypergraphError) -> [ReachSummary] {
        try HypergraphError.validate(sources: sources, count: n)
        var summaries = [ReachSummary](repeating: ReachSummary(reached: 0, distanceSum: 0, reciprocalSum: 0, farthest: 0), count: sources.count)
        try summaries.withUnsafeMutableBufferPointer { slots throws(HypergraphError) in
            let out = SharedBuffer(slots)
            let searches = WorkerScratch(threads: context.threads) { BreadthFirstSearch(vertices: n) }
            let first = sources.lowerBound
            try context.forEachChunk(count: sources.count, chunk: 16) { worker, range in
                searches.with(worker) { search in
                    for source in (range.lowerBound + first)..<(range.upperBound + first) {
                        run(&search, source)
                        var sum = 0, reciprocal = 0.0, farthest: Int32 = 0
                        for k in 1..<search.reached {
                            let d = search.distance[Int(search.order[k])]
                            sum += Int(d)
                            reciprocal += 1 / Double(d)
                            farthest = d
                        }
                        out[source - first] = ReachSummary(reached: search.reached, distanceSum: sum, reciprocalSum: reciprocal, farthest: Int(farthest))
                    }
                }
            }
        }
        return summaries
    }
}

extension SLineGraph {
    /// The shortest-path length from `a` to `b`, nil when no s-walk joins them.
    public func distance(from a: Int, to b: Int) -> Int? {
        var search = BreadthFirstSearch(vertices: vertexCount)
        search.run(from: a, self)
        let d = search.distance[b]
        return d < 0 ? nil : Int(d)
    }

    /// A breadth-first search from every vertex, on the context's threads.
    public func reachSummaries(context: ExecutionContext = .default) throws(HypergraphError) -> [ReachSummary] {
        try reachSummaries(sources: 0..<vertexCount, context: context)
    }

    /// A breadth-first search from each of `sources` (a work range of the planner): their
    /// summaries, in source order.
    public func reachSummaries(sources: Range<Int>, context: ExecutionContext = .default) throws(HypergraphError) -> [ReachSummary] {
        let graph = UncheckedSendable(self)
        return try ReachSummary.searching(vertices: vertexCount, sources: sources, context: context) { $0.run(from: $1, graph.value) }
    }

    /// The connected components, each ascending, ordered by their smallest vertex.
    public func components() -> [[Int]] {
        var component = [Int32](repeating: -1, count: vertexCount)
        var search = BreadthFirstSearch(vertices: vertexCount)
        var out = [[Int]]()
        for v in 0..<vertexCount where component[v] < 0 {
            search.run(from: v, self)
            let members = (0..<search.reached).map { Int(search.order[$0]) }.sorted()
            for w in members { component[w] = Int32(out.count) }
            out.append(members)
        }
        return out
    }
}

extension Hypergraph {
    /// The s-distance between two nodes (HyperNetX `distance`): the length of a shortest
    /// s-walk, nil (HyperNetX's infinity) when none exists. The search expands the node
    /// s-line graph lazily from `a`, without building it.
    public func sDistance(fromNode a: Int, toNode b: Int, s: Int = 1, context: ExecutionContext = .default) throws(HypergraphError) -> Int? {
        try lazyDistance(a, b, s: s, rows: nodeMemberships, back: edgeMembers, context: context)
    }

    /// The s-distance between two edges (HyperNetX `edge_distance`).
    public func sDistance(fromEdge a: Int, toEdge b: Int, s: Int = 1, context: ExecutionContext = .default) throws(HypergraphError) -> Int? {
        try lazyDistance(a, b, s: s, rows: edgeMembers, back: nodeMemberships, context: context)
    }

    private func lazyDistance(_ a: Int, _ b: Int, s: Int, rows: CSR, back: CSR, context: ExecutionContext) throws(HypergraphError) -> Int? {
        try HypergraphError.validate(s: s)
        guard rows.rowCount > 0, (0..<rows.rowCount).contains(a), (0..<rows.rowCount).contains(b) else {
            throw HypergraphError(.invalidArgument, "no vertex \(a) or \(b) among \(rows.rowCount): pass dense indices of the hypergraph's elements")
        }
        if a == b { return 0 }
        var distance = [Int32](repeating: -1, count: rows.rowCount)
        var counter = OverlapCounter(elements: rows.rowCount)
        var frontier = [a], next = [Int]()
        distance[a] = 0
        var level: Int32 = 0
        while !frontier.isEmpty {
            try context.check()
            level += 1
            for v in frontier where rows.count(v) >= s {
                var found = false
                counter.forEachNeighbor(of: v, s: s, through: rows, back: back, onlyGreater: false) { w, _ in
                    if distance[w] < 0 {
                        distance[w] = level
                        next.append(w)
                        if w == b { found = true }
                    }
                }
                if found { return Int(level) }
            }
            swap(&frontier, &next)
            next.removeAll(keepingCapacity: true)
        }
        return nil
    }

    /// The s-diameter of the node s-line graph (HyperNetX `diameter`), or of the edge
    /// s-line graph (`edge_diameter`); throws `notConnected` when that graph is not
    /// connected (for s > 1 an element without s-neighbours disconnects it).
    public func sDiameter(s: Int = 1, edges: Bool = false, context: ExecutionContext = .default) throws(HypergraphError) -> Int {
        try connectedReach(s: s, edges: edges, context: context).map(\.farthest).max()!
    }

    /// A breadth-first search over the s-line graph of edges (or nodes) from each of
    /// `sources`: their summaries, in source order. At s = 1 the search walks the
    /// incidences and never builds the line graph (its pairs can outnumber the incidences
    /// by far); at s > 1 it builds the graph once.
    public func sReachSummaries(s: Int, edges: Bool, sources: Range<Int>? = nil,
                                context: ExecutionContext = .default) throws(HypergraphError) -> [ReachSummary] {
        try HypergraphError.validate(s: s)
        let count = edges ? edgeCount : nodeCount
        guard s == 1 else { return try sLineGraph(s: s, edges: edges, context: context).reachSummaries(sources: sources ?? 0..<count, context: context) }
        let (rows, back) = edges ? (edgeMembers, nodeMemberships) : (nodeMemberships, edgeMembers)
        return try ReachSummary.searching(vertices: count, sources: sources ?? 0..<count, context: context) { $0.run(from: $1, rows: rows, back: back) }
    }

    /// The reach of every vertex of an s-line graph that must be connected (and not empty).
    func connectedReach(s: Int, edges: Bool, context: ExecutionContext) throws(HypergraphError) -> [ReachSummary] {
        let summaries = try sReachSummaries(s: s, edges: edges, context: context)
        guard !summaries.isEmpty, summaries.allSatisfy({ $0.reached == summaries.count }) else {
            throw HypergraphError(.notConnected, "the hypergraph is not s-connected for s=\(s): its \(edges ? "edge" : "node") \(s)-line graph has \(summaries.isEmpty ? "no vertices" : "several components")")
        }
        return summaries
    }

    /// Per s-component diameters (HyperNetX `node_diameters` / `edge_diameters`): the
    /// largest, the diameter of every component (isolated vertices: 0), and the
    /// components, in the order of `SLineGraph.components()`.
    public func sComponentDiameters(s: Int = 1, edges: Bool = false,
                                    context: ExecutionContext = .default) throws(HypergraphError) -> (maximum: Int, diameters: [Int], components: [[Int]]) {
        let graph = try sLineGraph(s: s, edges: edges, context: context)
        let summaries = try graph.reachSummaries(context: context)
        let components = graph.components()
        let diameters = components.map { members in members.map { summaries[$0].farthest }.max() ?? 0 }
        return (diameters.max() ?? 0, diameters, components)
    }
}
