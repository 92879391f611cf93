extension Bitmap {
    /// `validity` with an all-valid bitmap treated as absent: the canonical form that
    /// equality and hashing of columns use.
    static func canonical(_ validity: Bitmap?) -> Bitmap? {
        guard let validity, validity.setCount < validity.count else { return nil }
        return validity
    }
}

extension PrimitiveColumn {
    /// Equal when values and nulls are equal (an all-valid bitmap equals no bitmap).
    public static func == (a: PrimitiveColumn, b: PrimitiveColumn) -> Bool {
        a.values == b.values && Bitmap.canonical(a.validity) == Bitmap.canonical(b.validity)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(values)
        hasher.combine(Bitmap.canonical(validity))
    }
}

extension BoolColumn {
    /// Equal when values and nulls are equal (an all-valid bitmap equals no bitmap).
    public static func == (a: BoolColumn, b: BoolColumn) -> Bool {
        a.bits == b.bits && Bitmap.canonical(a.validity) == Bitmap.canonical(b.validity)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bits)
        hasher.combine(Bitmap.canonical(validity))
    }
}

extension StringColumn {
    /// Equal when values and nulls are equal (an all-valid bitmap equals no bitmap).
    public static func == (a: StringColumn, b: StringColumn) -> Bool {
        a.offsets == b.offsets && a.bytes == b.bytes && Bitmap.canonical(a.validity) == Bitmap.canonical(b.validity)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(offsets)
        hasher.combine(bytes)
        hasher.combine(Bitmap.canonical(validity))
    }
}
