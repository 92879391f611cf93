/// Vectorised filter kernels: a comparison or null test over a whole column yields a
/// selection bitmap, computed from the typed buffers a word at a time.
extension Column {
    /// The rows where `row op literal` holds, under `ScalarValue.order(comparedTo:)`: null
    /// rows and a null literal never match; numbers compare numerically with NaN above
    /// every number and equal to itself (polars and DuckDB semantics); strings byte-wise;
    /// false before true. Other pairings throw.
    public func matching(_ op: ComparisonOperator, _ literal: ScalarValue) throws(ColumnarError) -> Bitmap {
        if literal.isNull { return Bitmap(count: count, value: false) }
        let selected: Bitmap
        switch (self, literal) {
        case (.int32(let c), .int(let v)): selected = Column.compare(c.values, op, to: v)
        case (.int32(let c), .double(let v)): selected = Column.compareNumbers(c.values, op, to: v)
        case (.int64(let c), .int(let v)): selected = Column.compare(c.values, op, to: v)
        case (.int64(let c), .double(let v)): selected = Column.compareNumbers(c.values, op, to: v)
        case (.double(let c), .int(let v)): selected = Column.compareNumbers(c.values, op, to: Double(v))
        case (.double(let c), .double(let v)): selected = Column.compareNumbers(c.values, op, to: v)
        case (.bool(let c), .bool(let v)): selected = Bitmap.computing(count: c.count) { op.holds(c.bits[$0] == v ? 0 : (v ? -1 : 1)) }
        case (.string(let c), .string(let v)): selected = Column.compare(c, op, Array(v.utf8))
        case (.json, _):
            selected = Bitmap.computing(count: count) { row in
                self[row].order(comparedTo: literal).map(op.holds) ?? (op == .notEqual && !isNull(row))
            }
        default:
            throw ColumnarError(.typeMismatch, "cannot compare a \(dataType) column with \(literal.typeDescription) \(literal)")
        }
        return validity.map { selected.intersection($0) } ?? selected
    }

    /// The rows that are null.
    public func nullRows() -> Bitmap {
        validity?.inverted() ?? Bitmap(count: count, value: false)
    }

    /// The rows that hold a value.
    public func validRows() -> Bitmap {
        validity ?? Bitmap(count: count, value: true)
    }

    /// The validity bitmap, if any row is null.
    public var validity: Bitmap? {
        switch self {
        case .int32(let c): return c.validity
        case .int64(let c): return c.validity
        case .double(let c): return c.validity
        case .bool(let c): return c.validity
        case .string(let c), .json(let c): return c.validity
        }
    }

    /// Integers against an integer literal. (Generic over the element, not over a converting
    /// closure: a closure would stay an indirect call per row inside the outlined loops.)
    private static func compare<T: BinaryInteger>(_ values: [T], _ op: ComparisonOperator, to literal: Int64) -> Bitmap {
        let convert = { (x: T) -> Int64 in Int64(truncatingIfNeeded: x) }
        return values.withUnsafeBufferPointer { v in
            // One loop per operator keeps the comparison out of the inner loop's branches.
            switch op {
            case .equal: return Bitmap.computing(count: v.count) { convert(v[$0]) == literal }
            case .notEqual: return Bitmap.computing(count: v.count) { convert(v[$0]) != literal }
            case .less: return Bitmap.computing(count: v.count) { convert(v[$0]) < literal }
            case .lessOrEqual: return Bitmap.computing(count: v.count) { convert(v[$0]) <= literal }
            case .greater: return Bitmap.computing(count: v.count) { convert(v[$0]) > literal }
            case .greaterOrEqual: return Bitmap.computing(count: v.count) { convert(v[$0]) >= literal }
            }
        }
    }

    /// Doubles under the total order with NaN largest: for a number literal, `>` is
    /// `!(x <= v)` and `>=` is `!(x < v)`, which NaN rows satisfy; a NaN literal matches by
    /// `isNaN` alone.
    private static func compareNumbers<T: NumericValue>(_ values: [T], _ op: ComparisonOperator, to literal: Double) -> Bitmap {
        let convert = { (x: T) -> Double in x.doubleValue }
        return values.withUnsafeBufferPointer { v in
            if literal.isNaN {
                switch op {
                case .equal, .greaterOrEqual: return Bitmap.computing(count: v.count) { convert(v[$0]).isNaN }
                case .notEqual, .less: return Bitmap.computing(count: v.count) { !convert(v[$0]).isNaN }
                case .lessOrEqual: return Bitmap(count: v.count, value: true)
                case .greater: return Bitmap(count: v.count, value: false)
                }
            }
            switch op {
            case .equal: return Bitmap.computing(count: v.count) { convert(v[$0]) == literal }
            case .notEqual: return Bitmap.computing(count: v.count) { convert(v[$0]) != literal }
            case .less: return Bitmap.computing(count: v.count) { convert(v[$0]) < literal }
            case .lessOrEqual: return Bitmap.computing(count: v.count) { convert(v[$0]) <= literal }
            case .greater: return Bitmap.computing(count: v.count) { !(convert(v[$0]) <= literal) }
            case .greaterOrEqual: return Bitmap.computing(count: v.count) { !(convert(v[$0]) < literal) }
            }
        }
    }

    private static func compare(_ column: StringColumn, _ op: ComparisonOperator, _ literal: [UInt8]) -> Bitmap {
        column.offsets.withUnsafeBufferPointer { offsets in
            column.bytes.withUnsafeBufferPointer { bytes in
                literal.withUnsafeBufferPointer { key in
                    Bitmap.computing(count: column.count) { row in
                        let value = UnsafeBufferPointer(rebasing: bytes[Int(offsets[row])..<Int(offsets[row + 1])])
                        return op.holds(ByteStrings.compare(value, key))
                    }
                }
            }
        }
    }
}

extension ScalarValue {
    /// The kind of value, for messages.
    public var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "Boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .json: return "JSON value"
        }
    }
}

extension RecordBatch {
    /// The rows whose bit in `selection` is set.
    public func filter(_ selection: Bitmap) -> RecordBatch {
        precondition(selection.count == rowCount, "selection of \(selection.count) rows for a batch of \(rowCount)")
        if selection.setCount == rowCount { return self }
        return gather(selection.setIndices())
    }
}

/// The numeric element types of columns, as doubles (for comparisons with a double).
protocol NumericValue { var doubleValue: Double { get } }
extension Int32: NumericValue { var doubleValue: Double { Double(self) } }
extension Int64: NumericValue { var doubleValue: Double { Double(self) } }
extension Double: NumericValue { var doubleValue: Double { self } }
