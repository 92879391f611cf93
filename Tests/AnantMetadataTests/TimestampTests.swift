import AnantColumnar
import AnantTestSupport
import Foundation
import GRDB
import Testing

@testable import AnantMetadata

/// Timestamp fields: every text the store's check accepts, Foundation's ISO 8601 parser
/// reads too; what it refuses is malformed, or what that parser would wrongly take
/// (dates rolled over into the next month, text after the zone).
@Suite struct TimestampTests {
    static func parses(_ text: String) -> Bool {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains(".")).parse(text)) != nil
    }

    /// Every field's edges (months' last days, leap years by the 4/100/400 rules, the
    /// clock's limits, year 0), in each zone form.
    static var edges: [String] {
        var texts = [String]()
        for year in [0, 1, 99, 1600, 1700, 1900, 1970, 2000, 2023, 2024, 2100, 9999] {
            for (month, day) in [(1, 1), (1, 31), (2, 28), (2, 29), (2, 30), (4, 30), (4, 31), (12, 31), (13, 1), (0, 10), (6, 0)] {
                for time in ["00:00:00", "23:59:59", "23:59:60", "24:00:00", "12:60:00", "12:00:60", "08:30:15.5", "08:30:15.123456789"] {
                    for zone in ["Z", "z", "+01:00", "-0530", "+05", "-18", "+18:00", "-18:01", "+19", "+23:59", "+24:00", "-01:60"] {
                        texts.append(String(format: "%04d-%02d-%02dT%@%@", year, month, day, time, zone))
                    }
                }
            }
        }
        return texts
    }

    @Test func everyInstantTheCheckAcceptsTheParserReads() {
        var state: UInt64 = 42
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % n
        }
        // The edges, random digits in the plain shape, and the edges mangled: a character
        // dropped, doubled or replaced by one of the grammar's.
        var texts = Self.edges
        for _ in 0..<5_000 { texts.append(String("dddd-dd-ddTdd:dd:ddZ".map { $0 == "d" ? Character(String(next(10))) : $0 })) }
        let alphabet = Array("0123456789-+:.TZtz x")
        for edge in Self.edges where next(3) == 0 {
            var characters = Array(edge)
            let i = next(characters.count)
            switch next(3) {
            case 0: characters.remove(at: i)
            case 1: characters.insert(characters[i], at: i)
            default: characters[i] = alphabet[next(alphabet.count)]
            }
            texts.append(String(characters))
        }
        var accepted = 0
        for text in texts where EntityValues.isInstant(text) {
            accepted += 1
            #expect(Self.parses(text), "\(text)")
        }
        #expect(accepted > 500)
        // February 29th by the Gregorian rules: every 4th year, not every 100th, every 400th.
        for year in [4, 1600, 1904, 2000, 2024, 2400] { #expect(EntityValues.isInstant("\(String(format: "%04d", year))-02-29T00:00:00Z")) }
        for year in [1, 1700, 1800, 1900, 2023, 2100] { #expect(!EntityValues.isInstant("\(String(format: "%04d", year))-02-29T00:00:00Z")) }
        // Real instants all pass, whatever the day, in Foundation's own writing.
        for seconds in stride(from: -2_000_000_000, through: 4_000_000_000, by: 7_777_777) {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds) + 0.25)
            for text in [date.formatted(.iso8601), date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))] {
                #expect(EntityValues.isInstant(text), "\(text)")
            }
        }
    }

    @Test func whatTheParserWouldWronglyTakeIsRefused() {
        // Rolled over into the next second, minute, day or month; text after the zone.
        for text in ["2023-02-29T12:00:00Z", "2026-04-31T12:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T12:00:60Z", "2026-12-01T12:00:00Zjunk",
                     "2026-12-01T12:00:00+0100x", "2026-12-01T12:00:00.5Z "] {
            #expect(Self.parses(text), "the parser takes \(text)")
            #expect(!EntityValues.isInstant(text), "\(text)")
        }
        // Forms outside ISO 8601 / RFC 3339 instants, some of which the parser takes.
        for text in ["", "yesterday", "2026-12-01", "2026-12-01T12:00:00", "2026-12-01 12:00:00Z", "2026-12-01t12:00:00Z",
                     "2026-12-01T12:00:00UTC", "2026-12-01T12:00:00+05:30:00", "+2026-12-01T12:00:00Z", "２026-12-01T12:00:00Z",
                     "2026-12-01T12:00:0Z", "2026-12-01T12:00:00.Z", "2026-12-01T12:00:00.1234567890Z", "2026-12-01T12:00:00+1",
                     "2026-12-01T12:00:00+05:", "2026-12-01T12:00:00+19:00", "0000-01-01T00:00:00Z"] {
            #expect(!EntityValues.isInstant(text), "\(text)")
        }
    }

    @Test func aStoreTakesInstantsAndRefusesOtherText() throws {
        try EntityStoreTests.withStore { store in
            _ = try store.registerSchema(kind: "event", fields: [EntityField("at", .timestamp)])
            for (key, text) in [("plain", "2024-02-29T23:59:59Z"), ("fraction", "2026-12-01T12:00:00.125Z"), ("offset", "2026-12-01T12:00:00+05:30"),
                                ("hours", "2026-12-01T12:00:00-08"), ("lower", "2026-12-01T12:00:00z"), ("leap", "2016-12-31T23:59:60Z")] {
                _ = try store.apply(kind: "event", [.upsert(key: key, values: JSONObject([("at", .string(text))]))])
                #expect(try store.record(kind: "event", key: key)?.values["at"] == .string(text))
            }
            for text in ["2023-02-29T12:00:00Z", "2026-13-01T00:00:00Z", "2026-12-01T12:00:00Zjunk", "yesterday", ""] {
                #expect(throws: Status(.invalidArgument, "field at is a timestamp (ISO 8601, as 2026-12-06T12:00:00Z), not \"\(text)\"")) {
                    try store.apply(kind: "event", [.upsert(key: "bad", values: JSONObject([("at", .string(text))]))])
                }
            }
            #expect(try store.record(kind: "event", key: "bad") == nil)
        }
    }

    @Test func aDefaultAnOlderCheckTookDoesNotLockTheKind() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("meta.db").path
        _ = try MetadataStore(path: path).registerSchema(kind: "event", fields: [EntityField("at", .timestamp, defaultJSON: "\"2026-12-01T12:00:00Z\"")])
        // The store as an older Anant could leave it: a default its parser took, refused now.
        let file = try DatabaseQueue(path: path)
        try file.write { try $0.execute(sql: "UPDATE kind_schemas SET fields = replace(fields, '12:00:00Z', '12:00:00UTC')") }
        try file.close()
        let store = try MetadataStore(path: path)
        let old = try store.schema(kind: "event")
        #expect(old.fields[0].defaultJSON == "\"2026-12-01T12:00:00UTC\"")
        // The field keeps its default through the next version; a new field may not take it.
        let next = try store.registerSchema(kind: "event", fields: old.fields + [EntityField("note", .string)])
        #expect(next.version == 2)
        let message = "the schema of event cannot evolve so: field late is a timestamp (ISO 8601, as 2026-12-06T12:00:00Z), not \"2026-12-01T12:00:00UTC\""
        #expect(throws: Status(.failedPrecondition, message)) {
            try store.registerSchema(kind: "event", fields: next.fields + [EntityField("late", .timestamp, defaultJSON: "\"2026-12-01T12:00:00UTC\"")])
        }
    }
}
