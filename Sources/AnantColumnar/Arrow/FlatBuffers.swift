/// The FlatBuffers wire format, as far as Arrow's IPC metadata uses it: tables (a vtable
/// of field offsets, scalars inline, offsets to strings, vectors and sub-tables), strings,
/// vectors of tables, of structs and of scalars. Little-endian throughout.
///
/// `FlatBuffer.encode` writes front to back: a table's vtable, then the table, then its
/// children, so every offset points forward (as the format requires of unsigned offsets)
/// and every scalar sits at a multiple of its size from the start, which verifiers check.
/// `FlatTable` reads with every offset and length checked against the buffer.
enum FlatBuffer {
    /// A value to encode.
    indirect enum Value {
        /// A table: its fields by index (nil: absent, the reader's default).
        case table([Slot?])
        case string(String)
        /// A vector of tables.
        case tables([Value])
        /// A vector of structs: their bytes back to back, each `alignment`-aligned.
        case structs([UInt8], count: Int, alignment: Int)
        case int64s([Int64])
    }

    /// A table field.
    enum Slot {
        case uint8(UInt8)
        case int16(Int16)
        case int32(Int32)
        case int64(Int64)
        case bool(Bool)
        /// An offset to a string, a vector or a table.
        case offset(Value)

        var size: Int {
            switch self {
            case .uint8, .bool: 1
            case .int16: 2
            case .int32, .offset: 4
            case .int64: 8
            }
        }
    }

    /// The bytes of a buffer whose root is `root`, padded to a multiple of 8.
    static func encode(_ root: Value) -> [UInt8] {
        var writer = Writer()
        writer.bytes = [0, 0, 0, 0]
        let position = writer.write(root)
        writer.patch(0, UInt32(position))
        writer.pad(to: 8)
        return writer.bytes
    }

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func pad(to alignment: Int) {
            while bytes.count % alignment != 0 { bytes.append(0) }
        }

        mutating func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func patch(_ at: Int, _ value: UInt32) {
            withUnsafeBytes(of: value.littleEndian) { raw in
                for k in 0..<4 { bytes[at + k] = raw[k] }
            }
        }

        /// Writes `value` and its children; the position an offset to it names.
        mutating func write(_ value: Value) -> Int {
            switch value {
            case .table(let slots):
                return table(slots)
            case .string(let text):
                pad(to: 4)
                let position = bytes.count
                let utf8 = Array(text.utf8)
                append(UInt32(utf8.count))
                bytes.append(contentsOf: utf8)
                bytes.append(0)
                return position
            case .tables(let children):
                pad(to: 4)
                let position = bytes.count
                append(UInt32(children.count))
                let slots = bytes.count
                bytes.append(contentsOf: repeatElement(0, count: 4 * children.count))
                for (k, child) in children.enumerated() {
                    let target = write(child)
                    patch(slots + 4 * k, UInt32(target - (slots + 4 * k)))
                }
                return position
            case .structs(let raw, let count, let alignment):
                return vector(raw, count: count, alignment: max(4, alignment))
            case .int64s(let values):
                var raw = [UInt8]()
                raw.reserveCapacity(8 * values.count)
                for v in values { withUnsafeBytes(of: v.littleEndian) { raw.append(contentsOf: $0) } }
                return vector(raw, count: values.count, alignment: 8)
            }
        }

        /// A vector whose elements start `alignment`-aligned (its length just before).
        mutating func vector(_ raw: [UInt8], count: Int, alignment: Int) -> Int {
            while (bytes.count + 4) % alignment != 0 { bytes.append(0) }
            let position = bytes.count
            append(UInt32(count))
            bytes.append(contentsOf: raw)
            return position
        }

        /// The vtable, then the table (its soffset, then the fields, each aligned to its
        /// size), then the children the fields point to.
        mutating func table(_ slots: [Slot?]) -> Int {
            // Lay the fields out relative to an 8-aligned table start, largest first.
            var layout = [(index: Int, offset: Int)]()
            var size = 4
            for (index, slot) in slots.enumerated().sorted(by: { ($0.element?.size ?? 0) > ($1.element?.size ?? 0) }) {
                guard let slot else { continue }
                while size % slot.size != 0 { size += 1 }
                layout.append((index, size))
                size += slot.size
            }
            while size % 4 != 0 { size += 1 }
            let vtableSize = 4 + 2 * slots.count
            // The table starts 8-aligned, right after its vtable (2-aligned, padded before).
            var start = bytes.count + vtableSize
            while start % 8 != 0 { start += 1 }
            bytes.append(contentsOf: repeatElement(0, count: start - vtableSize - bytes.count))
            let vtable = bytes.count
            append(UInt16(vtableSize))
            append(UInt16(size))
            var offsets = [UInt16](repeating: 0, count: slots.count)
            for (index, offset) in layout { offsets[index] = UInt16(offset) }
            for offset in offsets { append(offset) }
            precondition(bytes.count == start, "vtable layout")
            append(Int32(start - vtable))
            bytes.append(contentsOf: repeatElement(0, count: size - 4))
            var children = [(at: Int, value: Value)]()
            for (index, offset) in layout {
                let at = start + offset
                var scratch = [UInt8]()
                func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { scratch.append(contentsOf: $0) } }
                switch slots[index]! {
                case .uint8(let v): put(v)
                case .bool(let v): put(UInt8(v ? 1 : 0))
                case .int16(let v): put(v)
                case .int32(let v): put(v)
                case .int64(let v): put(v)
                case .offset(let child): children.append((at, child))
                }
                for (k, b) in scratch.enumerated() { bytes[at + k] = b }
            }
            for (at, child) in children {
                let target = write(child)
                patch(at, UInt32(target - at))
            }
            return start
        }
    }
}

/// A table of a FlatBuffer, read with bounds checks: a malformed buffer throws
/// `ColumnarError.invalidArrow`, never reads outside the bytes.
struct FlatTable: Sendable {
    let bytes: [UInt8]
    let position: Int
    private let vtable: Int
    private let vtableSize: Int

    /// The root table of `bytes`.
    init(root bytes: [UInt8]) throws(ColumnarError) {
        try self.init(bytes, at: Int(try FlatTable.read(UInt32.self, bytes, 0)))
    }

    init(_ bytes: [UInt8], at position: Int) throws(ColumnarError) {
        self.bytes = bytes
        self.position = position
        let back = Int(try FlatTable.read(Int32.self, bytes, position))
        vtable = position - back
        vtableSize = Int(try FlatTable.read(UInt16.self, bytes, vtable))
        guard vtableSize >= 4, vtableSize % 2 == 0, vtable + vtableSize <= bytes.count else {
            throw FlatTable.corrupt("a vtable of \(vtableSize) bytes at \(vtable) does not fit")
        }
    }

    static func corrupt(_ what: String) -> ColumnarError {
        ColumnarError(.invalidArrow, "malformed Arrow IPC metadata: \(what)")
    }

    static func read<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], _ at: Int) throws(ColumnarError) -> T {
        guard at >= 0, at <= bytes.count - MemoryLayout<T>.size else {
            throw corrupt("a \(MemoryLayout<T>.size)-byte value at \(at) is outside the \(bytes.count) bytes")
        }
        return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: T.self)) }
    }

    /// Where field `index` is stored, nil when absent.
    func field(_ index: Int) throws(ColumnarError) -> Int? {
        let slot = 4 + 2 * index
        guard slot + 2 <= vtableSize else { return nil }
        let offset = Int(try FlatTable.read(UInt16.self, bytes, vtable + slot))
        return offset == 0 ? nil : position + offset
    }

    func scalar<T: FixedWidthInteger>(_ index: Int, default value: T) throws(ColumnarError) -> T {
        guard let at = try field(index) else { return value }
        return try FlatTable.read(T.self, bytes, at)
    }

    func bool(_ index: Int) throws(ColumnarError) -> Bool { try scalar(index, default: UInt8(0)) != 0 }

    /// The target of the offset stored in field `index`.
    private func target(_ index: Int) throws(ColumnarError) -> Int? {
        guard let at = try field(index) else { return nil }
        let target = at + Int(try FlatTable.read(UInt32.self, bytes, at))
        guard target < bytes.count else { throw FlatTable.corrupt("an offset at \(at) points past the end") }
        return target
    }

    func table(_ index: Int) throws(ColumnarError) -> FlatTable? {
        guard let at = try target(index) else { return nil }
        return try FlatTable(bytes, at: at)
    }

    func string(_ index: Int) throws(ColumnarError) -> String? {
        guard let at = try target(index) else { return nil }
        let count = Int(try FlatTable.read(UInt32.self, bytes, at))
        guard count <= bytes.count - at - 4 else { throw FlatTable.corrupt("a string of \(count) bytes at \(at) does not fit") }
        return String(decoding: bytes[(at + 4)..<(at + 4 + count)], as: UTF8.self)
    }

    /// A vector's element count and first element's position; elements of `stride` bytes.
    func vector(_ index: Int, stride: Int) throws(ColumnarError) -> (start: Int, count: Int)? {
        guard let at = try target(index) else { return nil }
        let count = Int(try FlatTable.read(UInt32.self, bytes, at))
        guard count <= (bytes.count - at - 4) / stride else {
            throw FlatTable.corrupt("a vector of \(count) elements at \(at) does not fit")
        }
        return (at + 4, count)
    }

    func tables(_ index: Int) throws(ColumnarError) -> [FlatTable] {
        guard let (start, count) = try vector(index, stride: 4) else { return [] }
        var out = [FlatTable]()
        for k in 0..<count {
            let at = start + 4 * k
            out.append(try FlatTable(bytes, at: at + Int(try FlatTable.read(UInt32.self, bytes, at))))
        }
        return out
    }
}
