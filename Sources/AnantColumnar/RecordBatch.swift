/// Columns of equal length under one schema: the unit that moves between layers (a
/// decoded Parquet row group, a query result, a property table).
public struct RecordBatch: Sendable, Hashable {
    /// Names and types of the columns.
    public let schema: Schema
    /// The columns, aligned with `schema.fields`.
    public let columns: [Column]
    /// The number of rows (every column has this many).
    public let rowCount: Int

    /// Creates a batch, checking that every column matches its field and that all have the
    /// same length.
    ///
    /// - Parameter rowCount: required only when there are no columns.
    public init(schema: Schema, columns: [Column], rowCount: Int? = nil) throws(ColumnarError) {
        guard schema.count == columns.count else {
            throw ColumnarError(.lengthMismatch, "schema has \(schema.count) fields but \(columns.count) columns were given")
        }
        let rows = columns.first?.count ?? rowCount ?? 0
        for (field, column) in zip(schema.fields, columns) {
            guard column.count == rows else {
                throw ColumnarError(.lengthMismatch, "column '\(field.name)' has \(column.count) rows, expected \(rows)")
            }
            guard column.dataType == field.type else {
                throw ColumnarError(.typeMismatch, "column '\(field.name)' holds \(column.dataType) values but its field says \(field.type)")
            }
            if !field.nullable, column.nullCount > 0 {
                throw ColumnarError(.invalidValue, "column '\(field.name)' is not nullable but holds \(column.nullCount) nulls")
            }
        }
        self.schema = schema
        self.columns = columns
        self.rowCount = rows
    }

    /// Creates a batch from named columns; every field is nullable.
    public init(_ named: [(String, Column)]) throws(ColumnarError) {
        let schema = try Schema(named.map { Field($0.0, $0.1.dataType) })
        try self.init(schema: schema, columns: named.map(\.1))
    }

    /// A batch with no columns and `rowCount` rows.
    public static func empty(rowCount: Int = 0) -> RecordBatch {
        try! RecordBatch(schema: .empty, columns: [], rowCount: rowCount)
    }

    /// The column named `name`; throws `unknownColumn` naming the columns that exist.
    public func column(named name: String) throws(ColumnarError) -> Column {
        guard let index = schema.index(of: name) else {
            let known = schema.names.isEmpty ? "none" : schema.names.joined(separator: ", ")
            throw ColumnarError(.unknownColumn, "no column named '\(name)' (columns: \(known))")
        }
        return columns[index]
    }

    /// The rows at `indices`, in that order.
    public func gather(_ indices: [Int]) -> RecordBatch { gathering(indices) }

    /// The rows at `indices`, in that order.
    public func gather(_ indices: [Int32]) -> RecordBatch { gathering(indices) }

    /// The generic gather, specialised inside this module for each index collection the
    /// public entry points pass (a generic public entry point would run unspecialised,
    /// element by element through witness tables, when called from other modules).
    func gathering<C: Collection>(_ indices: C) -> RecordBatch where C.Element: BinaryInteger {
        try! RecordBatch(schema: schema, columns: columns.map { $0.gathering(indices) }, rowCount: indices.count)
    }

    /// The rows in `range`.
    public func slice(_ range: Range<Int>) -> RecordBatch {
        try! RecordBatch(schema: schema, columns: columns.map { $0.slice(range) }, rowCount: range.count)
    }

    /// Only the named columns, in the given order.
    public func select(_ names: [String]) throws(ColumnarError) -> RecordBatch {
        var fields = [Field]()
        var picked = [Column]()
        for name in names {
            picked.append(try column(named: name))
            fields.append(schema.field(named: name)!)
        }
        return try RecordBatch(schema: Schema(fields), columns: picked, rowCount: rowCount)
    }

    /// This batch with `column` added (or replaced, when the name exists).
    public func setting(_ name: String, _ column: Column) throws(ColumnarError) -> RecordBatch {
        var fields = schema.fields
        var columns = self.columns
        if let index = schema.index(of: name) {
            fields[index] = Field(name, column.dataType)
            columns[index] = column
        } else {
            fields.append(Field(name, column.dataType))
            columns.append(column)
        }
        return try RecordBatch(schema: Schema(fields), columns: columns, rowCount: rowCount)
    }

    /// This batch with column `name` called `newName`, in its place (unchanged when there
    /// is no column `name`). Throws when another column is called `newName`.
    public func renaming(_ name: String, to newName: String) throws(ColumnarError) -> RecordBatch {
        guard let index = schema.index(of: name), name != newName else { return self }
        var fields = schema.fields
        fields[index].name = newName
        return try RecordBatch(schema: Schema(fields), columns: columns, rowCount: rowCount)
    }

    /// This batch without the named column (unchanged when it does not exist).
    public func removing(_ name: String) -> RecordBatch {
        guard let index = schema.index(of: name) else { return self }
        var fields = schema.fields
        var columns = self.columns
        fields.remove(at: index)
        columns.remove(at: index)
        return try! RecordBatch(schema: Schema(fields), columns: columns, rowCount: rowCount)
    }
}

extension Column {
    /// Bytes of the column's buffers (values, offsets, string bytes, validity).
    public var memoryFootprint: Int {
        func bits(_ b: Bitmap?) -> Int { (b?.words.count ?? 0) * 8 }
        switch self {
        case .int32(let c): return c.values.count * 4 + bits(c.validity)
        case .int64(let c): return c.values.count * 8 + bits(c.validity)
        case .double(let c): return c.values.count * 8 + bits(c.validity)
        case .bool(let c): return c.bits.words.count * 8 + bits(c.validity)
        case .string(let c), .json(let c): return c.offsets.count * 8 + c.bytes.count + bits(c.validity)
        }
    }
}

extension RecordBatch {
    /// Bytes of the columns' buffers.
    public var memoryFootprint: Int { columns.reduce(0) { $0 + $1.memoryFootprint } }
}
