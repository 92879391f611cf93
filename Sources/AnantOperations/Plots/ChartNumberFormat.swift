import Foundation

/// Locale-free number formatting for charts: coordinates with two decimals, compact tick
/// labels (`1k`, `2.5M`, `1e-5`) and tooltip values.
///
/// Everything is done with integer arithmetic on rounded values, never `String(format:)` or
/// a formatter, so the output is the same on every machine and in every locale.
enum ChartNumberFormat {
    /// A coordinate or length: at most two decimals, trailing zeros dropped, clamped to
    /// ±1e6 (far outside any image, so a bad value cannot overflow the formatting).
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return fixed(min(max(value, -1e6), 1e6), decimals: 2, trim: true)
    }

    /// A tick label. With `step` (linear ticks) every label of an axis gets the decimals the
    /// step needs; without (log ticks) the value is shown as short as it is exact.
    static func tick(_ value: Double, step: Double?) -> String {
        let magnitude = abs(value)
        if magnitude == 0 || (step.map { magnitude < $0 * 1e-6 } ?? false) { return "0" }
        if magnitude >= 1e15 || magnitude < 1e-3 { return scientific(value) }
        for (unit, suffix) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] where magnitude >= unit {
            let decimals = step.map { decimalsFor(step: $0 / unit) } ?? 2
            if decimals <= 2 { return fixed(value / unit, decimals: decimals, trim: true) + suffix }
            break
        }
        if let step { return fixed(value, decimals: decimalsFor(step: step), trim: false) }
        return fixed(value, decimals: max(0, -Int((log10(magnitude)).rounded(.down))) + 2, trim: true)
    }

    /// A value in a tooltip or a table: whole numbers as they are, others with up to four
    /// decimals, very large or small ones in scientific notation.
    static func value(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-inf" : "inf") }
        let magnitude = abs(value)
        if magnitude >= 1e15 || (magnitude < 1e-4 && magnitude > 0) { return scientific(value) }
        if value == value.rounded() { return fixed(value, decimals: 0, trim: true) }
        return fixed(value, decimals: 4, trim: true)
    }

    /// The decimals a tick step of 1, 2 or 5 × 10^k needs (0 for steps of 1 or more).
    static func decimalsFor(step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        return min(9, max(0, -Int((log10(step) + 1e-9).rounded(.down))))
    }

    /// `value` in scientific notation with a mantissa of at most two decimals: `2.5e20`.
    static func scientific(_ value: Double) -> String {
        guard value != 0, value.isFinite else { return self.value(value) }
        var exponent = Int(log10(abs(value)).rounded(.down))
        var mantissa = abs(value) / pow(10, Double(exponent))
        mantissa = (mantissa * 100).rounded() / 100
        if mantissa >= 10 { mantissa /= 10; exponent += 1 }
        if mantissa < 1 { mantissa *= 10; exponent -= 1 }
        return (value < 0 ? "-" : "") + fixed(mantissa, decimals: 2, trim: true) + "e\(exponent)"
    }

    /// `value` with `decimals` decimals (at most 9), rounded half away from zero; with `trim`
    /// trailing zeros (and a bare point) are dropped. Never prints `-0`.
    static func fixed(_ value: Double, decimals: Int, trim: Bool) -> String {
        guard value.isFinite else { return self.value(value) }
        var decimals = min(max(decimals, 0), 9)
        while decimals > 0 && abs(value) * pow(10, Double(decimals)) >= 9e18 { decimals -= 1 }
        if abs(value) >= 9e18 { return scientific(value) }
        let scaled = Int64((abs(value) * pow(10, Double(decimals))).rounded())
        var digits = String(scaled)
        if digits.count <= decimals { digits = String(repeating: "0", count: decimals + 1 - digits.count) + digits }
        var whole = String(digits.dropLast(decimals))
        var fraction = String(digits.suffix(decimals))
        if trim { while fraction.hasSuffix("0") { fraction.removeLast() } }
        if whole.isEmpty { whole = "0" }
        let sign = (value < 0 && scaled != 0) ? "-" : ""
        return sign + whole + (fraction.isEmpty ? "" : "." + fraction)
    }
}
