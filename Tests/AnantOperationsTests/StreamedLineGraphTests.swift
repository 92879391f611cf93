import AnantColumnar
import AnantHypergraph
import AnantOperations
import AnantParquet
import AnantTestSupport
import Foundation
import Testing

/// `line-graph --out` streams: the file written block of sources by block holds the rows of
/// the answer gathered whole, in every table format, for any block size; and a memory
/// budget too small for the whole graph still lets the stream through, block by block.
@Suite struct StreamedLineGraphTests {
    static func readBack(_ path: String) throws -> RecordBatch {
        if path.hasSuffix(".parquet") { return try ParquetFileReader(path: path).readTable() }
        if path.hasSuffix(".csv") { return try CSVReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: path)))) }
        return try HypergraphFiles.arrowTable(path).0
    }

    static func folder() throws -> URL { try TestData.temporaryFolder() }

    @Test(arguments: ["pairs.parquet", "pairs.arrow", "pairs.arrows", "pairs.csv"])
    func streamedFilesHoldTheGatheredAnswer(name: String) throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(name).path
        let executor = LocalExecutor(context: ExecutionContext(threads: 2))
        let cases: [(String, Hypergraph)] = [("lesmis", try TestData.hif("lesmis.hif.json")),
                                             ("random", Hypergraph(edgeList: RandomHypergraphCase(seed: 4, edgeCount: 300).edges))]
        for (label, h) in cases {
            for s in [1, 2, 4] {
                for vertices in Vertices.allCases {
                    guard let gathered = try executor.run(.lineGraph(s: s, of: vertices), on: h).table("pairs") else {
                        Issue.record("no pairs table")
                        return
                    }
                    for block in [1, 97, 1 << 22] {
                        let (pairs, count) = try executor.writeLineGraph(s: s, of: vertices, on: h, to: path, blockEntries: block)
                        #expect(pairs == gathered.rowCount && count == (vertices == .edges ? h.edgeCount : h.nodeCount))
                        let back = try Self.readBack(path)
                        #expect(back.schema.names == ["source", "target", "overlap"])
                        #expect(CSVWriter.write(back) == CSVWriter.write(gathered), "\(label) s=\(s) \(vertices) block \(block) \(name)")
                    }
                }
            }
        }
        // Nothing but the file is left beside it (no temporary files).
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [name])
    }

    @Test func aBudgetTooSmallForTheWholeGraphStillStreams() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("pairs.parquet").path
        let h = Hypergraph(edgeList: RandomHypergraphCase(seed: 8, edgeCount: 3000).edges)
        let whole = h.sLineEntryBound(s: 1, edges: true, sources: 0..<h.edgeCount) * 24 + h.edgeCount * 16
        let tight = LocalExecutor(context: ExecutionContext(threads: 2, memoryBudget: whole / 2))
        do {
            _ = try tight.run(.lineGraph(s: 1, of: .edges), on: h)
            Issue.record("the gathered line graph fit a budget of half its estimate")
        } catch let error as HypergraphError {
            #expect(error.code == .tooLarge)
        }
        let (pairs, _) = try tight.writeLineGraph(s: 1, of: .edges, on: h, to: path)
        let gathered = try LocalExecutor().run(.lineGraph(s: 1, of: .edges), on: h).table("pairs")
        #expect(pairs == gathered?.rowCount && pairs > 1000)
        #expect(CSVWriter.write(try Self.readBack(path)) == gathered.map { CSVWriter.write($0) })
        // A budget that cannot even hold the per-vertex index is refused, saying so.
        let hopeless = LocalExecutor(context: ExecutionContext(threads: 2, memoryBudget: 16 * h.edgeCount))
        do {
            _ = try hopeless.writeLineGraph(s: 1, of: .edges, on: h, to: path)
            Issue.record("a budget of 16 bytes per vertex streamed")
        } catch let error as HypergraphError {
            #expect(error.code == .tooLarge && error.message.contains("does not hold the index of its \(h.edgeCount) edges"))
        }
    }

    @Test func aTableFileWriterRefusesOtherSchemasAndLeavesNothingUnclosed() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let table = try RecordBatch([("a", .int64(Int64Column([1, 2])))])
        for name in ["t.parquet", "t.csv", "t.arrow", "t.arrows"] {
            let path = folder.appendingPathComponent(name).path
            do {
                let writer = try TableFileWriter(path: path, schema: table.schema)
                try writer.write(table)
                #expect(throws: OperationError.self) { try writer.write(try RecordBatch([("b", .double(DoubleColumn([1])))])) }
            }
            // Closed twice: refused, never a crash.
            let closing = try TableFileWriter(path: path, schema: table.schema)
            try closing.write(table)
            try closing.close()
            #expect(throws: OperationError.self) { try closing.close() }
            #expect(throws: OperationError.self) { try closing.write(table) }
            try FileManager.default.removeItem(atPath: path)
            // Dropped without close(): no file, no temporary left.
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "\(name)")
        }
        #expect(throws: OperationError.self) { _ = try TableFileWriter(path: folder.appendingPathComponent("t.json").path, schema: table.schema) }
    }
}
