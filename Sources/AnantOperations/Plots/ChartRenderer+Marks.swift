import Foundation

/// The data: bars, lines and markers, each with a tooltip naming its values.
extension ChartRenderer {
    func marks(x: ChartAxisScale, y: ChartAxisScale) -> String {
        let barSeries = prepared.filter { $0.series.mark == .bars }.map(\.index)
        var out = ""
        for entry in prepared {
            let color = Self.palette[entry.index % Self.palette.count]
            switch entry.series.mark {
            case .bars:
                let slot = barSeries.firstIndex(of: entry.index) ?? 0
                out += bars(entry, slot: slot, of: barSeries.count, color: color, x: x, y: y)
            case .line:
                out += line(entry, color: color, x: x, y: y)
                out += markers(entry, color: color, x: x, y: y, opacity: nil)
            case .points:
                out += markers(entry, color: color, x: x, y: y, opacity: "0.85")
            }
        }
        return out
    }

    func bars(_ entry: PreparedSeries, slot: Int, of count: Int, color: String,
              x: ChartAxisScale, y: ChartAxisScale) -> String {
        let groupWidth: Double
        switch x.kind {
        case .band: groupWidth = x.bandWidth * 0.8
        case .linear: groupWidth = abs((x.position(barGap ?? 1) ?? 0) - (x.position(0) ?? 0)) * 0.8
        case .log: groupWidth = 12 * Double(count)
        }
        let barWidth = max(groupWidth / Double(max(count, 1)), 1)
        let gap = count > 1 && barWidth > 4 ? 1.0 : 0
        guard let base = y.position(y.baseline) else { return "" }
        var out = "<g class=\"ac-bars\">"
        for point in entry.points {
            guard let point, let center = x.position(point.x), let top = y.position(point.y) else { continue }
            let left = center - groupWidth / 2 + Double(slot) * barWidth
            out += rect(x: left + gap / 2, y: min(top, base), width: barWidth - gap, height: abs(base - top),
                        fill: color, tooltip: tooltip(entry.series, point))
        }
        return out + "</g>\n"
    }

    /// A line through the points in order, broken where a point cannot be shown.
    func line(_ entry: PreparedSeries, color: String, x: ChartAxisScale, y: ChartAxisScale) -> String {
        var path = "", pendingMove = true
        for point in entry.points {
            guard let point, let px = x.position(point.x), let py = y.position(point.y) else { pendingMove = true; continue }
            path += (pendingMove ? "M" : "L") + "\(c(px)),\(c(py))"
            pendingMove = false
        }
        guard !path.isEmpty else { return "" }
        return "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n"
    }

    func markers(_ entry: PreparedSeries, color: String, x: ChartAxisScale, y: ChartAxisScale, opacity: String?) -> String {
        var out = opacity.map { "<g fill-opacity=\"\($0)\">" } ?? "<g>"
        for point in entry.points {
            guard let point, let px = x.position(point.x), let py = y.position(point.y) else { continue }
            out += marker(shape: entry.index, x: px, y: py, color: color, tooltip: tooltip(entry.series, point))
        }
        return out + "</g>\n"
    }

    /// "series · x: y title = value", with the category's full name or the point's label
    /// standing for x where there is one.
    func tooltip(_ series: Chart.Series, _ point: Chart.Point) -> String {
        var xPart = "\(chart.xAxis.title) = \(ChartNumberFormat.value(point.x))"
        if let label = point.label {
            xPart = label
        } else if case .categorical(let names) = chart.xAxis.scale, let index = Int(exactly: point.x), names.indices.contains(index) {
            xPart = names[index]
        }
        let text = xPart + ": " + chart.yAxis.title + " = " + ChartNumberFormat.value(point.y)
        return chart.series.count > 1 ? series.name + " \u{00B7} " + text : text
    }
}
