import Foundation

/// The `index.html` that `anant report --out DIR` writes beside the metrics files: a title,
/// a summary table, links to the files, and the charts inlined as SVG.
///
/// The page is self-contained (no scripts, fonts, images or style sheets from elsewhere;
/// a Content-Security-Policy forbids them all) and every piece of text is escaped.
public enum PlotPage {
    /// The page's HTML.
    /// - Parameters:
    ///   - title: the page title and heading.
    ///   - summary: rows of the summary table, a name and a value each, in order.
    ///   - files: names of files beside the page to link to (`nodes.parquet`); each is linked
    ///     relative to the page, never as a URL of its own.
    ///   - charts: the charts, drawn in order.
    public static func html(title: String, summary: [(String, String)], files: [String] = [], charts: [Chart]) -> String {
        let e = ChartMarkup.escape
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title))</title>
            <style>\(style)</style>
            </head>
            <body>
            <h1>\(e(title))</h1>

            """
        if !summary.isEmpty {
            out += "<table class=\"summary\">\n<tbody>\n"
            for (name, value) in summary { out += "<tr><th scope=\"row\">\(e(name))</th><td>\(e(value))</td></tr>\n" }
            out += "</tbody>\n</table>\n"
        }
        if !files.isEmpty {
            out += "<h2>Files</h2>\n<ul class=\"files\">\n"
            for file in files { out += "<li><a href=\"\(e(relativeHref(file)))\">\(e(file))</a></li>\n" }
            out += "</ul>\n"
        }
        if !charts.isEmpty {
            out += "<h2>Plots</h2>\n"
            for chart in charts { out += "<figure>\n\(chart.svg())</figure>\n" }
        }
        return out + "</body>\n</html>\n"
    }

    /// Writes the page as `index.html` in `directory` (which must exist) and returns its URL.
    /// - Throws: the file system's error when the file cannot be written.
    @discardableResult
    public static func write(to directory: URL, title: String, summary: [(String, String)], files: [String] = [],
                             charts: [Chart]) throws -> URL {
        let url = directory.appendingPathComponent("index.html")
        try Data(html(title: title, summary: summary, files: files, charts: charts).utf8).write(to: url, options: .atomic)
        return url
    }

    /// `name` as a relative link: percent-encoded, and led by `./` when it could be read as
    /// a scheme (`javascript:…`) or a host (`//…`).
    static func relativeHref(_ name: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#;")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return encoded.hasPrefix("/") || encoded.contains(":") ? "./" + encoded.drop { $0 == "/" } : encoded
    }

    static let style = """
        body{font-family:'DejaVu Sans','Helvetica Neue',Helvetica,Arial,sans-serif;color:#222;margin:24px;max-width:1000px}\
        h1{font-size:22px;margin:0 0 16px}h2{font-size:17px;margin:24px 0 8px}\
        table.summary{border-collapse:collapse;font-size:14px}\
        table.summary th,table.summary td{border-bottom:1px solid #e2e2e2;padding:4px 16px 4px 0;text-align:left}\
        table.summary th{font-weight:normal;color:#555}\
        ul.files{font-size:14px;padding-left:20px}\
        figure{margin:0 0 20px}figure svg{max-width:100%;height:auto;display:block}
        """
}
