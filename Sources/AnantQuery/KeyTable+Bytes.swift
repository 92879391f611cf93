import AnantColumnar

/// String keys and byte-encoded key tuples.
extension KeyTable {
    // MARK: Byte-encoded keys

    func byteIDs(_ columns: [Column], rows: Int, adding: Bool) throws(QueryError) -> [Int32] {
        guard columns.count == types.count else {
            throw QueryError(.invalidArgument, "\(columns.count) key columns where \(types.count) were expected")
        }
        var out = [Int32](repeating: -1, count: rows)
        var scratch = [UInt8]()
        scratch.reserveCapacity(64)
        for row in 0..<rows {
            scratch.removeAll(keepingCapacity: true)
            var hasNull = false
            for column in columns { hasNull = KeyTable.encode(column, row, into: &scratch) || hasNull }
            if hasNull && !adding { continue }
            out[row] = scratch.withUnsafeBufferPointer { adding ? insertBytes($0) : findBytes($0) }
        }
        return out
    }

    func stringIDs(_ column: StringColumn, adding: Bool) -> [Int32] {
        var out = [Int32](repeating: -1, count: column.count)
        column.bytes.withUnsafeBufferPointer { bytes in
            for row in 0..<column.count {
                if column.isNull(row) {
                    if adding {
                        out[row] = stringNullGroup()
                    }
                    continue
                }
                let key = UnsafeBufferPointer(rebasing: bytes[column.byteRange(row)])
                out[row] = adding ? insertBytes(key) : findBytes(key)
            }
        }
        return out
    }

    /// The null key's group of a string table (made at first use; no lookup finds it).
    func stringNullGroup() -> Int32 {
        if nullGroup < 0 {
            nullGroup = strings.appendUnindexed()
            count = strings.count
        }
        return nullGroup
    }

    private func findBytes(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        strings.find(key)
    }

    func insertBytes(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let id = strings.insert(key)
        count = strings.count
        return id
    }

    /// Appends the encoding of one value (tag, then payload); true when it is null.
    /// Integers of both widths encode alike, so Int32 and Int64 keys match; -0.0 and 0.0
    /// encode alike, and so does every NaN.
    @inline(__always)
    static func encode(_ column: Column, _ row: Int, into out: inout [UInt8]) -> Bool {
        func append64(_ bits: UInt64) { withUnsafeBytes(of: bits.littleEndian) { out.append(contentsOf: $0) } }
        func appendString(_ c: StringColumn, _ tag: UInt8) {
            out.append(tag)
            let range = c.byteRange(row)
            withUnsafeBytes(of: UInt32(range.count).littleEndian) { out.append(contentsOf: $0) }
            c.bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
        }
        if column.isNull(row) { out.append(0); return true }
        switch column {
        case .int32(let c): out.append(1); append64(UInt64(bitPattern: Int64(c.values[row])))
        case .int64(let c): out.append(1); append64(UInt64(bitPattern: c.values[row]))
        case .double(let c):
            let v = c.values[row]
            out.append(2)
            append64(v.isNaN ? Double.nan.bitPattern : (v == 0 ? 0 : v.bitPattern))
        case .bool(let c): out.append(3); out.append(c.bits[row] ? 1 : 0)
        case .string(let c): appendString(c, 4)
        case .json(let c): appendString(c, 5)
        }
        return false
    }
}

/// Builds a column from encoded key values (`KeyTable.encode`).
struct KeyColumnBuilder {
    let type: DataType
    var scalars: [ScalarValue] = []

    init(type: DataType, capacity: Int) {
        self.type = type
        scalars.reserveCapacity(capacity)
    }

    mutating func decode(_ bytes: [UInt8], _ position: inout Int) {
        func read64() -> UInt64 {
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[position + k]) << (8 * k) }
            position += 8
            return v
        }
        let tag = bytes[position]
        position += 1
        switch tag {
        case 1: scalars.append(.int(Int64(bitPattern: read64())))
        case 2: scalars.append(.double(Double(bitPattern: read64())))
        case 3: scalars.append(.bool(bytes[position] != 0)); position += 1
        case 4, 5:
            var length = 0
            for k in 0..<4 { length |= Int(bytes[position + k]) << (8 * k) }
            position += 4
            scalars.append(.string(String(decoding: bytes[position..<position + length], as: UTF8.self)))
            position += length
        default: scalars.append(.null)
        }
    }

    func column() -> Column {
        (try? Column(type: type, values: scalars)) ?? Column(inferring: scalars)
    }
}
