import Foundation

// Plots: a small, dependency-free chart library behind `anant plot` and `anant report --out`.
//
// A `Chart` is a plain value (title, two axes, series of points) and `svg()` renders it as
// one self-contained SVG document: no scripts, no external fonts or links, only an embedded
// `<style>`. Rendering is deterministic (the same chart gives byte-identical SVG, whatever the
// locale), never crashes on bad data (NaN, infinities and values a log axis cannot show are
// skipped and counted in a note), and escapes every piece of text, so hostile ids are safe.
// `Chart+Builders.swift` makes the charts the command draws; `PlotPage` puts several into
// one HTML page. The files import only Foundation so they also compile on their own
// (`tests/plots/check.sh`).

/// A two-dimensional chart (points, lines or bars) that renders itself as an SVG document.
///
/// The chart holds data, not drawing state: axes say how values map to positions, series
/// say how the points are marked. On a categorical x axis a point's `x` is the index of its
/// category (0, 1, …). Values a scale cannot show (not finite, beyond ±1e300, or not
/// positive on a log scale) are skipped when rendering and counted in a note under the plot.
/// `Chart` is a `Sendable` value; rendering reads it only, so it is safe from any thread.
public struct Chart: Sendable, Equatable {
    /// How an axis maps values to positions.
    public enum Scale: Sendable, Equatable {
        /// Evenly spaced values, ticks in 1-2-5 steps.
        case linear
        /// Powers of ten evenly spaced, ticks at decades with minor ticks between; values
        /// that are zero or negative cannot be shown and are skipped.
        case log10
        /// Named categories at the integer positions 0, 1, …, one band each (bar charts);
        /// long names are shortened with an ellipsis, the full name in a tooltip.
        case categorical([String])
    }

    /// One axis: its title and scale.
    public struct Axis: Sendable, Equatable {
        /// The axis title, shown beside the axis (say the unit here).
        public var title: String
        /// How values map to positions.
        public var scale: Scale
        /// Whether the values are whole numbers, so a linear axis puts ticks only at
        /// integers (s = 1, 2, 3 rather than 1, 1.5, 2).
        public var integer: Bool

        /// An axis.
        /// - Parameters:
        ///   - title: the axis title.
        ///   - scale: how values map to positions; linear by default.
        ///   - integer: whether ticks fall only on whole numbers (linear scales).
        public init(_ title: String, scale: Scale = .linear, integer: Bool = false) {
            self.title = title
            self.scale = scale
            self.integer = integer
        }
    }

    /// How a series marks its points.
    public enum Mark: Sendable, Equatable {
        /// A marker at each point (distributions).
        case points
        /// A line through the points in the order given, with a marker at each; the line
        /// breaks where a point cannot be shown.
        case line
        /// A bar from the baseline (zero, or the bottom of a log axis) to each value; the
        /// bar series of a chart stand side by side in each category (grouped bars).
        case bars
    }

    /// One data point.
    public struct Point: Sendable, Equatable {
        /// The x value; on a categorical axis, the category's index.
        public var x: Double
        /// The y value.
        public var y: Double
        /// What the point's tooltip calls it in place of its x value, if anything.
        public var label: String?

        /// A point.
        public init(x: Double, y: Double, label: String? = nil) {
            self.x = x
            self.y = y
            self.label = label
        }
    }

    /// A named set of points drawn one way; with two or more series the chart has a legend.
    public struct Series: Sendable, Equatable {
        /// The name in the legend and the tooltips.
        public var name: String
        /// How the points are drawn.
        public var mark: Mark
        /// The points, in drawing order (lines join them in this order).
        public var points: [Point]

        /// A series.
        public init(_ name: String, mark: Mark, points: [Point]) {
            self.name = name
            self.mark = mark
            self.points = points
        }
    }

    /// The title above the plot.
    public var title: String
    /// The horizontal axis.
    public var xAxis: Axis
    /// The vertical axis.
    public var yAxis: Axis
    /// The data, drawn in order (later series on top); colours follow the order.
    public var series: [Series]
    /// Lines of small print under the plot (what was left out, where the data came from).
    public var notes: [String]
    /// The width of the image, in CSS pixels (at least 240).
    public var width: Int
    /// The height of the image, in CSS pixels (at least 180).
    public var height: Int

    /// A chart.
    /// - Parameters:
    ///   - title: the title above the plot.
    ///   - xAxis: the horizontal axis.
    ///   - yAxis: the vertical axis.
    ///   - series: the data.
    ///   - notes: lines of small print under the plot.
    ///   - width: the image width in CSS pixels; 720 by default, at least 240.
    ///   - height: the image height in CSS pixels; 450 by default, at least 180.
    public init(title: String, xAxis: Axis, yAxis: Axis, series: [Series], notes: [String] = [],
                width: Int = 720, height: Int = 450) {
        self.title = title
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.series = series
        self.notes = notes
        self.width = width
        self.height = height
    }

    /// The chart as a self-contained SVG document.
    ///
    /// The document starts with `<svg xmlns=…>` (no XML declaration, so it can also be
    /// inlined in HTML as is), has `width`, `height` and a `viewBox`, an embedded `<style>`
    /// and a white background, and uses no ids, so several charts can share one page.
    /// The same chart always gives the same bytes. With nothing to show it draws the axes
    /// and says "No data".
    public func svg() -> String {
        ChartRenderer(chart: self).render()
    }
}
