/// A sum of doubles that does not depend on the order of its terms: every term is added
/// exactly to a 256-bit fixed-point integer (units of 2^-128, range ±2^127), so sums split
/// over any number of threads, parts or workers and merged in any order are bit for bit
/// the same.
///
/// Each term is first truncated toward zero to a multiple of 2^-128 (its bits below 2^-128
/// are dropped, deterministically, term by term; terms below 2^-128 vanish); the sum of the
/// truncated terms is exact and rounded once to a double. Terms of magnitude 2^64 and above,
/// infinities and NaN are summed as plain doubles beside the fixed-point part and added to
/// its rounded value: infinities and NaN follow IEEE rules in any order; only sums with such
/// huge finite terms round twice and can depend on their order.
///
/// Hot loops add their terms to a plain `Double` per fixed block (a morsel, a block of BFS
/// sources), whose order is fixed by the data, and add each block's sum here: the block
/// order then no longer matters.
public struct ExactSum: Sendable, Hashable {
    private var l0: UInt64 = 0, l1: UInt64 = 0, l2: UInt64 = 0, l3: UInt64 = 0
    /// Terms outside the fixed-point range (≥ 2^64 in magnitude, ±inf, NaN).
    private var outside: Double = 0

    public init() {}

    /// A sum of one term.
    public init(_ x: Double) { add(x) }

    /// Adds `x` exactly (see the type's discussion for the ranges).
    @inline(__always)
    public mutating func add(_ x: Double) {
        if x == 0 { return }
        guard x.isFinite, x.magnitude < 0x1p64 else {
            outside += x
            return
        }
        let bits = x.bitPattern
        let biased = Int((bits >> 52) & 0x7FF)
        var m = bits & 0xF_FFFF_FFFF_FFFF
        let e: Int
        if biased == 0 { e = -1074 } else { m |= 1 << 52; e = biased - 1075 }
        var p = e + 128
        if p < 0 {
            if p <= -64 { return }
            m >>= UInt64(-p)
            if m == 0 { return }
            p = 0
        }
        let shift = p & 63
        let low = m << UInt64(shift)
        let high = shift == 0 ? 0 : m >> UInt64(64 - shift)
        var a: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        switch p >> 6 {
        case 0: a = (low, high, 0, 0)
        case 1: a = (0, low, high, 0)
        default: a = (0, 0, low, high)
        }
        if x < 0 {
            // Two's complement of the addend.
            a = (~a.0, ~a.1, ~a.2, ~a.3)
            let (r0, c0) = a.0.addingReportingOverflow(1)
            let (r1, c1) = a.1.addingReportingOverflow(c0 ? 1 : 0)
            let (r2, c2) = a.2.addingReportingOverflow(c1 ? 1 : 0)
            a = (r0, r1, r2, a.3 &+ (c2 ? 1 : 0))
        }
        addLimbs(a)
    }

    /// The sum's exact state, to carry it elsewhere (the wire's `ExactSums`): the four
    /// 64-bit limbs of the fixed-point part, least significant first, and the plain
    /// double of the terms outside its range.
    public var state: (limbs: [UInt64], outside: Double) { ([l0, l1, l2, l3], outside) }

    /// The sum whose `state` is `limbs` and `outside`; nil unless there are four limbs.
    public init?(limbs: some Collection<UInt64>, outside: Double) {
        guard limbs.count == 4 else { return nil }
        let l = Array(limbs)
        (l0, l1, l2, l3) = (l[0], l[1], l[2], l[3])
        self.outside = outside
    }

    /// Adds another sum exactly.
    public mutating func add(_ other: ExactSum) {
        addLimbs((other.l0, other.l1, other.l2, other.l3))
        outside += other.outside
    }

    @inline(__always)
    private mutating func addLimbs(_ a: (UInt64, UInt64, UInt64, UInt64)) {
        let (r0, c0) = l0.addingReportingOverflow(a.0)
        let (s1, d1) = l1.addingReportingOverflow(a.1)
        let (r1, e1) = s1.addingReportingOverflow(c0 ? 1 : 0)
        let (s2, d2) = l2.addingReportingOverflow(a.2)
        let (r2, e2) = s2.addingReportingOverflow((d1 || e1) ? 1 : 0)
        l0 = r0
        l1 = r1
        l2 = r2
        l3 = l3 &+ a.3 &+ ((d2 || e2) ? 1 : 0)
    }

    /// The sum, rounded once to the nearest double (ties to even).
    public var value: Double {
        var limbs = (l0, l1, l2, l3)
        let negative = l3 >> 63 == 1
        if negative {
            let (r0, c0) = (~limbs.0).addingReportingOverflow(1)
            let (r1, c1) = (~limbs.1).addingReportingOverflow(c0 ? 1 : 0)
            let (r2, c2) = (~limbs.2).addingReportingOverflow(c1 ? 1 : 0)
            limbs = (r0, r1, r2, (~limbs.3) &+ (c2 ? 1 : 0))
        }
        return withUnsafeBytes(of: &limbs) { raw in
            let limbs = raw.bindMemory(to: UInt64.self)
            guard let top = (0..<4).reversed().first(where: { limbs[$0] != 0 }) else { return outside }
            let t = top * 64 + 63 - limbs[top].leadingZeroBitCount
            let shift = Swift.max(0, t - 63)
            // The 64 bits from `shift` up, and whether any bit below them is set.
            let limb = shift >> 6, within = shift & 63
            var window = limbs[limb] >> UInt64(within)
            if within > 0, limb + 1 < 4 { window |= limbs[limb + 1] << UInt64(64 - within) }
            var sticky = within > 0 && limbs[limb] << UInt64(64 - within) != 0
            for k in 0..<limb where limbs[k] != 0 { sticky = true }
            if sticky { window |= 1 }
            let magnitude = Double(sign: .plus, exponent: shift - 128, significand: Double(window))
            return (negative ? -magnitude : magnitude) + outside
        }
    }
}
