import Foundation

/// The charts `anant plot` and `anant report --out` draw, made from plain values.
extension Chart {
    /// The degree distribution on log–log axes: one point per degree, at the number of
    /// nodes with that degree.
    ///
    /// Degree 0 (isolated nodes) has no place on a log axis; how many there are is said in
    /// a note. Negative degrees are invalid and counted in the same note.
    /// - Parameters:
    ///   - degrees: every node's degree (the number of edges it is in).
    ///   - title: the chart title.
    public static func degreeDistribution(degrees: [Int], title: String = "Degree distribution") -> Chart {
        distribution(degrees, title: title, xTitle: "degree (edges per node)", yTitle: "nodes",
                     left: { $0 == 1 ? "1 node has degree 0 (isolated) and is not shown." : "\($0) nodes have degree 0 (isolated) and are not shown." })
    }

    /// The edge size distribution on log–log axes: one point per size, at the number of
    /// edges of that size.
    ///
    /// Empty edges (size 0) have no place on a log axis; how many there are is said in a note.
    /// - Parameters:
    ///   - sizes: every edge's size (the number of nodes in it).
    ///   - title: the chart title.
    public static func edgeSizeDistribution(sizes: [Int], title: String = "Edge size distribution") -> Chart {
        distribution(sizes, title: title, xTitle: "edge size (nodes per edge)", yTitle: "edges",
                     left: { $0 == 1 ? "1 empty edge (size 0) is not shown." : "\($0) empty edges (size 0) are not shown." })
    }

    static func distribution(_ values: [Int], title: String, xTitle: String, yTitle: String,
                             left note: (Int) -> String) -> Chart {
        var counts = [Int: Int]()
        for value in values where value > 0 { counts[value, default: 0] += 1 }
        let points = counts.keys.sorted().map { Point(x: Double($0), y: Double(counts[$0]!)) }
        let notShown = values.count - values.filter { $0 > 0 }.count
        return Chart(title: title, xAxis: Axis(xTitle, scale: .log10), yAxis: Axis(yTitle, scale: .log10),
                     series: [Series(yTitle, mark: .points, points: points)], notes: notShown > 0 ? [note(notShown)] : [])
    }

    /// Component sizes for each s, as grouped bars: how many s-connected components fall in
    /// each size class, one bar per s, on a log count axis.
    ///
    /// Up to size 16 every size is its own class; past that the classes double (1, 2, 3–4,
    /// 5–8, …) so a giant component and many small ones fit one chart.
    /// - Parameters:
    ///   - sizesByS: for each s, the sizes of its components (sizes below 1 are ignored).
    ///   - unit: what a component is counted in ("edges" or "nodes"), for the axis title.
    ///   - title: the chart title.
    public static func componentSizes(sizesByS: [(s: Int, sizes: [Int])], unit: String = "edges",
                                      title: String = "Component sizes by s") -> Chart {
        let largest = sizesByS.flatMap(\.sizes).max() ?? 0
        let doubling = largest > 16
        func sizeClass(_ size: Int) -> Int {
            doubling ? (size - 1).bitWidth - (size - 1).leadingZeroBitCount : size - 1
        }
        let classCount = largest > 0 ? sizeClass(largest) + 1 : 0
        let names = (0..<classCount).map { index -> String in
            guard doubling, index >= 2 else { return String(index + 1) }
            return "\((1 << (index - 1)) + 1)\u{2013}\(1 << index)"
        }
        let series = sizesByS.map { entry -> Series in
            var counts = [Int](repeating: 0, count: classCount)
            for size in entry.sizes where size > 0 { counts[sizeClass(size)] += 1 }
            let points = counts.enumerated().filter { $0.element > 0 }.map { Point(x: Double($0.offset), y: Double($0.element)) }
            return Series("s = \(entry.s)", mark: .bars, points: points)
        }
        return Chart(title: title, xAxis: Axis("component size (\(unit))", scale: .categorical(names)),
                     yAxis: Axis("components", scale: .log10), series: series)
    }

    /// The top k by a centrality measure, as bars from the highest down.
    ///
    /// Long names are shortened with an ellipsis on the axis; the full name is in the
    /// tooltip. Ties keep the order given; values that are not finite are left out (and
    /// counted in a note).
    /// - Parameters:
    ///   - labels: the ids of the nodes or edges (only as many as there are values are used).
    ///   - values: their centralities, in the same order.
    ///   - measure: the measure's name, for the y axis ("betweenness").
    ///   - entity: what the labels are ("nodes" or "edges").
    ///   - title: the chart title; "Top k nodes by measure" by default.
    public static func topCentralities(labels: [String], values: [Double], measure: String,
                                       entity: String = "nodes", title: String? = nil) -> Chart {
        let count = min(labels.count, values.count)
        let order = (0..<count).sorted { a, b in
            let va = values[a].isFinite ? values[a] : -Double.infinity, vb = values[b].isFinite ? values[b] : -Double.infinity
            return va != vb ? va > vb : a < b
        }
        let points = order.enumerated().map { Point(x: Double($0.offset), y: values[$0.element]) }
        return Chart(title: title ?? "Top \(count) \(entity) by \(measure)",
                     xAxis: Axis(entity, scale: .categorical(order.map { labels[$0] })), yAxis: Axis(measure),
                     series: [Series(measure, mark: .bars, points: points)])
    }

    /// The s-profile: the number of s-connected components and the size of the largest
    /// against s, as two lines on one log axis (both are counts, often orders apart).
    ///
    /// An s with no components (no edges reach size s) has no place on the log axis; a note
    /// names those s.
    /// - Parameters:
    ///   - points: for each s, the number of components and the largest one's size.
    ///   - unit: what the largest component is counted in ("edges" or "nodes").
    ///   - title: the chart title.
    public static func sProfile(points: [(s: Int, components: Int, largest: Int)], unit: String = "edges",
                                title: String = "s-profile") -> Chart {
        let sorted = points.sorted { $0.s < $1.s }
        let shown = sorted.filter { $0.components > 0 && $0.largest > 0 }
        let components = shown.map { Point(x: Double($0.s), y: Double($0.components)) }
        let largest = shown.map { Point(x: Double($0.s), y: Double($0.largest)) }
        let empty = sorted.filter { $0.components <= 0 || $0.largest <= 0 }.map { String($0.s) }
        let note = empty.isEmpty ? [] : ["No components for s = \(empty.joined(separator: ", ")) (not shown on the log scale)."]
        return Chart(title: title, xAxis: Axis("s", integer: true), yAxis: Axis("count", scale: .log10),
                     series: [Series("components", mark: .line, points: components),
                              Series("largest component (\(unit))", mark: .line, points: largest)], notes: note)
    }
}
