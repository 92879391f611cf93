/// Little-endian bit unpacking (LSB first), as the RLE/bit-packed hybrid and the delta
/// encodings store values: value `i` of width `w` occupies bits `i*w ..< (i+1)*w`.
enum BitUnpacking {
    /// Unpacks `count` values of `bitWidth` (0...64) bits from `source` starting at bit
    /// `bitOffset` into `output`. The caller has checked that the bits are inside `source`.
    @inline(__always)
    static func unpack(_ source: UnsafeRawBufferPointer, bitOffset: Int, bitWidth: Int, count: Int,
                       into output: UnsafeMutablePointer<UInt64>) {
        if bitWidth == 0 {
            output.initialize(repeating: 0, count: count)
            return
        }
        let mask: UInt64 = bitWidth == 64 ? ~0 : (1 &<< UInt64(bitWidth)) &- 1
        var bit = bitOffset
        let fastEnd = source.count - 16
        for i in 0..<count {
            let byte = bit &>> 3
            let shift = UInt64(bit & 7)
            var value: UInt64
            if byte <= fastEnd {
                let low = source.loadUnaligned(fromByteOffset: byte, as: UInt64.self)
                value = low &>> shift
                if Int(shift) + bitWidth > 64 {
                    let high = UInt64(source[byte &+ 8])
                    value |= high &<< (64 &- shift)
                }
            } else {
                value = slowLoad(source, byte: byte, shift: shift, bitWidth: bitWidth)
            }
            output[i] = value & mask
            bit &+= bitWidth
        }
    }

    /// The same for 32-bit outputs (levels, dictionary indices), widths 0...32.
    @inline(__always)
    static func unpack32(_ source: UnsafeRawBufferPointer, bitOffset: Int, bitWidth: Int, count: Int,
                         into output: UnsafeMutablePointer<UInt32>) {
        if bitWidth == 0 {
            output.initialize(repeating: 0, count: count)
            return
        }
        let mask: UInt64 = (1 &<< UInt64(bitWidth)) &- 1
        var bit = bitOffset
        for i in 0..<count {
            output[i] = value32(source, bit: bit, bitWidth: bitWidth, mask: mask)
            bit &+= bitWidth
        }
    }

    /// The one value of `bitWidth` bits (1...32, `mask` its low bits set) at bit `bit`.
    @inline(__always)
    static func value32(_ source: UnsafeRawBufferPointer, bit: Int, bitWidth: Int, mask: UInt64) -> UInt32 {
        let byte = bit &>> 3
        let shift = UInt64(bit & 7)
        let value: UInt64
        if byte <= source.count - 8 {
            value = source.loadUnaligned(fromByteOffset: byte, as: UInt64.self) &>> shift
        } else {
            value = slowLoad(source, byte: byte, shift: shift, bitWidth: bitWidth)
        }
        return UInt32(truncatingIfNeeded: value & mask)
    }

    /// Bit-by-byte load near the end of the buffer (bytes past the end read as zero).
    private static func slowLoad(_ source: UnsafeRawBufferPointer, byte: Int, shift: UInt64, bitWidth: Int) -> UInt64 {
        var value: UInt64 = 0
        let needed = (Int(shift) + bitWidth + 7) / 8
        for k in 0..<needed where byte + k < source.count {
            let b = UInt64(source[byte + k])
            if k == 0 { value |= b &>> shift } else { value |= b &<< (UInt64(k * 8) &- shift) }
        }
        return value
    }
}

/// Bit widths: the number of bits needed for a maximum value.
func bitWidth(of maximum: UInt64) -> Int {
    maximum == 0 ? 0 : 64 - maximum.leadingZeroBitCount
}
