import Foundation

/// Gridlines, axis lines, ticks, tick labels and axis titles.
extension ChartRenderer {
    func grid(x: ChartAxisScale, y: ChartAxisScale, layout: Layout) -> String {
        func inside(_ p: Double, _ a: Double, _ b: Double) -> Bool { p >= min(a, b) - 0.01 && p <= max(a, b) + 0.01 }
        func horizontal(_ p: Double) -> String {
            "<line x1=\"\(c(layout.plotLeft))\" y1=\"\(c(p))\" x2=\"\(c(layout.plotRight))\" y2=\"\(c(p))\"/>"
        }
        func vertical(_ p: Double) -> String {
            "<line x1=\"\(c(p))\" y1=\"\(c(layout.plotTop))\" x2=\"\(c(p))\" y2=\"\(c(layout.plotBottom))\"/>"
        }
        var minor = "", major = ""
        for value in y.minor { if let p = y.position(value), inside(p, y.start, y.end) { minor += horizontal(p) } }
        for tick in y.major { if let p = y.position(tick.value), inside(p, y.start, y.end) { major += horizontal(p) } }
        if case .band = x.kind {} else {
            for value in x.minor { if let p = x.position(value), inside(p, x.start, x.end) { minor += vertical(p) } }
            for tick in x.major { if let p = x.position(tick.value), inside(p, x.start, x.end) { major += vertical(p) } }
        }
        return "<g class=\"ac-grid-minor\" shape-rendering=\"crispEdges\">\(minor)</g>\n"
            + "<g class=\"ac-grid\" shape-rendering=\"crispEdges\">\(major)</g>\n"
    }

    func axes(x: ChartAxisScale, y: ChartAxisScale, layout: Layout) -> String {
        let left = layout.plotLeft, bottom = layout.plotBottom
        var lines = "<line x1=\"\(c(left))\" y1=\"\(c(layout.plotTop))\" x2=\"\(c(left))\" y2=\"\(c(bottom))\"/>"
        lines += "<line x1=\"\(c(left))\" y1=\"\(c(bottom))\" x2=\"\(c(layout.plotRight))\" y2=\"\(c(bottom))\"/>"
        if y.kind == .linear, y.low < 0, y.high > 0, let zero = y.position(0) {
            // Values on both sides of zero: the zero line is a baseline, drawn like an axis.
            lines += "<line x1=\"\(c(left))\" y1=\"\(c(zero))\" x2=\"\(c(layout.plotRight))\" y2=\"\(c(zero))\"/>"
        }
        var labels = ""
        for tick in y.major {
            guard let p = y.position(tick.value) else { continue }
            lines += "<line x1=\"\(c(left - 5))\" y1=\"\(c(p))\" x2=\"\(c(left))\" y2=\"\(c(p))\"/>"
            labels += text(tick.label, x: left - 8, y: p + 4, className: "ac-tick", anchor: "end")
        }
        // Turned names need about 20 px between them; with narrower bands only every n-th
        // category is named.
        let every = layout.rotateCategories ? max(1, Int((20 / max(x.bandWidth, 0.1)).rounded(.up))) : 1
        for (index, tick) in x.major.enumerated() {
            guard let p = x.position(tick.value) else { continue }
            lines += "<line x1=\"\(c(p))\" y1=\"\(c(bottom))\" x2=\"\(c(p))\" y2=\"\(c(bottom + 5))\"/>"
            if index % every == 0 { labels += xTickLabel(tick, at: p, scale: x, layout: layout) }
        }
        var out = "<g class=\"ac-axis\" shape-rendering=\"crispEdges\">\(lines)</g>\n" + labels
        let titleY = bottom + 8 + layout.xLabelHeight + 8 + 13
        out += fittedText(chart.xAxis.title, x: (left + layout.plotRight) / 2, y: titleY, width: layout.plotRight - left,
                          fontSize: Self.axisTitleFont, className: "ac-axis-title", anchor: "middle")
        let middle = (layout.plotTop + bottom) / 2
        out += fittedText(chart.yAxis.title, x: 28, y: middle, width: bottom - layout.plotTop + 20,
                          fontSize: Self.axisTitleFont, className: "ac-axis-title", anchor: "middle",
                          transform: "rotate(-90 28 \(c(middle)))")
        return out
    }

    /// A tick label under the x axis; category names are shortened to fit (turned 40° when
    /// the layout says so), the full name in a tooltip.
    func xTickLabel(_ tick: ChartAxisScale.Tick, at p: Double, scale: ChartAxisScale, layout: Layout) -> String {
        let y = layout.plotBottom + 18
        guard case .band = scale.kind else {
            return text(tick.label, x: p, y: y, className: "ac-tick", anchor: "middle")
        }
        if layout.rotateCategories {
            let top = layout.plotBottom + 14
            return fittedText(tick.label, x: p + 4, y: top,
                              width: ChartMarkup.width(String(repeating: "m", count: layout.categoryCharacters), fontSize: Self.tickFont),
                              fontSize: Self.tickFont, className: "ac-tick", anchor: "end",
                              transform: "rotate(-40 \(c(p + 4)) \(c(top)))")
        }
        return fittedText(tick.label, x: p, y: y, width: scale.bandWidth - 4, fontSize: Self.tickFont,
                          className: "ac-tick", anchor: "middle")
    }
}
