import AnantColumnar

/// Names that arrive over the wire and end up naming files or rows: validated the same
/// way by every service.
public enum WireNames {
    /// A dataset name: 1 to 128 of `A–Z a–z 0–9 . _ -`, starting with a letter or digit
    /// (so no ".", "..", hidden or option-like names, no separator, no traversal).
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT`.
    public static func validate(dataset: String) throws(Status) {
        let bytes = Array(dataset.utf8)
        guard (1...128).contains(bytes.count) else {
            throw Status(.invalidArgument, "a dataset name has 1 to 128 characters (got \(bytes.count))")
        }
        func allowed(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
        }
        guard bytes.allSatisfy(allowed), bytes[0] != 0x2E, bytes[0] != 0x2D, bytes[0] != 0x5F else {
            throw Status(.invalidArgument, "dataset name \"\(printable(dataset))\" is not allowed: use letters, digits, '.', '_' and '-', starting with a letter or digit")
        }
    }

    /// A name as it may be shown in a message: at most 80 characters, control characters
    /// escaped.
    public static func printable(_ text: String) -> String {
        let shown = text.unicodeScalars.prefix(80).map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return text.unicodeScalars.count > 80 ? shown + "…" : shown
    }
}
