import AnantColumnar
import Foundation

/// What a client token may do: read (run operations, export, read metadata), write
/// (import, remove, write metadata), administer (everything, in every namespace).
public enum Role: String, Sendable, Comparable, CaseIterable {
    case reader, writer, admin

    public static func < (a: Role, b: Role) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// A caller the gateway authenticated.
public struct Principal: Sendable {
    public var role: Role
    /// The dataset namespace the token is scoped to; nil: every namespace.
    public var namespace: String?

    /// Whether the caller may touch `dataset`: an admin or an unscoped token any; a scoped
    /// one those of its namespace (as the catalog names it: the part of the name before the
    /// first '.', "default" for a name without one).
    public func covers(_ dataset: String) -> Bool {
        guard let namespace, role != .admin else { return true }
        let own = dataset.firstIndex(of: ".").map { String(dataset[..<$0]) } ?? "default"
        return own == namespace
    }
}

/// The gateway's client tokens (DESIGN.md §4), read from a file that holds their SHA-256
/// only: one line per token, `ROLE SHA256 [NAMESPACE]`, `#` comments. A token presented is
/// hashed and compared in constant time with every entry. Tokens are never logged.
public struct Tokens: Sendable {
    struct Entry: Sendable {
        var hash: [UInt8]
        var principal: Principal
    }

    let entries: [Entry]

    /// The tokens of the file at `path`.
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT` naming the line that is not a token entry.
    public init(path: String) throws(Status) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Status(.invalidArgument, "the tokens file \(path) cannot be read")
        }
        try self.init(text: text, source: path)
    }

    public init(text: String, source: String = "tokens") throws(Status) {
        var entries = [Entry]()
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if words.isEmpty { continue }
            guard (2...3).contains(words.count), let role = Role(rawValue: words[0]), let hash = Self.hex(words[1]), hash.count == 32 else {
                throw Status(.invalidArgument, "\(source) line \(number + 1): expected 'ROLE SHA256 [NAMESPACE]' with ROLE reader, writer or admin and the token's SHA-256 in hex")
            }
            entries.append(Entry(hash: hash, principal: Principal(role: role, namespace: words.count == 3 ? words[2] : nil)))
        }
        guard !entries.isEmpty else { throw Status(.invalidArgument, "\(source) holds no token: the gateway would refuse every client") }
        self.entries = entries
    }

    /// The line of the tokens file for `token`.
    public static func line(role: Role, token: String, namespace: String? = nil) -> String {
        "\(role.rawValue) \(digest(token).map { String(format: "%02x", $0) }.joined())" + (namespace.map { " \($0)" } ?? "")
    }

    /// A new random token (256 bits, hex).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The caller a token names.
    ///
    /// - Throws: `UNAUTHENTICATED` for no token or an unknown one.
    public func authenticate(_ token: String) throws(Status) -> Principal {
        guard !token.isEmpty else { throw Status(.unauthenticated, "no token: pass a client token (--token-file)") }
        let hash = Self.digest(token)
        var found: Principal? = nil
        for entry in entries {
            var difference: UInt8 = 0
            for k in 0..<32 { difference |= entry.hash[k] ^ hash[k] }
            if difference == 0 && found == nil { found = entry.principal }
        }
        guard let found else { throw Status(.unauthenticated, "the token is not valid for this cluster") }
        return found
    }

    static func digest(_ token: String) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(Array(token.utf8))
        return hasher.finish()
    }

    static func hex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        for k in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[k..<k + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
        }
        return out
    }
}
