/// PLAIN encoding for the writer.
enum PlainEncoder {
    /// Appends values `range` of `values` PLAIN-encoded to `out`.
    static func encode(_ values: WriterValues, _ range: Range<Int>, into out: inout [UInt8]) {
        switch values {
        case .boolean(let v):
            var byte: UInt8 = 0
            var bits = 0
            for i in range {
                if v[i] { byte |= 1 << UInt8(bits) }
                bits += 1
                if bits == 8 {
                    out.append(byte)
                    byte = 0
                    bits = 0
                }
            }
            if bits > 0 { out.append(byte) }
        case .int32(let v): appendRaw(v, range, into: &out)
        case .int64(let v): appendRaw(v, range, into: &out)
        case .double(let v): appendRaw(v, range, into: &out)
        case .bytes(let column, let rows):
            column.bytes.withUnsafeBufferPointer { buffer in
                for i in range {
                    let r = column.byteRange(rows[i])
                    appendLength(r.count, into: &out)
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[r]))
                }
            }
        }
    }

    static func appendRaw<T>(_ values: ValueRun<T>, _ range: Range<Int>, into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { buffer in
            out.append(contentsOf: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[range])))
        }
    }

    static func appendLength(_ length: Int, into out: inout [UInt8]) {
        let v = UInt32(length)
        out.append(UInt8(truncatingIfNeeded: v))
        out.append(UInt8(truncatingIfNeeded: v >> 8))
        out.append(UInt8(truncatingIfNeeded: v >> 16))
        out.append(UInt8(truncatingIfNeeded: v >> 24))
    }
}
