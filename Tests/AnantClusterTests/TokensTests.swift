@testable import AnantGateway
import AnantColumnar
import AnantTestSupport
import Foundation
import Testing

/// The gateway's tokens file: entries with namespaces and expiry times, and reading the
/// file again when it changes (revocation without a restart).
@Suite struct TokensTests {
    static let reader = "reader-token-0123456789", writer = "writer-token-0123456789"

    @Test func expiredTokensAreRefusedAndBadEntriesNamed() throws {
        let soon = Date(timeIntervalSince1970: 1_900_000_000)
        let tokens = try Tokens(text: Tokens.line(role: .reader, token: Self.reader, namespace: "lab") + "\n"
                                + Tokens.line(role: .writer, token: Self.writer, expires: soon) + "  # renewed yearly\n")
        let lab = try tokens.authenticate(Self.reader, now: soon.addingTimeInterval(1e6))
        #expect(lab.role == .reader && lab.namespace == "lab")
        #expect(try tokens.authenticate(Self.writer, now: soon.addingTimeInterval(-1)).role == .writer)
        #expect(throws: Status(.unauthenticated, "the token expired at 2030-03-17T17:46:40Z")) {
            try tokens.authenticate(Self.writer, now: soon)
        }
        #expect(throws: Status(.unauthenticated, "the token is not valid for this cluster")) { try tokens.authenticate("someone-else's-token") }
        let hash = String(repeating: "ab", count: 32)
        for (line, message) in [("admin \(hash) expires=tomorrow", "expires= takes one time"),
                                ("admin \(hash) lab other", "expected 'ROLE SHA256"),
                                ("admin \(hash) expires=2027-01-01T00:00:00Z expires=2028-01-01T00:00:00Z", "expires= takes one time")] {
            do {
                _ = try Tokens(text: line)
                Issue.record("accepted \(line)")
            } catch { #expect(error.message.contains(message), "\(error.message)") }
        }
    }

    @Test func theFileIsReadAgainWhenItChanges() throws {
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/tokens"
        func write(_ lines: [String]) throws { try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8) }
        let both = [Tokens.line(role: .reader, token: Self.reader), Tokens.line(role: .writer, token: Self.writer)]
        try write(both)
        let file = try TokenFile(path: path)
        let start = Date()
        #expect(try file.current(now: start).authenticate(Self.writer).role == .writer)
        // Revoked: the writer's line is removed. Seen once a second has passed, not before.
        try write([both[0]])
        #expect((try? file.current(now: start.addingTimeInterval(0.5)).authenticate(Self.writer)) != nil)
        #expect((try? file.current(now: start.addingTimeInterval(1.5)).authenticate(Self.writer)) == nil)
        #expect(try file.current(now: start.addingTimeInterval(1.5)).authenticate(Self.reader).role == .reader)
        // A file that no longer parses refuses every token until it parses again.
        try write(["reader not-a-hash"])
        _ = file.current(now: start.addingTimeInterval(3))
        #expect(file.reloadFailure?.contains("line 1") == true)
        do {
            _ = try file.authenticate(Self.reader)
            Issue.record("a token was taken while the tokens file did not parse")
        } catch { #expect(error.code == .unauthenticated && error.message.contains("does not parse")) }
        try write(both)
        #expect(try file.current(now: start.addingTimeInterval(4.5)).authenticate(Self.writer).role == .writer)
        #expect(file.reloadFailure == nil)
    }
}
