import AnantColumnar
import AnantQuery
import Testing

/// Group-by keys across the hash table's modes: dense integers (direct slots, re-based as
/// the range grows), sparse and extreme integers (hashed), nulls, many morsels — against
/// a plain dictionary count.
@Suite struct GroupByTests {
    static func check(_ keys: [Int64?], _ label: String, threads: Int = ExecutionContext.processorCount) throws {
        let batch = try RecordBatch([("k", .int64(Int64Column(optionals: keys))), ("one", .int64(Int64Column(keys.map { _ in 1 })))])
        let result = try LazyFrame.scan(.memory(batch)).groupBy(["k"], [Aggregation(.count, as: "n"), Aggregation(.sum, "one", as: "s")])
            .collect(options: QueryOptions(context: ExecutionContext(threads: threads)))
        var expected = [Int64?: Int64]()
        for k in keys { expected[k, default: 0] += 1 }
        var seen = [Int64?: Int64]()
        let k = result.columns[0], n = result.columns[1], s = result.columns[2]
        for row in 0..<result.rowCount {
            let key: Int64? = { if case .int(let v) = k[row] { return v }; return nil }()
            guard case .int(let count) = n[row], case .int(let sum) = s[row] else { Issue.record("\(label): bad row \(row)"); continue }
            #expect(seen.updateValue(count, forKey: key) == nil, "\(label): key \(String(describing: key)) twice")
            #expect(count == sum)
        }
        #expect(seen == expected, "\(label): \(seen.count) groups, expected \(expected.count)")
    }

    @Test func integerKeysInEveryMode() throws {
        var rng = SeededGenerator(seed: 7)
        let rows = 400_000
        // Dense, starting high and then reaching lower: the direct range is re-based.
        try GroupByTests.check((0..<rows).map { Int64(rows - $0) / 3 }, "dense descending")
        // Dense with nulls.
        try GroupByTests.check((0..<rows).map { _ in Bool.random(using: &rng) ? Int64.random(in: 0..<5000, using: &rng) : nil }, "dense with nulls")
        // Dense at first, then sparse and extreme keys: the table moves to hashing.
        try GroupByTests.check((0..<rows).map { r in
            r < 300_000 ? Int64(r % 1000) : [Int64.min, Int64.max, -1, 1 << 40, Int64.random(in: .min ... .max, using: &rng)][r % 5]
        }, "dense then sparse")
        // Negative dense keys.
        try GroupByTests.check((0..<rows).map { -Int64($0 % 777) }, "negative")
        // Dense keys rising to Int64.max and falling to Int64.min, morsel after morsel: the
        // range grows towards the ends of Int64 (room is left only inside it).
        // One thread: one run takes every morsel, so the grown table is grown again.
        try GroupByTests.check((0..<rows).map { Int64.max - Int64(rows - 1 - $0) }, "rising to Int64.max", threads: 1)
        try GroupByTests.check((0..<rows).map { Int64.min + Int64(rows - 1 - $0) }, "falling to Int64.min", threads: 1)
    }

    @Test func joinsOnDenseAndSparseKeys() throws {
        let right = try RecordBatch([("k", .int64(Int64Column([1, 2, 3, 1 << 40, -5]))), ("v", .string(StringColumn(["a", "b", "c", "far", "neg"])))])
        let left = try RecordBatch([("k", .int64(Int64Column(optionals: [3, nil, 1 << 40, 7, -5, 1, Int64.min])))])
        let joined = try LazyFrame.scan(.memory(left)).join(.scan(.memory(right)), on: ["k"], kind: .left).collect()
        let values = try joined.column(named: "v")
        #expect((0..<values.count).map { values[$0] } == [.string("c"), .null, .string("far"), .null, .string("neg"), .string("a"), .null])

        // Dense keys at the top of the range (a direct table), probed under a filter with
        // keys far below it: no wrap-around matches.
        let top = try RecordBatch([("k", .int64(Int64Column([.max - 2, .max - 1, .max]))), ("v", .int64(Int64Column([1, 2, 3])))])
        let probes = try RecordBatch([("k", .int64(Int64Column([.min, .max, .min + 1, .max - 2, 0]))), ("keep", .bool(BoolColumn(optionals: [true, true, true, true, true])))])
        let inner = try LazyFrame.scan(.memory(probes)).filter(.column("keep")).join(.scan(.memory(top)), on: ["k"]).collect()
        let matched = try inner.column(named: "v")
        #expect((0..<matched.count).map { matched[$0] } == [.int(3), .int(1)])
    }

    /// Large build sides: distinct dense keys (the table built on every core), the same
    /// keys with one repeated (chains), and sparse keys (hashing) give the same joins as
    /// a dictionary does.
    @Test func largeBuildSidesInEveryMode() throws {
        var rng = SeededGenerator(seed: 11)
        let n = 100_000
        let dense = (0..<Int64(n)).map { $0 * 3 + 7 }.shuffled(using: &rng)
        let repeated = dense + [dense[5]]
        let sparse = dense.map { $0 * 1_000_003 }
        for (label, keys) in [("dense", dense), ("repeated", repeated), ("sparse", sparse)] {
            let right = try RecordBatch([("k", .int64(Int64Column(keys))), ("r", .int64(Int64Column((0..<Int64(keys.count)).map { $0 })))])
            let probes = (0..<150_000).map { _ in keys[Int.random(in: 0..<keys.count, using: &rng)] + (Bool.random(using: &rng) ? 0 : 1) }
            let left = try RecordBatch([("k", .int64(Int64Column(probes))), ("l", .int64(Int64Column((0..<Int64(probes.count)).map { $0 })))])
            for filtered in [false, true] {
                var frame = LazyFrame.scan(.memory(left))
                if filtered { frame = frame.filter(try Expr.parse("l % 2 = 0")) }
                let joined = try frame.join(.scan(.memory(right)), on: ["k"]).collect()
                var rowsOfKey = [Int64: [Int64]]()
                for (row, k) in keys.enumerated() { rowsOfKey[k, default: []].append(Int64(row)) }
                var expected = [[Int64]]()
                for (l, k) in probes.enumerated() where !filtered || l % 2 == 0 {
                    for r in rowsOfKey[k] ?? [] { expected.append([Int64(l), r]) }
                }
                let lc = try joined.column(named: "l"), rc = try joined.column(named: "r")
                let got = (0..<joined.rowCount).map { row -> [Int64] in
                    guard case .int(let l) = lc[row], case .int(let r) = rc[row] else { return [] }
                    return [l, r]
                }
                #expect(got.sorted { $0.lexicographicallyPrecedes($1) } == expected.sorted { $0.lexicographicallyPrecedes($1) },
                        "\(label), filtered: \(filtered)")
            }
        }
    }

    /// Runs of morsels merged on every core (the later run's keys looked up and numbered
    /// in slices): keys the first run has, keys it lacks, and a null key that only the
    /// later runs hold. Groups come in first-row order with the counts of a dictionary,
    /// and the answer, sums of doubles included, is the same bytes for 1 to 4 threads.
    @Test func mergedRunsKeepFirstRowOrderOnEveryCore() throws {
        var rng = SeededGenerator(seed: 23)
        let rows = 700_000
        let keys: [Int64?] = (0..<rows).map { row in
            if row < rows / 2 { return Int64.random(in: 0..<250_000, using: &rng) }
            return Int.random(in: 0..<50, using: &rng) == 0 ? nil : Int64.random(in: 150_000..<450_000, using: &rng)
        }
        let weights = (0..<rows).map { _ in Double.random(in: -1...1, using: &rng) * 1e3 }
        let batch = try RecordBatch([("k", .int64(Int64Column(optionals: keys))), ("w", .double(DoubleColumn(weights)))])
        let query = LazyFrame.scan(.memory(batch)).groupBy(["k"], [Aggregation(.count, as: "n"), Aggregation(.sum, "w", as: "s")])
        var order = [Int64?](), counts = [Int64?: Int64]()
        for k in keys {
            if counts[k] == nil { order.append(k) }
            counts[k, default: 0] += 1
        }
        let one = try query.collect(options: QueryOptions(context: ExecutionContext(threads: 1)))
        let k = try one.column(named: "k"), n = try one.column(named: "n")
        let got = (0..<one.rowCount).map { row -> Int64? in if case .int(let v) = k[row] { return v }; return nil }
        #expect(got == order, "groups out of first-row order")
        for row in 0..<one.rowCount where n[row] != .int(counts[got[row]] ?? -1) {
            Issue.record("key \(String(describing: got[row])): count \(n[row]), expected \(counts[got[row]] ?? 0)")
            break
        }
        for threads in 2...4 {
            let same = try query.collect(options: QueryOptions(context: ExecutionContext(threads: threads))) == one
            #expect(same, "\(threads) threads: not the single thread's answer")
        }
    }
}
