/// A node of the schema tree: a group with children or a primitive leaf.
public struct SchemaNode: Sendable, Hashable {
    /// The node's schema element (name, repetition, types).
    public let element: SchemaElement
    /// Child nodes, in schema order (empty for leaves).
    public let children: [SchemaNode]

    /// The node's name.
    public var name: String { element.name }
    /// True for primitive (leaf) nodes.
    public var isLeaf: Bool { element.numChildren == nil }
    /// The node's repetition (the root and unspecified nodes count as required).
    public var repetition: Repetition { element.repetition ?? .required }
    /// The logical type: the element's `LogicalType`, or one derived from its legacy
    /// `ConvertedType` when absent.
    public var logicalType: LogicalType? { element.logicalType ?? SchemaNode.logicalType(fromConverted: element) }

    /// True for groups annotated LIST.
    var isListAnnotated: Bool {
        if case .list? = element.logicalType { return true }
        return element.logicalType == nil && element.convertedType == .list
    }

    /// True for groups annotated MAP (or the legacy MAP_KEY_VALUE).
    var isMapAnnotated: Bool {
        if case .map? = element.logicalType { return true }
        return element.logicalType == nil && (element.convertedType == .map || element.convertedType == .mapKeyValue)
    }

    /// The logical type implied by a legacy converted type.
    static func logicalType(fromConverted e: SchemaElement) -> LogicalType? {
        switch e.convertedType {
        case .utf8?: return .string
        case .map?, .mapKeyValue?: return .map
        case .list?: return .list
        case .enumeration?: return .enumeration
        case .decimal?: return .decimal(scale: e.scale ?? 0, precision: e.precision ?? 0)
        case .date?: return .date
        case .timeMillis?: return .time(adjustedToUTC: true, unit: .millis)
        case .timeMicros?: return .time(adjustedToUTC: true, unit: .micros)
        case .timestampMillis?: return .timestamp(adjustedToUTC: true, unit: .millis)
        case .timestampMicros?: return .timestamp(adjustedToUTC: true, unit: .micros)
        case .uint8?: return .integer(bitWidth: 8, signed: false)
        case .uint16?: return .integer(bitWidth: 16, signed: false)
        case .uint32?: return .integer(bitWidth: 32, signed: false)
        case .uint64?: return .integer(bitWidth: 64, signed: false)
        case .int8?: return .integer(bitWidth: 8, signed: true)
        case .int16?: return .integer(bitWidth: 16, signed: true)
        case .int32?: return .integer(bitWidth: 32, signed: true)
        case .int64?: return .integer(bitWidth: 64, signed: true)
        case .json?: return .json
        case .bson?: return .bson
        default: return nil
        }
    }
}

/// One leaf column: its path, types and Dremel levels.
public struct ColumnDescriptor: Sendable, Hashable {
    /// Position among the leaves (= column chunk index in a row group).
    public let index: Int
    /// Names from the top-level field down to the leaf (the root excluded).
    public let path: [String]
    /// The leaf's schema element.
    public let element: SchemaElement
    public let physicalType: PhysicalType
    /// Byte width of FIXED_LEN_BYTE_ARRAY values (0 otherwise).
    public let typeLength: Int
    public let logicalType: LogicalType?
    /// Number of optional or repeated nodes on the path (the leaf included).
    public let maxDefinitionLevel: Int
    /// Number of repeated nodes on the path.
    public let maxRepetitionLevel: Int
    /// Index of the top-level field this leaf belongs to.
    public let topLevelField: Int

    /// The dotted path, for messages.
    public var dottedPath: String { path.joined(separator: ".") }
}

/// A file's schema: the tree and its leaves.
public struct ParquetSchema: Sendable, Hashable {
    /// The root group; its children are the top-level fields.
    public let root: SchemaNode
    /// The leaf columns in schema (column chunk) order.
    public let columns: [ColumnDescriptor]

    /// The top-level fields.
    public var fields: [SchemaNode] { root.children }

    /// The leaves under top-level field `field`.
    public func columns(ofField field: Int) -> [ColumnDescriptor] {
        columns.filter { $0.topLevelField == field }
    }

    /// Builds the tree from the footer's flattened schema, checking its consistency.
    public init(elements: [SchemaElement]) throws(ParquetError) {
        guard let first = elements.first else { throw ParquetError.corrupt("the schema is empty") }
        guard first.numChildren != nil else { throw ParquetError.corrupt("the schema's root '\(first.name)' is not a group") }
        var position = 0
        let root = try ParquetSchema.node(elements, &position, depth: 0)
        guard position == elements.count else {
            throw ParquetError.corrupt("the schema lists \(elements.count) elements but its groups hold \(position)")
        }
        var columns = [ColumnDescriptor]()
        for (fieldIndex, field) in root.children.enumerated() {
            try ParquetSchema.collect(field, path: [], definition: 0, repetition: 0, field: fieldIndex, into: &columns)
        }
        self.root = root
        self.columns = columns
    }

    private static func node(_ elements: [SchemaElement], _ position: inout Int, depth: Int) throws(ParquetError) -> SchemaNode {
        guard depth <= 128 else { throw ParquetError.corrupt("the schema nests deeper than 128 levels") }
        guard position < elements.count else { throw ParquetError.corrupt("the schema ends inside a group") }
        let element = elements[position]
        position += 1
        guard let count = element.numChildren else {
            guard element.type != nil else {
                throw ParquetError.corrupt("schema leaf '\(element.name)' has no physical type")
            }
            if element.type == .fixedLenByteArray && (element.typeLength ?? 0) <= 0 {
                throw ParquetError.corrupt("FIXED_LEN_BYTE_ARRAY column '\(element.name)' has no positive type_length")
            }
            return SchemaNode(element: element, children: [])
        }
        guard count >= 0, count <= elements.count - position else {
            throw ParquetError.corrupt("schema group '\(element.name)' claims \(count) children but \(elements.count - position) elements remain")
        }
        var children = [SchemaNode]()
        for _ in 0..<count { children.append(try node(elements, &position, depth: depth + 1)) }
        return SchemaNode(element: element, children: children)
    }

    private static func collect(_ node: SchemaNode, path: [String], definition: Int, repetition: Int, field: Int,
                                into columns: inout [ColumnDescriptor]) throws(ParquetError) {
        let path = path + [node.name]
        let definition = definition + (node.repetition == .required ? 0 : 1)
        let repetition = repetition + (node.repetition == .repeated ? 1 : 0)
        if node.isLeaf {
            columns.append(ColumnDescriptor(
                index: columns.count, path: path, element: node.element, physicalType: node.element.type!,
                typeLength: Int(node.element.typeLength ?? 0), logicalType: node.logicalType,
                maxDefinitionLevel: definition, maxRepetitionLevel: repetition, topLevelField: field))
        } else {
            for child in node.children {
                try collect(child, path: path, definition: definition, repetition: repetition, field: field, into: &columns)
            }
        }
    }
}
