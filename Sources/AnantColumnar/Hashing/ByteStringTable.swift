/// Distinct byte strings and their first-appearance codes: open addressing with linear
/// probing over a `StringColumn` that holds every distinct value once, its row number
/// being its code. Parquet dictionaries, id encoding and query group keys share it.
public struct ByteStringTable: Sendable {
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var mask: Int
    /// Every distinct value, in code order.
    public private(set) var values = StringColumn()
    /// The code of the entry `appendUnindexed` made, which lookups never find.
    private var unindexed: Int32 = -1

    /// A table sized for about `expected` distinct values (it grows as needed).
    public init(expected: Int = 512) {
        var capacity = 16
        while capacity < expected * 2 { capacity <<= 1 }
        slots = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
    }

    /// The number of entries.
    public var count: Int { hashes.count }

    /// The code of `key`, or -1 when absent.
    public func find(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let hash = ByteStrings.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let code = slots[slot]
            if code < 0 { return -1 }
            if hashes[Int(code)] == hash, values.withUTF8(Int(code), { ByteStrings.equal($0, key) }) { return code }
            slot = (slot &+ 1) & mask
        }
    }

    /// The code of `key`, assigning the next code when it is new.
    public mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let hash = ByteStrings.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let code = slots[slot]
            if code < 0 { break }
            if hashes[Int(code)] == hash, values.withUTF8(Int(code), { ByteStrings.equal($0, key) }) { return code }
            slot = (slot &+ 1) & mask
        }
        let code = Int32(hashes.count)
        hashes.append(hash)
        values.append(utf8: key)
        slots[slot] = code
        if hashes.count * 2 > slots.count { grow() }
        return code
    }

    /// An empty entry that no lookup finds (at most one): a code for a key outside the
    /// strings, such as a group key's null.
    public mutating func appendUnindexed() -> Int32 {
        precondition(unindexed < 0, "one unindexed entry at most")
        unindexed = Int32(hashes.count)
        hashes.append(0)
        values.append(utf8: UnsafeBufferPointer(start: nil, count: 0))
        return unindexed
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        for (code, hash) in hashes.enumerated() where Int32(code) != unindexed {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot &+ 1) & mask }
            slots[slot] = Int32(code)
        }
    }
}
