import AnantColumnar
import Testing

/// `ExactSum`: exact, order-independent sums of doubles.
@Suite struct ExactSumTests {
    /// Values over many magnitudes and both signs, seeded.
    static func values(_ count: Int, seed: UInt64) -> [Double] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        return (0..<count).map { _ in
            let mantissa = Double(next() % (1 << 52)) / Double(1 << 52) + 1
            let exponent = Int(next() % 80) - 40
            return (next() % 2 == 0 ? 1 : -1) * mantissa * Double(sign: .plus, exponent: exponent, significand: 1)
        }
    }

    @Test func theSumDoesNotDependOnOrderOrGrouping() {
        let values = Self.values(10_000, seed: 7)
        var forward = ExactSum(), backward = ExactSum()
        for v in values { forward.add(v) }
        for v in values.reversed() { backward.add(v) }
        // Grouped into uneven parts, merged in another order.
        var parts = [ExactSum](repeating: ExactSum(), count: 7)
        for (i, v) in values.enumerated() { parts[(i * i) % 7].add(v) }
        var merged = ExactSum()
        for part in parts.reversed() { merged.add(part) }
        #expect(forward == backward && forward == merged)
        #expect(forward.value.bitPattern == merged.value.bitPattern)
        // Plain double sums of the same values differ by order: the reason for the type.
        let plain = values.reduce(0, +)
        #expect(abs(plain - forward.value) <= 1e-9 * abs(forward.value) + 1e-9)
    }

    @Test func theSumIsExactThenRoundedOnce() {
        // Cancellation a plain sum loses.
        var sum = ExactSum()
        for v in [1e16, 1, -1e16] { sum.add(v) }
        #expect(sum.value == 1)
        #expect([1e16, 1, -1e16].reduce(0, +) == 0)
        // Ten times 0.1 is 1.0000000000000000555…, which rounds to 1 (math.fsum's answer).
        var tenth = ExactSum()
        for _ in 0..<10 { tenth.add(0.1) }
        #expect(tenth.value == 1)
        var plainTenth = 0.0
        for _ in 0..<10 { plainTenth += 0.1 }
        #expect(plainTenth != 1)
        // 1 + 2^-60 - 1 is exactly 2^-60.
        var tiny = ExactSum()
        for v in [1, 0x1p-60, -1] { tiny.add(v) }
        #expect(tiny.value == 0x1p-60)
        // Negative totals and ties to even: 2^53 + 1 is halfway, rounds to 2^53.
        var tie = ExactSum()
        for v in [-0x1p53, -1] { tie.add(v) }
        #expect(tie.value == -0x1p53)
        var above = ExactSum()
        for v in [0x1p53, 1, 0x1p-30] { above.add(v) }
        #expect(above.value == 0x1p53 + 2)
        #expect(ExactSum().value == 0)
        #expect(ExactSum(-2.5).value == -2.5)
    }

    @Test func valuesOutsideTheFixedRangeFollowIEEE() {
        var huge = ExactSum()
        for v in [1e300, 1.5, 1e300] { huge.add(v) }
        #expect(huge.value == 2e300 + 1.5)
        var infinite = ExactSum()
        for v in [1, Double.infinity, 2] { infinite.add(v) }
        #expect(infinite.value == .infinity)
        var both = ExactSum()
        for v in [Double.infinity, -Double.infinity] { both.add(v) }
        #expect(both.value.isNaN)
        var nan = ExactSum()
        for v in [1, Double.nan] { nan.add(v) }
        #expect(nan.value.isNaN)
        // Below 2^-128 terms are dropped, deterministically.
        var small = ExactSum()
        small.add(0x1p-140)
        #expect(small.value == 0)
    }
}
