import AnantColumnar

/// The identifier of a node or an edge, kept as given: a 64-bit integer or a string.
///
/// `1` and `"1"` are different identifiers, as in Python and HIF. Strings compare byte for
/// byte (UTF-8), not by Unicode canonical equivalence, so an identifier is never silently
/// merged with a differently encoded look-alike. The order puts every integer (numerically)
/// before every string (by UTF-8 bytes, which is Unicode code point order); dense indices
/// follow this order.
public enum ElementID: Sendable, Comparable, CustomStringConvertible {
    case int(Int64)
    case string(String)

    public var description: String {
        switch self {
        case .int(let value): return String(value)
        case .string(let value): return value
        }
    }

    /// The id as a typed scalar (an integer or a string), as id columns mixing both hold it.
    public var scalar: ScalarValue {
        switch self {
        case .int(let value): return .int(value)
        case .string(let value): return .string(value)
        }
    }

    public static func < (lhs: ElementID, rhs: ElementID) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return a < b
        case (.int, .string): return true
        case (.string, .int): return false
        case (.string(let a), .string(let b)): return a.utf8.lexicographicallyPrecedes(b.utf8)
        }
    }
}

extension ElementID: Hashable {
    public static func == (lhs: ElementID, rhs: ElementID) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .int(let value):
            hasher.combine(0 as UInt8)
            hasher.combine(value)
        case .string(let value):
            hasher.combine(1 as UInt8)
            var text = value
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }
}

extension ElementID: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
}
