import AnantColumnar

/// Builds a dictionary of distinct fixed-width values (by bit pattern, so -0.0, 0.0 and
/// NaN payloads stay distinct, as PLAIN bytes would) with open addressing. Each slot holds
/// its key beside its code, so a probe touches one cache line.
struct FixedDictionaryBuilder {
    private var slotKeys: [UInt64]
    private var slotCodes: [Int32]
    private var mask: Int
    private(set) var keys: [UInt64] = []

    init(expected: Int = 1024) {
        var capacity = 1024
        while capacity < expected * 2 { capacity <<= 1 }
        slotKeys = [UInt64](repeating: 0, count: capacity)
        slotCodes = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
    }

    var count: Int { keys.count }

    /// The index of `key`, adding it when new.
    mutating func index(of key: UInt64) -> Int32 {
        var slot = Int(truncatingIfNeeded: ByteStrings.mix(key)) & mask
        let found: Int32? = slotCodes.withUnsafeBufferPointer { codes in
            slotKeys.withUnsafeBufferPointer { stored in
                while true {
                    let code = codes[slot]
                    if code < 0 { return nil }
                    if stored[slot] == key { return code }
                    slot = (slot &+ 1) & mask
                }
            }
        }
        if let found { return found }
        let code = Int32(keys.count)
        keys.append(key)
        slotKeys[slot] = key
        slotCodes[slot] = code
        if keys.count * 2 > slotCodes.count { grow() }
        return code
    }

    private mutating func grow() {
        let capacity = slotCodes.count * 2
        slotKeys = [UInt64](repeating: 0, count: capacity)
        slotCodes = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        for (code, key) in keys.enumerated() {
            var slot = Int(truncatingIfNeeded: ByteStrings.mix(key)) & mask
            while slotCodes[slot] >= 0 { slot = (slot &+ 1) & mask }
            slotKeys[slot] = key
            slotCodes[slot] = Int32(code)
        }
    }
}

/// Builds a dictionary of distinct byte strings.
struct BytesDictionaryBuilder {
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var mask: Int
    private(set) var values = StringColumn()

    init() {
        slots = [Int32](repeating: -1, count: 1024)
        mask = 1023
    }

    var count: Int { hashes.count }
    /// PLAIN size of the dictionary: 4 length bytes per value plus the bytes.
    var plainSize: Int { values.bytes.count + 4 * count }

    mutating func index(of key: UnsafeBufferPointer<UInt8>) -> Int32 {
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

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        for (code, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot &+ 1) & mask }
            slots[slot] = Int32(code)
        }
    }
}
