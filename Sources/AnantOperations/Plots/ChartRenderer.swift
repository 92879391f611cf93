import Foundation

/// Draws a `Chart` as SVG: lays out margins from the text it has to fit, builds the axes'
/// scales, and writes the elements in a fixed order (so the output is deterministic).
///
/// The layout: the title at the top left with the legend (two or more series) under it,
/// the y axis title turned on the left, tick labels beside the axes, the x axis title and
/// the notes at the bottom. Category names that do not fit their band are turned 40°.
struct ChartRenderer {
    /// The Okabe–Ito palette (safe for the common colour-vision deficiencies), in an order
    /// that keeps the first two series far apart.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    static let fontFamily = "'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif"
    static let style = """
        .anant-chart text{fill:#222;font-size:12px}\
        .anant-chart .ac-title{font-size:15px;font-weight:bold}\
        .anant-chart .ac-axis-title{font-size:13px}\
        .anant-chart .ac-tick{fill:#444}\
        .anant-chart .ac-note{fill:#666}\
        .anant-chart .ac-empty{fill:#666;font-size:14px}\
        .anant-chart .ac-grid{stroke:#e2e2e2;stroke-width:1}\
        .anant-chart .ac-grid-minor{stroke:#f0f0f0;stroke-width:1}\
        .anant-chart .ac-axis{stroke:#333;stroke-width:1}
        """
    static let tickFont = 12.0, titleFont = 15.0, axisTitleFont = 13.0

    /// A series with the points the axes can show; nil where a point cannot be shown.
    struct PreparedSeries {
        let index: Int
        let series: Chart.Series
        let points: [Chart.Point?]
    }

    /// Where things go, in pixels.
    struct Layout {
        var legendRows: [[(series: Int, x: Double)]] = []
        var plotLeft = 0.0, plotRight = 0.0, plotTop = 0.0, plotBottom = 0.0
        var rotateCategories = false
        var categoryCharacters = 24
        var xLabelHeight = 16.0
    }

    let chart: Chart
    let width: Double
    let height: Double
    let prepared: [PreparedSeries]
    let omitted: Int

    init(chart: Chart) {
        self.chart = chart
        width = Double(max(chart.width, 240))
        height = Double(max(chart.height, 180))
        var omitted = 0
        prepared = chart.series.enumerated().map { index, series in
            let points = series.points.map { point -> Chart.Point? in
                guard ChartAxisScale.canShow(point.x, on: chart.xAxis.scale),
                      ChartAxisScale.canShow(point.y, on: chart.yAxis.scale) else { omitted += 1; return nil }
                return point
            }
            return PreparedSeries(index: index, series: series, points: points)
        }
        self.omitted = omitted
    }

    var hasBars: Bool { chart.series.contains { $0.mark == .bars } }
    var notes: [String] {
        guard omitted > 0 else { return chart.notes }
        let what = omitted == 1 ? "1 value" : "\(omitted) values"
        return chart.notes + ["\(what) not shown: not finite, or not positive on a log scale."]
    }

    func render() -> String {
        var layout = verticalLayout()
        var yScale = makeYScale(layout)
        layout.plotLeft = 16 + 16 + 10 + (yScale.major.map { ChartMarkup.width($0.label, fontSize: Self.tickFont) }.max() ?? 8) + 8
        if layout.rotateCategories, case .categorical(let names) = chart.xAxis.scale, let first = names.first {
            // The first name, turned, reaches left of its band: keep it on the canvas.
            let shown = ChartMarkup.shorten(first, to: layout.categoryCharacters).text
            layout.plotLeft = max(layout.plotLeft, ChartMarkup.width(shown, fontSize: Self.tickFont) * cos(40 * Double.pi / 180))
        }
        layout.plotRight = width - 28
        var xScale = makeXScale(layout)
        xScale.start = layout.plotLeft
        xScale.end = layout.plotRight
        yScale.start = layout.plotBottom
        yScale.end = layout.plotTop

        let w = ChartNumberFormat.coordinate(width), h = ChartNumberFormat.coordinate(height)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\""
        out += " class=\"anant-chart\" role=\"img\" font-family=\"\(Self.fontFamily)\">\n"
        out += "<title>\(ChartMarkup.escape(chart.title))</title>\n<style>\(Self.style)</style>\n"
        out += "<rect width=\"\(w)\" height=\"\(h)\" fill=\"#ffffff\"/>\n"
        out += titleAndLegend(layout)
        out += grid(x: xScale, y: yScale, layout: layout)
        out += marks(x: xScale, y: yScale)
        out += axes(x: xScale, y: yScale, layout: layout)
        if !prepared.contains(where: { $0.points.contains { $0 != nil } }) {
            out += text("No data", x: (layout.plotLeft + layout.plotRight) / 2, y: (layout.plotTop + layout.plotBottom) / 2,
                        className: "ac-empty", anchor: "middle")
        }
        for (offset, note) in notes.enumerated() {
            let y = height - 10 - 16 * Double(notes.count - 1 - offset)
            out += fittedText(note, x: 16, y: y, width: width - 32, fontSize: Self.tickFont, className: "ac-note")
        }
        return out + "</svg>\n"
    }

    /// The legend's rows, the top and bottom of the plot, and how category names are set.
    func verticalLayout() -> Layout {
        var layout = Layout()
        if chart.series.count >= 2 {
            var row = [(series: Int, x: Double)](), x = 16.0
            for index in chart.series.indices {
                let itemWidth = 24 + ChartMarkup.width(legendName(index).text, fontSize: Self.tickFont) + 20
                if !row.isEmpty && x + itemWidth > width - 16 {
                    layout.legendRows.append(row)
                    row = []
                    x = 16
                }
                row.append((index, x))
                x += itemWidth
            }
            layout.legendRows.append(row)
        }
        layout.plotTop = layout.legendRows.isEmpty ? 44 : 36 + 18 * Double(layout.legendRows.count) + 12
        if case .categorical(let names) = chart.xAxis.scale, !names.isEmpty {
            let band = (width - 110) / Double(names.count)
            let longest = min(names.map(\.count).max() ?? 0, 24)
            if ChartMarkup.width(String(repeating: "m", count: longest), fontSize: Self.tickFont) > band - 6 {
                layout.rotateCategories = true
                layout.categoryCharacters = min(longest, 20)
                let labelWidth = ChartMarkup.width(String(repeating: "m", count: layout.categoryCharacters), fontSize: Self.tickFont)
                layout.xLabelHeight = labelWidth * sin(40 * Double.pi / 180) + Self.tickFont
            }
        }
        let bottom = 8 + layout.xLabelHeight + 8 + 16 + 10 + 16 * Double(notes.count) + 4
        layout.plotBottom = max(height - bottom, layout.plotTop + 40)
        return layout
    }

    func makeYScale(_ layout: Layout) -> ChartAxisScale {
        var values = prepared.flatMap { $0.points.compactMap { $0?.y } }
        if hasBars && chart.yAxis.scale == .linear { values.append(0) }
        return ChartAxisScale.make(for: chart.yAxis, values: values, target: Int((layout.plotBottom - layout.plotTop) / 45), bars: hasBars)
    }

    func makeXScale(_ layout: Layout) -> ChartAxisScale {
        var values = prepared.flatMap { $0.points.compactMap { $0?.x } }
        if chart.xAxis.scale == .linear, let gap = barGap, let low = values.min(), let high = values.max() {
            values += [low - gap / 2, high + gap / 2]
        }
        return ChartAxisScale.make(for: chart.xAxis, values: values, target: Int((layout.plotRight - layout.plotLeft) / 90), bars: false)
    }

    /// The smallest distance between two bars' x values on a numeric axis (1 with one).
    var barGap: Double? {
        let xs = Set(prepared.filter { $0.series.mark == .bars }.flatMap { $0.points.compactMap { $0?.x } }).sorted()
        guard !xs.isEmpty else { return nil }
        let gaps = zip(xs.dropFirst(), xs).map { $0 - $1 }
        return gaps.min() ?? max(abs(xs[0]) * 0.2, 1)
    }

    func legendName(_ index: Int) -> (text: String, cut: Bool) {
        ChartMarkup.shorten(chart.series[index].name, to: 32)
    }

    func titleAndLegend(_ layout: Layout) -> String {
        var out = fittedText(chart.title, x: 16, y: 24, width: width - 32, fontSize: Self.titleFont, className: "ac-title")
        for (rowIndex, row) in layout.legendRows.enumerated() {
            let y = 36 + 18 * Double(rowIndex) + 9
            for item in row {
                let series = chart.series[item.series]
                let color = Self.palette[item.series % Self.palette.count]
                out += "<g class=\"ac-legend\">"
                switch series.mark {
                case .bars:
                    out += rect(x: item.x + 3, y: y - 6, width: 12, height: 12, fill: color)
                case .line:
                    out += "<line x1=\"\(c(item.x))\" y1=\"\(c(y))\" x2=\"\(c(item.x + 18))\" y2=\"\(c(y))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
                    out += marker(shape: item.series, x: item.x + 9, y: y, color: color, tooltip: nil)
                case .points:
                    out += marker(shape: item.series, x: item.x + 9, y: y, color: color, tooltip: nil)
                }
                let name = legendName(item.series)
                out += "<text x=\"\(c(item.x + 24))\" y=\"\(c(y + 4))\">\(ChartMarkup.escape(name.text))"
                out += (name.cut ? "<title>\(ChartMarkup.escape(series.name))</title>" : "") + "</text></g>\n"
            }
        }
        return out
    }

    // MARK: Text and shapes

    func c(_ value: Double) -> String { ChartNumberFormat.coordinate(value) }

    func text(_ content: String, x: Double, y: Double, className: String? = nil, anchor: String? = nil,
              tooltip: String? = nil, transform: String? = nil) -> String {
        var out = "<text x=\"\(c(x))\" y=\"\(c(y))\""
        if let className { out += " class=\"\(className)\"" }
        if let anchor { out += " text-anchor=\"\(anchor)\"" }
        if let transform { out += " transform=\"\(transform)\"" }
        out += ">" + ChartMarkup.escape(content)
        if let tooltip { out += "<title>\(ChartMarkup.escape(tooltip))</title>" }
        return out + "</text>\n"
    }

    /// `content` shortened to fit `width`, the full text in a tooltip when it was cut.
    func fittedText(_ content: String, x: Double, y: Double, width: Double, fontSize: Double, className: String,
                    anchor: String? = nil, transform: String? = nil) -> String {
        let short = ChartMarkup.shorten(content, to: ChartMarkup.characters(fitting: width, fontSize: fontSize))
        return text(short.text, x: x, y: y, className: className, anchor: anchor,
                    tooltip: short.cut ? content : nil, transform: transform)
    }

    func rect(x: Double, y: Double, width: Double, height: Double, fill: String, tooltip: String? = nil) -> String {
        let open = "<rect x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(max(width, 0)))\" height=\"\(c(max(height, 0)))\" fill=\"\(fill)\""
        guard let tooltip else { return open + "/>" }
        return open + "><title>\(ChartMarkup.escape(tooltip))</title></rect>"
    }

    /// A marker of one of four shapes (circle, square, triangle, diamond) so series differ
    /// by more than colour.
    func marker(shape: Int, x: Double, y: Double, color: String, tooltip: String?, radius r: Double = 3.5) -> String {
        let element: String, attributes: String
        switch shape % 4 {
        case 0:
            element = "circle"
            attributes = "cx=\"\(c(x))\" cy=\"\(c(y))\" r=\"\(c(r))\""
        case 1:
            element = "rect"
            attributes = "x=\"\(c(x - r * 0.9))\" y=\"\(c(y - r * 0.9))\" width=\"\(c(r * 1.8))\" height=\"\(c(r * 1.8))\""
        case 2:
            element = "path"
            attributes = "d=\"M\(c(x)),\(c(y - r * 1.2))L\(c(x + r * 1.1)),\(c(y + r * 0.8))L\(c(x - r * 1.1)),\(c(y + r * 0.8))Z\""
        default:
            element = "path"
            attributes = "d=\"M\(c(x)),\(c(y - r * 1.3))L\(c(x + r * 1.3)),\(c(y))L\(c(x)),\(c(y + r * 1.3))L\(c(x - r * 1.3)),\(c(y))Z\""
        }
        let open = "<\(element) \(attributes) fill=\"\(color)\""
        guard let tooltip else { return open + "/>" }
        return open + "><title>\(ChartMarkup.escape(tooltip))</title></\(element)>"
    }
}
