import AnantColumnar
import AnantHypergraph
import AnantTestSupport
import Testing

/// Construction from tables, against a naive reference, at sizes that take the parallel
/// paths (sorted and unsorted rows, dense and sparse integer ids, strings, repeats).
@Suite struct ConstructionTests {
    /// A naive model: sorted distinct ids and, per edge, its sorted distinct nodes.
    struct Reference {
        var nodes: [ElementID]
        var edges: [ElementID]
        var members: [[Int]]

        init(edgeIDs: [ElementID], nodeIDs: [ElementID]) {
            nodes = Array(Set(nodeIDs)).sorted()
            edges = Array(Set(edgeIDs)).sorted()
            let nodeIndex = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($1, $0) })
            let edgeIndex = Dictionary(uniqueKeysWithValues: edges.enumerated().map { ($1, $0) })
            var sets = [Set<Int>](repeating: [], count: edges.count)
            for (e, v) in zip(edgeIDs, nodeIDs) { sets[edgeIndex[e]!].insert(nodeIndex[v]!) }
            members = sets.map { $0.sorted() }
        }
    }

    static func check(_ h: Hypergraph, against reference: Reference) {
        #expect(h.nodes.ids == reference.nodes)
        #expect(h.edges.ids == reference.edges)
        #expect((0..<h.edgeCount).allSatisfy { h.edgeMembers[$0].map(Int.init) == reference.members[$0] })
        // The node side is the exact transpose.
        var memberships = [[Int]](repeating: [], count: reference.nodes.count)
        for (e, row) in reference.members.enumerated() { for v in row { memberships[v].append(e) } }
        #expect((0..<h.nodeCount).allSatisfy { h.nodeMemberships[$0].map(Int.init) == memberships[$0] })
    }

    /// `unique` with `sorted` and dense ids is the layout of the sorted-integer fast path.
    @Test(arguments: [(false, false, false), (true, false, false), (false, true, false), (true, true, false),
                      (true, false, true), (true, true, true)])
    func largeIntegerTables(sorted: Bool, sparse: Bool, unique: Bool) throws {
        var rng = SeededGenerator(seed: 7)
        let rows = 300_000
        var pairs = (0..<rows).map { _ -> (Int64, Int64) in
            let e = Int64.random(in: 0..<40_000, using: &rng), v = Int64.random(in: 0..<60_000, using: &rng)
            return sparse ? (e &* 1_000_003 &- 7, v &* 9_999_991) : (e, v)
        }
        if sorted { pairs.sort { $0 < $1 } }
        if unique { pairs = pairs.enumerated().filter { $0.offset == 0 || pairs[$0.offset - 1] != $0.element }.map(\.element) }
        let table = try RecordBatch([("edge", .int64(Int64Column(pairs.map(\.0)))), ("node", .int64(Int64Column(pairs.map(\.1)))),
                                     ("weight", .double(DoubleColumn(pairs.indices.map(Double.init))))])
        let h = try Hypergraph(incidences: table)
        Self.check(h, against: Reference(edgeIDs: pairs.map { .int($0.0) }, nodeIDs: pairs.map { .int($0.1) }))
        // Incidence properties follow the incidences; a repeated pair keeps its first row.
        var firstRow = [String: Double]()
        for (row, pair) in pairs.enumerated() where firstRow["\(pair.0)|\(pair.1)"] == nil { firstRow["\(pair.0)|\(pair.1)"] = Double(row) }
        let weights = h.incidenceWeights()
        var slot = 0, wrong = [String]()
        for e in 0..<h.edgeCount {
            for v in h.edgeMembers[e] {
                let key = "\(h.edges[e])|\(h.nodes[Int(v)])"
                if weights[slot] != firstRow[key] { wrong.append("\(key): \(weights[slot]) ≠ \(firstRow[key].map { "\($0)" } ?? "none")") }
                slot += 1
            }
        }
        #expect(wrong.isEmpty, "incidences with the wrong weight: \(wrong.prefix(5))")
        // The dual carries each incidence's weight to its mirrored incidence.
        let dual = h.dual()
        let dualWeights = dual.incidenceWeights()
        var mirrored = true
        slot = 0
        for v in 0..<dual.edgeCount {
            for e in dual.edgeMembers[v] {
                mirrored = mirrored && dualWeights[slot] == firstRow["\(h.edges[Int(e)])|\(h.nodes[v])"]
                slot += 1
            }
        }
        #expect(mirrored)
    }

    /// Sorted integer ids where some nodes' edges lie more than 2^16 edges apart (the
    /// bucketed transpose closes blocks early there), negative ids, and tiny tables; the
    /// transpose of either CSR gives the other back, with the slots it came from.
    @Test(arguments: [1, 2, 3, 200_000])
    func sortedIntegerTablesWithDistantRows(edgeCount: Int) throws {
        var edgeIDs = [Int64](), nodeIDs = [Int64]()
        for e in 0..<edgeCount {
            var nodes = [Int64((e &* 7919) % 150_000) - 75_000]
            if e % 70_000 == 0 { nodes.append(100_000 + Int64(e / 70_000)) }
            if e % 3 == 0 { nodes.insert(-75_001, at: 0) }
            for node in nodes.sorted() {
                edgeIDs.append(Int64(e) * 3 - 5)
                nodeIDs.append(node)
            }
        }
        let table = try RecordBatch([("edge", .int64(Int64Column(edgeIDs))), ("node", .int64(Int64Column(nodeIDs)))])
        let h = try Hypergraph(incidences: table)
        Self.check(h, against: Reference(edgeIDs: edgeIDs.map { .int($0) }, nodeIDs: nodeIDs.map { .int($0) }))
        #expect(h.edgeMembers.transposed(columns: h.nodeCount) == h.nodeMemberships)
        #expect(h.nodeMemberships.transposed(columns: h.edgeCount) == h.edgeMembers)
        let (transpose, slots) = h.edgeMembers.transposed(columns: h.nodeCount)
        #expect(transpose == h.nodeMemberships)
        var slotsMatch = slots.count == h.incidenceCount
        for node in 0..<h.nodeCount {
            for (slot, edge) in zip(transpose.offsets[node]..<transpose.offsets[node + 1], transpose[node]) {
                let source = slots[slot]
                slotsMatch = slotsMatch && h.edgeMembers.members[source] == Int32(node)
                    && h.edgeMembers.offsets[Int(edge)] <= source && source < h.edgeMembers.offsets[Int(edge) + 1]
            }
        }
        #expect(slotsMatch)
    }

    /// Unsorted rows with wide edges (more members than the insertion sort takes) and
    /// repeated pairs, spread over the parallel slices of the per-edge sort.
    @Test func unsortedWideEdgesWithRepeats() throws {
        var rng = SeededGenerator(seed: 5)
        var pairs = [(Int64, Int64, Double)]()
        for e in 0..<12_000 {
            let width = e % 50 == 0 ? 300 : Int.random(in: 1...20, using: &rng)
            for _ in 0..<width { pairs.append((Int64(e) * 7, Int64.random(in: 0..<20_000, using: &rng), Double(pairs.count))) }
        }
        pairs.shuffle(using: &rng)
        let table = try RecordBatch([("edge", .int64(Int64Column(pairs.map(\.0)))), ("node", .int64(Int64Column(pairs.map(\.1)))),
                                     ("weight", .double(DoubleColumn(pairs.map(\.2))))])
        let h = try Hypergraph(incidences: table)
        Self.check(h, against: Reference(edgeIDs: pairs.map { .int($0.0) }, nodeIDs: pairs.map { .int($0.1) }))
        // The first row of a repeated pair (in table order) gives its weight.
        var first = [String: Double]()
        for pair in pairs where first["\(pair.0)|\(pair.1)"] == nil { first["\(pair.0)|\(pair.1)"] = pair.2 }
        let weights = h.incidenceWeights()
        var slot = 0, wrong = [String]()
        for e in 0..<h.edgeCount {
            for v in h.edgeMembers[e] {
                let key = "\(h.edges[e])|\(h.nodes[Int(v)])"
                if weights[slot] != first[key] { wrong.append("\(key): \(weights[slot]) ≠ \(first[key].map { "\($0)" } ?? "none")") }
                slot += 1
            }
        }
        #expect(wrong.isEmpty, "incidences with the wrong weight: \(wrong.prefix(5))")
    }

    @Test func largeStringTable() throws {
        var rng = SeededGenerator(seed: 11)
        let pairs = (0..<150_000).map { _ in ("e\(Int.random(in: 0..<9_000, using: &rng))", "n-\(Int.random(in: 0..<20_000, using: &rng))-é") }
        let table = try RecordBatch([("edge", .string(StringColumn(pairs.map(\.0)))), ("node", .string(StringColumn(pairs.map(\.1))))])
        let h = try Hypergraph(incidences: table)
        Self.check(h, against: Reference(edgeIDs: pairs.map { .string($0.0) }, nodeIDs: pairs.map { .string($0.1) }))
    }

    @Test func elementTablesAddIsolatedNodesAndEmptyEdges() throws {
        let incidences = try RecordBatch([("edge", .int64(Int64Column([2, 1, 2]))), ("node", .string(StringColumn(["b", "a", "a"])))])
        let nodes = try RecordBatch([("node", .string(StringColumn(["z", "a", "z"]))), ("color", .string(StringColumn(["red", "blue", "green"])))])
        let edges = try RecordBatch([("edge", .int64(Int64Column([9]))), ("weight", .int64(Int64Column([3])))])
        let h = try Hypergraph(incidences: incidences, nodeTable: nodes, edgeTable: edges)
        #expect(h.nodes.ids == ["a", "b", "z"])
        #expect(h.edges.ids == [1, 2, 9])
        #expect(h.edgeMembers.count(h.e(9)) == 0 && h.nodeMemberships.count(h.n("z")) == 0)
        #expect(h.nodeProperty("color", node: h.n("z")) == .string("red"))  // first row wins
        #expect(h.nodeProperty("color", node: h.n("b")) == nil)
        #expect(h.edgeWeights() == [1, 1, 3])
    }

    @Test(arguments: [
        (["edge", "node"], ["x"], "no id column 'node'"),
        (["edge", "node", "weight"], ["heavy"], "weights must be numbers"),
    ])
    func refusesBadTables(columns: [String], weight: [String], mention: String) throws {
        var named: [(String, Column)] = [("edge", .int64(Int64Column([1])))]
        if columns.contains("node") { named.append(("nod", .int64(Int64Column([1])))) }
        if columns.contains("weight") {
            named = [("edge", .int64(Int64Column([1]))), ("node", .int64(Int64Column([1]))), ("weight", .string(StringColumn(weight)))]
        }
        let error = #expect(throws: HypergraphError.self) { try Hypergraph(incidences: try RecordBatch(named)) }
        #expect(error?.message.contains(mention) == true, "\(error?.message ?? "")")
    }

    @Test func refusesNullAndNonIntegerIds() throws {
        let nulls = try RecordBatch([("edge", .int64(Int64Column(optionals: [1, nil]))), ("node", .int64(Int64Column([1, 2])))])
        let error = #expect(throws: HypergraphError.self) { try Hypergraph(incidences: nulls) }
        #expect(error?.message.contains("row 2") == true)
        let doubles = try RecordBatch([("edge", .double(DoubleColumn([1.5]))), ("node", .int64(Int64Column([1])))])
        #expect(throws: HypergraphError.self) { try Hypergraph(incidences: doubles) }
        let shadow = try RecordBatch([("e", .int64(Int64Column([1]))), ("n", .int64(Int64Column([1]))), ("edge", .int64(Int64Column([1])))])
        #expect(throws: HypergraphError.self) { try Hypergraph(incidences: shadow, edgeColumn: "e", nodeColumn: "n") }
    }
}
