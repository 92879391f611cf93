import AnantColumnar
import CAnantSystem

/// The running state of one aggregate over many groups: updated batch by batch with each
/// row's group id, merged across workers, parts and pre-aggregated groups, finished into a
/// column (one row per group).
///
/// Semantics are SQL's: `count(x)`, `sum`, `mean`, `min`, `max` and `n_unique` ignore
/// nulls; a group with no non-null value gets a null sum, mean, min and max. Integer sums
/// stay integers (overflow is an error); NaN orders above every number (so `max` of a
/// group holding NaN is NaN, as DuckDB gives). Sums and means of doubles sum each morsel
/// in row order and add the morsels' sums exactly (`BlockSums`), so they do not depend on
/// how morsels were split among workers or parts, nor on the order the pieces merge in.
protocol Accumulator: AnyObject {
    /// Grows the state to `groups` groups.
    func resize(_ groups: Int)
    /// Adds rows: `groups[row]` is each row's group; `column` the aggregated column (nil
    /// for `count(*)`).
    func update(_ groups: [Int32], _ column: Column?) throws(QueryError)
    /// Adds `other`'s state (an accumulator of the same kind): for every k, its group
    /// `sources[k]` (k itself when `sources` is nil) into this one's group `targets[k]`. A
    /// source may feed several targets (a pre-aggregated group meeting several join rows).
    func merge(_ other: any Accumulator, into targets: [Int32], from sources: [Int32]?) throws(QueryError)
    /// One value per group.
    func finish(groups: Int) throws(QueryError) -> Column
    /// An empty accumulator of the same kind.
    func emptyCopy() -> any Accumulator
}

/// Making accumulators, and reading their input columns.
enum Accumulators {
    /// The accumulator for `aggregation` over a column of `type` (nil for `count(*)`).
    static func make(_ aggregation: Aggregation, _ type: DataType?) throws(QueryError) -> any Accumulator {
        let name = aggregation.column ?? "*"
        func numeric() throws(QueryError) -> DataType {
            guard let type, type == .int32 || type == .int64 || type == .double || type == .bool else {
                throw QueryError(.typeMismatch, "\(aggregation.function.rawValue)(\(name)) needs a numeric column, not \(type?.rawValue ?? "rows")")
            }
            return type
        }
        switch aggregation.function {
        case .count: return CountAccumulator(countsRows: aggregation.column == nil)
        case .sum: return SumAccumulator(isDouble: try numeric() == .double)
        case .mean: _ = try numeric(); return MeanAccumulator()
        case .min, .max:
            guard let type, type != .json else { throw QueryError(.typeMismatch, "\(aggregation.function.rawValue)(\(name)) needs a column of numbers, strings or Booleans") }
            return ExtremeAccumulator(type: type, maximum: aggregation.function == .max)
        case .nUnique: return NUniqueAccumulator()
        }
    }
}

// MARK: count

final class CountAccumulator: Accumulator {
    let countsRows: Bool
    var counts: [Int64] = []

    init(countsRows: Bool) { self.countsRows = countsRows }

    func resize(_ groups: Int) {
        if counts.count < groups { counts.append(contentsOf: repeatElement(0, count: groups - counts.count)) }
    }

    func update(_ groups: [Int32], _ column: Column?) throws(QueryError) {
        let validity = countsRows ? nil : column?.validity
        counts.withUnsafeMutableBufferPointer { c in
            groups.withUnsafeBufferPointer { g in
                if let validity {
                    for row in 0..<g.count where validity[row] { c[Int(g[row])] += 1 }
                } else {
                    // A run of rows of one group (keys that come sorted) counts in a register.
                    var open = -1, openCount: Int64 = 0
                    for row in 0..<g.count {
                        let group = Int(g[row])
                        if group == open { openCount += 1; continue }
                        if open >= 0 { c[open] = openCount }
                        if row + 16 < g.count { anant_prefetch(c.baseAddress! + Int(g[row + 16])) }
                        open = group
                        openCount = c[group] + 1
                    }
                    if open >= 0 { c[open] = openCount }
                }
            }
        }
    }

    func merge(_ other: any Accumulator, into targets: [Int32], from sources: [Int32]?) throws(QueryError) {
        let other = other as! CountAccumulator
        other.resize(Accumulators.sourceCount(targets, sources))
        Accumulators.addCounts(other.counts, to: &counts, targets, sources)
    }

    func finish(groups: Int) -> Column {
        resize(groups)
        return .int64(Int64Column(Array(counts.prefix(groups))))
    }

    func emptyCopy() -> any Accumulator { CountAccumulator(countsRows: countsRows) }
}

extension Accumulators {
    /// `body(source, target)` for every pair of a merge: source `sources[k]` (k without
    /// sources) into target `targets[k]`.
    @inline(__always)
    static func pairs(_ targets: [Int32], _ sources: [Int32]?, _ body: (_ source: Int, _ target: Int) -> Void) {
        targets.withUnsafeBufferPointer { t in
            guard let sources else {
                for k in 0..<t.count { body(k, Int(t[k])) }
                return
            }
            sources.withUnsafeBufferPointer { s in
                for k in 0..<t.count { body(Int(s[k]), Int(t[k])) }
            }
        }
    }

    /// Merges counts (of `count` and `mean`).
    static func addCounts(_ theirs: [Int64], to counts: inout [Int64], _ targets: [Int32], _ sources: [Int32]?) {
        counts.withUnsafeMutableBufferPointer { counts in
            theirs.withUnsafeBufferPointer { theirs in
                pairs(targets, sources) { g, t in counts[t] += theirs[g] }
            }
        }
    }

    /// How many source groups a merge reads (the largest source id plus one).
    static func sourceCount(_ targets: [Int32], _ sources: [Int32]?) -> Int {
        guard let sources else { return targets.count }
        return Int(sources.max() ?? -1) + 1
    }

    /// The values of a numeric column as doubles (Booleans as 0 and 1).
    static func doubles(_ column: Column) throws(QueryError) -> [Double] {
        switch column {
        case .double(let c): return c.values
        case .int64(let c): return c.values.map(Double.init)
        case .int32(let c): return c.values.map(Double.init)
        case .bool(let c): return (0..<c.count).map { c.bits[$0] ? 1 : 0 }
        default: throw QueryError(.typeMismatch, "a sum or mean of \(column.dataType) values")
        }
    }

    /// The values of an integer or Boolean column as Int64.
    static func integers(_ column: Column) throws(QueryError) -> [Int64] {
        switch column {
        case .int64(let c): return c.values
        case .int32(let c): return c.values.map(Int64.init)
        case .bool(let c): return (0..<c.count).map { c.bits[$0] ? 1 : 0 }
        default: throw QueryError(.typeMismatch, "an integer sum of \(column.dataType) values")
        }
    }
}

// MARK: sum

/// Per-group sums of doubles that do not depend on how morsels were shared among workers
/// or parts: each batch (one morsel: one `add` call) is summed per group in plain doubles,
/// in row order, and the groups' batch sums are added exactly (the fixed block order
/// `ExactSum` describes). A group's open batch sum lives in its slot beside the number of
/// the batch it belongs to; a row of a later batch closes it. A group of one batch keeps
/// that sum as it is (one term is its own exact sum); a second batch moves the group to an
/// `ExactSum` on the side. So a row costs one 16-byte slot, as a plain sum's double and
/// seen-flag did, and whether a group spills depends only on the data.
struct BlockSums {
    init() {}

    private struct Slot {
        /// The open batch's sum (with `state == one`, the group's whole sum so far).
        var sum: Double = 0
        /// The batch `sum` belongs to.
        var batch: Int32 = -1
        /// `none`, `one`, or the group's index in `spilled`.
        var state: Int32 = BlockSums.none
    }

    private static let none: Int32 = -2
    private static let one: Int32 = -1

    private var slots: [Slot] = []
    /// The exact sums of the closed batches of groups with more than one.
    private var spilled: [ExactSum] = []
    private var batch: Int32 = 0

    mutating func resize(_ groups: Int) {
        if slots.count < groups { slots.append(contentsOf: repeatElement(Slot(), count: groups - slots.count)) }
    }

    /// Adds one batch: `values[row]` to group `groups[row]`, where `validity` holds. The
    /// open group's sum stays in a register while its rows follow one another (keys that
    /// come sorted); it is the same sum, row by row, as adding to the slot.
    mutating func add(_ groups: [Int32], _ values: [Double], _ validity: Bitmap?) {
        let current = batch
        batch += 1
        var spilled = self.spilled
        self.spilled = []
        slots.withUnsafeMutableBufferPointer { slots in
            values.withUnsafeBufferPointer { v in
                groups.withUnsafeBufferPointer { g in
                    var open = -1, openSum = 0.0
                    for row in 0..<g.count where validity?[row] ?? true {
                        let group = Int(g[row])
                        if group == open { openSum += v[row]; continue }
                        if open >= 0 { slots[open].sum = openSum }
                        if row + 16 < g.count { anant_prefetch(slots.baseAddress! + Int(g[row + 16])) }
                        open = group
                        if slots[group].batch == current {
                            openSum = slots[group].sum + v[row]
                            continue
                        }
                        // The group's first row in this batch: close its open sum.
                        switch slots[group].state {
                        case BlockSums.none:
                            slots[group].state = BlockSums.one
                        case BlockSums.one:
                            slots[group].state = Int32(spilled.count)
                            spilled.append(ExactSum(slots[group].sum))
                        default:
                            spilled[Int(slots[group].state)].add(slots[group].sum)
                        }
                        openSum = v[row]
                        slots[group].batch = current
                    }
                    if open >= 0 { slots[open].sum = openSum }
                }
            }
        }
        self.spilled = spilled
    }

    /// Group `g`'s exact sum (nil when it has no value), its open batch closed.
    private func exact(_ g: Int) -> ExactSum? {
        switch slots[g].state {
        case BlockSums.none: return nil
        case BlockSums.one: return ExactSum(slots[g].sum)
        default:
            var total = spilled[Int(slots[g].state)]
            total.add(slots[g].sum)
            return total
        }
    }

    /// Adds `other`'s group `sources[k]` (k without sources) to group `targets[k]`.
    mutating func merge(_ other: BlockSums, into targets: [Int32], from sources: [Int32]?) {
        var spilled = self.spilled
        self.spilled = []
        slots.withUnsafeMutableBufferPointer { slots in
            other.slots.withUnsafeBufferPointer { theirs in
                Accumulators.pairs(targets, sources) { g, t in
                    guard theirs[g].state != BlockSums.none else { return }
                    // Their sum comes in as closed batches; this group's open batch closes too.
                    let index: Int
                    switch slots[t].state {
                    case BlockSums.none:
                        if theirs[g].state == BlockSums.one {
                            slots[t] = Slot(sum: theirs[g].sum, batch: -1, state: BlockSums.one)
                            return
                        }
                        index = spilled.count
                        spilled.append(ExactSum())
                    case BlockSums.one:
                        index = spilled.count
                        spilled.append(ExactSum(slots[t].sum))
                    default:
                        index = Int(slots[t].state)
                        spilled[index].add(slots[t].sum)
                    }
                    if theirs[g].state == BlockSums.one { spilled[index].add(theirs[g].sum) } else { spilled[index].add(other.exact(g)!) }
                    slots[t] = Slot(sum: 0, batch: -1, state: Int32(index))
                }
            }
        }
        self.spilled = spilled
    }

    /// The first `groups` groups' sums as plain values: none, one batch's plain sum, or an
    /// exact sum (its open batch closed).
    func state(_ groups: Int) -> BlockSumsState {
        var kinds = [UInt8](), singles = [Double](), exact = [ExactSum]()
        kinds.reserveCapacity(groups)
        singles.reserveCapacity(groups)
        for g in 0..<groups {
            switch slots[g].state {
            case BlockSums.none:
                kinds.append(BlockSumsState.none)
                singles.append(0)
            case BlockSums.one:
                kinds.append(BlockSumsState.single)
                singles.append(slots[g].sum)
            default:
                kinds.append(BlockSumsState.exact)
                singles.append(0)
                exact.append(self.exact(g)!)
            }
        }
        return BlockSumsState(kinds: kinds, singles: singles, exact: exact)
    }

    /// The sums of `state`, for `groups` groups.
    init(_ state: BlockSumsState, groups: Int) throws(QueryError) {
        guard state.kinds.count == groups, state.singles.count == groups,
              state.exact.count == state.kinds.filter({ $0 == BlockSumsState.exact }).count else {
            throw QueryError(.invalidArgument, "a sum state of the wrong shape for \(groups) groups")
        }
        slots.reserveCapacity(groups)
        for g in 0..<groups {
            switch state.kinds[g] {
            case BlockSumsState.none: slots.append(Slot())
            case BlockSumsState.single: slots.append(Slot(sum: state.singles[g], batch: -1, state: BlockSums.one))
            case BlockSumsState.exact:
                slots.append(Slot(sum: 0, batch: -1, state: Int32(spilled.count)))
                spilled.append(state.exact[spilled.count])
            default: throw QueryError(.invalidArgument, "a sum state of unknown kind \(state.kinds[g])")
            }
        }
    }

    /// The first `groups` sums (a lone batch's -0 as 0, as `ExactSum` gives), null where
    /// a group had no value.
    func sums(_ groups: Int) -> (values: [Double], validity: Bitmap?) {
        let values = (0..<groups).map { g -> Double in
            slots[g].state == BlockSums.one ? slots[g].sum + 0 : exact(g)?.value ?? 0
        }
        let present = slots.prefix(groups).map { $0.state != BlockSums.none }
        return (values, present.allSatisfy { $0 } ? nil : Bitmap(present))
    }
}

/// Sums of Int64 (integer and Boolean columns; overflow is an error) or of Double
/// (`BlockSums`).
final class SumAccumulator: Accumulator {
    let isDouble: Bool
    var doubles = BlockSums()
    /// Integer sums as 128-bit numbers: the low words (wrapping) and the high words, so
    /// that only the total can overflow, not a partial sum of some split of the rows.
    var integers: [Int64] = []
    var highs: [Int64] = []
    var seen: [Bool] = []

    init(isDouble: Bool) { self.isDouble = isDouble }

    func resize(_ groups: Int) {
        if isDouble { return doubles.resize(groups) }
        guard seen.count < groups else { return }
        seen.append(contentsOf: repeatElement(false, count: groups - seen.count))
        integers.append(contentsOf: repeatElement(0, count: groups - integers.count))
        highs.append(contentsOf: repeatElement(0, count: groups - highs.count))
    }

    /// Adds the 128-bit number (high, low) to group `g`'s.
    @inline(__always)
    private static func add(_ high: Int64, _ low: Int64, to g: Int, _ integers: UnsafeMutableBufferPointer<Int64>, _ highs: UnsafeMutableBufferPointer<Int64>) {
        let (sum, carry) = UInt64(bitPattern: integers[g]).addingReportingOverflow(UInt64(bitPattern: low))
        integers[g] = Int64(bitPattern: sum)
        highs[g] = highs[g] &+ high &+ (carry ? 1 : 0)
    }

    func update(_ groups: [Int32], _ column: Column?) throws(QueryError) {
        guard let column else { return }
        let validity = column.validity
        if isDouble { return doubles.add(groups, try Accumulators.doubles(column), validity) }
        let values = try Accumulators.integers(column)
        integers.withUnsafeMutableBufferPointer { integers in
            highs.withUnsafeMutableBufferPointer { highs in
                seen.withUnsafeMutableBufferPointer { seen in
                    for row in 0..<groups.count where validity?[row] ?? true {
                        let g = Int(groups[row]), v = values[row]
                        SumAccumulator.add(v < 0 ? -1 : 0, v, to: g, integers, highs)
                        seen[g] = true
                    }
                }
            }
        }
    }

    func merge(_ other: any Accumulator, into targets: [Int32], from sources: [Int32]?) throws(QueryError) {
        let other = other as! SumAccumulator
        other.resize(Accumulators.sourceCount(targets, sources))
        if isDouble { return doubles.merge(other.doubles, into: targets, from: sources) }
        let (theirIntegers, theirHighs, theirSeen) = (other.integers, other.highs, other.seen)
        integers.withUnsafeMutableBufferPointer { integers in
            highs.withUnsafeMutableBufferPointer { highs in
                seen.withUnsafeMutableBufferPointer { seen in
                    Accumulators.pairs(targets, sources) { g, t in
                        guard theirSeen[g] else { return }
                        SumAccumulator.add(theirHighs[g], theirIntegers[g], to: t, integers, highs)
                        seen[t] = true
                    }
                }
            }
        }
    }

    func finish(groups: Int) throws(QueryError) -> Column {
        resize(groups)
        if isDouble {
            let (values, validity) = doubles.sums(groups)
            return .double(DoubleColumn(values, validity: validity))
        }
        // A total fits 64 bits when its high word only extends the low word's sign.
        for g in 0..<groups where highs[g] != (integers[g] < 0 ? -1 : 0) {
            throw QueryError(.overflow, "an integer sum overflows 64 bits")
        }
        let present = Array(seen.prefix(groups))
        return .int64(Int64Column(Array(integers.prefix(groups)), validity: present.allSatisfy { $0 } ? nil : Bitmap(present)))
    }

    func emptyCopy() -> any Accumulator { SumAccumulator(isDouble: isDouble) }
}

// MARK: mean

final class MeanAccumulator: Accumulator {
    var sums = BlockSums()
    var counts: [Int64] = []

    func resize(_ groups: Int) {
        sums.resize(groups)
        if counts.count < groups { counts.append(contentsOf: repeatElement(0, count: groups - counts.count)) }
    }

    func update(_ groups: [Int32], _ column: Column?) throws(QueryError) {
        guard let column else { return }
        let validity = column.validity
        sums.add(groups, try Accumulators.doubles(column), validity)
        counts.withUnsafeMutableBufferPointer { counts in
            for row in 0..<groups.count where validity?[row] ?? true { counts[Int(groups[row])] += 1 }
        }
    }

    func merge(_ other: any Accumulator, into targets: [Int32], from sources: [Int32]?) throws(QueryError) {
        let other = other as! MeanAccumulator
        other.resize(Accumulators.sourceCount(targets, sources))
        sums.merge(other.sums, into: targets, from: sources)
        Accumulators.addCounts(other.counts, to: &counts, targets, sources)
    }

    func finish(groups: Int) -> Column {
        resize(groups)
        let (values, validity) = sums.sums(groups)
        return .double(DoubleColumn((0..<groups).map { counts[$0] > 0 ? values[$0] / Double(counts[$0]) : 0 }, validity: validity))
    }

    func emptyCopy() -> any Accumulator { MeanAccumulator() }
}

// MARK: min, max

final class ExtremeAccumulator: Accumulator {
    let type: DataType
    let maximum: Bool
    /// The best value of each group so far (nil: none yet).
    var best: [ScalarValue?] = []
    var integers: [Int64] = []
    var doubles: [Double] = []
    var seen: [Bool] = []

    init(type: DataType, maximum: Bool) {
        self.type = type
        self.maximum = maximum
    }

    func resize(_ groups: Int) {
        guard seen.count < groups else { return }
        let extra = groups - seen.count
        seen.append(contentsOf: repeatElement(false, count: extra))
        switch type {
        case .int32, .int64, .bool: integers.append(contentsOf: repeatElement(0, count: extra))
        case .double: doubles.append(contentsOf: repeatElement(0, count: extra))
        default: best.append(contentsOf: repeatElement(nil, count: extra))
        }
    }

    /// Whether `candidate` beats `current` (NaN above every number, 0 above -0, so that
    /// the answer does not depend on which came first).
    @inline(__always)
    private func better(_ candidate: Double, _ current: Double) -> Bool {
        if candidate.isNaN || current.isNaN { return maximum ? (candidate.isNaN && !current.isNaN) : (current.isNaN && !candidate.isNaN) }
        if candidate == current { return candidate.sign != current.sign && (maximum ? candidate.sign == .plus : candidate.sign == .minus) }
        return maximum ? candidate > current : candidate < current
    }

    func update(_ groups: [Int32], _ column: Column?) throws(QueryError) {
        guard let column else { return }
        let validity = column.validity
        switch column {
        case .int32, .int64, .bool:
            let values = try Accumulators.integers(column)
            let maximum = self.maximum
            integers.withUnsafeMutableBufferPointer { integers in
                seen.withUnsafeMutableBufferPointer { seen in
                    for row in 0..<groups.count where validity?[row] ?? true {
                        let g = Int(groups[row]), v = values[row]
                        if !seen[g] || (maximum ? v > integers[g] : v < integers[g]) { integers[g] = v; seen[g] = true }
                    }
                }
            }
        case .double(let c):
            var best = doubles, present = seen
            doubles = []
            seen = []
            for row in 0..<groups.count where validity?[row] ?? true {
                let g = Int(groups[row]), v = c.values[row]
                if !present[g] || better(v, best[g]) { best[g] = v; present[g] = true }
            }
            doubles = best
            seen = present
        case .string(let c), .json(let c):
            for row in 0..<groups.count where validity?[row] ?? true {
                let g = Int(groups[row])
                if let current = best[g], case .string(let s) = current {
                    let order = s.utf8.withContiguousStorageIfAvailable { key in
                        c.withUTF8(row) { ByteStrings.compare($0, key) }
                    } ?? 0
                    if maximum ? order > 0 : order < 0 { best[g] = .string(c[row]!) }
                } else {
                    best[g] = .string(c[row]!)
                    seen[g] = true
                }
            }
        }
    }

    func merge(_ other: any Accumulator, into targets: [Int32], from sources: [Int32]?) throws(QueryError) {
        let other = other as! ExtremeAccumulator
        other.resize(Accumulators.sourceCount(targets, sources))
        for k in targets.indices {
            let g = Int(sources?[k] ?? Int32(k)), t = Int(targets[k])
            guard other.seen[g] else { continue }
            switch type {
            case .int32, .int64, .bool:
                let v = other.integers[g]
                if !seen[t] || (maximum ? v > integers[t] : v < integers[t]) { integers[t] = v }
            case .double:
                if !seen[t] || better(other.doubles[g], doubles[t]) { doubles[t] = other.doubles[g] }
            default:
                if let current = best[t], let candidate = other.best[g], let order = candidate.order(comparedTo: current) {
                    if maximum ? order > 0 : order < 0 { best[t] = candidate }
                } else if best[t] == nil {
                    best[t] = other.best[g]
                }
            }
            seen[t] = true
        }
    }

    func finish(groups: Int) -> Column {
        resize(groups)
        let present = Array(seen.prefix(groups))
        let validity = present.allSatisfy { $0 } ? nil : Bitmap(present)
        switch type {
        case .int64: return .int64(Int64Column(Array(integers.prefix(groups)), validity: validity))
        case .int32: return .int32(Int32Column(integers.prefix(groups).map { Int32(truncatingIfNeeded: $0) }, validity: validity))
        case .bool: return .bool(BoolColumn(optionals: (0..<groups).map { present[$0] ? integers[$0] != 0 : nil }))
        case .double: return .double(DoubleColumn(Array(doubles.prefix(groups)), validity: validity))
        default:
            let strings = StringColumn(optionals: best.prefix(groups).map { value -> String? in
                if case .string(let s)? = value { return s }
                return nil
            })
            return type == .json ? .json(strings) : .string(strings)
        }
    }

    func emptyCopy() -> any Accumulator { ExtremeAccumulator(type: type, maximum: maximum) }
}

// MARK: n_unique

final class NUniqueAccumulator: Accumulator {
    /// (group, encoded value) pairs seen.
    var pairs = Set<[UInt8]>()
    var groupCount = 0

    func resize(_ groups: Int) {
        // No write when already sized: eager aggregation merges from one shared state.
        if groups > groupCount { groupCount = groups }
    }

    private static func key(_ group: Int32, _ value: ArraySlice<UInt8>) -> [UInt8] {
        var out = withUnsafeBytes(of: group.littleEndian) { Array($0) }
        out.append(contentsOf: value)
        return out
    }

    func update(_ groups: [Int32], _ column: Column?) throws(QueryError) {
        guard let column else { return }
        var scratch = [UInt8]()
        for row in 0..<groups.count {
            scratch.removeAll(keepingCapacity: true)
            if KeyTable.encode(column, row, into: &scratch) { continue }
            pairs.insert(NUniqueAccumulator.key(groups[row], scratch[...]))
        }
    }

    func merge(_ other: any Accumulator, into targets: [Int32], from sources: [Int32]?) throws(QueryError) {
        let other = other as! NUniqueAccumulator
        var fed = [Int32: [Int32]]()
        for k in targets.indices { fed[sources?[k] ?? Int32(k), default: []].append(targets[k]) }
        for pair in other.pairs {
            let group = Int32(littleEndian: pair.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) })
            for target in fed[group] ?? [] { pairs.insert(NUniqueAccumulator.key(target, pair[4...])) }
        }
    }

    func finish(groups: Int) -> Column {
        var counts = [Int64](repeating: 0, count: groups)
        for pair in pairs {
            let group = Int(Int32(littleEndian: pair.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
            counts[group] += 1
        }
        return .int64(Int64Column(counts))
    }

    func emptyCopy() -> any Accumulator { NUniqueAccumulator() }
}
