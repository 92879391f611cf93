import AnantColumnar
import AnantHypergraph
import AnantOperations
import AnantParquet
import AnantTestSupport
import Testing

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
