import Foundation

/// Text for SVG and HTML: escaping, shortening and an estimate of how wide it is drawn.
enum ChartMarkup {
    /// `text` safe in XML and HTML content and in quoted attributes: `& < > " '` become
    /// references and characters XML 1.0 forbids (controls other than tab, newline and
    /// carriage return; U+FFFE, U+FFFF) become U+FFFD, so the document stays well-formed
    /// whatever the input.
    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            case "\t", "\n", "\r": out.append(scalar)
            default:
                let forbidden = scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF
                out.append(forbidden ? "\u{FFFD}" : scalar)
            }
        }
        return String(out)
    }

    /// `text` on one line (line breaks and tabs become spaces) and at most `limit`
    /// characters, the last one an ellipsis when it was cut; `cut` says whether it was.
    static func shorten(_ text: String, to limit: Int) -> (text: String, cut: Bool) {
        let flat = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        guard flat.count > max(limit, 1) else { return (flat, false) }
        return (String(flat.prefix(max(limit, 2) - 1)) + "\u{2026}", true)
    }

    /// The width `text` is drawn at in a sans-serif font of `fontSize` pixels, estimated
    /// (0.6 em a character: a little wide for most fonts, so layouts err on the roomy side).
    static func width(_ text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * 0.6
    }

    /// How many characters fit in `width` pixels at `fontSize` (at least 4).
    static func characters(fitting width: Double, fontSize: Double) -> Int {
        max(4, Int(width / (fontSize * 0.6)))
    }
}
