import AnantColumnar

/// Decoding several fields of several row groups as one job: every (field, row group)
/// chunk is a task, all scheduled together, so that uneven chunks (dictionary pages in one,
/// PLAIN in the next) balance across the cores without a barrier per field. Flat
/// fixed-width fields decode straight into their final arrays.
extension ParquetFileReader {
    /// What one task produced: the validity of a fixed-width slice, or a decoded column.
    private enum ChunkOutcome {
        case slice(validity: Bitmap?)
        case column(Column)
    }

    /// Fields `fields` of row groups `groups`, one column per field (rows in group order);
    /// tasks run on every core when `parallel`.
    func readFields(_ fields: [Int], rowGroups groups: [Int], parallel: Bool = true) throws(ParquetError) -> [Column] {
        var starts = [0]
        for g in groups { starts.append(starts.last! + Int(metadata.rowGroups[g].numRows)) }
        let leaves = fields.map(fixedWidthLeaf)
        var outcomes = [Result<ChunkOutcome, ParquetError>]()
        let arrays = allocate(leaves, total: starts.last!, from: 0, bases: []) { bases in
            let reader = self, rowStarts = starts, targets = UncheckedSendable(bases)
            let task: @Sendable (Int) throws(ParquetError) -> ChunkOutcome = { t throws(ParquetError) in
                let f = t / groups.count, k = t % groups.count
                guard let leaf = leaves[f], let base = targets.value[f] else {
                    return .column(try reader.decodeField(fields[f], rowGroup: groups[k]))
                }
                let slice = UnsafeMutableRawPointer(base) + rowStarts[k] * leaf.width
                return .slice(validity: try reader.decodeFixedWidth(leaf, rowGroup: groups[k], into: slice, count: rowStarts[k + 1] - rowStarts[k]))
            }
            let count = fields.count * groups.count
            if parallel {
                outcomes = reader.options.context.results(count: count, task)
            } else {
                outcomes = (0..<count).map { t in Result { () throws(ParquetError) in try task(t) } }
            }
        }
        var columns = [Column]()
        for f in fields.indices {
            let parts = outcomes[f * groups.count..<(f + 1) * groups.count]
            if leaves[f] == nil {
                var pieces = [Column]()
                for part in parts { if case .column(let column) = try part.get() { pieces.append(column) } }
                columns.append(pieces.isEmpty ? .nulls(dataType(ofField: fields[f]), count: 0) : Column.concatenating(pieces))
                continue
            }
            var validity: Bitmap? = nil
            for (k, part) in parts.enumerated() {
                guard case .slice(let partValidity?) = try part.get() else { continue }
                if validity == nil { validity = Bitmap(count: starts.last!, value: true) }
                for i in 0..<partValidity.count where !partValidity[i] { validity![starts[k] + i] = false }
            }
            columns.append(arrays[f]!.withValidity(validity))
        }
        return columns
    }

    /// A flat leaf whose values land in an Anant array as they are (INT32, INT64, DOUBLE
    /// without a converting logical type).
    struct FixedWidthLeaf: Sendable {
        var descriptor: ColumnDescriptor
        var width: Int
    }

    private func fixedWidthLeaf(_ field: Int) -> FixedWidthLeaf? {
        guard let leaf = flatLeaf(ofField: field) else { return nil }
        switch (leaf.physicalType, dataType(ofField: field)) {
        case (.int32, .int32): return FixedWidthLeaf(descriptor: leaf, width: 4)
        case (.int64, .int64), (.double, .double): return FixedWidthLeaf(descriptor: leaf, width: 8)
        default: return nil
        }
    }

    /// The arrays of the fixed-width fields from `index` on, each created around the next
    /// (an array is initialised inside its creating closure), `body` running innermost
    /// with every destination. Other fields get nil.
    private func allocate(_ leaves: [FixedWidthLeaf?], total: Int, from index: Int, bases: [UnsafeMutableRawPointer?],
                          _ body: ([UnsafeMutableRawPointer?]) -> Void) -> [Column?] {
        guard index < leaves.count else {
            body(bases)
            return []
        }
        guard let leaf = leaves[index] else {
            return [nil] + allocate(leaves, total: total, from: index + 1, bases: bases + [nil], body)
        }
        func level<T: FixedWidthValue>(_: T.Type, _ wrap: ([T]) -> Column) -> [Column?] {
            var inner = [Column?]()
            let array = [T](largeCount: total) { destination in
                inner = allocate(leaves, total: total, from: index + 1, bases: bases + [UnsafeMutableRawPointer(destination.baseAddress)], body)
            }
            return [wrap(array)] + inner
        }
        switch leaf.descriptor.physicalType {
        case .int32: return level(Int32.self) { .int32(Int32Column($0)) }
        case .int64: return level(Int64.self) { .int64(Int64Column($0)) }
        default: return level(Double.self) { .double(DoubleColumn($0)) }
        }
    }

    /// Fields `fields` of one row group, only the rows `selected` (ascending): fixed-width
    /// leaves decode just those rows, other fields decode whole and are gathered. Fields
    /// run on every core when `parallel`.
    func readFields(_ fields: [Int], rowGroup: Int, rows selected: [Int], parallel: Bool) throws(ParquetError) -> [Column] {
        let reader = self
        let task: @Sendable (Int) throws(ParquetError) -> Column = { f throws(ParquetError) in
            if let (column, _) = try reader.readFixedWidth(fields[f], rowGroup: rowGroup, .rows(selected)) { return column }
            return try reader.decodeField(fields[f], rowGroup: rowGroup).gather(selected)
        }
        if parallel { return try options.context.map(count: fields.count, task) }
        var columns = [Column]()
        for f in fields.indices { columns.append(try task(f)) }
        return columns
    }

    /// Which part of a flat fixed-width chunk `readFixedWidth` decodes.
    enum FlatSelection {
        /// The rows at these ascending positions (`ColumnChunkReader.readFlat(rows:of:into:)`:
        /// pages without one stay compressed).
        case rows([Int])
        /// Every row, but only the data pages whose header statistics admit rows matching a
        /// predicate on this column alone; the other pages' rows are zero and `skipped`.
        case pagesMatching(ParquetPredicate)
    }

    /// Field `field` of one row group decoded as `selection` says, with the rows of skipped
    /// pages; nil when the field is not a flat fixed-width leaf.
    func readFixedWidth(_ field: Int, rowGroup: Int, _ selection: FlatSelection) throws(ParquetError) -> (column: Column, skipped: [Range<Int>])? {
        guard let leaf = fixedWidthLeaf(field) else { return nil }
        let rows = Int(metadata.rowGroups[rowGroup].numRows), name = schema.fields[field].name
        func decode<T: FlatPhysicalValue>(_: T.Type, _ wrap: (PrimitiveColumn<T>) -> Column) throws(ParquetError) -> (Column, [Range<Int>]) {
            var outcome: Result<(validity: Bitmap?, skipped: [Range<Int>]), ParquetError> = .success((nil, []))
            let count: Int
            if case .rows(let selected) = selection { count = selected.count } else { count = rows }
            let values = [T](largeCount: count) { destination in
                // On failure the array is discarded: its unread elements stay uninitialised (trivial values).
                outcome = Result { () throws(ParquetError) in
                    try withChunkReader(leaf, rowGroup: rowGroup) { chunk throws(ParquetError) in
                        switch selection {
                        case .rows(let selected):
                            return (try selected.withUnsafeBufferPointer { positions throws(ParquetError) in
                                try chunk.readFlat(rows: positions, of: rows, into: destination.baseAddress!)
                            }, [])
                        case .pagesMatching(let predicate):
                            return try chunk.readFlat(into: destination) { statistics, entries in
                                StatisticsPruning(page: statistics, rows: entries, of: leaf.descriptor, named: name).mayMatch(predicate)
                            }
                        }
                    }
                }
            }
            let (validity, skipped) = try outcome.get()
            return (wrap(PrimitiveColumn(values, validity: validity)), skipped)
        }
        switch leaf.descriptor.physicalType {
        case .int32: return try decode(Int32.self) { .int32($0) }
        case .int64: return try decode(Int64.self) { .int64($0) }
        default: return try decode(Double.self) { .double($0) }
        }
    }

    /// The rows of field `field` in one row group that match `predicate`, a predicate on
    /// this field alone, with their values; nil when the field is not a flat fixed-width
    /// leaf. Each data page decodes into an array of its own and is tested while it is
    /// still in the cache, so only matching values are ever written out; pages whose header
    /// statistics rule out a match are not decoded at all.
    func readMatchingFixedWidth(_ field: Int, rowGroup: Int, where predicate: ParquetPredicate) throws(ParquetError) -> (column: Column, rows: [Int])? {
        guard let leaf = fixedWidthLeaf(field) else { return nil }
        let rows = Int(metadata.rowGroups[rowGroup].numRows), name = schema.fields[field].name
        func decode<T: FlatPhysicalValue>(_: T.Type, _ wrap: (PrimitiveColumn<T>) -> Column) throws(ParquetError) -> (Column, [Int]) {
            var kept = [T](), positions = [Int](), nulls = [Int]()
            // A filter that cannot apply to the column fails here, even when statistics
            // leave no page to test.
            _ = try predicate.evaluate(try batch([field], [wrap(PrimitiveColumn([T]()))], rows: 0))
            try withChunkReader(leaf, rowGroup: rowGroup) { chunk throws(ParquetError) in
                try chunk.forEachFlatPage(rows: rows, keeping: { statistics, entries in
                    StatisticsPruning(page: statistics, rows: entries, of: leaf.descriptor, named: name).mayMatch(predicate)
                }) { (first: Int, values: [T], validity: Bitmap?) throws(ParquetError) in
                    let page = try batch([field], [wrap(PrimitiveColumn(values, validity: validity))], rows: values.count)
                    for j in try predicate.evaluate(page).setIndices() {
                        if let validity, !validity[j] { nulls.append(kept.count) }
                        positions.append(first + j)
                        kept.append(values[j])
                    }
                }
            }
            var validity: Bitmap? = nil
            if !nulls.isEmpty {
                validity = Bitmap(count: kept.count, value: true)
                for k in nulls { validity![k] = false }
            }
            return (wrap(PrimitiveColumn(kept, validity: validity)), positions)
        }
        switch leaf.descriptor.physicalType {
        case .int32: return try decode(Int32.self) { .int32($0) }
        case .int64: return try decode(Int64.self) { .int64($0) }
        default: return try decode(Double.self) { .double($0) }
        }
    }

    /// Runs `body` with a reader of one flat leaf's chunk in one row group.
    private func withChunkReader<R>(_ leaf: FixedWidthLeaf, rowGroup: Int,
                                    _ body: (ColumnChunkReader) throws(ParquetError) -> R) throws(ParquetError) -> R {
        let chunk = metadata.rowGroups[rowGroup].columns[leaf.descriptor.index]
        guard let meta = chunk.metaData, !chunk.isEncrypted else {
            throw ParquetError(.encrypted, "column '\(leaf.descriptor.dottedPath)' is an encrypted column; Anant cannot read it without keys")
        }
        let footerStart = self.footerStart, verify = options.verifyChecksums
        return try rethrowingParquetErrors {
            try source.withBytes { bytes in
                var chunk = ColumnChunkReader(file: bytes, dataEnd: footerStart, metadata: meta, descriptor: leaf.descriptor, verifyChecksums: verify)
                chunk.skippedPages = skippedPages
                return try body(chunk)
            }
        }
    }

    /// Decodes one fixed-width chunk into `count` values at `destination`; returns its
    /// validity when some value is null.
    private func decodeFixedWidth(_ leaf: FixedWidthLeaf, rowGroup: Int, into destination: UnsafeMutableRawPointer,
                                  count: Int) throws(ParquetError) -> Bitmap? {
        func decode<T: FlatPhysicalValue>(_: T.Type) throws(ParquetError) -> Bitmap? {
            let slice = UnsafeMutableBufferPointer(start: destination.assumingMemoryBound(to: T.self), count: count)
            // On failure the array is discarded: its unread elements stay uninitialised (trivial values).
            return try withChunkReader(leaf, rowGroup: rowGroup) { chunk throws(ParquetError) in try chunk.readFlat(into: slice) }
        }
        switch leaf.descriptor.physicalType {
        case .int32: return try decode(Int32.self)
        case .int64: return try decode(Int64.self)
        default: return try decode(Double.self)
        }
    }
}

extension Column {
    /// This fixed-width column with `validity` attached.
    fileprivate func withValidity(_ validity: Bitmap?) -> Column {
        guard let validity else { return self }
        switch self {
        case .int32(var c): c.validity = validity; return .int32(c)
        case .int64(var c): c.validity = validity; return .int64(c)
        case .double(var c): c.validity = validity; return .double(c)
        default: return self
        }
    }
}
