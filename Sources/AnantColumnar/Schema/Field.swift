/// One named, typed column of a schema.
public struct Field: Sendable, Hashable, CustomStringConvertible {
    /// The column name; unique within a schema and never empty.
    public var name: String
    /// The logical type of the values.
    public var type: DataType
    /// Whether the column may hold nulls.
    public var nullable: Bool

    /// Creates a field.
    public init(_ name: String, _ type: DataType, nullable: Bool = true) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }

    public var description: String { "\(name): \(type)\(nullable ? "?" : "")" }
}
