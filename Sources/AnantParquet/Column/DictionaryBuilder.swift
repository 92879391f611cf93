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
    private var table = ByteStringTable(expected: 512)

    /// The distinct values, in code order.
    var values: StringColumn { table.values }
    var count: Int { table.count }
    /// PLAIN size of the dictionary: 4 length bytes per value plus the bytes.
    var plainSize: Int { table.values.bytes.count + 4 * count }

    mutating func index(of key: UnsafeBufferPointer<UInt8>) -> Int32 {
        table.insert(key)
    }
}
