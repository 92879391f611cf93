/// HyperNetX's `centrality_stats`: minimum, maximum, mean, median and population standard
/// deviation of a list of numbers.
public struct SummaryStatistics: Sendable, Hashable {
    public let min: Double
    public let max: Double
    public let mean: Double
    public let median: Double
    /// Population standard deviation (numpy's `std` with ddof = 0).
    public let standardDeviation: Double

    /// The statistics of `values`; nil when there are none.
    public init?<C: Collection>(_ values: C) where C.Element: BinaryInteger {
        self.init(values.map { Double($0) })
    }

    /// The statistics of `values`; nil when there are none.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let n = Double(values.count)
        let mean = Hypergraph.pairwiseSum(values) / n
        self.min = sorted.first!
        self.max = sorted.last!
        self.mean = mean
        let middle = sorted.count / 2
        self.median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        self.standardDeviation = (Hypergraph.pairwiseSum(values.map { ($0 - mean) * ($0 - mean) }) / n).squareRoot()
    }
}

extension Hypergraph {
    /// Sum in numpy's pairwise order (blocks of 8 below 128 elements), so float sums match
    /// numpy's to the last bit in the common cases.
    static func pairwiseSum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { pairwise($0) }
    }

    private static func pairwise(_ a: UnsafeBufferPointer<Double>) -> Double {
        let n = a.count
        if n < 8 {
            var sum = 0.0
            for v in a { sum += v }
            return sum
        }
        if n <= 128 {
            var r = [Double](repeating: 0, count: 8)
            for j in 0..<8 { r[j] = a[j] }
            var i = 8
            while i < n - n % 8 {
                for j in 0..<8 { r[j] += a[i + j] }
                i += 8
            }
            var sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                sum += a[i]
                i += 1
            }
            return sum
        }
        var half = n / 2
        half -= half % 8
        return pairwise(UnsafeBufferPointer(rebasing: a[0..<half])) + pairwise(UnsafeBufferPointer(rebasing: a[half..<n]))
    }
}
