import AnantColumnar
import AnantHypergraph
import AnantTestSupport
import Foundation
import Testing

/// Approximate s-centralities keep their promise: over many seeds, the share of runs with
/// any vertex outside the bound stays within delta, and the estimates average to the exact
/// values (a biased path or source choice would drift away from them), on Chung–Lu
/// hypergraphs with heavy-tailed degrees, at s = 1 and 2, over edges and nodes.
@Suite struct ApproximateCentralityTests {
    static func hypergraph(_ seed: UInt64, edges: Int, nodes: Int) throws -> Hypergraph {
        let k1 = Hypergraph.powerLawWeights(count: nodes, mean: 3, exponent: 2.5, seed: seed)
        let k2 = Hypergraph.powerLawWeights(count: edges, mean: 3.5, exponent: 2.5, seed: seed + 1)
        return try Hypergraph.chungLu(nodeDegrees: k1, edgeSizes: k2, seed: seed)
    }

    static let cases: [(s: Int, edges: Bool)] = [(1, true), (2, true), (1, false)]

    /// Chung–Lu cases, and Les Misérables, whose line graphs hold many shortest paths of
    /// unequal counts between the same ends (a choice of meeting vertex or predecessor that
    /// ignores the counts drifts away from the exact values there).
    static let betweennessCases: [(String, Int, Bool)] = cases.map { ("chung-lu", $0.s, $0.edges) } + [("lesmis", 1, false), ("lesmis", 1, true)]

    @Test(arguments: betweennessCases)
    func betweennessStaysWithinEpsilonOverManySeeds(name: String, s: Int, edges: Bool) throws {
        let h = name == "lesmis" ? try TestData.hif("lesmis.hif.json") : try Self.hypergraph(11, edges: 180, nodes: 220)
        let exact = try h.sBetweennessCentrality(s: s, edges: edges)
        let (epsilon, delta, seeds) = (0.05, 0.1, 30)
        var failures = 0, samples = 0
        var mean = [Double](repeating: 0, count: exact.count)
        for seed in 1...seeds {
            let estimate = try h.sApproximateBetweenness(s: s, edges: edges, Approximation(epsilon: epsilon, delta: delta, seed: UInt64(seed)))
            samples = estimate.samples
            let values = estimate.normalized
            #expect(values.count == exact.count)
            if zip(values, exact).map({ abs($0 - $1) }).max()! > epsilon { failures += 1 }
            for v in values.indices { mean[v] += values[v] / Double(seeds) }
            // The raw form is the same estimate on networkx's unnormalised scale.
            let n = Double(exact.count)
            for (raw, normalized) in zip(estimate.raw, values) { #expect(abs(raw * 2 / ((n - 1) * (n - 2)) - normalized) <= 1e-12) }
        }
        #expect(samples > 100, "the sample count follows the bound")
        #expect(failures <= Int(delta * Double(seeds)), "s=\(s) edges \(edges): \(failures) of \(seeds) runs broke the bound")
        // Each estimate is a frequency over `samples` independent paths: the mean of
        // `seeds` runs lies within 5 standard errors of the exact value.
        let n = Double(exact.count), scale = n / (n - 2)
        var differing = 0
        for v in exact.indices {
            let p = exact[v] / scale
            let standardError = (p * (1 - p) / Double(samples * seeds)).squareRoot() * scale
            #expect(abs(mean[v] - exact[v]) <= 5 * standardError + 1e-12, "s=\(s) edges \(edges): vertex \(v) mean \(mean[v]) exact \(exact[v])")
            if mean[v] != exact[v] { differing += 1 }
        }
        #expect(differing > 0, "the estimates are sampled, not computed exactly")
    }

    @Test(arguments: cases)
    func closenessAndHarmonicStayWithinTheirBoundsOverManySeeds(s: Int, edges: Bool) throws {
        let h = try Self.hypergraph(5, edges: 600, nodes: 700)
        let exact = try h.sReachSummaries(s: s, edges: edges)
        var diameter = [Int](repeating: 0, count: exact.count)
        for component in try h.sConnectedComponents(s: s, edges: edges, includeSingletons: true) {
            let d = component.map { exact[$0].farthest }.max() ?? 0
            for v in component { diameter[v] = d }
        }
        let largest = exact.map(\.reached).max() ?? 0
        let (epsilon, delta, seeds) = (0.15, 0.1, 24)
        var harmonicFailures = 0, closenessFailures = 0
        var mean = [Double](repeating: 0, count: exact.count)
        var searches = 0
        for seed in 1...seeds {
            let estimate = try h.sApproximateReach(s: s, edges: edges, Approximation(epsilon: epsilon, delta: delta, seed: UInt64(seed)))
            #expect(estimate.componentSize == exact.map(\.reached))
            searches = estimate.searches
            var harmonicBroken = false, closenessBroken = false
            for (v, r) in exact.enumerated() where r.reached > 1 {
                if abs(estimate.harmonic[v] - r.reciprocalSum) > epsilon * Double(r.reached - 1) { harmonicBroken = true }
                let meanDistance = Double(r.distanceSum) / Double(r.reached - 1)
                if abs(1 / estimate.closeness[v] - meanDistance) > epsilon * Double(diameter[v]) { closenessBroken = true }
                mean[v] += estimate.reciprocalSum[v] / Double(seeds)
            }
            if harmonicBroken { harmonicFailures += 1 }
            if closenessBroken { closenessFailures += 1 }
        }
        // Components larger than their sample size are sampled, not taken whole.
        let k = (log(4 * Double(exact.count) / delta) / (2 * epsilon * epsilon)).rounded(.up)
        let members = exact.filter { $0.reached > 1 }.count
        #expect(Double(largest) > k && searches < members,
                "s=\(s) edges \(edges): \(searches) searches over \(members) vertices in components (largest \(largest), k \(k)) sample nothing")
        #expect(harmonicFailures <= Int(delta * Double(seeds)) && closenessFailures <= Int(delta * Double(seeds)),
                "s=\(s) edges \(edges): harmonic broke its bound in \(harmonicFailures), closeness in \(closenessFailures) of \(seeds) runs")
        // Unbiased: a sampled component's reciprocal sum is c/k times a sum of k terms in
        // [0, 1], standard error at most c / (2√k); over the seeds, within 5 of those.
        for (v, r) in exact.enumerated() where Double(r.reached) > k {
            let standardError = Double(r.reached) / (2 * (k * Double(seeds)).squareRoot())
            #expect(abs(mean[v] - r.reciprocalSum) <= 5 * standardError, "vertex \(v): mean \(mean[v]) exact \(r.reciprocalSum)")
        }
    }

    /// The seed fixes the estimates, whatever the thread count; another seed changes them.
    @Test func estimatesDependOnTheSeedAloneNotOnThreads() throws {
        let h = try Self.hypergraph(3, edges: 300, nodes: 350)
        let approximation = Approximation(epsilon: 0.1, delta: 0.1, seed: 42)
        let one = ExecutionContext(threads: 1), two = ExecutionContext(threads: 2)
        for edges in [true, false] {
            let b1 = try h.sApproximateBetweenness(edges: edges, approximation, context: one)
            #expect(try h.sApproximateBetweenness(edges: edges, approximation, context: two) == b1)
            var other = approximation
            other.seed = 43
            #expect(try h.sApproximateBetweenness(edges: edges, other, context: two) != b1)
            // A looser bound, so that the largest component is sampled rather than taken whole.
            let (loose, looseOther) = (Approximation(epsilon: 0.25, delta: 0.1, seed: 42), Approximation(epsilon: 0.25, delta: 0.1, seed: 43))
            let r1 = try h.sApproximateReach(edges: edges, loose, context: one)
            #expect(r1.searches < (edges ? h.edgeCount : h.nodeCount))
            #expect(try h.sApproximateReach(edges: edges, loose, context: two) == r1)
            #expect(try h.sApproximateReach(edges: edges, looseOther, context: one) != r1)
        }
    }

    /// Components no larger than their sample are taken whole, so a tight bound on a small
    /// hypergraph gives the exact measures (up to the order of the sums' terms).
    @Test(arguments: [1, 2, 3])
    func componentsSmallerThanTheirSampleAreExact(s: Int) throws {
        let h = try TestData.hif("lesmis.hif.json")
        for edges in [true, false] {
            let tight = try h.sApproximateReach(s: s, edges: edges, Approximation(epsilon: 0.001, delta: 0.001, seed: 1))
            let harmonic = try h.sHarmonicCentrality(s: s, edges: edges), closeness = try h.sClosenessCentrality(s: s, edges: edges)
            #expect(tight.searches == tight.componentSize.filter { $0 > 1 }.count)
            for v in harmonic.indices {
                #expect(abs(tight.harmonic[v] - harmonic[v]) <= 1e-9 * max(1, harmonic[v]))
                #expect(abs(tight.closeness[v] - closeness[v]) <= 1e-12)
            }
        }
    }

    static let badApproximations: [(Approximation, String)] = [
        (Approximation(epsilon: 0, delta: 0.1), "epsilon must lie between 0 and 1 (got 0.0)"),
        (Approximation(epsilon: -0.5, delta: 0.1), "epsilon must lie between 0 and 1 (got -0.5)"),
        (Approximation(epsilon: 1, delta: 0.1), "epsilon must lie between 0 and 1 (got 1.0)"),
        (Approximation(epsilon: .nan, delta: 0.1), "epsilon must lie between 0 and 1 (got nan)"),
        (Approximation(epsilon: 0.1, delta: 0), "delta must lie between 0 and 1 (got 0.0)"),
        (Approximation(epsilon: 0.1, delta: 1.5), "delta must lie between 0 and 1 (got 1.5)"),
        (Approximation(epsilon: 0.1, delta: .infinity), "delta must lie between 0 and 1 (got inf)"),
    ]

    @Test(arguments: badApproximations)
    func badBoundsAreRefusedBeforeAnyWork(approximation: Approximation, message: String) throws {
        let h = try TestData.hif("lesmis.hif.json")
        for run in [{ _ = try h.sApproximateBetweenness(approximation) }, { _ = try h.sApproximateReach(approximation) }] as [() throws -> Void] {
            do {
                try run()
                Issue.record("\(approximation) was accepted")
            } catch let error as HypergraphError {
                #expect(error.code == .invalidArgument)
                #expect(error.message.hasPrefix(message), "\(error.message)")
            }
        }
    }
}
