import CAnantSystem
/// A value type that a `PrimitiveColumn` can hold: fixed width, stored contiguously.
public protocol FixedWidthValue: Sendable, Hashable, Comparable {
    /// The logical type of a column of these values.
    static var dataType: DataType { get }
    /// The value stored in null slots (never read as data).
    static var zero: Self { get }
}

extension Int32: FixedWidthValue {
    public static var dataType: DataType { .int32 }
}

extension Int64: FixedWidthValue {
    public static var dataType: DataType { .int64 }
}

extension Double: FixedWidthValue {
    public static var dataType: DataType { .double }
}

/// A column of fixed-width values in one contiguous array, with an optional validity bitmap.
///
/// Null slots hold `Value.zero`. A `nil` validity means that no value is null.
public struct PrimitiveColumn<Value: FixedWidthValue>: Sendable, Hashable {
    /// The values, one per row; null rows hold `Value.zero`.
    public var values: [Value]
    /// Which rows hold a value (`nil`: all of them).
    public var validity: Bitmap?

    /// Creates a column; `validity`, when given, must have one bit per value.
    public init(_ values: [Value], validity: Bitmap? = nil) {
        precondition(validity == nil || validity!.count == values.count, "validity length differs from value count")
        self.values = values
        self.validity = validity
    }

    /// Creates a column from optional values (`nil` is null).
    public init<S: Sequence>(optionals: S) where S.Element == Value? {
        self.init([])
        for value in optionals { append(value) }
    }

    /// The number of rows.
    @inlinable public var count: Int { values.count }

    /// The number of null rows.
    public var nullCount: Int { validity.map { $0.count - $0.setCount } ?? 0 }

    /// True if row `index` is null.
    @inlinable public func isNull(_ index: Int) -> Bool {
        guard let validity else { return false }
        return !validity[index]
    }

    /// The value of row `index`, or nil when it is null.
    @inlinable public subscript(index: Int) -> Value? {
        isNull(index) ? nil : values[index]
    }

    /// Appends one value (`nil` appends a null).
    public mutating func append(_ value: Value?) {
        if let value {
            values.append(value)
            validity?.append(true)
        } else {
            if validity == nil { validity = Bitmap(count: values.count, value: true) }
            values.append(.zero)
            validity!.append(false)
        }
    }

    /// The rows at `indices`, in that order.
    @_specialize(exported: true, where Value == Int32)
    @_specialize(exported: true, where Value == Int64)
    @_specialize(exported: true, where Value == Double)
    public func gather(_ indices: [Int]) -> PrimitiveColumn { gathering(indices) }

    /// The rows at `indices`, in that order. (Specialised copies are exported for every
    /// value type: other modules' calls of a generic method would otherwise run unspecialised,
    /// every value copied through a witness table.)
    @_specialize(exported: true, where Value == Int32)
    @_specialize(exported: true, where Value == Int64)
    @_specialize(exported: true, where Value == Double)
    public func gather(_ indices: [Int32]) -> PrimitiveColumn { gathering(indices) }

    /// The generic gather, specialised inside this module for each index collection the
    /// public entry points pass (a generic public entry point would run unspecialised,
    /// element by element through witness tables, when called from other modules).
    func gathering<C: Collection>(_ indices: C) -> PrimitiveColumn where C.Element: BinaryInteger {
        let out = values.withUnsafeBufferPointer { buffer in
            [Value](largeCount: indices.count) { target in
                if let rows = indices as? [Int32] {
                    // The join's and the builders' path: random rows, prefetched a little
                    // ahead, in parallel slices when there are millions.
                    let source = SharedBuffer(buffer), out = SharedBuffer(target)
                    rows.withUnsafeBufferPointer { rowsBuffer in
                        let context = ExecutionContext.default
                        let r = SharedBuffer(rowsBuffer), tasks = context.tasks(for: rows.count, grain: 1 << 20)
                        context.run(tasks: tasks) { t in
                            let (source, out, r) = (source, out, r)
                            let slice = Parallel.slice(t, of: tasks, count: r.count), ahead = 16
                            for k in slice {
                                if k &+ ahead < slice.upperBound { anant_prefetch(source.base + Int(r[k &+ ahead])) }
                                out[k] = source[Int(r[k])]
                            }
                        }
                    }
                    return
                }
                var k = 0
                for i in indices {
                    target[k] = buffer[Int(i)]
                    k += 1
                }
            }
        }
        return PrimitiveColumn(out, validity: Bitmap.canonical(validity?.gathering(indices)))
    }

    /// The rows in `range`.
    public func slice(_ range: Range<Int>) -> PrimitiveColumn {
        PrimitiveColumn(Array(values[range]), validity: validity?.slice(range))
    }
}

extension Int32 { public static var zero: Int32 { 0 } }
extension Int64 { public static var zero: Int64 { 0 } }
extension Double { public static var zero: Double { 0 } }

/// A column of 32-bit integers.
public typealias Int32Column = PrimitiveColumn<Int32>
/// A column of 64-bit integers.
public typealias Int64Column = PrimitiveColumn<Int64>
/// A column of 64-bit floating-point numbers.
public typealias DoubleColumn = PrimitiveColumn<Double>
