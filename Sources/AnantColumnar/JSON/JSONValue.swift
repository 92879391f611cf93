/// A JSON value that keeps what generic decoders lose: integers stay integers (64-bit),
/// numbers with a fraction or exponent stay doubles, and object keys keep their order.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A short name of this value's kind, for error messages ("a string", "an object"...).
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a Boolean"
        case .int: return "an integer"
        case .double: return "a number with a fraction"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The members of an object value, or nil.
    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The elements of an array value, or nil.
    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    /// The text of a string value, or nil.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The number of an int or double value as a Double, or nil.
    public var numberValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }
}

/// The members of a JSON object, in the order they were written. Small objects (HIF
/// records) find keys by a linear search; from 16 members on, a hash index keeps lookups
/// and inserts constant-time, so objects of millions of members (per-node results) build
/// in linear time. Writing an existing key replaces its value in place (as Python's `json`
/// keeps the last of repeated keys).
public struct JSONObject: Sendable, Hashable, Sequence {
    /// The keys, in order.
    public private(set) var keys: [String]
    /// The values, aligned with `keys`.
    public private(set) var values: [JSONValue]
    /// Where each key is, once the object is large enough to be worth it.
    private var positions: [String: Int]? = nil
    private static let indexedFrom = 16

    /// Creates an empty object.
    public init() {
        keys = []
        values = []
    }

    /// Creates an object from key-value pairs, in order.
    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    /// The number of members.
    public var count: Int { keys.count }

    /// True when the object has no members.
    public var isEmpty: Bool { keys.isEmpty }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return keys.firstIndex(of: key)
    }

    /// Reads the value for `key`; writing replaces it in place or appends it.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { values[$0] } }
        set {
            if let index = position(of: key) {
                if let newValue { values[index] = newValue } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                    positions = nil
                    indexIfLarge()
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
                if positions != nil { positions![key] = keys.count - 1 } else { indexIfLarge() }
            }
        }
    }

    private mutating func indexIfLarge() {
        guard positions == nil, keys.count >= JSONObject.indexedFrom else { return }
        var index = [String: Int](minimumCapacity: keys.count)
        for (k, key) in keys.enumerated() where index[key] == nil { index[key] = k }
        positions = index
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool { a.keys == b.keys && a.values == b.values }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(keys)
        hasher.combine(values)
    }

    public func makeIterator() -> Zip2Sequence<[String], [JSONValue]>.Iterator {
        zip(keys, values).makeIterator()
    }
}
