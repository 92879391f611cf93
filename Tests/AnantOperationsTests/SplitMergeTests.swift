import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantOperations
import AnantParquet
import AnantQuery
import AnantTestSupport
import Foundation
import Testing

typealias Operation = AnantOperations.Operation

/// The planner's split gives the same answer, byte for byte, for 1, 2, 3 and 7 parts, on
/// every operation, and the answer is the library's.
@Suite struct SplitMergeTests {
    /// A result as bytes: each table written as Parquet in memory, each scalar with its
    /// doubles' bit patterns.
    static func bytes(_ result: OperationResult) throws -> [UInt8] {
        var out = [UInt8]()
        for named in result.tables {
            let writer = try ParquetFileWriter(schema: named.table.schema, options: ParquetWriteOptions(compression: .uncompressed))
            try writer.write(named.table)
            try writer.close()
            out += Array(named.name.utf8) + writer.bytes
        }
        for named in result.scalars {
            let value: String
            if case .double(let d) = named.value { value = String(d.bitPattern, radix: 16) } else { value = "\(named.value)" }
            out += Array("\(named.name)=\(value);".utf8)
        }
        return out
    }

    static let operations: [Operation] = {
        var list: [Operation] = [.info(node: nil, edge: nil), .toplexes, .singletons]
        for s in [1, 2, 3] {
            list.append(.degree(s: s, maxSize: nil, nodes: []))
            list.append(.degree(s: s, maxSize: 4, nodes: []))
            for vertices in Vertices.allCases {
                list.append(.components(s: s, of: vertices, singletons: false))
                list.append(.components(s: s, of: vertices, singletons: true))
                list.append(.lineGraph(s: s, of: vertices))
                list.append(.diameter(s: s, of: vertices, perComponent: true))
                for measure in [CentralityMeasure.betweenness, .closeness, .harmonic] {
                    list.append(.centrality(measure: measure, s: s, of: vertices, raw: false, normalized: false, withoutSingletons: false, top: nil))
                }
                list.append(.centrality(measure: .betweenness, s: s, of: vertices, raw: true, normalized: false, withoutSingletons: true, top: 7))
                list.append(.centrality(measure: .harmonic, s: s, of: vertices, raw: false, normalized: true, withoutSingletons: false, top: 5))
                for measure in [CentralityMeasure.betweenness, .closeness, .harmonic] {
                    list.append(.centrality(measure: measure, s: s, of: vertices, raw: s == 2, normalized: false, withoutSingletons: false, top: 9,
                                            approximation: Approximation(epsilon: 0.2, delta: 0.2, seed: UInt64(s))))
                }
            }
        }
        return list
    }()

    static func hypergraphs() throws -> [(String, Hypergraph)] {
        [("lesmis", try TestData.hif("lesmis.hif.json")), ("pubs", try TestData.hif("publications_main_component.hif.json")),
         ("random", Hypergraph(edgeList: RandomHypergraphCase(seed: 9, edgeCount: 400).edges))]
    }

    @Test func everyOperationGivesTheSameBytesForAnySplit() throws {
        let executor = LocalExecutor(context: ExecutionContext(threads: 2))
        for (name, h) in try Self.hypergraphs() {
            for operation in Self.operations {
                let one: [UInt8]
                do { one = try Self.bytes(try executor.run(operation, on: h, parts: 1)) } catch let error as HypergraphError where error.code == .notConnected {
                    continue
                }
                for parts in [2, 3, 7] {
                    let split = try Self.bytes(try executor.run(operation, on: h, parts: parts))
                    #expect(split == one, "\(name): \(operation) differs with \(parts) parts")
                }
            }
        }
    }

    /// The operations that run whole (one task), with parameters that suit `h`.
    static func wholeOperations(_ h: Hypergraph) -> [Operation] {
        let nodes = (0..<min(4, h.nodeCount)).map { h.nodes[$0].description }
        let edges = (0..<min(3, h.edgeCount)).map { h.edges[$0].description }
        let partition = (0..<h.nodeCount).map { PartitionEntry(node: h.nodes[$0].description, part: "p\($0 % 3)") }
        var list: [Operation] = [
            .info(node: nodes[0], edge: nil), .info(node: nil, edge: edges[0]),
            .degree(s: 1, maxSize: nil, nodes: nodes), .neighbors(s: 1, nodes: nodes), .edgeNeighbors(s: 1, edges: edges),
            .distance(s: 1, of: .nodes, from: nodes[0], to: nodes[3]), .distance(s: 1, of: .edges, from: edges[0], to: edges[2]),
            .diameter(s: 1, of: .nodes, perComponent: false),
            .collapse(of: .edges, useCounts: true), .collapse(of: .nodes, useCounts: false), .dual,
            .restrict(to: .nodes, ids: nodes), .restrict(to: .edges, ids: edges),
            .modularity(partition: partition, weighting: .linear),
            .communities(method: .kumar, partition: nil, weighting: .strict, delta: 0.01, seed: 1),
            .communities(method: .lastStep, partition: partition, weighting: .linear, delta: 0.01, seed: 7),
            .report(top: 5, metrics: true, source: "sample"),
        ]
        for measure in [CentralityMeasure.eccentricity] {
            list.append(.centrality(measure: measure, s: 1, of: .nodes, raw: false, normalized: false, withoutSingletons: false, top: nil))
        }
        for measure in [CentralityMeasure.cec, .hec, .zec, .katz, .nodeEdge, .clustering] {
            list.append(.centrality(measure: measure, s: 1, of: .nodes, raw: false, normalized: false, withoutSingletons: false, top: 9))
        }
        return list
    }

    @Test func operationsThatRunWholeGiveTheSameBytesForAnySplit() throws {
        let executor = LocalExecutor(context: ExecutionContext(threads: 2))
        var ran = 0
        for (name, h) in try Self.hypergraphs() {
            for operation in Self.wholeOperations(h) {
                let one: [UInt8]
                // Disconnected line graphs, and z-eigenvector centrality of a non-uniform
                // hypergraph, do not apply.
                do { one = try Self.bytes(try executor.run(operation, on: h, parts: 1)) } catch let error as HypergraphError where [.notConnected, .invalidArgument].contains(error.code) {
                    continue
                }
                ran += 1
                for parts in [2, 3, 7] {
                    let split = try Self.bytes(try executor.run(operation, on: h, parts: parts))
                    #expect(split == one, "\(name): \(operation) differs with \(parts) parts")
                }
            }
        }
        #expect(ran >= 50, "only \(ran) operations applied")
    }

    /// Queries of every shape: rows (filters, computed columns, joins), sorts and limits
    /// over them, group-bys (exact double sums, means, extremes, distinct counts, with and
    /// without keys, below joins) and steps over a group-by.
    static let queries: [QuerySpec] = [
        QuerySpec(filter: "weight > 0.3", select: ["edge", "node", "weight"]),
        QuerySpec(computed: ["weight * 3 + 0.1 as w3"], filter: "w3 < 2", sort: ["w3 desc", "node"], limit: 17),
        QuerySpec(limit: 11),
        QuerySpec(groupBy: ["node"], aggregations: ["count(*) as degree, sum(weight) as w, mean(weight) as m", "min(weight), max(weight), n_unique(edge) as u"]),
        QuerySpec(aggregations: ["count(*) as n, sum(weight) as w, mean(weight) as m, max(node) as last"]),
        QuerySpec(groupBy: ["edge"], aggregations: ["count(*) as n, sum(weight) as w"], select: ["edge", "w / n as ratio"], sort: ["ratio desc", "edge"], limit: 9),
        QuerySpec(join: QuerySpec.Join(table: "nodes", leftOn: ["node"], rightOn: ["node"]), groupBy: ["FullName"],
                  aggregations: ["count(*) as n, sum(weight) as w, mean(weight) as m, min(edge) as first"]),
        QuerySpec(join: QuerySpec.Join(table: "edges", leftOn: ["edge"], rightOn: ["edge"], kind: .left), filter: "weight > 0.5",
                  select: ["edge", "node", "weight"]),
        QuerySpec(table: .nodes, metrics: true, filter: "degree >= 3", select: ["node", "degree", "component_s2", "betweenness_s1"]),
        QuerySpec(groupBy: ["edge"], aggregations: ["sum(weight) as w"], sort: ["w desc", "edge"]),
    ]

    @Test func everyQueryGivesTheSameBytesForAnySplit() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let h = try TestData.hif("lesmis.hif.json")
        // Many morsels: three shards of small row groups, and one file of small row groups.
        _ = try Dataset.write(h, to: folder.appendingPathComponent("lesmis.ds").path, options: DatasetWriteOptions(shards: 3, rowGroupRows: 64))
        let file = folder.appendingPathComponent("lesmis.parquet").path
        for (path, table) in [(file, h.incidenceTable()), (folder.appendingPathComponent("lesmis.nodes.parquet").path, h.nodeTable()),
                              (folder.appendingPathComponent("lesmis.edges.parquet").path, h.edgeTable())] {
            let writer = try ParquetFileWriter(path: path, schema: table.schema, options: ParquetWriteOptions(rowGroupRows: 50))
            try writer.write(table)
            try writer.close()
        }
        let inputs = [("dataset", try OperationInput(path: folder.appendingPathComponent("lesmis.ds").path)),
                      ("file", try OperationInput(path: file)), ("memory", OperationInput(h))]
        for threads in [1, 2, 4] {
            let executor = LocalExecutor(context: ExecutionContext(threads: threads))
            for (name, input) in inputs {
                for spec in Self.queries {
                    let one = try executor.run(.query(spec), on: input, parts: 1)
                    #expect(try #require(one.table("rows")).rowCount > 0, "\(name): \(spec) is empty")
                    for parts in [2, 3, 7] {
                        let split = try executor.run(.query(spec), on: input, parts: parts)
                        #expect(try Self.bytes(split) == (try Self.bytes(one)), "\(name), \(threads) threads: \(spec) differs with \(parts) parts")
                    }
                }
            }
        }
    }

    /// Sums of doubles run in a fixed block order: each morsel (here a 131,072-row slice of
    /// the table) is summed in row order, and the morsels' sums are added exactly — the
    /// same bits for any split and any thread count, and not what a plain running sum over
    /// the whole table gives.
    @Test func doubleSumsRunInAFixedBlockOrder() throws {
        let rows = 12 * 33_334, block = 1 << 17
        var keys = [Int64](), values = [Double]()
        for row in 0..<rows {
            keys.append(Int64(row % 3))
            // 2^53 first and -2^53 last in each group, ones between: a running sum loses
            // every one (2^53 + 1 rounds back to 2^53); the morsels after the first keep theirs.
            values.append(row < 3 ? 0x1p53 : row >= rows - 3 ? -0x1p53 : 1)
        }
        let table = try RecordBatch([("k", .int64(Int64Column(keys))), ("v", .double(DoubleColumn(values)))])
        var exact = [ExactSum](repeating: ExactSum(), count: 3), plain = [Double](repeating: 0, count: 3)
        for start in stride(from: 0, to: rows, by: block) {
            var sums = [Double](repeating: 0, count: 3)
            for row in start..<min(rows, start + block) { sums[row % 3] += values[row] }
            for k in 0..<3 { exact[k].add(sums[k]) }
        }
        for row in 0..<rows { plain[row % 3] += values[row] }
        let expected = exact.map(\.value)
        #expect(expected != plain, "the data must tell block order from a running sum")
        let counts = (0..<3).map { k in Double((0..<rows).filter { $0 % 3 == k }.count) }
        let frame = LazyFrame.scan(.memory(table)).groupBy(["k"], try QueryText.aggregations("sum(v) as s, mean(v) as m, count(*) as n"))
        for threads in [1, 2, 3] {
            let options = QueryOptions(context: ExecutionContext(threads: threads))
            for parts in [1, 2, 3, 7] {
                let result = parts == 1 ? try frame.collect(options: options)
                    : try frame.merge(try (0..<parts).map { try frame.partial(try QueryPart($0, of: parts), options: options) }, options: options)
                #expect(result.columns[0] == .int64(Int64Column([0, 1, 2])), "groups in first-row order")
                #expect(result.columns[1] == .double(DoubleColumn(expected)), "\(threads) threads, \(parts) parts")
                #expect(result.columns[2] == .double(DoubleColumn((0..<3).map { expected[$0] / counts[$0] })))
            }
        }
    }

    /// Integer sums overflow only when their total does, whatever the split: Int64.max, +1
    /// and -1 in three morsels sum to Int64.max (a running 64-bit sum of the first two
    /// overflows), and a total past Int64.max is an overflow everywhere.
    @Test func integerSumsOverflowOnlyByTheirTotal() throws {
        let block = 1 << 17
        func table(_ last: Int64) throws -> RecordBatch {
            var values = [Int64](repeating: 0, count: 3 * block)
            (values[0], values[block], values[2 * block]) = (Int64.max, 1, last)
            return try RecordBatch([("v", .int64(Int64Column(values)))])
        }
        let sum = [try Aggregation.parse("sum(v) as s")]
        for threads in [1, 2, 3] {
            let options = QueryOptions(context: ExecutionContext(threads: threads))
            for parts in [1, 2, 3] {
                func run(_ t: RecordBatch) throws -> RecordBatch {
                    let frame = LazyFrame.scan(.memory(t)).groupBy([], sum)
                    return parts == 1 ? try frame.collect(options: options)
                        : try frame.merge(try (0..<parts).map { try frame.partial(try QueryPart($0, of: parts), options: options) }, options: options)
                }
                #expect(try run(try table(-1)).columns[0] == .int64(Int64Column([Int64.max])), "\(threads) threads, \(parts) parts")
                #expect(throws: QueryError.self) { try run(try table(0)) }
            }
        }
    }

    @Test func splitAnswersAreTheLibrarys() throws {
        let h = try TestData.hif("lesmis.hif.json")
        let executor = LocalExecutor()
        // Components: the library's partition, largest first.
        let components = try executor.run(.components(s: 2, of: .edges, singletons: false), on: h, parts: 3)
        let expected = try h.sConnectedComponents(s: 2).sorted { $0.count != $1.count ? $0.count > $1.count : $0[0] < $1[0] }
        #expect(components.scalar("count") == .int(Int64(expected.count)))
        #expect(components.table("components")?.columns[1] == h.ids(expected.flatMap { $0 }))
        // Line graph: SLineGraph.forEachPair's pairs.
        var pairs = [(Int, Int, Int)]()
        try h.sLineGraph(s: 2).forEachPair { pairs.append(($0, $1, $2)) }
        let lines = try #require(try executor.run(.lineGraph(s: 2, of: .edges), on: h, parts: 7).table("pairs"))
        #expect(lines.rowCount == pairs.count)
        #expect(lines.columns[2] == .int64(Int64Column(pairs.map { Int64($0.2) })))
        // Betweenness: the library's bits.
        let between = try executor.run(.centrality(measure: .betweenness, s: 1, of: .nodes, raw: false, normalized: false, withoutSingletons: false, top: nil), on: h, parts: 3)
        let values = try h.sBetweennessCentrality(s: 1, edges: false)
        let top = values.indices.max { values[$0] != values[$1] ? values[$0] < values[$1] : $0 > $1 }!
        #expect(between.table("centrality")?.columns[1][0] == .double(values[top]))
        #expect(between.table("centrality")?.columns[0][0].description == "JV")
        // Degrees over edge ranges: the library's.
        let degrees = try executor.run(.degree(s: 2, maxSize: nil, nodes: []), on: h, parts: 7)
        #expect(degrees.table("degrees")?.columns[1] == .int64(Int64Column(try h.degrees(s: 2).map(Int64.init))))
    }
}

extension Hypergraph {
    /// Ids of dense edge indices, as the executor writes them.
    func ids(_ indices: [Int]) -> Column { edges.column.gather(indices) }
}
