/// A column of Booleans, bit-packed, with an optional validity bitmap.
public struct BoolColumn: Sendable, Hashable {
    /// The values, one bit per row; null rows hold `false`.
    public var bits: Bitmap
    /// Which rows hold a value (`nil`: all of them).
    public var validity: Bitmap?

    /// Creates a column from its bits and validity.
    public init(bits: Bitmap, validity: Bitmap? = nil) {
        precondition(validity == nil || validity!.count == bits.count, "validity length differs from value count")
        self.bits = bits
        self.validity = validity
    }

    /// Creates a column from optional Booleans (`nil` is null).
    public init<S: Sequence>(optionals: S) where S.Element == Bool? {
        self.init(bits: Bitmap(count: 0, value: false))
        for value in optionals { append(value) }
    }

    /// The number of rows.
    public var count: Int { bits.count }

    /// The number of null rows.
    public var nullCount: Int { validity.map { $0.count - $0.setCount } ?? 0 }

    /// True if row `index` is null.
    public func isNull(_ index: Int) -> Bool {
        guard let validity else { return false }
        return !validity[index]
    }

    /// The value of row `index`, or nil when it is null.
    public subscript(index: Int) -> Bool? {
        isNull(index) ? nil : bits[index]
    }

    /// Appends one value (`nil` appends a null).
    public mutating func append(_ value: Bool?) {
        if let value {
            bits.append(value)
            validity?.append(true)
        } else {
            if validity == nil { validity = Bitmap(count: bits.count, value: true) }
            bits.append(false)
            validity!.append(false)
        }
    }

    /// The rows at `indices`, in that order.
    public func gather(_ indices: [Int]) -> BoolColumn { gathering(indices) }

    /// The rows at `indices`, in that order.
    public func gather(_ indices: [Int32]) -> BoolColumn { gathering(indices) }

    /// The generic gather, specialised inside this module for each index collection the
    /// public entry points pass (a generic public entry point would run unspecialised,
    /// element by element through witness tables, when called from other modules).
    func gathering<C: Collection>(_ indices: C) -> BoolColumn where C.Element: BinaryInteger {
        BoolColumn(bits: bits.gathering(indices), validity: Bitmap.canonical(validity?.gathering(indices)))
    }

    /// The rows in `range`.
    public func slice(_ range: Range<Int>) -> BoolColumn {
        BoolColumn(bits: bits.slice(range), validity: validity?.slice(range))
    }
}
