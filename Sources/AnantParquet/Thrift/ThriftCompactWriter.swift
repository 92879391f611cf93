/// Writes the Thrift compact protocol: fields in increasing id order, short-form field
/// headers when the id delta is 1...15, zigzag varints, little-endian doubles.
struct ThriftCompactWriter {
    private(set) var bytes: [UInt8] = []
    private var lastFieldIDs: [Int16] = [0]

    init() {}

    mutating func writeVarint(_ value: UInt64) { appendVarint(value, into: &bytes) }

    mutating func writeZigzag(_ value: Int64) {
        writeVarint(zigzag(value))
    }

    private mutating func fieldHeader(_ type: ThriftType, _ id: Int16) {
        let last = lastFieldIDs[lastFieldIDs.count - 1]
        let delta = id - last
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeZigzag(Int64(id))
        }
        lastFieldIDs[lastFieldIDs.count - 1] = id
    }

    mutating func field(_ id: Int16, bool value: Bool) {
        fieldHeader(value ? .boolTrue : .boolFalse, id)
    }

    mutating func field(_ id: Int16, i32 value: Int32) {
        fieldHeader(.i32, id)
        writeZigzag(Int64(value))
    }

    mutating func field(_ id: Int16, i64 value: Int64) {
        fieldHeader(.i64, id)
        writeZigzag(value)
    }

    mutating func field(_ id: Int16, i8 value: Int8) {
        fieldHeader(.i8, id)
        bytes.append(UInt8(bitPattern: value))
    }

    mutating func field(_ id: Int16, binary value: [UInt8]) {
        fieldHeader(.binary, id)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func field(_ id: Int16, string value: String) {
        field(id, binary: Array(value.utf8))
    }

    /// A struct field whose members `body` writes.
    mutating func field(_ id: Int16, structure body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(.structure, id)
        writeStruct(body)
    }

    /// A list field of `count` elements of `elementType`, each written by `element`.
    mutating func field(_ id: Int16, list elementType: ThriftType, count: Int, _ element: (inout ThriftCompactWriter, Int) -> Void) {
        fieldHeader(.list, id)
        writeListHeader(elementType, count: count)
        for i in 0..<count { element(&self, i) }
    }

    mutating func writeListHeader(_ elementType: ThriftType, count: Int) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            writeVarint(UInt64(count))
        }
    }

    /// A struct value (as a list element or top-level): members, then the stop byte.
    mutating func writeStruct(_ body: (inout ThriftCompactWriter) -> Void) {
        lastFieldIDs.append(0)
        body(&self)
        bytes.append(0)
        lastFieldIDs.removeLast()
    }

    mutating func appendBytes<C: Collection>(_ raw: C) where C.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    mutating func writeBinaryElement(_ value: [UInt8]) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }
}
