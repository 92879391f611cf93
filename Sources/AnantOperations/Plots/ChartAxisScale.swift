import Foundation

/// One axis of a chart being drawn: its domain, its ticks and how values map to pixels.
///
/// Linear axes are widened to whole tick steps of 1, 2 or 5 × 10^k. Log axes keep the data's
/// range plus a little padding and put labelled ticks on decades (every second or fifth when
/// there are many, minor ticks at 2…9 between); a range under a decade gets 1-2-5 ticks, and
/// one narrower still gets linear ticks. Categorical axes have one band per category.
struct ChartAxisScale {
    /// How values map to the unit interval.
    enum Kind: Equatable {
        case linear
        case log
        /// `count` bands; the value i sits in the middle of band i.
        case band(count: Int)
    }

    /// A labelled tick.
    struct Tick {
        /// Where the tick is, in data units.
        let value: Double
        /// The label, unshortened (the renderer shortens category names).
        let label: String
    }

    let kind: Kind
    /// The low end of the domain, in data units (positive on a log axis).
    let low: Double
    /// The high end of the domain, in data units.
    let high: Double
    /// Labelled ticks with gridlines, low to high.
    let major: [Tick]
    /// Unlabelled ticks with faint gridlines (log axes).
    let minor: [Double]
    /// The pixel position of the domain's low end.
    var start: Double = 0
    /// The pixel position of the domain's high end.
    var end: Double = 1

    /// The pixel position of `value`, or nil when the axis cannot show it.
    func position(_ value: Double) -> Double? {
        let fraction: Double
        switch kind {
        case .linear:
            fraction = (value - low) / (high - low)
        case .log:
            guard value > 0 else { return nil }
            fraction = (log10(value) - log10(low)) / (log10(high) - log10(low))
        case .band(let count):
            fraction = (value + 0.5) / Double(max(count, 1))
        }
        guard fraction.isFinite else { return nil }
        return start + fraction * (end - start)
    }

    /// Where bars start: zero (kept inside the domain) on a linear axis, the bottom of a log
    /// axis.
    var baseline: Double {
        kind == .log ? low : min(max(0, low), high)
    }

    /// The width of one band in pixels (categorical axes), else of the whole axis.
    var bandWidth: Double {
        if case .band(let count) = kind { return abs(end - start) / Double(max(count, 1)) }
        return abs(end - start)
    }

    /// Whether an axis with `scale` can show `value` at all.
    static func canShow(_ value: Double, on scale: Chart.Scale) -> Bool {
        guard value.isFinite, abs(value) <= 1e300 else { return false }
        switch scale {
        case .linear: return true
        case .log10: return value > 0
        case .categorical(let names): return value == value.rounded() && value >= 0 && value < Double(names.count)
        }
    }

    /// The scale for `axis` over `values` (all showable), with about `target` labelled ticks.
    /// With `bars` (bars grow along this axis) a linear domain ends on whole ticks and a log
    /// domain reaches well below the smallest value, so the shortest bar still shows;
    /// otherwise the domain is the data's range padded a little, so no point sits on the frame.
    static func make(for axis: Chart.Axis, values: [Double], target: Int, bars: Bool) -> ChartAxisScale {
        let target = max(target, 2)
        switch axis.scale {
        case .categorical(let names):
            let ticks = names.enumerated().map { Tick(value: Double($0.offset), label: $0.element) }
            return ChartAxisScale(kind: .band(count: names.count), low: -0.5, high: Double(names.count) - 0.5,
                                  major: ticks, minor: [])
        case .linear:
            guard let low = values.min(), let high = values.max() else {
                return linear(low: 0, high: 1, target: target, integer: axis.integer, snap: true)
            }
            return linear(low: low, high: high, target: target, integer: axis.integer, snap: bars)
        case .log10:
            guard let low = values.min(), let high = values.max() else { return log(low: 1, high: 10, target: target, bars: bars) }
            return log(low: low, high: high, target: target, bars: bars)
        }
    }

    /// 1, 2 or 5 × 10^k, the nearest to `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let power = pow(10, (log10(rough)).rounded(.down))
        let fraction = rough / power
        return (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10) * power
    }

    static func linear(low: Double, high: Double, target: Int, integer: Bool, snap: Bool) -> ChartAxisScale {
        var low = low, high = high
        if low == high {
            if low == 0 {
                high = 1
            } else {
                let pad = max(abs(low) * 0.1, integer ? 1 : 0)
                let positive = low > 0
                low -= pad
                high += pad
                if positive && low < 0 { low = 0 }
            }
        }
        if !snap {
            let pad = (high / 2 - low / 2) * 0.08
            low -= pad
            high += pad
        }
        var step = niceStep(high / Double(target) - low / Double(target))
        if integer { step = max(step, 1) }
        if !snap { return ticksInside(low: low, high: high, step: step, kind: .linear) }
        let first = (low / step + 1e-9).rounded(.down), last = (high / step - 1e-9).rounded(.up)
        let count = min(Int(last - first), 200)
        let ticks = (0...max(count, 1)).map { index -> Tick in
            let value = (first + Double(index)) * step
            return Tick(value: value, label: ChartNumberFormat.tick(value, step: step))
        }
        return ChartAxisScale(kind: .linear, low: ticks.first!.value, high: ticks.last!.value, major: ticks, minor: [])
    }

    static func log(low: Double, high: Double, target: Int, bars: Bool) -> ChartAxisScale {
        var a = log10(low), b = log10(high)
        if a == b { a -= 0.5; b += 0.5 }
        // Padding keeps points off the frame; under bars, at least log10(2), so a bar of the
        // smallest value (often 1) still has a height.
        let pad = max((b - a) * 0.05, 0.05)
        a -= bars ? max(pad, log10(2)) : pad
        b += pad
        let domainLow = pow(10, a), domainHigh = pow(10, b)
        func inside(_ v: Double) -> Bool { v >= domainLow * (1 - 1e-12) && v <= domainHigh * (1 + 1e-12) }
        func tick(_ v: Double) -> Tick { Tick(value: v, label: ChartNumberFormat.tick(v, step: nil)) }

        let lowDecade = Int((a - 1e-9).rounded(.up)), highDecade = Int((b + 1e-9).rounded(.down))
        let decades = (lowDecade <= highDecade ? Array(lowDecade...highDecade) : []).filter { inside(pow(10, Double($0))) }
        if decades.count >= 2 {
            var stride = 1
            for candidate in [1, 2, 3, 5, 10, 20, 25, 50, 100] {
                stride = candidate
                if (decades.count + candidate - 1) / candidate <= target { break }
            }
            var labelled = decades.filter { (($0 % stride) + stride) % stride == 0 }
            if labelled.count < 2 { stride = 1; labelled = decades }
            let major = labelled.map { tick(pow(10, Double($0))) }
            var minor = [Double]()
            if stride == 1 && decades.count <= 12 {
                for k in (decades.first! - 1)...decades.last! {
                    for m in 2...9 where inside(Double(m) * pow(10, Double(k))) { minor.append(Double(m) * pow(10, Double(k))) }
                }
            } else {
                minor = decades.filter { !labelled.contains($0) }.map { pow(10, Double($0)) }
            }
            return ChartAxisScale(kind: .log, low: domainLow, high: domainHigh, major: major, minor: minor)
        }
        var major = [Tick](), minor = [Double]()
        for k in Int(a.rounded(.down))...Int(b.rounded(.up)) {
            for m in 1...9 {
                let v = Double(m) * pow(10, Double(k))
                guard inside(v) else { continue }
                if [1, 2, 5].contains(m) { major.append(tick(v)) } else { minor.append(v) }
            }
        }
        if major.count >= 2 {
            return ChartAxisScale(kind: .log, low: domainLow, high: domainHigh, major: major, minor: minor)
        }
        // Under a 1-2-5 step: linear ticks inside the (fixed) domain.
        return ticksInside(low: domainLow, high: domainHigh, step: niceStep((domainHigh - domainLow) / 4), kind: .log)
    }

    /// A scale over exactly `low...high` with ticks at the multiples of `step` inside it.
    static func ticksInside(low: Double, high: Double, step: Double, kind: Kind) -> ChartAxisScale {
        let first = (low / step - 1e-9).rounded(.up), last = (high / step + 1e-9).rounded(.down)
        let ticks = first > last ? [] : (0...min(Int(last - first), 200)).map { index -> Tick in
            let value = (first + Double(index)) * step
            return Tick(value: value, label: ChartNumberFormat.tick(value, step: step))
        }
        return ChartAxisScale(kind: kind, low: low, high: high, major: ticks, minor: [])
    }
}
