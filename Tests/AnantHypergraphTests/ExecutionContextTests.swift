import AnantColumnar
import AnantHypergraph
import AnantTestSupport
import Dispatch
import Foundation
import Testing

/// Long-running analytics honour their execution context: cancellation and deadlines stop
/// them promptly with `HypergraphError.interrupted`, and the answers do not depend on the
/// threads or on how the work is split.
@Suite struct ExecutionContextTests {
    /// A sparse seeded hypergraph of 50,000 edges (about 3 nodes each over 20,000 nodes).
    static let large: Hypergraph = {
        var state: UInt64 = 42
        func next() -> Int64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int64(state >> 33)
        }
        var list = [(ElementID, [ElementID])]()
        for e in 0..<50_000 { list.append((.int(Int64(e)), (0..<3).map { _ in .int(next() % 20_000) })) }
        return Hypergraph(edgeList: list)
    }()

    /// Runs `work` on another thread; returns its error and the seconds from `stop` being
    /// called (by `trigger`) to the work's return.
    private func interrupted(_ trigger: (@escaping @Sendable () -> Void) -> Void, _ work: @escaping @Sendable () throws -> Void) throws -> (any Error, Double) {
        final class Box: @unchecked Sendable { var error: (any Error)?; var stoppedAt: UInt64 = 0; var endedAt: UInt64 = 0 }
        let box = Box(), done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            do { try work() } catch { box.error = error }
            box.endedAt = ExecutionContext.now
            done.signal()
        }
        trigger { box.stoppedAt = ExecutionContext.now }
        guard done.wait(timeout: .now() + 300) == .success else { throw Oracle.Failure(description: "the work did not stop within 300 s") }
        let error = try #require(box.error, "the work finished instead of stopping")
        return (error, Double(box.endedAt &- min(box.stoppedAt, box.endedAt)) / 1e9)
    }

    @Test func cancellingBetweennessStopsItPromptly() throws {
        let h = Self.large
        let context = ExecutionContext(threads: 2)
        let (error, seconds) = try interrupted({ stopped in
            DispatchQueue(label: "canceller").asyncAfter(deadline: .now() + 1.0) { stopped(); context.cancel() }
        }) { _ = try h.sBetweennessCentrality(s: 1, edges: true, context: context) }
        let failure = try #require(error as? HypergraphError)
        #expect(failure.code == .interrupted)
        #expect((failure.underlying as? ColumnarError)?.code == .cancelled)
        #expect(seconds < 20, "stopped \(seconds) s after the cancel")
    }

    @Test func aDeadlineStopsBetweennessPromptly() throws {
        let h = Self.large
        let context = ExecutionContext(threads: 2).withTimeout(seconds: 1.5)
        let (error, _) = try interrupted({ $0() }) { _ = try h.sBetweennessCentrality(s: 1, edges: true, context: context) }
        let failure = try #require(error as? HypergraphError)
        #expect(failure.code == .interrupted)
        #expect((failure.underlying as? ColumnarError)?.code == .deadlineExceeded)
        let overrun = Double(ExecutionContext.now &- context.deadline!) / 1e9
        #expect(overrun < 20, "ran \(overrun) s past its deadline")
    }

    @Test func aStoppedContextStopsEveryLongAnalysis() throws {
        let h = Self.large
        let context = ExecutionContext()
        context.cancel()
        #expect(throws: HypergraphError.self) { try h.sLineGraph(s: 1, context: context) }
        #expect(throws: HypergraphError.self) { try h.sConnectedComponents(s: 2, context: context) }
        #expect(throws: HypergraphError.self) { try h.sClosenessCentrality(s: 2, context: context) }
        #expect(throws: HypergraphError.self) { try h.kumarCommunities(context: context) }
        let rows = Self.large.incidenceTable()
        #expect(throws: HypergraphError.self) { try Hypergraph(incidences: rows, context: context) }
    }

    /// Betweenness sums are exact per fixed block of sources, so any split of the sources
    /// and any thread count give the same bits.
    @Test func betweennessIsTheSameForEverySplit() throws {
        let h = try TestData.hif("lesmis.hif.json")
        for edges in [true, false] {
            let graph = try h.sLineGraph(s: 1, edges: edges)
            let whole = try graph.betweenness(context: ExecutionContext(threads: 2)).map(\.bitPattern)
            #expect(try graph.betweenness(context: ExecutionContext(threads: 1)).map(\.bitPattern) == whole)
            let n = graph.vertexCount, block = SLineGraph.betweennessBlock
            for parts in [2, 3, 7] {
                let blocks = (n + block - 1) / block
                var merged = BetweennessPartial(vertices: n)
                for p in (0..<parts).reversed() {
                    let range = min(n, blocks * p / parts * block)..<min(n, blocks * (p + 1) / parts * block)
                    merged.merge(try graph.betweennessPartial(sources: range, context: ExecutionContext(threads: 1)))
                }
                #expect(merged.values.map(\.bitPattern) == whole, "\(parts) parts, edges: \(edges)")
            }
        }
    }

    @Test func badParametersThrowInsteadOfTrapping() throws {
        let h = try TestData.hif("lesmis.hif.json")
        for call in [{ _ = try h.sLineGraph(s: 0) }, { _ = try h.sConnectedComponents(s: -1) }, { _ = try h.degrees(s: 0) },
                     { _ = try h.degrees(maxSize: 0) }, { _ = try h.neighbors(ofNode: 0, s: 0) }, { _ = try h.sDistance(fromNode: 0, toNode: 1, s: 0) },
                     { _ = try h.sDistance(fromNode: 0, toNode: 10_000) }, { _ = try h.kumarCommunities(delta: .nan) },
                     { _ = try h.modularity(Partition(parts: [0, 1])) }] as [() throws -> Void] {
            #expect(throws: HypergraphError.self) { try call() }
        }
        #expect(throws: HypergraphError(.invalidArgument, "s must be at least 1 (got 0): s-adjacency counts shared nodes or edges, so pass s = 1 or more")) {
            try h.sBetweennessCentrality(s: 0)
        }
    }
}

/// Work ranges from a request are checked, never trusted.
@Suite struct WorkRangeTests {
    @Test func rangesOutsideTheVerticesThrow() throws {
        let graph = try TestData.hif("lesmis.hif.json").sLineGraph(s: 1)
        let n = graph.vertexCount
        for range in [-5..<3, 0..<(n + 1), (n + 2)..<(n + 3)] {
            #expect(throws: HypergraphError.self) { try graph.betweennessPartial(sources: range) }
            #expect(throws: HypergraphError.self) { try graph.reachSummaries(sources: range) }
        }
        #expect(try graph.reachSummaries(sources: n..<n).isEmpty)
    }
}
