import AnantColumnar
import CAnantSystem

/// Dense ids for key tuples: the hash table under group-by and hash join.
///
/// One integer key (Int32 or Int64) hashes the integer itself; other keys (strings,
/// doubles, Booleans, several columns) hash a byte encoding of the row's tuple. Null is a
/// key value of its own for grouping (SQL and polars group nulls together) and never
/// matches in `lookup` (joins do not match null keys).
final class KeyTable {
    enum Storage {
        /// No key columns: every row is group 0 (a global aggregate).
        case none
        case integer
        /// One string (or JSON) key: its bytes as they are, hashed in place.
        case string
        case bytes
    }

    let storage: Storage
    /// The key columns' types, from the first batch.
    private(set) var types: [DataType]
    /// Number of groups.
    var count: Int

    // Open addressing, linear probing; a slot holds a group id or -1.
    var slots: [Int32]
    var mask: Int
    /// Hashed integer keys: each occupied slot's key, beside its id (one cache miss a probe).
    var slotKeys: [Int64] = []
    // Integer keys: the key of every group, and the group of the null key.
    var integerKeys: [Int64] = []
    var nullGroup: Int32 = -1
    // String keys and byte-encoded tuples: every distinct key once, its code the group.
    var strings = ByteStringTable()

    init(types: [DataType]) {
        self.types = types
        if types.isEmpty {
            storage = .none
            count = 1
        } else if types.count == 1, types[0] == .int32 || types[0] == .int64 {
            storage = .integer
            count = 0
        } else if types.count == 1, types[0] == .string || types[0] == .json {
            storage = .string
            count = 0
        } else {
            storage = .bytes
            count = 0
        }
        slots = [Int32](repeating: -1, count: 1024)
        mask = 1023
    }

    /// A table for the same key types, empty.
    func emptyCopy() -> KeyTable { KeyTable(types: types) }

    /// The table of a column of distinct, non-null Int64 keys in a compact range, built on
    /// every core: key `values[i]` gets id `i`. Nil when the keys repeat or spread too
    /// widely (the caller inserts them one by one instead).
    static func distinctKeys(_ values: [Int64], context: ExecutionContext) -> KeyTable? {
        let n = values.count
        guard n >= 1 << 16 else { return nil }
        let tasks = context.tasks(for: n)
        let bounds = context.map(count: tasks) { t -> (Int64, Int64) in
            var low = Int64.max, high = Int64.min
            for i in Parallel.slice(t, of: tasks, count: n) { low = min(low, values[i]); high = max(high, values[i]) }
            return (low, high)
        }
        let low = bounds.map(\.0).min()!, high = bounds.map(\.1).max()!
        let (span, overflow) = high.subtractingReportingOverflow(low)
        guard !overflow, span < directLimit, span < Int64(16 * n) else { return nil }
        let size = Int(span) + 1
        var slots = [Int32](largeRepeating: -1, count: size)
        // Each task owns a range of slots and writes only keys that fall in it: no two
        // tasks write one slot; a slot written twice within a task is a repeated key.
        let repeated = slots.withUnsafeMutableBufferPointer { buffer -> Bool in
            let out = SharedBuffer(buffer)
            let found = context.map(count: tasks) { t -> Bool in
                let own = Parallel.slice(t, of: tasks, count: size)
                var repeated = false
                values.withUnsafeBufferPointer { v in
                    for i in 0..<n {
                        let slot = Int(v[i] &- low)
                        guard own.contains(slot) else { continue }
                        repeated = repeated || out[slot] >= 0
                        out[slot] = Int32(i)
                    }
                }
                return repeated
            }
            return found.contains(true)
        }
        guard !repeated else { return nil }
        let table = KeyTable(types: [.int64])
        table.directBase = low
        table.directSlots = slots
        table.integerKeys = values
        table.count = n
        return table
    }

    /// The group of every row of the key columns, adding new keys.
    func insert(_ columns: [Column], rows: Int) throws(QueryError) -> [Int32] {
        try ids(columns, rows: rows, adding: true)
    }

    /// The group of every row, or -1 where the key is absent or has a null.
    func lookup(_ columns: [Column], rows: Int) throws(QueryError) -> [Int32] {
        try ids(columns, rows: rows, adding: false)
    }

    /// The direct table of a single integer key: key `k`'s group is `slots[k - base]`
    /// (negative: absent). Nil when the table hashes.
    var directTable: (base: Int64, slots: [Int32])? {
        guard storage == .integer, direct else { return nil }
        return (directBase, directSlots)
    }

    /// `lookup` of one Int64 key column at `rows` (in order), without gathering it first;
    /// nil when the table is not a direct integer table (the caller gathers and looks up).
    func lookupDirect(_ column: Int64Column, rows: [Int32]) -> [Int32]? {
        guard storage == .integer, direct else { return nil }
        var out = [Int32](repeating: -1, count: rows.count)
        let base = directBase, limit = Int64(directSlots.count), validity = column.validity
        directSlots.withUnsafeBufferPointer { slots in
            column.values.withUnsafeBufferPointer { v in
                rows.withUnsafeBufferPointer { rows in
                    out.withUnsafeMutableBufferPointer { o in
                        for i in 0..<rows.count {
                            let row = Int(rows[i])
                            if let validity, !validity[row] { continue }
                            if i + 16 < rows.count {
                                anant_prefetch(slots.baseAddress! + Int(truncatingIfNeeded: v[Int(rows[i + 16])] &- base))
                            }
                            let (slot, overflow) = v[row].subtractingReportingOverflow(base)
                            if !overflow, slot >= 0, slot < limit { o[i] = slots[Int(slot)] }
                        }
                    }
                }
            }
        }
        return out
    }

    private func ids(_ columns: [Column], rows: Int, adding: Bool) throws(QueryError) -> [Int32] {
        switch storage {
        case .none:
            return [Int32](repeating: 0, count: rows)
        case .integer:
            switch columns[0] {
            case .int64(let c): return integerIDs(c.values, c.validity, adding: adding)
            case .int32(let c): return integerIDs(c.values.map(Int64.init), c.validity, adding: adding)
            default: throw QueryError(.typeMismatch, "key column of \(columns[0].dataType) values where \(types[0]) keys were expected")
            }
        case .string:
            switch columns[0] {
            case .string(let c), .json(let c): return stringIDs(c, adding: adding)
            default: throw QueryError(.typeMismatch, "key column of \(columns[0].dataType) values where \(types[0]) keys were expected")
            }
        case .bytes:
            return try byteIDs(columns, rows: rows, adding: adding)
        }
    }

    // MARK: Integer keys

    /// Dense integer keys (ids 0..<n, the common case for hypergraph element ids) skip
    /// hashing: while the keys seen span a range no larger than `directLimit` entries (and at most 8M or
    /// sixteen per group), `directSlots[key - directBase]` holds the group. Keys outside that
    /// move the table to hashing, once.
    var direct = true
    var directBase: Int64 = 0
    var directSlots: [Int32] = []
    static let directLimit: Int64 = 1 << 25

    private func integerIDs(_ values: [Int64], _ validity: Bitmap?, adding: Bool) -> [Int32] {
        guard adding else { return integerLookup(values, validity) }
        if direct { prepareDirect(values, validity) }
        if !direct { reserve(count + values.count) }
        var out = [Int32](repeating: -1, count: values.count)
        // Every row may open a group: the keys get that room first, and the hot loops work
        // on buffers and plain locals (no access to the class's storage, nothing captured
        // that would need run-time exclusivity checks).
        var keys = integerKeys
        integerKeys = []
        let first = count
        keys.reserveAdditional(values.count)
        keys.append(contentsOf: repeatElement(0, count: values.count))
        var next = (groups: first, null: nullGroup)
        let base = directBase, mask = self.mask, direct = self.direct
        keys.withUnsafeMutableBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { o in
                    if direct {
                        next = directSlots.withUnsafeMutableBufferPointer { s in
                            KeyTable.insertDirect(v, validity, into: s, base: base, keys: k, ids: o, next)
                        }
                    } else {
                        next = slotKeys.withUnsafeMutableBufferPointer { inline in
                            slots.withUnsafeMutableBufferPointer { s in
                                KeyTable.insertHashed(v, validity, into: s, inline, mask: mask, keys: k, ids: o, next)
                            }
                        }
                    }
                }
            }
        }
        keys.removeLast(first + values.count - next.groups)
        integerKeys = keys
        count = next.groups
        nullGroup = next.null
        return out
    }

    /// Group ids of `v`'s rows through the direct table `slots` (`slots[key - base]`); a
    /// new group's key goes to `keys[id]`. Returns the next group id and the null group.
    private static func insertDirect(_ v: UnsafeBufferPointer<Int64>, _ validity: Bitmap?, into slots: UnsafeMutableBufferPointer<Int32>,
                                     base: Int64, keys: UnsafeMutableBufferPointer<Int64>, ids o: UnsafeMutableBufferPointer<Int32>,
                                     _ next: (groups: Int, null: Int32)) -> (groups: Int, null: Int32) {
        number(v, validity, keys: keys, ids: o, next) { row, key, fresh in
            if row + 16 < v.count { anant_prefetch(slots.baseAddress! + Int(truncatingIfNeeded: v[row + 16] &- base)) }
            let slot = Int(key &- base)
            if slots[slot] < 0 { slots[slot] = fresh }
            return slots[slot]
        }
    }

    /// Group ids of `v`'s rows through the open-addressing table `slots`/`slotKeys`, as
    /// `insertDirect`.
    private static func insertHashed(_ v: UnsafeBufferPointer<Int64>, _ validity: Bitmap?, into slots: UnsafeMutableBufferPointer<Int32>,
                                     _ slotKeys: UnsafeMutableBufferPointer<Int64>, mask: Int, keys: UnsafeMutableBufferPointer<Int64>,
                                     ids o: UnsafeMutableBufferPointer<Int32>, _ next: (groups: Int, null: Int32)) -> (groups: Int, null: Int32) {
        number(v, validity, keys: keys, ids: o, next) { _, key, fresh in
            var slot = Int(truncatingIfNeeded: ByteStrings.mix(UInt64(bitPattern: key))) & mask
            while true {
                let id = slots[slot]
                if id < 0 {
                    slots[slot] = fresh
                    slotKeys[slot] = key
                    return fresh
                }
                if slotKeys[slot] == key { return id }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The loop of both: the null key's group (made at its first null row), and for every
    /// other row `find(row, key, fresh)`, the key's group, where a new key takes `fresh`
    /// (the next id; its key then goes to `keys[fresh]`).
    @inline(__always)
    private static func number(_ v: UnsafeBufferPointer<Int64>, _ validity: Bitmap?, keys: UnsafeMutableBufferPointer<Int64>,
                               ids o: UnsafeMutableBufferPointer<Int32>, _ next: (groups: Int, null: Int32),
                               _ find: (_ row: Int, _ key: Int64, _ fresh: Int32) -> Int32) -> (groups: Int, null: Int32) {
        var groups = next.groups, nullID = next.null
        for row in 0..<v.count {
            if let validity, !validity[row] {
                if nullID < 0 { nullID = Int32(groups); keys[groups] = 0; groups += 1 }
                o[row] = nullID
                continue
            }
            let key = v[row], fresh = Int32(groups)
            let id = find(row, key, fresh)
            if id == fresh {
                keys[groups] = key
                groups += 1
            }
            o[row] = id
        }
        return (groups, nullID)
    }

    /// Grows the direct range to cover `values`, or leaves direct mode when it would be
    /// too large or too sparse.
    private func prepareDirect(_ values: [Int64], _ validity: Bitmap?) {
        var low = Int64.max, high = Int64.min
        values.withUnsafeBufferPointer { v in
            guard let validity else {
                for value in v {
                    low = Swift.min(low, value)
                    high = Swift.max(high, value)
                }
                return
            }
            for row in 0..<v.count where validity[row] {
                low = Swift.min(low, v[row])
                high = Swift.max(high, v[row])
            }
        }
        guard low <= high else { return }
        // The table's last key (its range ends at Int64.max at most, so this cannot overflow).
        let last = directSlots.isEmpty ? Int64.min : directBase + Int64(directSlots.count - 1)
        if !directSlots.isEmpty {
            low = Swift.min(low, directBase)
            high = Swift.max(high, last)
        }
        let (span, overflow) = high.subtractingReportingOverflow(low)
        let groupsBound = Int64(count + values.count)
        guard !overflow, span < KeyTable.directLimit, span < Swift.max(1 << 23, 16 * groupsBound) else {
            direct = false
            directSlots = []
            reserve(count + values.count, rebuild: true)
            return
        }
        if !directSlots.isEmpty, low >= directBase, high <= last { return }
        // Room to grow on the side (or sides) the range moved to, so that growing stays rare
        // (keys that come sorted move it one way only).
        let slack = directSlots.isEmpty ? Int64(0) : Swift.min(span / 2, KeyTable.directLimit - span)
        let below = !directSlots.isEmpty && low < directBase ? slack : 0
        let above = !directSlots.isEmpty && high > last ? Swift.min(slack, Int64.max - high) : 0
        let (newBase, under) = low.subtractingReportingOverflow(below)
        let base = under ? low : newBase
        let size = Int(Swift.min(high - base + 1 + above, KeyTable.directLimit))
        var grown = [Int32](repeating: -1, count: Swift.max(size, Int(high - base) + 1))
        let shift = Int(directBase - base)
        grown.withUnsafeMutableBufferPointer { grown in
            directSlots.withUnsafeBufferPointer { old in
                if let from = old.baseAddress { (grown.baseAddress! + shift).update(from: from, count: old.count) }
            }
        }
        directSlots = grown
        directBase = base
    }

    /// Read-only (joins probe one table from every core at once).
    private func integerLookup(_ values: [Int64], _ validity: Bitmap?) -> [Int32] {
        var out = [Int32](repeating: -1, count: values.count)
        if direct {
            let base = directBase, limit = Int64(directSlots.count)
            directSlots.withUnsafeBufferPointer { slots in
                values.withUnsafeBufferPointer { v in
                    out.withUnsafeMutableBufferPointer { o in
                        for row in 0..<v.count where validity?[row] ?? true {
                            if row + 16 < v.count { anant_prefetch(slots.baseAddress! + Int(truncatingIfNeeded: v[row + 16] &- base)) }
                            let (slot, overflow) = v[row].subtractingReportingOverflow(base)
                            if !overflow, slot >= 0, slot < limit { o[row] = slots[Int(slot)] }
                        }
                    }
                }
            }
            return out
        }
        let keys = slotKeys, slots = self.slots, mask = self.mask
        keys.withUnsafeBufferPointer { keys in
            slots.withUnsafeBufferPointer { slots in
                values.withUnsafeBufferPointer { v in
                    out.withUnsafeMutableBufferPointer { o in
                        for row in 0..<v.count where validity?[row] ?? true {
                            let key = v[row]
                            var slot = Int(truncatingIfNeeded: ByteStrings.mix(UInt64(bitPattern: key))) & mask
                            while true {
                                let id = slots[slot]
                                if id < 0 { break }
                                if keys[slot] == key { o[row] = id; break }
                                slot = (slot + 1) & mask
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Room for `groups` groups at load factor one half (hashed storage); `rebuild`
    /// re-inserts every group even when the table is large enough.
    func reserve(_ groups: Int, rebuild: Bool = false) {
        guard groups * 2 > slots.count || rebuild else { return }
        var capacity = slots.count
        while capacity < groups * 2 { capacity *= 2 }
        slots = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        slotKeys = [Int64](repeating: 0, count: capacity)
        for id in 0..<count where Int32(id) != nullGroup {
            var slot = Int(truncatingIfNeeded: ByteStrings.mix(UInt64(bitPattern: integerKeys[id]))) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
            slotKeys[slot] = integerKeys[id]
        }
    }

    // MARK: Merging and output

    /// Adds `other`'s keys; the id in this table of each of `other`'s groups.
    func merge(_ other: KeyTable, context: ExecutionContext) -> [Int32] {
        switch storage {
        case .none:
            return [0]
        case .integer:
            var validity: Bitmap? = nil
            if other.nullGroup >= 0 {
                var v = Bitmap(count: other.count, value: true)
                v[Int(other.nullGroup)] = false
                validity = v
            }
            if direct, let ids = mergeDirect(other.integerKeys, validity, context: context) { return ids }
            return integerIDs(other.integerKeys, validity, adding: true)
        case .string, .bytes:
            let keys = other.strings.values
            return (0..<other.count).map { id -> Int32 in
                if storage == .string && Int32(id) == other.nullGroup { return stringNullGroup() }
                return keys.withUTF8(id) { insertBytes($0) }
            }
        }
    }

    /// `merge` of another direct table's keys (`values`, distinct; the null key where
    /// `validity` is false) on every core: a read-only pass finds the keys this table
    /// has and counts the new ones per slice; the new ones then get their ids in their
    /// order, each slice from where the previous slices' new keys end. Distinct keys
    /// write distinct slots, so the slices never meet. Nil (nothing done) when the merge
    /// is too small to split or the keys move the table to hashing.
    private func mergeDirect(_ values: [Int64], _ validity: Bitmap?, context: ExecutionContext) -> [Int32]? {
        let slices = context.tasks(for: values.count, grain: 1 << 15)
        guard slices > 1 else { return nil }
        prepareDirect(values, validity)
        guard direct else { return nil }
        let first = count, base = directBase, nullID = nullGroup
        var out = [Int32](repeating: -1, count: values.count)
        var keys = integerKeys
        integerKeys = []
        keys.reserveAdditional(values.count)
        keys.append(contentsOf: repeatElement(0, count: values.count))
        var starts = [Int](repeating: 0, count: slices + 1)
        keys.withUnsafeMutableBufferPointer { k in
            directSlots.withUnsafeMutableBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    values.withUnsafeBufferPointer { v in
                        let (keys, slots, ids, values) = (SharedBuffer(k), SharedBuffer(s), SharedBuffer(o), SharedBuffer(v))
                        starts.withUnsafeMutableBufferPointer { n in
                            let fresh = SharedBuffer(n)
                            context.run(tasks: slices) { slice in
                                var misses = 0
                                for row in Parallel.slice(slice, of: slices, count: values.count) {
                                    let id = validity?[row] ?? true ? slots[Int(values[row] &- base)] : nullID
                                    ids[row] = id
                                    if id < 0 { misses += 1 }
                                }
                                fresh[slice + 1] = misses
                            }
                        }
                        for slice in 0..<slices { starts[slice + 1] += starts[slice] }
                        let from = UncheckedSendable(starts)
                        context.run(tasks: slices) { slice in
                            var next = first + from.value[slice]
                            for row in Parallel.slice(slice, of: slices, count: values.count) where ids[row] < 0 {
                                ids[row] = Int32(next)
                                if validity?[row] ?? true {
                                    keys[next] = values[row]
                                    slots[Int(values[row] &- base)] = Int32(next)
                                }
                                next += 1
                            }
                        }
                    }
                }
            }
        }
        let added = starts[slices]
        keys.removeLast(values.count - added)
        integerKeys = keys
        count = first + added
        if nullID < 0, let validity, let row = (0..<values.count).first(where: { !validity[$0] }) { nullGroup = out[row] }
        return out
    }

    /// Every group valid but the null key's, if there is one.
    private func nullGroupValidity() -> Bitmap? {
        guard nullGroup >= 0 else { return nil }
        var validity = Bitmap(count: count, value: true)
        validity[Int(nullGroup)] = false
        return validity
    }

    /// The key columns, one row per group in id order.
    func keyColumns() -> [Column] {
        switch storage {
        case .none:
            return []
        case .integer:
            let validity = nullGroupValidity()
            if types[0] == .int32 { return [.int32(Int32Column(integerKeys.map { Int32(truncatingIfNeeded: $0) }, validity: validity))] }
            return [.int64(Int64Column(integerKeys, validity: validity))]
        case .string:
            var column = strings.values
            column.validity = nullGroupValidity()
            return [types[0] == .json ? .json(column) : .string(column)]
        case .bytes:
            var builders = types.map { KeyColumnBuilder(type: $0, capacity: count) }
            let keys = strings.values
            for id in 0..<count {
                var position = Int(keys.offsets[id])
                for k in builders.indices { builders[k].decode(keys.bytes, &position) }
            }
            return builders.map { $0.column() }
        }
    }
}
