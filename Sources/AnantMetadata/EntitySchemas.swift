import AnantColumnar
import AnantWire
import Foundation
import GRDB

/// The type of an entity field.
public enum EntityFieldType: String, Sendable, CaseIterable, Codable {
    case bool, int32, int64, float, double, string, json, timestamp

    /// The type this one may widen to without loss (int32 → int64, float → double).
    var widening: EntityFieldType? {
        switch self {
        case .int32: .int64
        case .float: .double
        default: nil
        }
    }
}

/// One field of an entity kind's schema. Fields keep a stable id across versions (values
/// are stored by id), so a rename is a new name and the old one kept as an alias.
public struct EntityField: Sendable, Equatable, Codable {
    /// Assigned by the registry (ignored in a proposal).
    public var id: Int
    public var name: String
    public var type: EntityFieldType
    public var required: Bool
    /// The value of a record that lacks the field, as JSON text (nil: null).
    public var defaultJSON: String?
    /// The value a record that lacks the field reads as: its default, or null.
    var missingValue: JSONValue { defaultJSON.flatMap { try? JSONParser.parse($0) } ?? .null }
    /// Earlier names of the field: a proposal renames a field by naming its old name here.
    public var aliases: [String]
    public var deprecated: Bool

    public init(_ name: String, _ type: EntityFieldType, required: Bool = false, defaultJSON: String? = nil, aliases: [String] = [],
                deprecated: Bool = false) {
        self.id = 0
        self.name = name
        self.type = type
        self.required = required
        self.defaultJSON = defaultJSON
        self.aliases = aliases
        self.deprecated = deprecated
    }
}

/// What names one registered schema in a store for good: its kind, its version and the
/// store version that registered it.
struct EntitySchemaKey: Hashable, Sendable {
    let kind: String
    let version: Int
    let storeVersion: Int64
}

/// A version of a kind's schema.
public struct EntitySchema: Sendable, Equatable {
    public let kind: String
    public let version: Int
    public let fields: [EntityField]
    /// The store version its registration made.
    public let storeVersion: Int64

    /// The field a name (or an alias) names.
    public func field(named name: String) -> EntityField? {
        fields.first { $0.name == name } ?? fields.first { $0.aliases.contains(name) }
    }
}

/// The evolution rules between two versions of a kind's schema. Allowed: add a nullable
/// field, add a field with a default, widen (int32 → int64, float → double), rename through
/// an alias, deprecate. Everything else is refused, naming the rule it breaks.
enum SchemaEvolution {
    /// The new schema's fields with their ids (old ones kept, new ones numbered after
    /// `nextID`), or the rule `proposal` breaks.
    static func evolve(_ old: [EntityField], to proposal: [EntityField], nextID: Int, kind: String) throws(Status) -> [EntityField] {
        var names = Set<String>()
        for field in proposal {
            guard !field.name.isEmpty, field.name.utf8.count <= 128, field.name.unicodeScalars.allSatisfy({ $0.value >= 0x20 }) else {
                throw refuse(kind, "a field name has 1 to 128 printable characters (\"\(WireNames.printable(field.name))\")")
            }
            guard names.insert(field.name).inserted else { throw refuse(kind, "two fields are named \(field.name)") }
            if let text = field.defaultJSON, (try? JSONParser.parse(text)) == nil {
                throw refuse(kind, "the default of \(field.name) is not JSON: \(text)")
            }
        }
        // An alias names an old name, never a field of this proposal (that would move
        // another field's values under it).
        for field in proposal {
            if let taken = field.aliases.first(where: { alias in proposal.contains { $0.name == alias } }) {
                throw refuse(kind, "the alias \(taken) of \(field.name) is the name of another field of the schema")
            }
        }
        var next = nextID
        var matched = Set<Int>()
        var out = [EntityField]()
        // Renames first: a field whose aliases name an old field continues it; a field of
        // the same name as an old one continues it unless a rename took it.
        var renamed = [Int: Int]()
        for (index, field) in proposal.enumerated() {
            if let previous = old.first(where: { $0.name != field.name && field.aliases.contains($0.name) }), renamed[previous.id] == nil {
                renamed[previous.id] = index
            }
        }
        for (index, var field) in proposal.enumerated() {
            let previous = old.first { renamed[$0.id] == index }
                ?? old.first { $0.name == field.name && renamed[$0.id] == nil }
            guard let previous else {
                if let reused = old.first(where: { $0.deprecated && ($0.name == field.name || $0.aliases.contains(field.name)) }), reused.type != field.type {
                    throw refuse(kind, "reusing the deprecated name \(field.name) (\(reused.type.rawValue)) with another type (\(field.type.rawValue))")
                }
                // (A first schema has no records to fill: it may require anything.)
                if field.required && field.defaultJSON == nil && !old.isEmpty {
                    throw refuse(kind, "adding a required field without a default (\(field.name)): add it nullable or with a default")
                }
                // A new field's default must be a value of its type. A continued field keeps
                // the default it was registered with (changing it is refused below), checked
                // then: a check made stricter since never locks a kind's schema.
                if let text = field.defaultJSON, let value = try? JSONParser.parse(text) {
                    do { _ = try EntityValues.check(value, as: field.type, field: field.name) } catch { throw refuse(kind, error.message) }
                }
                next += 1
                field.id = next
                out.append(field)
                continue
            }
            guard matched.insert(previous.id).inserted else { throw refuse(kind, "two fields continue \(previous.name)") }
            field.id = previous.id
            if field.name != previous.name, !field.aliases.contains(previous.name) { field.aliases.append(previous.name) }
            for alias in previous.aliases where !field.aliases.contains(alias) { field.aliases.append(alias) }
            if field.type != previous.type {
                if previous.type.widening == field.type {
                    // Widening: allowed.
                } else if field.type.widening == previous.type {
                    throw refuse(kind, "narrowing \(previous.name) from \(previous.type.rawValue) to \(field.type.rawValue)")
                } else {
                    throw refuse(kind, "changing the type of \(previous.name) from \(previous.type.rawValue) to \(field.type.rawValue)")
                }
            }
            if field.required != previous.required {
                throw refuse(kind, "changing whether \(previous.name) is required (add a new field instead)")
            }
            if field.defaultJSON != previous.defaultJSON { throw refuse(kind, "changing the default of \(previous.name)") }
            if previous.deprecated && !field.deprecated { throw refuse(kind, "un-deprecating \(previous.name)") }
            out.append(field)
        }
        for previous in old where !matched.contains(previous.id) {
            if previous.required { throw refuse(kind, "dropping the required field \(previous.name)") }
            throw refuse(kind, "dropping the field \(previous.name) (deprecate it instead)")
        }
        return out
    }

    static func refuse(_ kind: String, _ rule: String) -> Status {
        Status(.failedPrecondition, "the schema of \(kind) cannot evolve so: \(rule)")
    }
}

/// Values of entity records: checked against a field's type on the way in, read back
/// through the current schema (widened, defaulted, renamed).
enum EntityValues {
    /// The value as stored for `type`, or why it does not fit.
    static func check(_ value: JSONValue, as type: EntityFieldType, field: String) throws(Status) -> JSONValue {
        func wrong() -> Status { Status(.invalidArgument, "field \(field) is \(type.rawValue), not \(value.kindDescription)") }
        switch (type, value) {
        case (_, .null): return .null
        case (.bool, .bool): return value
        case (.int32, .int(let n)):
            guard Int64(Int32.min)...Int64(Int32.max) ~= n else { throw Status(.outOfRange, "field \(field) is int32; \(n) does not fit") }
            return value
        case (.int64, .int): return value
        case (.float, .int(let n)): return .double(Double(Float(n)))
        case (.float, .double(let d)):
            guard d.isFinite else { throw wrong() }
            guard abs(d) <= Double(Float.greatestFiniteMagnitude) else { throw Status(.outOfRange, "field \(field) is a float; \(d) does not fit") }
            return .double(Double(Float(d)))
        case (.double, .int(let n)): return .double(Double(n))
        case (.double, .double(let d)):
            guard d.isFinite else { throw wrong() }
            return value
        case (.string, .string): return value
        case (.timestamp, .string(let text)):
            guard isInstant(text) else {
                throw Status(.invalidArgument, "field \(field) is a timestamp (ISO 8601, as 2026-12-06T12:00:00Z), not \"\(WireNames.printable(text))\"")
            }
            return value
        case (.json, _): return value
        default: throw wrong()
        }
    }

    /// Whether `text` is an ISO 8601 (RFC 3339) instant: `YYYY-MM-DDTHH:MM:SS`, a fraction
    /// of a second of up to nine digits (`.5`, `.125`), then `Z` (or `z`) or an offset of
    /// at most 18 hours (`+01:00`, `-0530`, `+05`), and nothing after it; a real date (year
    /// 1 on) and time (a leap second as `:59:60`). Foundation's ISO 8601 parser reads all
    /// of these (tested) but also text it should refuse: it rolls February 30th or hour 24
    /// over into the next day or month and ignores what follows the zone (`…Zjunk`). It
    /// also took a tenth of a bulk upsert of records with one timestamp.
    static func isInstant(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { b in
            var at = 0
            func number(_ width: Int) -> Int? {
                guard at + width <= b.count else { return nil }
                var n = 0
                for i in at..<(at + width) {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) else { return nil }
                    n = n * 10 + Int(b[i] - UInt8(ascii: "0"))
                }
                at += width
                return n
            }
            func skip(_ c: Character) -> Bool {
                guard at < b.count, b[at] == c.asciiValue! else { return false }
                at += 1
                return true
            }
            guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2), skip("T"),
                  let hour = number(2), skip(":"), let minute = number(2), skip(":"), let second = number(2) else { return false }
            if skip(".") {
                let first = at
                while at < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[at]) { at += 1 }
                guard (1...9).contains(at - first) else { return false }
            }
            if !(skip("Z") || skip("z")) {
                guard skip("+") || skip("-"), let hours = number(2) else { return false }
                var minutes = 0
                if at < b.count {
                    _ = skip(":")
                    guard let given = number(2) else { return false }
                    minutes = given
                }
                // At most 18 hours, as a time zone can be.
                guard minutes < 60, hours * 60 + minutes <= 18 * 60 else { return false }
            }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let days = switch month {
            case 2: leap ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
            return at == b.count && year >= 1 && (1...12).contains(month) && (1...days).contains(day) && hour < 24 && minute < 60
                && (second < 60 || second == 60 && minute == 59)
        }
    }
}
