import AnantColumnar

// The execution context's polling points, throwing this module's error.
extension ExecutionContext {
    /// Throws `HypergraphError.interrupted` when the work was cancelled or is past its
    /// deadline.
    @inline(__always)
    func check() throws(HypergraphError) { try check(HypergraphError.self) }

    /// `forEachChunk`, throwing `HypergraphError.interrupted` when the context stops it.
    func forEachChunk(count: Int, chunk: Int, workers: Int? = nil,
                      _ body: @Sendable (_ worker: Int, _ range: Range<Int>) -> Void) throws(HypergraphError) {
        try forEachChunk(count: count, chunk: chunk, workers: workers, as: HypergraphError.self, body)
    }
}

extension HypergraphError {
    /// Checks the s of s-adjacency a request carries.
    static func validate(s: Int) throws(HypergraphError) {
        guard s >= 1 else {
            throw HypergraphError(.invalidArgument, "s must be at least 1 (got \(s)): s-adjacency counts shared nodes or edges, so pass s = 1 or more")
        }
    }

    /// Checks a work range of source vertices against the vertex count.
    static func validate(sources: Range<Int>, count: Int) throws(HypergraphError) {
        guard sources.lowerBound >= 0, sources.upperBound <= count else {
            throw HypergraphError(.invalidArgument, "the source range \(sources.lowerBound)..<\(sources.upperBound) is outside the \(count) vertices; pass a range within 0..<\(count)")
        }
    }

    /// Checks s and an optional largest edge size.
    static func validate(s: Int, maxSize: Int?) throws(HypergraphError) {
        try validate(s: s)
        if let maxSize, maxSize < 1 {
            throw HypergraphError(.invalidArgument, "the largest edge size counted must be at least 1 (got \(maxSize)): pass 1 or more, or none for no limit")
        }
    }

    /// Checks a convergence threshold (finite, not negative).
    static func validate(delta: Double) throws(HypergraphError) {
        guard delta.isFinite, delta >= 0 else {
            throw HypergraphError(.invalidArgument, "the improvement threshold delta must be a finite number of 0 or more (got \(delta)); 0.01 is the usual choice")
        }
    }
}
