import AnantColumnar
import AnantHypergraph
import AnantOperations
import AnantProto
import AnantQuery
import AnantWire
import Foundation

// The wire forms of results and of tasks' partial results, both ways. Tables cross as
// Arrow IPC streams, exact sums as their limbs: what arrives is, bit for bit, what was
// sent, so a merged answer equals the embedded one.

extension RecordBatch {
    /// The batch as an Arrow IPC stream message.
    public var proto: Anant_V1_ArrowBatch {
        get throws(Status) {
            let bytes: [UInt8]
            do { bytes = try ArrowIPC.stream(self) } catch { throw Status(error) }
            return .with { $0.arrowIpc = Data(bytes) }
        }
    }

    /// The one batch of an Arrow IPC stream message (its batches concatenated).
    public init(proto: Anant_V1_ArrowBatch) throws(Status) {
        let bytes = Array(proto.arrowIpc)
        try self.init(arrowIPC: bytes, in: 0..<bytes.count)
    }

    /// The one batch of the Arrow IPC stream in `bytes[range]`, read in place.
    init(arrowIPC bytes: [UInt8], in range: Range<Int>) throws(Status) {
        let read: (schema: Schema, batches: [RecordBatch], metadata: [(String, String)])
        do { read = try ArrowIPC.read(bytes, in: range) } catch {
            throw Status(.invalidArgument, "a table is not a valid Arrow IPC stream: \(error.message)")
        }
        if read.batches.count == 1 { self = read.batches[0]; return }
        do { self = read.batches.isEmpty ? try RecordBatch(schema: read.schema, columns: read.schema.fields.map { .nulls($0.type, count: 0) })
                : RecordBatch.concatenating(read.batches) } catch {
            throw Status(.invalidArgument, "a table's Arrow IPC batches do not fit their schema: \(error.message)")
        }
    }
}

extension ScalarValue {
    /// The value's wire message.
    public var proto: Anant_V1_ScalarValue {
        var m = Anant_V1_ScalarValue()
        switch self {
        case .null: m.nullValue = .init()
        case .bool(let v): m.boolValue = v
        case .int(let v): m.intValue = v
        case .double(let v): m.doubleValue = v
        case .string(let v): m.stringValue = v
        case .json(let v): m.jsonValue = JSONWriter().string(v)
        }
        return m
    }

    /// The value of a wire message (unset: null).
    public init(proto m: Anant_V1_ScalarValue) throws(Status) {
        switch m.kind {
        case .nullValue, nil: self = .null
        case .boolValue(let v): self = .bool(v)
        case .intValue(let v): self = .int(v)
        case .doubleValue(let v): self = .double(v)
        case .stringValue(let v): self = .string(v)
        case .jsonValue(let text):
            do { self = .json(try JSONParser.parse(text)) } catch {
                throw Status(.invalidArgument, "a JSON scalar does not parse: \(error.message)")
            }
        }
    }
}

extension OperationResult {
    /// The result's wire message.
    public var proto: Anant_V1_OperationResult {
        get throws(Status) {
            var m = Anant_V1_OperationResult()
            for table in tables {
                let batch = try table.table.proto
                m.tables.append(.with { $0.name = table.name; $0.table = batch })
            }
            m.scalars = scalars.map { s in .with { $0.name = s.name; $0.value = s.value.proto } }
            return m
        }
    }

    /// The result of a wire message.
    public init(proto m: Anant_V1_OperationResult) throws(Status) {
        var tables = [NamedTable]()
        for t in m.tables { tables.append(NamedTable(t.name, try RecordBatch(proto: t.table))) }
        var scalars = [NamedScalar]()
        for s in m.scalars { scalars.append(NamedScalar(s.name, try ScalarValue(proto: s.value))) }
        self.init(tables: tables, scalars: scalars)
    }

    /// The result of the `OperationResult` message in `bytes[range]`, its tables' Arrow
    /// streams read where they lie (decoding the message first would copy each stream
    /// twice: into the message's `Data`, and out of it into an array). The same as
    /// `init(proto:)` on the decoded message.
    public init(wire bytes: [UInt8], in range: Range<Int>) throws(Status) {
        let fields = try OperationResultFields(bytes, in: range)
        var tables = [NamedTable]()
        for table in fields.tables { tables.append(NamedTable(table.name, try RecordBatch(arrowIPC: bytes, in: table.stream ?? 0..<0))) }
        var scalars = [NamedScalar]()
        for scalar in fields.scalars { scalars.append(NamedScalar(scalar.message.name, try ScalarValue(proto: scalar.message.value))) }
        self.init(tables: tables, scalars: scalars)
    }
}

/// The fields of an encoded `OperationResult`, found where they lie in its bytes and
/// checked as protobuf reads them: each table's field with its name and its Arrow stream
/// (not copied), each scalar's field decoded. Fields of a later version are left out.
public struct OperationResultFields: Sendable {
    public struct Table: Sendable {
        /// The whole `NamedTable` field, key and all.
        public var entry: Range<Int>
        public var name: String
        /// Its `ArrowBatch`'s stream; nil when absent (an empty stream).
        public var stream: Range<Int>?
    }

    public var tables = [Table]()
    /// Each scalar's whole field, and the scalar.
    public var scalars = [(entry: Range<Int>, message: Anant_V1_NamedScalar)]()

    public init(_ bytes: [UInt8], in range: Range<Int>) throws(Status) {
        for field in try WireFields.fields(bytes, in: range) {
            switch (field.number, field.wire) {
            case (1, 2):
                // A NamedTable: its name and its ArrowBatch's stream (a field given twice: the
                // last, as protobuf reads a singular field; the batch's messages merged).
                var table = Table(entry: field.entry, name: "", stream: nil)
                for part in try WireFields.fields(bytes, in: field.value) {
                    switch (part.number, part.wire) {
                    case (1, 2): table.name = try WireFields.string(bytes, part)
                    case (2, 2):
                        for inner in try WireFields.fields(bytes, in: part.value) where inner.number == 1 && inner.wire == 2 { table.stream = inner.value }
                    default: break
                    }
                }
                tables.append(table)
            case (2, 2): scalars.append((field.entry, try Anant_V1_NamedScalar(wire: Array(bytes[field.value]))))
            default: break
            }
        }
    }
}

// MARK: Answers in pieces

extension OperationResult {
    /// The most bytes of table data in one piece of a streamed answer: frames stay far
    /// below the services' default maximum (16 MiB).
    public static let pieceBytes = 4 << 20

    /// The result as the pieces of a streamed answer (at least one): the scalars in the
    /// first, then the tables in order, a large table's rows sliced over several pieces of
    /// about `maximumBytes` each; `OperationResult(pieces:)` puts them back together.
    /// Each is laid out, not yet written (`EncodedPiece`).
    public func encodedPieces(maximumBytes: Int = pieceBytes) throws(Status) -> [EncodedPiece] {
        var pieces = [[(String, ArrowIPC.EncodedStream)]()]
        var filled = 0
        for table in tables {
            let rows = table.table.rowCount, bytes = table.table.memoryFootprint
            let step = bytes <= maximumBytes ? max(rows, 1) : max(1, Int(Double(rows) * Double(maximumBytes) / Double(bytes)))
            var start = 0
            repeat {
                let end = min(rows, start + step)
                let size = rows == 0 ? 0 : bytes / rows * (end - start)
                if filled > 0, filled + size > maximumBytes {
                    pieces.append([])
                    filled = 0
                }
                do { pieces[pieces.count - 1].append((table.name, try ArrowIPC.EncodedStream(table.table, rows: start..<end))) } catch {
                    throw Status(error)
                }
                filled += max(size, 1)
                start = end
            } while start < rows
        }
        let scalars: [UInt8] = try Anant_V1_OperationResult.with { m in
            m.scalars = self.scalars.map { s in .with { $0.name = s.name; $0.value = s.value.proto } }
        }.wireBytes()
        return pieces.enumerated().map { EncodedPiece(tables: $1, scalars: $0 == 0 ? scalars : []) }
    }

    /// The same pieces as messages.
    public func pieces(maximumBytes: Int = pieceBytes) throws(Status) -> [Anant_V1_OperationResult] {
        try encodedPieces(maximumBytes: maximumBytes).map { piece throws(Status) in try piece.message }
    }

    /// The result whose pieces `pieces` are, in order.
    ///
    /// - Throws: `INTERNAL` for pieces that do not fit together (a table whose pieces
    ///   differ in schema, scalars after the first piece), `INVALID_ARGUMENT` for a piece
    ///   that is not valid Arrow.
    public init(pieces: [Anant_V1_OperationResult]) throws(Status) {
        var parts = [OperationResult]()
        for piece in pieces { parts.append(try OperationResult(proto: piece)) }
        try self.init(appending: parts, scalarsFirst: true)
    }
}

/// A piece of a streamed answer laid out before it is written: `count` bytes, those
/// SwiftProtobuf gives the `Anant_V1_OperationResult` (its tables, then its scalars), which
/// `write(into:)` puts straight into the frame that carries them, the tables' rows copied
/// once, from their columns.
public struct EncodedPiece: Sendable, LaidOutBytes {
    /// Each `NamedTable` field up to its Arrow stream (key, lengths, name), and the stream.
    private let tables: [(head: [UInt8], stream: ArrowIPC.EncodedStream)]
    /// The scalars' fields.
    private let scalars: [UInt8]
    public let count: Int

    init(tables: [(String, ArrowIPC.EncodedStream)], scalars: [UInt8]) {
        self.tables = tables.map { name, stream in
            // NamedTable { name = 1; table = 2: ArrowBatch { arrow_ipc = 1 } }; a stream is
            // never empty, so its field is always there.
            var batch = [UInt8]()
            EnvelopeCodec.key(1, 2, &batch)
            EnvelopeCodec.varint(UInt64(stream.count), &batch)
            var named = [UInt8]()
            EnvelopeCodec.string(1, name, &named)
            EnvelopeCodec.key(2, 2, &named)
            EnvelopeCodec.varint(UInt64(batch.count + stream.count), &named)
            var head = [UInt8]()
            EnvelopeCodec.key(1, 2, &head)
            EnvelopeCodec.varint(UInt64(named.count + batch.count + stream.count), &head)
            return (head + named + batch, stream)
        }
        self.scalars = scalars
        count = self.tables.reduce(scalars.count) { $0 + $1.head.count + $1.stream.count }
    }

    /// Writes the piece into `space`, which holds exactly `count` bytes.
    public func write(into space: UnsafeMutableRawBufferPointer) {
        precondition(space.count == count, "room for exactly the piece")
        var at = 0
        func put(_ bytes: [UInt8]) {
            UnsafeMutableRawBufferPointer(rebasing: space[at..<(at + bytes.count)]).copyBytes(from: bytes)
            at += bytes.count
        }
        for table in tables {
            put(table.head)
            table.stream.write(into: UnsafeMutableRawBufferPointer(rebasing: space[at..<(at + table.stream.count)]))
            at += table.stream.count
        }
        put(scalars)
    }

    /// The piece as a message.
    public var message: Anant_V1_OperationResult { get throws(Status) { try Anant_V1_OperationResult(wire: bytes) } }

    /// A worker's item of task `taskID`'s attempt `attempt` carrying this piece (a
    /// `RunTaskResponse` whose partial is this `result`), up to the piece's own field
    /// (field 6 of the `PartialResult`): with `RPCCall.send(prefix:bytesField:count:fill:)`,
    /// the bytes SwiftProtobuf gives the whole item. An empty piece has no field to write
    /// (`count` 0): send it as a message.
    public func taskItemPrefix(taskID: String, attempt: UInt32) throws(Status) -> [UInt8] {
        precondition(count > 0, "an empty piece goes as a message")
        var field = [UInt8]()
        EnvelopeCodec.key(6, 2, &field)
        EnvelopeCodec.varint(UInt64(count), &field)
        var prefix = try Anant_V1_RunTaskResponse.with { $0.taskID = taskID; $0.attempt = attempt }.wireBytes()
        EnvelopeCodec.key(3, 2, &prefix)
        EnvelopeCodec.varint(UInt64(field.count + count), &prefix)
        return prefix
    }
}

/// An item of a task's streamed answer: a piece of a `result` partial, written as it is
/// sent, or any other partial, whole.
public enum TaskAnswerItem: Sendable {
    case piece(EncodedPiece)
    case partial(Anant_V1_PartialResult)
}

extension PartialResult {
    /// The partial as the items of a task's streamed answer: a `result` in pieces, any
    /// other partial in one.
    public var items: [TaskAnswerItem] {
        get throws(Status) {
            guard case .result(let result) = self else { return [.partial(try proto)] }
            return try result.encodedPieces().map { .piece($0) }
        }
    }

    /// The same items as messages.
    public var pieces: [Anant_V1_PartialResult] {
        get throws(Status) {
            try items.map { item throws(Status) in
                switch item {
                case .piece(let piece): let result = try piece.message; return .with { $0.result = result }
                case .partial(let partial): return partial
                }
            }
        }
    }

    /// The partial a task's streamed answer carries.
    ///
    /// - Throws: `INVALID_ARGUMENT` for no item, several items of another kind than
    ///   `result`, or a damaged one.
    public init(pieces: [Anant_V1_PartialResult]) throws(Status) {
        guard pieces.count != 1 else { try self.init(proto: pieces[0]); return }
        var results = [Anant_V1_OperationResult]()
        for piece in pieces {
            guard case .result(let result) = piece.kind else {
                throw Status(.invalidArgument, "a task answered \(pieces.count) items, and only a result comes in pieces")
            }
            results.append(result)
        }
        self = .result(try OperationResult(pieces: results))
    }
}

extension WorkRange {
    func write(to task: inout Anant_V1_Task) {
        switch self {
        case .whole: task.whole = .init()
        case .nodes(let r): task.nodes = .with { $0.lowerBound = UInt64(r.lowerBound); $0.upperBound = UInt64(r.upperBound) }
        case .sources(let r): task.sources = .with { $0.lowerBound = UInt64(r.lowerBound); $0.upperBound = UInt64(r.upperBound) }
        case .part(let index, let count): task.part = .with { $0.index = UInt32(index); $0.count = UInt32(count) }
        }
    }

    init(task: Anant_V1_Task) throws(Status) {
        func range(_ r: Anant_V1_IndexRange) throws(Status) -> Range<Int> {
            guard r.lowerBound <= r.upperBound, r.upperBound <= UInt64(Int32.max) else {
                throw Status(.invalidArgument, "a task's range \(r.lowerBound)..<\(r.upperBound) is not a range of vertices")
            }
            return Int(r.lowerBound)..<Int(r.upperBound)
        }
        switch task.range {
        case .whole, nil: self = .whole
        case .nodes(let r): self = .nodes(try range(r))
        case .sources(let r): self = .sources(try range(r))
        case .part(let p):
            guard p.count >= 1, p.index < p.count else { throw Status(.invalidArgument, "a task's query part \(p.index) of \(p.count) is not a part") }
            self = .part(index: Int(p.index), count: Int(p.count))
        }
    }
}

extension OperationTask {
    /// The task's wire message (without its id, attempt, dataset and shards, which the
    /// gateway adds).
    public var proto: Anant_V1_Task {
        var m = Anant_V1_Task()
        m.operation = operation.proto
        range.write(to: &m)
        m.index = UInt32(index)
        return m
    }

    /// The task a wire message carries, its operation validated.
    public init(proto m: Anant_V1_Task) throws(Status) {
        self.init(operation: try AnantOperations.Operation(proto: m.operation), range: try WorkRange(task: m), index: Int(m.index))
    }
}

extension PartialResult {
    /// The partial's wire message.
    public var proto: Anant_V1_PartialResult {
        get throws(Status) {
            var m = Anant_V1_PartialResult()
            switch self {
            case .components(let partial):
                let state = partial.state
                m.components = .with { $0.s = Int64(state.s); $0.ofEdges = state.ofEdges; $0.roots = state.roots }
            case .betweenness(let partial):
                m.betweenness = .with { $0.sums = Self.proto(partial.sums) }
            case .reach(let summaries):
                m.reach = .with {
                    $0.reached = summaries.map { Int64($0.reached) }
                    $0.distanceSum = summaries.map { Int64($0.distanceSum) }
                    $0.reciprocalSum = summaries.map(\.reciprocalSum)
                    $0.farthest = summaries.map { Int64($0.farthest) }
                }
            case .result(let result): m.result = try result.proto
            }
            return m
        }
    }

    /// The partial of a wire message, checked against the shape it must have: `vertices`
    /// elements for per-vertex partials.
    public init(proto m: Anant_V1_PartialResult) throws(Status) {
        switch m.kind {
        case nil: throw Status(.invalidArgument, "a task's answer carries no partial result")
        case .components(let c):
            do { self = .components(try ComponentPartial(s: try AnantOperations.Operation.int(c.s, "components.s"), ofEdges: c.ofEdges, roots: c.roots)) } catch {
                throw Status(error)
            }
        case .betweenness(let b):
            var partial = BetweennessPartial(vertices: 0)
            partial.sums = try Self.sums(b.sums)
            self = .betweenness(partial)
        case .reach(let r):
            let n = r.reached.count
            guard r.distanceSum.count == n, r.reciprocalSum.count == n, r.farthest.count == n else {
                throw Status(.invalidArgument, "reach summaries of unequal columns")
            }
            self = .reach((0..<n).map {
                ReachSummary(reached: Int(r.reached[$0]), distanceSum: Int(r.distanceSum[$0]), reciprocalSum: r.reciprocalSum[$0],
                             farthest: Int(r.farthest[$0]))
            })
        case .result(let result): self = .result(try OperationResult(proto: result))
        case .query: throw Status(.unimplemented, "query partials are merged where they are computed")
        }
    }

    static func proto(_ sums: [ExactSum]) -> Anant_V1_ExactSums {
        var m = Anant_V1_ExactSums()
        m.limbs.reserveCapacity(sums.count * 4)
        m.outside.reserveCapacity(sums.count)
        for sum in sums {
            let state = sum.state
            m.limbs += state.limbs
            m.outside.append(state.outside)
        }
        return m
    }

    static func sums(_ m: Anant_V1_ExactSums) throws(Status) -> [ExactSum] {
        guard m.limbs.count == m.outside.count * 4 else {
            throw Status(.invalidArgument, "exact sums need four limbs per sum: \(m.limbs.count) limbs for \(m.outside.count) sums")
        }
        return (0..<m.outside.count).map { k in ExactSum(limbs: m.limbs[(4 * k)..<(4 * k + 4)], outside: m.outside[k])! }
    }
}

// MARK: Query partials

extension QueryPartialState {
    /// The state's wire message.
    public var proto: Anant_V1_QueryPartial {
        get throws(Status) {
            var m = Anant_V1_QueryPartial()
            switch self {
            case .rows(let batch): m.rows = try batch.proto
            case .groups(let count, let keys, let accumulators):
                var g = Anant_V1_QueryGroupState()
                g.groupCount = UInt64(count)
                if let keys { g.keys = try keys.proto }
                g.accumulators = accumulators.map(Self.proto)
                m.groups = g
            }
            return m
        }
    }

    /// The state of a wire message.
    public init(proto m: Anant_V1_QueryPartial) throws(Status) {
        switch m.content {
        case nil: throw Status(.invalidArgument, "a query partial carries neither rows nor groups")
        case .rows(let batch): self = .rows(try RecordBatch(proto: batch))
        case .groups(let g):
            guard g.groupCount <= UInt64(Int32.max) else { throw Status(.invalidArgument, "a group state of \(g.groupCount) groups") }
            var accumulators = [AccumulatorState]()
            for a in g.accumulators { accumulators.append(try Self.state(a)) }
            self = .groups(count: Int(g.groupCount), keys: g.hasKeys ? try RecordBatch(proto: g.keys) : nil, accumulators: accumulators)
        }
    }

    static func proto(_ state: AccumulatorState) -> Anant_V1_AccumulatorState {
        var m = Anant_V1_AccumulatorState()
        switch state {
        case .count(let countsRows, let counts): m.count = .with { $0.countsRows = countsRows; $0.counts = counts }
        case .sum(let isDouble, let doubles, let integers, let highs, let seen):
            m.sum = .with {
                $0.isDouble = isDouble
                $0.doubles = proto(doubles)
                $0.integers = integers
                $0.highs = highs
                $0.seen = seen
            }
        case .mean(let sums, let counts): m.mean = .with { $0.sums = proto(sums); $0.counts = counts }
        case .extreme(let type, let maximum, let values, let integers, let doubles, let seen):
            m.extreme = .with {
                $0.dataType = type.rawValue
                $0.maximum = maximum
                $0.values = values.map { $0?.proto ?? Anant_V1_ScalarValue() }
                $0.integers = integers
                $0.doubles = doubles
                $0.seen = seen
            }
        case .nUnique(let pairs, let groups): m.nUnique = .with { $0.pairs = pairs.map { Data($0) }; $0.groupCount = UInt64(groups) }
        }
        return m
    }

    static func state(_ m: Anant_V1_AccumulatorState) throws(Status) -> AccumulatorState {
        switch m.kind {
        case nil: throw Status(.invalidArgument, "an aggregate state of no kind")
        case .count(let c): return .count(countsRows: c.countsRows, counts: c.counts)
        case .sum(let s): return .sum(isDouble: s.isDouble, doubles: try state(s.doubles), integers: s.integers, highs: s.highs, seen: s.seen)
        case .mean(let s): return .mean(sums: try state(s.sums), counts: s.counts)
        case .extreme(let e):
            guard let type = DataType(rawValue: e.dataType) else { throw Status(.invalidArgument, "a min or max state of type '\(e.dataType)'") }
            var values = [ScalarValue?]()
            for v in e.values { values.append(v.kind == nil ? nil : try ScalarValue(proto: v)) }
            return .extreme(type: type, maximum: e.maximum, values: values, integers: e.integers, doubles: e.doubles, seen: e.seen)
        case .nUnique(let n):
            guard n.groupCount <= UInt64(Int32.max) else { throw Status(.invalidArgument, "an n_unique state of \(n.groupCount) groups") }
            return .nUnique(pairs: n.pairs.map { Array($0) }, groups: Int(n.groupCount))
        }
    }

    static func proto(_ sums: BlockSumsState) -> Anant_V1_BlockSumsState {
        .with {
            $0.kinds = Data(sums.kinds)
            $0.singles = sums.singles
            $0.exact = PartialResult.proto(sums.exact)
        }
    }

    static func state(_ m: Anant_V1_BlockSumsState) throws(Status) -> BlockSumsState {
        BlockSumsState(kinds: Array(m.kinds), singles: m.singles, exact: try PartialResult.sums(m.exact))
    }
}
