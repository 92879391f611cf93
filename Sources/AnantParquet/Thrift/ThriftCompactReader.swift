/// The wire types of the Thrift compact protocol.
enum ThriftType: UInt8 {
    case boolTrue = 1
    case boolFalse = 2
    case i8 = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case structure = 12
    case uuid = 13
}

/// Reads the Thrift compact protocol from a byte buffer, checking every length against the
/// bytes that remain (a corrupt length is an error, never an allocation).
///
/// Struct readers follow one pattern: `readFieldHeader` until it returns nil; switch on the
/// field id; when the wire type is the expected one, read the value, else `skip` it (known
/// field ids with unexpected wire types appear in vendor forks); unknown ids are skipped.
struct ThriftCompactReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    let end: Int
    private var depth = 0
    /// Field id of the previous field, per open struct.
    private var lastFieldIDs: [Int16] = [0]

    static let maximumDepth = 64

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - position }

    func truncated(_ what: String) -> ParquetError {
        .corrupt("Thrift metadata is truncated: need \(what) at byte \(position), but the data ends at \(end)")
    }

    mutating func readByte() throws(ParquetError) -> UInt8 {
        guard position < end else { throw truncated("one more byte") }
        let byte = bytes[position]
        position += 1
        return byte
    }

    mutating func readVarint() throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            if shift == 63 && byte > 1 { throw ParquetError.corrupt("a Thrift varint at byte \(position - 1) overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetError.corrupt("a Thrift varint at byte \(position - 1) is longer than 10 bytes") }
        }
    }

    mutating func readI64() throws(ParquetError) -> Int64 {
        let n = try readVarint()
        return Int64(bitPattern: (n >> 1) ^ (0 &- (n & 1)))
    }

    mutating func readI32() throws(ParquetError) -> Int32 {
        let v = try readI64()
        guard let narrow = Int32(exactly: v) else { throw ParquetError.corrupt("a Thrift i32 at byte \(position) holds \(v)") }
        return narrow
    }

    mutating func readI16() throws(ParquetError) -> Int16 {
        let v = try readI64()
        guard let narrow = Int16(exactly: v) else { throw ParquetError.corrupt("a Thrift i16 at byte \(position) holds \(v)") }
        return narrow
    }

    mutating func readDouble() throws(ParquetError) -> Double {
        guard remaining >= 8 else { throw truncated("8 bytes of a double") }
        let bits = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return Double(bitPattern: UInt64(littleEndian: bits))
    }

    /// A length-prefixed byte string.
    mutating func readBinary() throws(ParquetError) -> [UInt8] {
        let length = try readVarint()
        guard length <= UInt64(remaining) else { throw truncated("\(length) bytes of a binary field") }
        let start = position
        position += Int(length)
        return Array(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
    }

    /// A length-prefixed UTF-8 string (invalid UTF-8 is repaired, never trusted).
    mutating func readString() throws(ParquetError) -> String {
        String(decoding: try readBinary(), as: UTF8.self)
    }

    /// Enters a struct (call before its first `readFieldHeader`).
    mutating func beginStruct() throws(ParquetError) {
        depth += 1
        guard depth <= ThriftCompactReader.maximumDepth else {
            throw ParquetError.corrupt("Thrift structures nest deeper than \(ThriftCompactReader.maximumDepth) levels")
        }
        lastFieldIDs.append(0)
    }

    /// Leaves a struct (after `readFieldHeader` returned nil).
    mutating func endStruct() {
        depth -= 1
        lastFieldIDs.removeLast()
    }

    /// The next field's (wire type, id), or nil at the struct's stop byte. A boolean
    /// field's value is its type (`boolTrue`/`boolFalse`).
    mutating func readFieldHeader() throws(ParquetError) -> (type: UInt8, id: Int16)? {
        let header = try readByte()
        if header == 0 { return nil }
        let type = header & 0x0F
        let delta = Int16(header >> 4)
        let id: Int16
        if delta == 0 {
            id = try readI16()
        } else {
            let (sum, overflow) = lastFieldIDs[lastFieldIDs.count - 1].addingReportingOverflow(delta)
            guard !overflow else { throw ParquetError.corrupt("a Thrift field id overflows at byte \(position)") }
            id = sum
        }
        lastFieldIDs[lastFieldIDs.count - 1] = id
        return (type, id)
    }

    /// A list or set header: (element wire type, count), the count checked against the
    /// remaining bytes (every element takes at least one byte).
    mutating func readListHeader() throws(ParquetError) -> (elementType: UInt8, count: Int) {
        let header = try readByte()
        var count = UInt64(header >> 4)
        if count == 15 { count = try readVarint() }
        guard count <= UInt64(remaining) else {
            throw ParquetError.corrupt("a Thrift list at byte \(position) claims \(count) elements but only \(remaining) bytes remain")
        }
        return (header & 0x0F, Int(count))
    }

    /// A boolean list element: one byte, 1 = true (0 or 2 = false), as Java/C++/Rust write.
    mutating func readBoolElement() throws(ParquetError) -> Bool {
        try readByte() == 1
    }

    /// Skips a value of wire type `type`.
    mutating func skip(_ type: UInt8) throws(ParquetError) {
        switch ThriftType(rawValue: type) {
        case .boolTrue, .boolFalse: return
        case .i8: _ = try readByte()
        case .i16, .i32, .i64: _ = try readVarint()
        case .double: _ = try readDouble()
        case .binary:
            let length = try readVarint()
            guard length <= UInt64(remaining) else { throw truncated("\(length) bytes to skip") }
            position += Int(length)
        case .uuid:
            guard remaining >= 16 else { throw truncated("16 bytes of a uuid") }
            position += 16
        case .list, .set:
            let (elementType, count) = try readListHeader()
            try nested { (r: inout ThriftCompactReader) throws(ParquetError) in
                for _ in 0..<count {
                    if elementType == ThriftType.boolTrue.rawValue || elementType == ThriftType.boolFalse.rawValue {
                        _ = try r.readByte()
                    } else {
                        try r.skip(elementType)
                    }
                }
            }
        case .map:
            let count = try readVarint()
            guard count <= UInt64(remaining) else { throw truncated("a map of \(count) entries") }
            if count == 0 { return }
            let types = try readByte()
            try nested { (r: inout ThriftCompactReader) throws(ParquetError) in
                for _ in 0..<count {
                    try r.skip(types >> 4)
                    try r.skip(types & 0x0F)
                }
            }
        case .structure:
            try beginStruct()
            while let (fieldType, _) = try readFieldHeader() { try skip(fieldType) }
            endStruct()
        case nil:
            throw ParquetError.corrupt("unknown Thrift wire type \(type) at byte \(position)")
        }
    }

    /// Runs `body` one nesting level deeper (bounded by `maximumDepth`).
    private mutating func nested(_ body: (inout ThriftCompactReader) throws(ParquetError) -> Void) throws(ParquetError) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= ThriftCompactReader.maximumDepth else {
            throw ParquetError.corrupt("Thrift values nest deeper than \(ThriftCompactReader.maximumDepth) levels")
        }
        try body(&self)
    }

    /// Reads a struct with `body` handling each field; unknown fields are skipped by
    /// `body` returning false.
    mutating func readStruct(_ body: (inout ThriftCompactReader, _ type: UInt8, _ id: Int16) throws(ParquetError) -> Bool) throws(ParquetError) {
        try beginStruct()
        while let (type, id) = try readFieldHeader() {
            if try !body(&self, type, id) { try skip(type) }
        }
        endStruct()
    }

    /// Reads a list whose elements `element` reads one by one.
    mutating func readList<T>(of expected: ThriftType, _ element: (inout ThriftCompactReader) throws(ParquetError) -> T) throws(ParquetError) -> [T] {
        let (elementType, count) = try readListHeader()
        let isBool = expected == .boolTrue || expected == .boolFalse
        let matches = isBool ? (elementType == 1 || elementType == 2) : elementType == expected.rawValue
        guard matches else {
            // Skip the elements of an unexpected type; the caller sees an empty list.
            for _ in 0..<count {
                if elementType == 1 || elementType == 2 { _ = try readByte() } else { try skip(elementType) }
            }
            return []
        }
        var out = [T]()
        out.reserveCapacity(Swift.min(count, 1 << 16))
        for _ in 0..<count { out.append(try element(&self)) }
        return out
    }
}
