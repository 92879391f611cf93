extension Column {
    /// Builds a column of the given type from boxed values.
    ///
    /// Integers widen to doubles in a `double` column; any value is accepted by a `json`
    /// column (flat values become their JSON text). Anything else that does not fit the
    /// type throws `invalidValue`.
    public init(type: DataType, values: [ScalarValue]) throws(ColumnarError) {
        func mismatch(_ value: ScalarValue) -> ColumnarError {
            ColumnarError(.invalidValue, "value \(value) does not fit a \(type) column")
        }
        switch type {
        case .int32:
            var column = Int32Column([])
            for value in values {
                switch value {
                case .null: column.append(nil)
                case .int(let v):
                    guard let narrow = Int32(exactly: v) else { throw mismatch(value) }
                    column.append(narrow)
                default: throw mismatch(value)
                }
            }
            self = .int32(column)
        case .int64:
            var column = Int64Column([])
            for value in values {
                switch value {
                case .null: column.append(nil)
                case .int(let v): column.append(v)
                default: throw mismatch(value)
                }
            }
            self = .int64(column)
        case .double:
            var column = DoubleColumn([])
            for value in values {
                switch value {
                case .null: column.append(nil)
                case .int(let v): column.append(Double(v))
                case .double(let v): column.append(v)
                default: throw mismatch(value)
                }
            }
            self = .double(column)
        case .bool:
            var column = BoolColumn(optionals: [Bool?]())
            for value in values {
                switch value {
                case .null: column.append(nil)
                case .bool(let v): column.append(v)
                default: throw mismatch(value)
                }
            }
            self = .bool(column)
        case .string:
            var column = StringColumn()
            for value in values {
                switch value {
                case .null: column.append(nil)
                case .string(let v): column.append(v)
                default: throw mismatch(value)
                }
            }
            self = .string(column)
        case .json:
            var column = StringColumn()
            let writer = JSONWriter()
            for value in values {
                if value.isNull { column.append(nil) } else { column.append(writer.string(value.jsonValue)) }
            }
            self = .json(column)
        }
    }

    /// The narrowest type that holds every value without loss of kind: all integers give
    /// `int64`; integers and doubles give `double`; all Booleans give `bool`; all strings
    /// give `string`; anything else (lists, objects, mixed kinds) gives `json`. Nulls fit
    /// every type; a column of nulls only is `string`.
    public static func inferType<S: Sequence>(of values: S) -> DataType where S.Element == ScalarValue {
        var sawInt = false, sawDouble = false, sawBool = false, sawString = false, sawJSON = false
        for value in values {
            switch value {
            case .null: continue
            case .int: sawInt = true
            case .double: sawDouble = true
            case .bool: sawBool = true
            case .string: sawString = true
            case .json: sawJSON = true
            }
        }
        let numeric = sawInt || sawDouble
        let kinds = (numeric ? 1 : 0) + (sawBool ? 1 : 0) + (sawString ? 1 : 0) + (sawJSON ? 1 : 0)
        if kinds > 1 || sawJSON { return .json }
        if sawDouble { return .double }
        if sawInt { return .int64 }
        if sawBool { return .bool }
        return .string
    }

    /// Builds a column of the inferred type (see `inferType(of:)`).
    public init(inferring values: [ScalarValue]) {
        // Every value fits the inferred type, so this cannot throw.
        self = try! Column(type: Column.inferType(of: values), values: values)
    }

    /// All rows, boxed.
    public var scalars: [ScalarValue] {
        (0..<count).map { self[$0] }
    }
}
