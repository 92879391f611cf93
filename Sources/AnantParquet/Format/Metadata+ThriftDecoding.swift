// Decoding of the metadata structures from the Thrift compact protocol.
//
// Every reader follows the field table of parquet.thrift (see PARQUET.md §3). A field
// with an unexpected wire type is skipped (returning false from the field closure), as
// are unknown fields. Required fields are checked at the end of each struct.

extension ThriftCompactReader {
    /// Integer fields accept every integer wire type (some writers use i16 where the IDL
    /// says i32, and pyarrow reads them); the value must fit the declared width.
    mutating func integer(_ type: UInt8) throws(ParquetError) -> Int64? {
        switch type {
        case ThriftType.i16.rawValue, ThriftType.i32.rawValue, ThriftType.i64.rawValue: return try readI64()
        case ThriftType.i8.rawValue: return Int64(Int8(bitPattern: try readByte()))
        default: return nil
        }
    }

    mutating func i32(_ type: UInt8) throws(ParquetError) -> Int32? {
        guard let value = try integer(type) else { return nil }
        guard let narrow = Int32(exactly: value) else { throw ParquetError.corrupt("a Thrift i32 field holds \(value)") }
        return narrow
    }

    mutating func i64(_ type: UInt8) throws(ParquetError) -> Int64? {
        try integer(type)
    }

    mutating func i16(_ type: UInt8) throws(ParquetError) -> Int16? {
        guard let value = try integer(type) else { return nil }
        guard let narrow = Int16(exactly: value) else { throw ParquetError.corrupt("a Thrift i16 field holds \(value)") }
        return narrow
    }

    mutating func binary(_ type: UInt8) throws(ParquetError) -> [UInt8]? {
        type == ThriftType.binary.rawValue ? try readBinary() : nil
    }

    mutating func string(_ type: UInt8) throws(ParquetError) -> String? {
        type == ThriftType.binary.rawValue ? try readString() : nil
    }

    func bool(_ type: UInt8) -> Bool? {
        type == ThriftType.boolTrue.rawValue ? true : type == ThriftType.boolFalse.rawValue ? false : nil
    }
}

func missing(_ field: String, in structure: String) -> ParquetError {
    .corrupt("the \(structure) metadata lacks its required field '\(field)'")
}

extension Statistics {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        self.init()
        var s = self
        try r.readStruct { r, type, id throws(ParquetError) in
            switch id {
            case 1: s.max = try r.binary(type); return s.max != nil
            case 2: s.min = try r.binary(type); return s.min != nil
            case 3: s.nullCount = try r.i64(type); return s.nullCount != nil
            case 4: s.distinctCount = try r.i64(type); return s.distinctCount != nil
            case 5: s.maxValue = try r.binary(type); return s.maxValue != nil
            case 6: s.minValue = try r.binary(type); return s.minValue != nil
            case 7: s.isMaxValueExact = r.bool(type); return s.isMaxValueExact != nil
            case 8: s.isMinValueExact = r.bool(type); return s.isMinValueExact != nil
            case 9: s.nanCount = try r.i64(type); return s.nanCount != nil
            default: return false
            }
        }
        self = s
    }
}

extension TimeUnit {
    init?(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var unit: TimeUnit? = nil
        try r.readStruct { r, type, id throws(ParquetError) in
            guard type == ThriftType.structure.rawValue else { return false }
            switch id {
            case 1: unit = .millis
            case 2: unit = .micros
            case 3: unit = .nanos
            default: return false
            }
            try r.skip(type)
            return true
        }
        guard let unit else { return nil }
        self = unit
    }
}

extension LogicalType {
    /// Reads the union; nil when it is empty. Unknown members give `.other`.
    static func read(thrift r: inout ThriftCompactReader) throws(ParquetError) -> LogicalType? {
        var result: LogicalType? = nil
        try r.readStruct { r, type, id throws(ParquetError) in
            guard type == ThriftType.structure.rawValue else { return false }
            switch id {
            case 5:
                var scale: Int32 = 0, precision: Int32 = 0
                try r.readStruct { r, type, id throws(ParquetError) in
                    switch id {
                    case 1: if let v = try r.i32(type) { scale = v; return true }
                    case 2: if let v = try r.i32(type) { precision = v; return true }
                    default: break
                    }
                    return false
                }
                result = .decimal(scale: scale, precision: precision)
            case 7, 8:
                var utc = false
                var unit: TimeUnit = .millis
                try r.readStruct { r, type, field throws(ParquetError) in
                    switch field {
                    case 1: if let v = r.bool(type) { utc = v; return true }
                    case 2:
                        if type == ThriftType.structure.rawValue {
                            if let u = try TimeUnit(thrift: &r) { unit = u }
                            return true
                        }
                    default: break
                    }
                    return false
                }
                result = id == 7 ? .time(adjustedToUTC: utc, unit: unit) : .timestamp(adjustedToUTC: utc, unit: unit)
            case 10:
                var bits: Int8 = 0, signed = true
                try r.readStruct { r, type, field throws(ParquetError) in
                    switch field {
                    case 1:
                        if type == ThriftType.i8.rawValue { bits = Int8(bitPattern: try r.readByte()); return true }
                    case 2: if let v = r.bool(type) { signed = v; return true }
                    default: break
                    }
                    return false
                }
                result = .integer(bitWidth: bits, signed: signed)
            default:
                try r.skip(type)
                switch id {
                case 1: result = .string
                case 2: result = .map
                case 3: result = .list
                case 4: result = .enumeration
                case 6: result = .date
                case 11: result = .null
                case 12: result = .json
                case 13: result = .bson
                case 14: result = .uuid
                case 15: result = .float16
                case 16: result = .variant
                case 17: result = .geometry
                case 18: result = .geography
                default: result = .other(id: id)
                }
            }
            return true
        }
        return result
    }
}

extension SchemaElement {
    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        self.init(name: "")
        var e = self
        var hasName = false
        var badType: Int32? = nil
        try r.readStruct { r, type, id throws(ParquetError) in
            switch id {
            case 1:
                guard let raw = try r.i32(type) else { return false }
                if let t = PhysicalType(rawValue: raw) { e.type = t } else { badType = raw }
            case 2: e.typeLength = try r.i32(type); return e.typeLength != nil
            case 3:
                guard let raw = try r.i32(type) else { return false }
                guard let rep = Repetition(rawValue: raw) else {
                    throw ParquetError.corrupt("schema element has an invalid repetition type \(raw)")
                }
                e.repetition = rep
            case 4:
                guard let name = try r.string(type) else { return false }
                e.name = name
                hasName = true
            case 5: e.numChildren = try r.i32(type); return e.numChildren != nil
            case 6: e.convertedType = try r.i32(type).map(ConvertedType.init(rawValue:)); return e.convertedType != nil
            case 7: e.scale = try r.i32(type); return e.scale != nil
            case 8: e.precision = try r.i32(type); return e.precision != nil
            case 9: e.fieldID = try r.i32(type); return e.fieldID != nil
            case 10:
                guard type == ThriftType.structure.rawValue else { return false }
                e.logicalType = try LogicalType.read(thrift: &r)
            default: return false
            }
            return true
        }
        guard hasName else { throw missing("name", in: "schema element") }
        if let badType {
            throw ParquetError.corrupt("schema element '\(e.name)' has an invalid physical type \(badType) (valid: 0 to 7)")
        }
        self = e
    }
}
