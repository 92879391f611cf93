import AnantColumnar
import Synchronization

/// Incidence rows that arrive in shards of batches, read on demand (the shards of a
/// dataset, a row group at a time).
public struct IncidenceShards: Sendable {
    /// Number of shards.
    public let count: Int
    /// Number of batches of a shard.
    public let batches: @Sendable (_ shard: Int) -> Int
    /// One batch of a shard with the named columns (`edge`, `node`, properties).
    public let read: @Sendable (_ shard: Int, _ batch: Int, _ columns: [String]) throws -> RecordBatch
    /// The properties' schema (every column but `edge` and `node`).
    public let properties: Schema

    public init(count: Int, batches: @escaping @Sendable (Int) -> Int,
                read: @escaping @Sendable (Int, Int, [String]) throws -> RecordBatch, properties: Schema) {
        self.count = count
        self.batches = batches
        self.read = read
        self.properties = properties
    }
}

extension Hypergraph {
    /// Builds a hypergraph from incidence shards laid out as Anant writes datasets, in
    /// memory bounded by the model plus a batch per core: every edge whole in one shard,
    /// each shard's rows in dense edge order and, within an edge, dense node order, each
    /// (edge, node) pair once; the node and edge tables list every id once.
    ///
    /// Two passes over the shards, each shard on one core: the first counts every edge's
    /// size from the edge column alone, the second places nodes and properties straight
    /// into their final slots. Nil when the input is not laid out that way (the caller
    /// then builds from whole tables, which accepts any order).
    public init?(shards: IncidenceShards, nodeTable: RecordBatch, edgeTable: RecordBatch,
                 defaultWeights: DefaultWeights = DefaultWeights(), name: String? = nil,
                 context: ExecutionContext = .default) throws(HypergraphError) {
        guard let nodeIndex = nodeTable.schema.index(of: "node"), let edgeIndex = edgeTable.schema.index(of: "edge") else { return nil }
        let encoder = IDEncoder(context: context)
        let nodeEncoding = encoder.encode([try IDSource.from(nodeTable.columns[nodeIndex], name: "node", kind: "node")])
        let edgeEncoding = encoder.encode([try IDSource.from(edgeTable.columns[edgeIndex], name: "edge", kind: "edge")])
        guard nodeEncoding.dictionary.count == nodeTable.rowCount, edgeEncoding.dictionary.count == edgeTable.rowCount,
              !shards.properties.fields.contains(where: { $0.name == "edge" || $0.name == "node" }) else { return nil }
        let nodes = IDLookup(nodeEncoding.dictionary), edges = IDLookup(edgeEncoding.dictionary)
        let edgeCount = edgeEncoding.dictionary.count

        // Pass 1: edge sizes, per worker (shards are disjoint in edges, workers need not be).
        final class Counts: @unchecked Sendable {
            var sizes: [Int32]
            var owner: [Int32]
            var failure: HypergraphError? = nil
            var misordered = false
            init(_ n: Int) { sizes = [Int32](repeating: 0, count: n); owner = [Int32](repeating: -1, count: n) }
        }
        let workers = (0..<context.threads).map { _ in Counts(edgeCount) }
        try context.forEachChunk(count: shards.count, chunk: 1) { worker, range in
            let counts = workers[worker]
            for shard in range where counts.failure == nil && !counts.misordered {
                var previous: Int32 = -1
                for batch in 0..<shards.batches(shard) {
                    do {
                        let codes = try edges.codes(try shards.read(shard, batch, ["edge"]).columns[0], kind: "edge")
                        for e in codes {
                            if e < previous || (e != previous && counts.owner[Int(e)] >= 0) { counts.misordered = true; return }
                            counts.owner[Int(e)] = Int32(shard)
                            counts.sizes[Int(e)] += 1
                            previous = e
                        }
                    } catch let error as HypergraphError {
                        counts.failure = error
                    } catch {
                        counts.failure = HypergraphError(.invalidInput, "cannot read incidence shard \(shard): \(error)")
                    }
                }
            }
        }
        if let failure = workers.compactMap(\.failure).first { throw failure }
        guard !workers.contains(where: \.misordered) else { return nil }
        var offsets = [Int](repeating: 0, count: edgeCount + 1)
        var owner = [Int32](repeating: -1, count: edgeCount)
        for e in 0..<edgeCount {
            var size = 0, owners = 0
            for w in workers where w.owner[e] >= 0 { size += Int(w.sizes[e]); owners += 1; owner[e] = w.owner[e] }
            guard owners <= 1 else { return nil }
            offsets[e + 1] = offsets[e] + size
        }
        let total = offsets[edgeCount]
        let starts = offsets
        guard total < Int(Int32.max) else { throw HypergraphError(.tooLarge, "\(total) incidences exceed the model's limit of \(Int32.max)") }
        workers.forEach { $0.sizes = []; $0.owner = [] }

        // Pass 2: every edge's nodes into its slots, each shard on one core.
        var members = [Int32](repeating: -1, count: total)
        var failures = [HypergraphError?](repeating: nil, count: shards.count)
        var misordered = [Bool](repeating: false, count: shards.count)
        members.withUnsafeMutableBufferPointer { membersBuffer in
            failures.withUnsafeMutableBufferPointer { failureBuffer in
                misordered.withUnsafeMutableBufferPointer { misorderedBuffer in
                    let out = SharedBuffer(membersBuffer), failed = SharedBuffer(failureBuffer), disorder = SharedBuffer(misorderedBuffer)
                    context.run(tasks: shards.count) { shard in
                        var cursor = -1, edge: Int32 = -1
                        for batch in 0..<shards.batches(shard) {
                            do {
                                let rows = try shards.read(shard, batch, ["edge", "node"])
                                let edgeCodes = try edges.codes(rows.columns[0], kind: "edge")
                                let nodeCodes = try nodes.codes(rows.columns[1], kind: "node")
                                for row in 0..<rows.rowCount {
                                    let e = edgeCodes[row]
                                    if e != edge { edge = e; cursor = starts[Int(e)] }
                                    // Nodes strictly ascending within the edge, and no more than pass 1 counted.
                                    guard cursor < starts[Int(e) + 1], cursor == starts[Int(e)] || out[cursor - 1] < nodeCodes[row] else {
                                        disorder[shard] = true
                                        return
                                    }
                                    out[cursor] = nodeCodes[row]
                                    cursor += 1
                                }
                            } catch let error as HypergraphError {
                                failed[shard] = error
                                return
                            } catch {
                                failed[shard] = HypergraphError(.invalidInput, "cannot read incidence shard \(shard): \(error)")
                                return
                            }
                        }
                    }
                }
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
        guard !misordered.contains(true), !members.contains(-1) else { return nil }
        let incidenceProperties = try Hypergraph.mergedProperties(shards, offsets: offsets, owner: owner)
        let edgeMembers = CSR(offsets: offsets, members: members)
        func aligned(_ table: RecordBatch, _ idIndex: Int, _ codes: [Int32], _ count: Int) -> RecordBatch {
            var rest = table
            rest = rest.removing(table.schema.names[idIndex])
            guard rest.schema.count > 0 else { return .empty(rowCount: count) }
            var rowOf = [Int32](repeating: -1, count: count)
            for (row, code) in codes.enumerated() { rowOf[Int(code)] = Int32(row) }
            return try! RecordBatch(schema: rest.schema, columns: rest.columns.map { $0.gather(rowOf) }, rowCount: count)
        }
        self.init(nodes: nodeEncoding.dictionary, edges: edgeEncoding.dictionary, edgeMembers: edgeMembers,
                  nodeProperties: try HypergraphBuilder.numericWeights(aligned(nodeTable, nodeIndex, nodeEncoding.codes[0], nodeTable.rowCount), of: "node"),
                  edgeProperties: try HypergraphBuilder.numericWeights(aligned(edgeTable, edgeIndex, edgeEncoding.codes[0], edgeTable.rowCount), of: "edge"),
                  incidenceProperties: try HypergraphBuilder.numericWeights(incidenceProperties, of: "incidence"),
                  defaultWeights: defaultWeights, name: name)
    }
}

/// Dense indices of ids in a dictionary: a direct table for compact integer ranges,
/// hashing otherwise.
struct IDLookup: Sendable {
    let dictionary: IDDictionary
    private let base: Int64
    private let direct: [Int32]
    private let integers: [Int64: Int32]
    private let strings: [String: Int32]

    init(_ dictionary: IDDictionary) {
        self.dictionary = dictionary
        let ints = dictionary.integers
        if let low = ints.first, let high = ints.last, high &- low >= 0, high - low < Int64(max(1 << 16, 4 * ints.count)) {
            base = low
            var table = [Int32](repeating: -1, count: Int(high - low) + 1)
            for (i, v) in ints.enumerated() { table[Int(v - low)] = Int32(i) }
            direct = table
            integers = [:]
        } else {
            base = 0
            direct = []
            integers = Dictionary(uniqueKeysWithValues: ints.enumerated().map { ($1, Int32($0)) })
        }
        var strings = [String: Int32]()
        for k in 0..<dictionary.strings.count { strings[dictionary.strings[k]!] = Int32(ints.count + k) }
        self.strings = strings
    }

    private func code(_ value: Int64) -> Int32? {
        if !direct.isEmpty {
            let offset = value &- base
            return offset >= 0 && offset < Int64(direct.count) && direct[Int(offset)] >= 0 ? direct[Int(offset)] : nil
        }
        return integers[value]
    }

    /// The dense index of every row of an id column; throws for ids not in the dictionary.
    func codes(_ column: Column, kind: String) throws(HypergraphError) -> [Int32] {
        func missing(_ id: String) -> HypergraphError {
            HypergraphError(.invalidInput, "an incidence names \(kind) \(id), which the \(kind) table does not list")
        }
        var out = [Int32](repeating: 0, count: column.count)
        switch column {
        case .int64(let c):
            for row in 0..<c.count {
                guard !c.isNull(row), let code = code(c.values[row]) else { throw missing(c[row].map(String.init) ?? "null") }
                out[row] = code
            }
        case .int32(let c):
            for row in 0..<c.count {
                guard !c.isNull(row), let code = code(Int64(c.values[row])) else { throw missing(c[row].map(String.init) ?? "null") }
                out[row] = code
            }
        default:
            for row in 0..<column.count {
                let value = column[row]
                let code: Int32?
                switch value {
                case .int(let v): code = self.code(v)
                case .string(let s): code = strings[s]
                default: code = nil
                }
                guard let code else { throw missing("\(value)") }
                out[row] = code
            }
        }
        return out
    }
}

extension Hypergraph {
    /// Pass 3: the incidence properties in slot order, appended as the shards are merged
    /// by edge (every shard's rows are in edge order, so this reads each shard once, a
    /// batch at a time, and copies each edge's rows as one run).
    static func mergedProperties(_ shards: IncidenceShards, offsets: [Int], owner: [Int32]) throws(HypergraphError) -> RecordBatch {
        let total = offsets.last ?? 0
        guard shards.properties.count > 0 else { return .empty(rowCount: total) }
        var appenders = shards.properties.fields.map { RunAppender(type: $0.type, capacity: total) }
        var current = [RecordBatch?](repeating: nil, count: shards.count)
        var nextBatch = [Int](repeating: 0, count: shards.count), row = [Int](repeating: 0, count: shards.count)
        for e in 0..<(offsets.count - 1) {
            var remaining = offsets[e + 1] - offsets[e]
            let s = Int(owner[e])
            while remaining > 0 {
                if current[s] == nil || row[s] == current[s]!.rowCount {
                    guard nextBatch[s] < shards.batches(s) else {
                        throw HypergraphError(.invalidInput, "incidence shard \(s) ended before its edges did")
                    }
                    do { current[s] = try shards.read(s, nextBatch[s], shards.properties.names) } catch let error as HypergraphError {
                        throw error
                    } catch {
                        throw HypergraphError(.invalidInput, "cannot read incidence shard \(s): \(error)")
                    }
                    nextBatch[s] += 1
                    row[s] = 0
                }
                let run = min(remaining, current[s]!.rowCount - row[s])
                for (k, column) in current[s]!.columns.enumerated() { appenders[k].append(column, row[s]..<(row[s] + run)) }
                row[s] += run
                remaining -= run
            }
        }
        do { return try RecordBatch(schema: shards.properties, columns: appenders.map { $0.column() }, rowCount: total) } catch {
            throw HypergraphError(.invalidInput, "incidence properties: \(error.message)")
        }
    }
}

/// A column built from runs of rows of other columns of its type.
private struct RunAppender {
    let type: DataType
    var doubles: [Double] = []
    var integers: [Int64] = []
    var int32s: [Int32] = []
    var strings = StringColumn()
    var bits = Bitmap(count: 0, value: false)
    /// Made at the first null row.
    var validity: Bitmap? = nil
    var rows = 0

    init(type: DataType, capacity: Int) {
        self.type = type
        switch type {
        case .double: doubles.reserveCapacity(capacity)
        case .int64: integers.reserveCapacity(capacity)
        case .int32: int32s.reserveCapacity(capacity)
        default: break
        }
    }

    mutating func append(_ column: Column, _ range: Range<Int>) {
        if column.nullCount > 0 {
            let present = column.validRows().slice(range)
            if present.setCount != range.count, validity == nil { validity = Bitmap(count: rows, value: true) }
            validity?.append(contentsOf: present)
        } else {
            validity?.append(repeating: true, count: range.count)
        }
        rows += range.count
        switch column {
        case .double(let c): doubles.append(contentsOf: c.values[range])
        case .int64(let c): integers.append(contentsOf: c.values[range])
        case .int32(let c): int32s.append(contentsOf: c.values[range])
        case .bool(let c): bits.append(contentsOf: c.bits.slice(range))
        case .string(let c), .json(let c):
            for r in range { if c.isNull(r) { strings.appendNull() } else { c.withUTF8(r) { strings.append(utf8: $0) } } }
        }
    }

    func column() -> Column {
        let valid = validity
        switch type {
        case .double: return .double(DoubleColumn(doubles, validity: valid))
        case .int64: return .int64(Int64Column(integers, validity: valid))
        case .int32: return .int32(Int32Column(int32s, validity: valid))
        case .bool: return .bool(BoolColumn(bits: bits, validity: valid))
        case .string: return .string(strings)
        case .json: return .json(strings)
        }
    }
}
