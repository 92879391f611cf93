import AnantColumnar
import Foundation
import Synchronization

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
/// only: one line per token, `ROLE SHA256 [NAMESPACE] [expires=YYYY-MM-DDTHH:MM:SSZ]`, `#`
/// comments. A token presented is hashed and compared in constant time with every entry;
/// one past its expiry is refused. Tokens are never logged.
public struct Tokens: Sendable {
    struct Entry: Sendable {
        var hash: [UInt8]
        var principal: Principal
        var expires: Date?
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
            let expected = "expected 'ROLE SHA256 [NAMESPACE] [expires=YYYY-MM-DDTHH:MM:SSZ]' with ROLE reader, writer or admin and the token's SHA-256 in hex"
            guard (2...4).contains(words.count), let role = Role(rawValue: words[0]), let hash = Self.hex(words[1]), hash.count == 32 else {
                throw Status(.invalidArgument, "\(source) line \(number + 1): \(expected)")
            }
            var namespace: String? = nil, expires: Date? = nil
            for word in words.dropFirst(2) {
                if word.hasPrefix("expires=") {
                    guard expires == nil, let date = ISO8601DateFormatter().date(from: String(word.dropFirst(8))) else {
                        throw Status(.invalidArgument, "\(source) line \(number + 1): expires= takes one time like 2027-01-31T00:00:00Z")
                    }
                    expires = date
                } else {
                    guard namespace == nil else { throw Status(.invalidArgument, "\(source) line \(number + 1): \(expected)") }
                    namespace = word
                }
            }
            entries.append(Entry(hash: hash, principal: Principal(role: role, namespace: namespace), expires: expires))
        }
        guard !entries.isEmpty else { throw Status(.invalidArgument, "\(source) holds no token: the gateway would refuse every client") }
        self.entries = entries
    }

    /// The line of the tokens file for `token`.
    public static func line(role: Role, token: String, namespace: String? = nil, expires: Date? = nil) -> String {
        "\(role.rawValue) \(digest(token).map { String(format: "%02x", $0) }.joined())" + (namespace.map { " \($0)" } ?? "")
            + (expires.map { " expires=\(ISO8601DateFormatter().string(from: $0))" } ?? "")
    }

    /// A new random token (256 bits, hex).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The caller a token names.
    ///
    /// - Throws: `UNAUTHENTICATED` for no token, an unknown one or an expired one.
    public func authenticate(_ token: String, now: Date = Date()) throws(Status) -> Principal {
        guard !token.isEmpty else { throw Status(.unauthenticated, "no token: pass a client token (--token-file)") }
        let hash = Self.digest(token)
        var found: Entry? = nil
        for entry in entries {
            var difference: UInt8 = 0
            for k in 0..<32 { difference |= entry.hash[k] ^ hash[k] }
            if difference == 0 && found == nil { found = entry }
        }
        guard let found else { throw Status(.unauthenticated, "the token is not valid for this cluster") }
        if let expires = found.expires, expires <= now {
            throw Status(.unauthenticated, "the token expired at \(ISO8601DateFormatter().string(from: expires))")
        }
        return found.principal
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

/// The tokens file as it is now: read again when it changes (its modification time, size
/// or inode), looked at no more than once a second, so that adding, revoking (removing
/// the line) or renewing a token takes effect within about a second without a restart.
/// A changed file that does not parse refuses every token until it parses again (a
/// revocation with a typo must not leave the revoked token valid); `reloadFailure` says
/// why.
public final class TokenFile: Sendable {
    public let path: String
    private struct State {
        var tokens: Tokens
        var stamp: [Int]
        var checked: Date
        var failure: String?
    }
    private let state: Mutex<State>
    /// Told of each reload: the number of tokens read, or why the file was refused.
    private let reloaded: @Sendable (Result<Int, Status>) -> Void

    /// - Throws: `INVALID_ARGUMENT` when the file cannot be read or holds no valid token.
    public init(path: String, reloaded: @escaping @Sendable (Result<Int, Status>) -> Void = { _ in }) throws(Status) {
        self.path = path
        self.reloaded = reloaded
        state = Mutex(State(tokens: try Tokens(path: path), stamp: Self.stamp(path), checked: Date(), failure: nil))
    }

    /// Why the file as it is now was refused (every token is then refused), nil when it
    /// parses.
    public var reloadFailure: String? { state.withLock { $0.failure } }

    /// The tokens, read again first when the file changed.
    public func current(now: Date = Date()) -> Tokens {
        let (tokens, outcome) = state.withLock { state -> (Tokens, Result<Int, Status>?) in
            guard now.timeIntervalSince(state.checked) >= 1 else { return (state.tokens, nil) }
            state.checked = now
            let stamp = Self.stamp(path)
            guard stamp != state.stamp else { return (state.tokens, nil) }
            state.stamp = stamp
            do throws(Status) {
                state.tokens = try Tokens(path: path)
                state.failure = nil
                return (state.tokens, .success(state.tokens.entries.count))
            } catch {
                state.failure = error.message
                return (state.tokens, .failure(error))
            }
        }
        if let outcome { reloaded(outcome) }
        return tokens
    }

    /// The caller a token names, by the tokens as they are now.
    ///
    /// - Throws: `UNAUTHENTICATED` as `Tokens.authenticate` does, and for every token while
    ///   the file does not parse.
    public func authenticate(_ token: String) throws(Status) -> Principal {
        let tokens = current()
        if let failure = reloadFailure {
            throw Status(.unauthenticated, "the gateway's tokens file does not parse, so every token is refused until it does: \(failure)")
        }
        return try tokens.authenticate(token)
    }

    private static func stamp(_ path: String) -> [Int] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        return [Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec), Int(info.st_size), Int(info.st_ino)]
    }
}
