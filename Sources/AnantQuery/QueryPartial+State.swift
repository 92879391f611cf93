import AnantColumnar

/// A split query's partial as plain values, to carry it to another process (the cluster's
/// wire) and back: a part's rows, or its groups' keys and each aggregate's running state,
/// exact sums included, so that the merge elsewhere gives the answer, byte for byte, that
/// the merge in this process gives.
public enum QueryPartialState: Sendable {
    case rows(RecordBatch)
    /// `groups` groups (0: the part saw no input), their key columns in group order (nil
    /// for a global aggregate, or without input), one state per aggregate.
    case groups(count: Int, keys: RecordBatch?, accumulators: [AccumulatorState])
}

/// One aggregate's running state.
public enum AccumulatorState: Sendable {
    case count(countsRows: Bool, counts: [Int64])
    /// Integer sums as 128-bit numbers (low words wrapping, high words), or double sums.
    case sum(isDouble: Bool, doubles: BlockSumsState, integers: [Int64], highs: [Int64], seen: [Bool])
    case mean(sums: BlockSumsState, counts: [Int64])
    /// The best value so far of each group: in `integers` (integer and Boolean columns),
    /// `doubles` (double columns) or `values` (others), where `seen`.
    case extreme(type: DataType, maximum: Bool, values: [ScalarValue?], integers: [Int64], doubles: [Double], seen: [Bool])
    /// The (group, encoded value) pairs seen.
    case nUnique(pairs: [[UInt8]], groups: Int)
}

/// Per-group double sums (`BlockSums`): a group with no value, one with the sum of a single
/// batch kept as a plain double (as the merge in this process keeps it), or an exact sum.
public struct BlockSumsState: Sendable {
    public static let none: UInt8 = 0, single: UInt8 = 1, exact: UInt8 = 2
    /// One per group.
    public var kinds: [UInt8]
    /// One per group (0 unless `single`).
    public var singles: [Double]
    /// One per `exact` group, in group order.
    public var exact: [ExactSum]

    public init(kinds: [UInt8], singles: [Double], exact: [ExactSum]) {
        (self.kinds, self.singles, self.exact) = (kinds, singles, exact)
    }
}

extension QueryPartial {
    /// The partial as plain values.
    public var state: QueryPartialState {
        switch content {
        case .rows(let batch): return .rows(batch)
        case .groups(let state):
            guard let table = state.table else { return .groups(count: 0, keys: nil, accumulators: []) }
            let keys = state.keys.isEmpty ? nil : try? Executor.batch(Array(zip(state.keys, table.keyColumns())))
            return .groups(count: table.count, keys: keys, accumulators: state.accumulators.map { $0.state(groups: table.count) })
        }
    }
}

extension LazyFrame {
    /// The partial a part of this query made elsewhere, from its plain values.
    ///
    /// - Throws: `invalidArgument` when the state does not fit the query (another plan,
    ///   other aggregates, damaged values).
    public func partial(from state: QueryPartialState) throws(QueryError) -> QueryPartial {
        let cut = LazyFrame.cut(try Optimizer.optimize(node))
        switch state {
        case .rows(let batch): return QueryPartial(content: .rows(batch))
        case .groups(let count, let keys, let accumulators):
            guard case .aggregate(_, let names, let aggregations) = cut.core else {
                throw QueryError(.invalidArgument, "a group state for a query without a group-by")
            }
            let group = GroupState(keys: names, aggregations: aggregations)
            guard count > 0 else { return QueryPartial(content: .groups(group)) }
            guard accumulators.count == aggregations.count else {
                throw QueryError(.invalidArgument, "\(accumulators.count) aggregate states for \(aggregations.count) aggregates")
            }
            var columns = [Column]()
            for name in names {
                guard let keys, let column = try? keys.column(named: name), column.count == count else {
                    throw QueryError(.invalidArgument, "the group state lacks the key column '\(name)' of \(count) groups")
                }
                columns.append(column)
            }
            var restored = [any Accumulator]()
            for (state, aggregation) in zip(accumulators, aggregations) {
                restored.append(try Accumulators.restore(state, for: aggregation, groups: count))
            }
            try group.restore(keyColumns: columns, count: count, accumulators: restored)
            return QueryPartial(content: .groups(group))
        }
    }
}

extension GroupState {
    /// Sets the state: groups `0..<count` with these keys (in group order), these
    /// accumulators.
    func restore(keyColumns: [Column], count: Int, accumulators: [any Accumulator]) throws(QueryError) {
        let table = KeyTable(types: keyColumns.map(\.dataType))
        let ids = try table.insert(keyColumns, rows: count)
        guard table.count == count, ids.elementsEqual(0..<Int32(count)) else {
            throw QueryError(.invalidArgument, "the group state's keys are not distinct")
        }
        restore(table: table, accumulators: accumulators)
    }
}

extension Accumulator {
    func state(groups: Int) -> AccumulatorState {
        resize(groups)
        switch self {
        case let a as CountAccumulator: return .count(countsRows: a.countsRows, counts: Array(a.counts.prefix(groups)))
        case let a as SumAccumulator:
            return .sum(isDouble: a.isDouble, doubles: a.isDouble ? a.doubles.state(groups) : BlockSumsState(kinds: [], singles: [], exact: []),
                        integers: Array(a.integers.prefix(groups)),
                        highs: Array(a.highs.prefix(groups)), seen: Array(a.seen.prefix(groups)))
        case let a as MeanAccumulator: return .mean(sums: a.sums.state(groups), counts: Array(a.counts.prefix(groups)))
        case let a as ExtremeAccumulator:
            return .extreme(type: a.type, maximum: a.maximum, values: Array(a.best.prefix(groups)), integers: Array(a.integers.prefix(groups)),
                            doubles: Array(a.doubles.prefix(groups)), seen: Array(a.seen.prefix(groups)))
        case let a as NUniqueAccumulator: return .nUnique(pairs: Array(a.pairs), groups: groups)
        default: preconditionFailure("an accumulator of unknown kind")
        }
    }
}

extension QueryPartialState {
    /// Checks that partials can merge: group states with the same key types, and for each
    /// aggregate the same kind of state over the same type (what the parts of one query
    /// make; anything else was damaged on the way).
    public static func checkCompatible(_ states: [QueryPartialState]) throws(QueryError) {
        var first: (keys: [DataType], accumulators: [String])? = nil
        for state in states {
            guard case .groups(let count, let keys, let accumulators) = state, count > 0 else { continue }
            let shape = (keys?.schema.fields.map(\.type) ?? [], accumulators.map(\.signature))
            if let first, first.keys != shape.0 || first.accumulators != shape.1 {
                throw QueryError(.invalidArgument, "the parts' group states do not match: keys \(first.keys) and \(shape.0), aggregates \(first.accumulators) and \(shape.1)")
            }
            if first == nil { first = shape }
        }
    }
}

extension AccumulatorState {
    /// The kind of state and the type it is over.
    var signature: String {
        switch self {
        case .count(let countsRows, _): "count \(countsRows)"
        case .sum(let isDouble, _, _, _, _): "sum \(isDouble)"
        case .mean: "mean"
        case .extreme(let type, let maximum, _, _, _, _): "\(maximum ? "max" : "min") \(type)"
        case .nUnique: "n_unique"
        }
    }
}

extension Accumulators {
    static func restore(_ state: AccumulatorState, for aggregation: Aggregation, groups: Int) throws(QueryError) -> any Accumulator {
        func check(_ counts: Int...) throws(QueryError) {
            guard counts.allSatisfy({ $0 == groups }) else { throw QueryError(.invalidArgument, "an aggregate state of \(counts) values for \(groups) groups") }
        }
        func counted(_ counts: [Int64]) throws(QueryError) {
            // Counts of rows: never negative, and far from overflowing when parts add up.
            guard counts.allSatisfy({ (0...(Int64(1) << 53)).contains($0) }) else { throw QueryError(.invalidArgument, "a count out of range in an aggregate state") }
        }
        let kind: AggregateFunction
        switch state {
        case .count: kind = .count
        case .sum: kind = .sum
        case .mean: kind = .mean
        case .extreme(_, let maximum, _, _, _, _): kind = maximum ? .max : .min
        case .nUnique: kind = .nUnique
        }
        guard kind == aggregation.function else {
            throw QueryError(.invalidArgument, "a \(kind.rawValue) state for the aggregate \(aggregation.function.rawValue)(\(aggregation.column ?? "*"))")
        }
        switch state {
        case .count(let countsRows, let counts):
            try check(counts.count)
            try counted(counts)
            let a = CountAccumulator(countsRows: countsRows)
            a.counts = counts
            return a
        case .sum(let isDouble, let doubles, let integers, let highs, let seen):
            let a = SumAccumulator(isDouble: isDouble)
            if isDouble { a.doubles = try BlockSums(doubles, groups: groups) } else {
                try check(integers.count, highs.count, seen.count)
                (a.integers, a.highs, a.seen) = (integers, highs, seen)
            }
            return a
        case .mean(let sums, let counts):
            try check(counts.count)
            try counted(counts)
            let a = MeanAccumulator()
            a.sums = try BlockSums(sums, groups: groups)
            a.counts = counts
            return a
        case .extreme(let type, let maximum, let values, let integers, let doubles, let seen):
            try check(seen.count)
            let a = ExtremeAccumulator(type: type, maximum: maximum)
            a.resize(groups)
            guard integers.count == a.integers.count, doubles.count == a.doubles.count, values.count == a.best.count else {
                throw QueryError(.invalidArgument, "a min or max state of the wrong shape for \(type) values")
            }
            (a.best, a.integers, a.doubles, a.seen) = (values, integers, doubles, seen)
            return a
        case .nUnique(let pairs, let count):
            let valid = pairs.allSatisfy { pair in
                guard pair.count >= 4 else { return false }
                let group = Int(pair[0]) | Int(pair[1]) << 8 | Int(pair[2]) << 16 | Int(pair[3]) << 24
                return group < groups
            }
            guard count == groups, valid else { throw QueryError(.invalidArgument, "an n_unique state of the wrong shape") }
            let a = NUniqueAccumulator()
            a.pairs = Set(pairs)
            a.groupCount = count
            return a
        }
    }
}
