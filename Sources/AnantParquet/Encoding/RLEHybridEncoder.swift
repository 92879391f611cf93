/// Encodes the RLE / bit-packed hybrid the way parquet-mr does: values are buffered in
/// groups of 8; eight or more consecutive equal values become an RLE run, other groups are
/// bit-packed (up to 63 groups per run header; the last group padded with zeros).
struct RLEHybridEncoder {
    private let bitWidth: Int
    private(set) var bytes: [UInt8] = []
    private var buffered: [UInt32] = []
    private var previous: UInt32 = 0
    private var repeatCount = 0
    /// Position of the header byte of the open bit-packed run (-1: none), and its groups.
    private var packedHeader = -1
    private var packedGroups = 0

    init(bitWidth: Int) {
        precondition(bitWidth >= 0 && bitWidth <= 32)
        self.bitWidth = bitWidth
        buffered.reserveCapacity(8)
    }

    /// One RLE run of `count` copies of `value`: the encoding of an all-equal sequence.
    static func run(of value: UInt32, count: Int, bitWidth: Int) -> [UInt8] {
        var encoder = RLEHybridEncoder(bitWidth: bitWidth)
        guard count > 0 else { return [] }
        encoder.writeVarint(UInt64(count) << 1)
        for k in 0..<((bitWidth + 7) / 8) { encoder.bytes.append(UInt8(truncatingIfNeeded: value >> (8 * k))) }
        return encoder.bytes
    }

    @inline(__always)
    mutating func append(_ value: UInt32) {
        if value == previous && repeatCount > 0 {
            repeatCount += 1
            // Eight or more repeats: certainly an RLE run; keep counting.
            if repeatCount >= 8 { return }
        } else {
            if repeatCount >= 8 { writeRepeatRun() }
            repeatCount = 1
            previous = value
        }
        buffered.append(value)
        if buffered.count == 8 { writePackedGroup() }
    }

    mutating func append<S: Sequence>(contentsOf values: S) where S.Element == UInt32 {
        for v in values { append(v) }
    }

    /// The encoded bytes (the encoder must not be used afterwards).
    mutating func finish() -> [UInt8] {
        if repeatCount >= 8 {
            writeRepeatRun()
        } else if !buffered.isEmpty {
            buffered.append(contentsOf: repeatElement(0, count: 8 - buffered.count))
            writePackedGroup()
        }
        closePackedRun()
        return bytes
    }

    private mutating func writeRepeatRun() {
        closePackedRun()
        writeVarint(UInt64(repeatCount) << 1)
        for k in 0..<((bitWidth + 7) / 8) { bytes.append(UInt8(truncatingIfNeeded: previous >> (8 * k))) }
        repeatCount = 0
        // The buffered values (all equal to `previous`) were counted in the run.
        buffered.removeAll(keepingCapacity: true)
    }

    private mutating func writePackedGroup() {
        if packedGroups >= 63 { closePackedRun() }
        if packedHeader < 0 {
            packedHeader = bytes.count
            bytes.append(0)
        }
        var accumulator: UInt64 = 0
        var bits = 0
        for v in buffered {
            accumulator |= UInt64(v) << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
        packedGroups += 1
        buffered.removeAll(keepingCapacity: true)
        repeatCount = 0
    }

    private mutating func closePackedRun() {
        guard packedHeader >= 0 else { return }
        bytes[packedHeader] = UInt8(packedGroups << 1 | 1)
        packedHeader = -1
        packedGroups = 0
    }

    private mutating func writeVarint(_ value: UInt64) { appendVarint(value, into: &bytes) }
}
