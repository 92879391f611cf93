import CAnantSystem

/// SHA-256 (FIPS 180-4): canonical value digests and shard checksums. Whole 64-byte
/// blocks are compressed straight from the caller's bytes; only a partial block is kept.
public struct SHA256: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    private var pending = [UInt8]()
    private var length: UInt64 = 0
    /// False: every block compressed portably (the tests compare both ways).
    private var hardware = true

    public init() {}

    /// A hasher that never uses the CPU's SHA instructions (for tests).
    init(hardware: Bool) { self.hardware = hardware }

    /// True when this CPU's SHA instructions compress the blocks (x86-64 with SHA-NI).
    static var usesCPUInstructions: Bool {
        var state = [UInt32](repeating: 0, count: 8), block: UInt8 = 0
        return anant_sha256_blocks(&state, &block, 0, 1) == 1
    }

    /// Adds bytes to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = Swift.min(64 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            offset = take
            guard pending.count == 64 else { return }
            pending.withUnsafeBytes { compressBlocks($0.baseAddress!, count: 1) }
            pending.removeAll(keepingCapacity: true)
        }
        let blocks = (bytes.count - offset) / 64
        if blocks > 0 {
            compressBlocks(bytes.baseAddress! + offset, count: blocks)
            offset += 64 * blocks
        }
        if offset < bytes.count { pending.append(contentsOf: bytes[offset...]) }
    }

    /// Adds bytes to the message.
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest (the hash cannot be updated afterwards).
    public mutating func finish() -> [UInt8] {
        let bits = length &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        tail.withUnsafeBytes { raw in compressBlocks(raw.baseAddress!, count: raw.count / 64) }
        pending = []
        let words = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
        return words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> UInt32(24 - 8 * $0)) } }
    }

    /// The lowercase hex digest.
    public mutating func hexDigest() -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: finish().flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    /// Compresses `count` whole blocks (`anant_sha256_blocks`: the CPU's SHA instructions
    /// where it has them, about ten times faster than the portable code).
    private mutating func compressBlocks(_ blocks: UnsafeRawPointer, count: Int) {
        let hardware: Int32 = self.hardware ? 1 : 0
        withUnsafeMutableBytes(of: &state) { words in
            _ = anant_sha256_blocks(words.baseAddress!.assumingMemoryBound(to: UInt32.self), blocks.assumingMemoryBound(to: UInt8.self), count, hardware)
        }
    }
}
