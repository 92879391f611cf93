import AnantColumnar
import CAnantSystem

/// A morsel's rows as selections over the columns they came from: filters and join
/// probes narrow row lists instead of copying columns, and only the columns a step reads
/// are gathered for it. A join's output is two parts (the left side's columns under the
/// left rows, the right side's under the matched right rows); the rows are copied out
/// once, at the end of the pipeline, straight into the result.
struct MorselView {
    /// Columns that share a row selection.
    struct Part {
        /// The columns (under their output names).
        var base: RecordBatch
        /// The selected rows of `base`, in order; nil: all of them. With `nullable`, a
        /// negative row is a null row (a left join's unmatched row).
        var rows: [Int32]?
        var nullable = false
        /// The columns outlive the morsel anyway (a table in memory, a join's build side).
        var shared = false

        func column(_ index: Int) -> Column {
            let column = base.columns[index]
            guard let rows else { return column }
            return nullable ? column.gather(nullable: rows) : column.gather(rows)
        }
    }

    var parts: [Part]
    private(set) var rowCount: Int

    init(base: RecordBatch, rows: [Int32]?, shared: Bool = false) {
        parts = [Part(base: base, rows: rows, shared: shared)]
        rowCount = rows?.count ?? base.rowCount
    }

    init(parts: [Part], rowCount: Int) {
        self.parts = parts
        self.rowCount = rowCount
    }

    /// Whether holding the view until the result is assembled costs little memory: every
    /// source the morsel decoded for itself (not a table in memory, not a join's build
    /// side) keeps at least an eighth of its rows.
    var cheapToHold: Bool {
        parts.allSatisfy { $0.shared || $0.rows == nil || 8 * rowCount >= $0.base.rowCount }
    }

    /// The output columns' names, in order.
    var names: [String] { parts.flatMap(\.base.schema.names) }

    private func locate(_ name: String) throws(QueryError) -> (part: Int, column: Int) {
        for (p, part) in parts.enumerated() {
            if let index = part.base.schema.index(of: name) { return (p, index) }
        }
        throw QueryError(.unknownColumn, "unknown column '\(name)' (columns: \(names.joined(separator: ", ")))")
    }

    /// The named columns of the selected rows.
    func columns(_ names: some Sequence<String>) throws(QueryError) -> RecordBatch {
        var named = [(String, Column)]()
        for name in names {
            let (p, c) = try locate(name)
            named.append((name, parts[p].column(c)))
        }
        if named.isEmpty { return .empty(rowCount: rowCount) }
        return try Executor.batch(named)
    }

    /// Every column of the selected rows.
    func materialize() -> RecordBatch {
        if parts.count == 1, parts[0].rows == nil { return parts[0].base }
        // The names are distinct and the columns equally long: this cannot fail.
        return try! columns(names)
    }

    /// Keeps the rows where `predicate` holds.
    mutating func filter(_ predicate: Expr) throws(QueryError) {
        let tested = try columns(predicate.columns.sorted())
        let selection = try predicate.selection(tested)
        if selection.setCount == rowCount { return }
        narrow(selection.setIndices().map { Int32($0) })
    }

    /// Sets the row count after the parts' rows were replaced directly.
    mutating func rowCountOverride(_ count: Int) { rowCount = count }

    /// Keeps the rows at `indices` (positions among the selected rows, in order; repeats
    /// allowed).
    mutating func narrow(_ indices: [Int32]) {
        for k in parts.indices {
            parts[k].rows = parts[k].rows.map { rows in indices.map { rows[Int($0)] } } ?? indices
        }
        rowCount = indices.count
    }

    /// Only the named columns, in that order (every one must exist).
    mutating func project(_ names: [String]) throws(QueryError) {
        if parts.count == 1 {
            parts[0].base = try MorselView(base: parts[0].base, rows: nil).columns(names)
            return
        }
        // Several parts: a part per run of columns from the same part.
        var projected = [Part]()
        for name in names {
            let (p, c) = try locate(name)
            let column = [(name, parts[p].base.columns[c])]
            if let last = projected.last, last.rows == parts[p].rows, last.nullable == parts[p].nullable,
               last.base.schema.names.allSatisfy({ parts[p].base.schema.index(of: $0) != nil }) {
                projected[projected.count - 1].base = try Executor.batch(zip(last.base.schema.names, last.base.columns).map { ($0, $1) } + column)
            } else {
                projected.append(Part(base: try Executor.batch(column), rows: parts[p].rows, nullable: parts[p].nullable, shared: parts[p].shared))
            }
        }
        parts = projected
    }

    // MARK: Assembly

    /// The rows of every view, in order, in one batch: each column written once, straight
    /// from its source columns into the result (the views in parallel).
    static func assemble(_ views: [MorselView], context: ExecutionContext) -> RecordBatch {
        guard let first = views.first else { return .empty() }
        if views.count == 1 { return first.materialize() }
        let names = first.names
        var named = [(String, Column)]()
        for name in names {
            let pieces = views.map { view -> Piece in
                let (p, c) = try! view.locate(name)
                let part = view.parts[p]
                return Piece(source: part.base.columns[c], rows: part.rows, nullable: part.nullable, count: view.rowCount)
            }
            named.append((name, assembleColumn(pieces, context: context)))
        }
        return try! RecordBatch(named)
    }

    /// One view's share of a result column.
    struct Piece: Sendable {
        var source: Column
        var rows: [Int32]?
        var nullable: Bool
        var count: Int

        /// Whether each output row holds a value.
        func validity() -> Bitmap {
            let present = source.validRows()
            guard let rows else { return present }
            return Bitmap(rows.lazy.map { $0 >= 0 && present[Int($0)] })
        }

        /// The source row of every output row (negative: null), without copying when the
        /// rows are all of the source's.
        func withRows<R>(_ body: (UnsafeBufferPointer<Int32>?) -> R) -> R {
            guard let rows else { return body(nil) }
            return rows.withUnsafeBufferPointer { body($0) }
        }

        var mayHoldNulls: Bool { source.nullCount > 0 || nullable }
    }

    static func assembleColumn(_ pieces: [Piece], context: ExecutionContext) -> Column {
        var offsets = [0]
        for piece in pieces { offsets.append(offsets.last! + piece.count) }
        let starts = offsets, total = offsets.last!
        let type = pieces[0].source.dataType
        guard pieces.allSatisfy({ $0.source.dataType == type }) else {
            return Column.concatenating(pieces.map { MorselView.Part(base: try! RecordBatch([("c", $0.source)]), rows: $0.rows, nullable: $0.nullable).column(0) })
        }
        let validity = assembleValidity(pieces, total)
        func fixed<T: FixedWidthValue>(_ values: @escaping @Sendable (Column) -> [T]) -> [T] {
            [T](unsafeUninitializedCapacity: total) { buffer, initialized in
                let out = SharedBuffer(buffer)
                context.run(tasks: pieces.count) { k in
                    let piece = pieces[k], source = values(piece.source), start = starts[k]
                    source.withUnsafeBufferPointer { src in
                        guard let rows = piece.rows else {
                            if piece.count > 0 { (out.base + start).initialize(from: src.baseAddress!, count: piece.count) }
                            return
                        }
                        for i in 0..<rows.count {
                            if i + 16 < rows.count, rows[i + 16] >= 0 { anant_prefetch(src.baseAddress! + Int(rows[i + 16])) }
                            let r = Int(rows[i])
                            (out.base + start + i).initialize(to: r >= 0 ? src[r] : .zero)
                        }
                    }
                }
                initialized = total
            }
        }
        switch type {
        case .int64: return .int64(Int64Column(fixed { if case .int64(let c) = $0 { return c.values }; return [] }, validity: validity))
        case .int32: return .int32(Int32Column(fixed { if case .int32(let c) = $0 { return c.values }; return [] }, validity: validity))
        case .double: return .double(DoubleColumn(fixed { if case .double(let c) = $0 { return c.values }; return [] }, validity: validity))
        case .string, .json: return assembleStrings(pieces, starts, total, validity, json: type == .json, context: context)
        case .bool:
            let parts = pieces.map { MorselView.Part(base: try! RecordBatch([("c", $0.source)]), rows: $0.rows, nullable: $0.nullable).column(0) }
            return Column.concatenating(parts)
        }
    }

    private static func assembleValidity(_ pieces: [Piece], _ total: Int) -> Bitmap? {
        guard pieces.contains(where: \.mayHoldNulls) else { return nil }
        var bits = Bitmap(count: 0, value: true)
        for piece in pieces {
            if !piece.mayHoldNulls { bits.append(repeating: true, count: piece.count); continue }
            bits.append(contentsOf: piece.validity())
        }
        return bits.setCount == total ? nil : bits
    }

    private static func assembleStrings(_ pieces: [Piece], _ starts: [Int], _ total: Int, _ validity: Bitmap?, json: Bool,
                                        context: ExecutionContext) -> Column {
        // Pass 1: every output row's length (into the offsets) and its source position,
        // each piece on its own core, the random reads prefetched a few rows ahead.
        var offsets = [Int64](repeating: 0, count: total + 1)
        var positions = [Int64](repeating: -1, count: total)
        offsets.withUnsafeMutableBufferPointer { offsetBuffer in
            positions.withUnsafeMutableBufferPointer { positionBuffer in
                let out = SharedBuffer(offsetBuffer), from = SharedBuffer(positionBuffer)
                context.run(tasks: pieces.count) { k in
                    guard case .string(let c) = pieces[k].source.asStrings else { return }
                    let piece = pieces[k], start = starts[k]
                    c.offsets.withUnsafeBufferPointer { o in
                        piece.withRows { rows in
                            for i in 0..<piece.count {
                                let r: Int
                                if let rows {
                                    if i + 16 < rows.count, rows[i + 16] >= 0 { anant_prefetch(o.baseAddress! + Int(rows[i + 16])) }
                                    r = Int(rows[i])
                                } else {
                                    r = i
                                }
                                guard r >= 0 else { continue }
                                out[start + i + 1] = o[r + 1] - o[r]
                                from[start + i] = o[r]
                            }
                        }
                    }
                }
            }
        }
        for i in 0..<total { offsets[i + 1] += offsets[i] }
        // Pass 2: the bytes.
        let byteCount = Int(offsets[total])
        let ends = offsets, sources = positions
        let bytes = [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
            let out = SharedBuffer(buffer)
            context.run(tasks: pieces.count) { k in
                guard case .string(let c) = pieces[k].source.asStrings else { return }
                let piece = pieces[k], start = starts[k]
                c.bytes.withUnsafeBufferPointer { src in
                    guard let base = src.baseAddress else { return }
                    ends.withUnsafeBufferPointer { ends in
                        sources.withUnsafeBufferPointer { sources in
                            for i in start..<(start + piece.count) {
                                if i + 16 < start + piece.count, sources[i + 16] >= 0 { anant_prefetch(base + Int(sources[i + 16])) }
                                let from = Int(sources[i])
                                guard from >= 0 else { continue }
                                let position = Int(ends[i]), length = Int(ends[i + 1]) - position
                                if length <= 16 {
                                    for b in 0..<length { (out.base + position + b).initialize(to: base[from + b]) }
                                } else {
                                    (out.base + position).initialize(from: base + from, count: length)
                                }
                            }
                        }
                    }
                }
            }
            initialized = byteCount
        }
        let column = try! StringColumn(offsets: offsets, bytes: bytes, validity: validity)
        return json ? .json(column) : .string(column)
    }
}

private extension Column {
    /// A string or JSON column's storage as `.string`.
    var asStrings: Column {
        if case .json(let c) = self { return .string(c) }
        return self
    }
}
