extension Column {
    /// The rows of all `parts` (same type, at least one) in one column, copied once.
    public static func concatenating(_ parts: [Column]) -> Column {
        precondition(!parts.isEmpty, "concatenating needs at least one column")
        if parts.count == 1 { return parts[0] }
        let type = parts[0].dataType
        precondition(parts.allSatisfy { $0.dataType == type }, "concatenating columns of different types")
        let total = parts.reduce(0) { $0 + $1.count }
        let anyNull = parts.contains { $0.nullCount > 0 }
        func validity() -> Bitmap? {
            guard anyNull else { return nil }
            var bits = Bitmap(count: 0, value: true)
            for part in parts { bits.append(contentsOf: part.validRows()) }
            return bits
        }
        // Fixed-width values: each part copied to its place, the parts in parallel when
        // there are millions of rows (an answer put back together from its pieces).
        func values<V>(_ extract: (Column) -> [V]) -> [V] {
            let arrays = UncheckedSendable(parts.map(extract))
            var starts = [0]
            for array in arrays.value { starts.append(starts[starts.count - 1] + array.count) }
            let context = total >= 1 << 18 ? ExecutionContext.default : ExecutionContext(threads: 1)
            return [V](largeCount: total) { target in
                let out = SharedBuffer(target), at = starts
                context.run(tasks: arrays.value.count) { k in
                    arrays.value[k].withUnsafeBufferPointer { source in
                        guard let base = source.baseAddress else { return }
                        (out.base + at[k]).initialize(from: base, count: source.count)
                    }
                }
            }
        }
        switch parts[0] {
        case .int32: return .int32(Int32Column(values { if case .int32(let c) = $0 { return c.values }; return [] }, validity: validity()))
        case .int64: return .int64(Int64Column(values { if case .int64(let c) = $0 { return c.values }; return [] }, validity: validity()))
        case .double: return .double(DoubleColumn(values { if case .double(let c) = $0 { return c.values }; return [] }, validity: validity()))
        case .bool:
            var bits = Bitmap(count: 0, value: false)
            for part in parts { if case .bool(let c) = part { bits.append(contentsOf: c.bits) } }
            return .bool(BoolColumn(bits: bits, validity: validity()))
        case .string, .json:
            var offsets = [Int64](), bytes = [UInt8]()
            offsets.reserveCapacity(total + 1)
            offsets.append(0)
            for part in parts {
                guard case .string(let c) = part.asStringStorage else { continue }
                let base = Int64(bytes.count)
                bytes.append(contentsOf: c.bytes)
                offsets.append(contentsOf: c.offsets.dropFirst().map { $0 + base })
            }
            let column = try! StringColumn(offsets: offsets, bytes: bytes, validity: validity())
            if case .json = parts[0] { return .json(column) }
            return .string(column)
        }
    }

    /// A string or JSON column's storage, as `.string`.
    private var asStringStorage: Column {
        if case .json(let c) = self { return .string(c) }
        return self
    }

    /// The rows of `self` followed by the rows of `other`; both must have the same type.
    public func appending(_ other: Column) -> Column {
        precondition(dataType == other.dataType, "appending columns of different types")
        switch (self, other) {
        case (.int32(let a), .int32(let b)): return .int32(Column.join(a, b))
        case (.int64(let a), .int64(let b)): return .int64(Column.join(a, b))
        case (.double(let a), .double(let b)): return .double(Column.join(a, b))
        case (.bool(let a), .bool(let b)):
            var bits = a.bits
            bits.append(contentsOf: b.bits)
            return .bool(BoolColumn(bits: bits, validity: Column.joinValidity(a.validity, a.count, b.validity, b.count)))
        case (.string(let a), .string(let b)): return .string(Column.join(a, b))
        case (.json(let a), .json(let b)): return .json(Column.join(a, b))
        default: preconditionFailure("unreachable: types were checked")
        }
    }

    private static func join<V>(_ a: PrimitiveColumn<V>, _ b: PrimitiveColumn<V>) -> PrimitiveColumn<V> {
        PrimitiveColumn(a.values + b.values, validity: joinValidity(a.validity, a.count, b.validity, b.count))
    }

    private static func join(_ a: StringColumn, _ b: StringColumn) -> StringColumn {
        let base = Int64(a.bytes.count)
        let offsets = a.offsets + b.offsets.dropFirst().map { $0 + base }
        return try! StringColumn(offsets: offsets, bytes: a.bytes + b.bytes,
                                 validity: joinValidity(a.validity, a.count, b.validity, b.count))
    }

    private static func joinValidity(_ a: Bitmap?, _ aCount: Int, _ b: Bitmap?, _ bCount: Int) -> Bitmap? {
        if a == nil && b == nil { return nil }
        var out = a ?? Bitmap(count: aCount, value: true)
        out.append(contentsOf: b ?? Bitmap(count: bCount, value: true))
        return out
    }

    /// The type two columns take when stacked: equal types stay, integers widen to int64
    /// or double, anything else becomes json.
    public static func commonType(_ a: DataType, _ b: DataType) -> DataType {
        if a == b { return a }
        switch (a, b) {
        case (.int32, .int64), (.int64, .int32): return .int64
        case (.int32, .double), (.double, .int32), (.int64, .double), (.double, .int64): return .double
        default: return .json
        }
    }

    /// This column converted to `type` (a type `commonType` can produce from it).
    public func converted(to type: DataType) -> Column {
        if type == dataType { return self }
        // Every boxed value fits the common type, so this cannot throw.
        return try! Column(type: type, values: scalars)
    }
}

extension RecordBatch {
    /// The rows of all batches stacked: columns are matched by name (in order of first
    /// appearance), a column missing from a batch is null there, and differing types meet
    /// at `Column.commonType`.
    public static func concatenating(_ batches: [RecordBatch]) -> RecordBatch {
        var names = [String]()
        var types = [String: DataType]()
        for batch in batches {
            for field in batch.schema.fields {
                if let existing = types[field.name] {
                    types[field.name] = Column.commonType(existing, field.type)
                } else {
                    names.append(field.name)
                    types[field.name] = field.type
                }
            }
        }
        let total = batches.reduce(0) { $0 + $1.rowCount }
        // Each column copied once, the columns in parallel (a short pass: all processors).
        let context = ExecutionContext.default
        let stackNames = names, stackTypes = types
        let columns = context.map(count: names.count) { k -> Column in
            let type = stackTypes[stackNames[k]]!
            let parts = batches.map { batch in
                (try? batch.column(named: stackNames[k]))?.converted(to: type) ?? .nulls(type, count: batch.rowCount)
            }
            return parts.isEmpty ? .nulls(type, count: 0) : Column.concatenating(parts)
        }
        return try! RecordBatch(schema: Schema(names.map { Field($0, types[$0]!) }), columns: columns, rowCount: total)
    }
}
