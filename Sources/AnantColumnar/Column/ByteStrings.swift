#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-wise operations on UTF-8 strings held in buffers: the primitives for hashing,
/// deduplicating and sorting string columns without creating `String`s.
public enum ByteStrings {
    /// Three-way comparison of two byte strings (negative, zero, positive), in
    /// lexicographic byte order, which for UTF-8 is Unicode code point order.
    @inlinable
    public static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(a.count, b.count)
        if common > 0 {
            let result = memcmp(a.baseAddress!, b.baseAddress!, common)
            if result != 0 { return Int(result) }
        }
        return a.count - b.count
    }

    /// True when both byte strings are equal.
    @inlinable
    public static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    /// True when `needle` occurs in `haystack` (the first byte found by `memchr`, the rest
    /// compared by `memcmp`).
    public static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let n = needle.baseAddress, !needle.isEmpty else { return true }
        guard let h = haystack.baseAddress, haystack.count >= needle.count else { return false }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            guard let hit = memchr(h + start, Int32(n[0]), last - start + 1) else { return false }
            let offset = h.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(h + offset, n, needle.count) == 0 { return true }
            start = offset + 1
        }
        return false
    }

    /// A fast 64-bit hash of a byte string (not cryptographic; stable across runs).
    @inlinable
    public static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return mix(h) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = mix(h ^ word) &* 0xBF58_476D_1CE4_E5B9
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(base[i]) << shift
            shift += 8
            i += 1
        }
        return mix(h ^ tail)
    }

    /// The SplitMix64 finaliser: spreads the bits of `x` over the whole word.
    @inlinable
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension StringColumn {
    /// Three-way byte comparison of row `i` with row `j` of `other`.
    public func compare(row i: Int, with other: StringColumn, row j: Int) -> Int {
        withUTF8(i) { a in other.withUTF8(j) { b in ByteStrings.compare(a, b) } }
    }

    /// Three-way byte comparison of rows `i` and `j`.
    public func compareRows(_ i: Int, _ j: Int) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            ByteStrings.compare(UnsafeBufferPointer(rebasing: buffer[byteRange(i)]),
                                UnsafeBufferPointer(rebasing: buffer[byteRange(j)]))
        }
    }
}

/// SplitMix64: a small, fast, seeded generator, for reproducible random orders and
/// generated data (the same seed gives the same sequence on every platform).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return ByteStrings.mix(state)
    }
}
