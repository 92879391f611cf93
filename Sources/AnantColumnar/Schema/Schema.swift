/// The ordered, uniquely named fields of a record batch.
public struct Schema: Sendable, Hashable, CustomStringConvertible {
    /// The fields, in column order.
    public private(set) var fields: [Field]

    /// Creates a schema; throws `invalidSchema` when a name is empty or repeated.
    public init(_ fields: [Field]) throws(ColumnarError) {
        var seen = Set<String>()
        for field in fields {
            if field.name.isEmpty {
                throw ColumnarError(.invalidSchema, "a column name is empty; every column needs a name")
            }
            if !seen.insert(field.name).inserted {
                throw ColumnarError(.invalidSchema, "column name '\(field.name)' appears twice; names must be unique")
            }
        }
        self.fields = fields
    }

    /// The empty schema.
    public static let empty = try! Schema([])

    /// The number of fields.
    public var count: Int { fields.count }

    /// The field names, in column order.
    public var names: [String] { fields.map(\.name) }

    /// The position of the field named `name`, if any.
    public func index(of name: String) -> Int? {
        fields.firstIndex { $0.name == name }
    }

    /// The field named `name`, if any.
    public func field(named name: String) -> Field? {
        index(of: name).map { fields[$0] }
    }

    /// This schema with one more field at the end; throws if the name is taken.
    public func appending(_ field: Field) throws(ColumnarError) -> Schema {
        try Schema(fields + [field])
    }

    public var description: String { "(" + fields.map(\.description).joined(separator: ", ") + ")" }
}
