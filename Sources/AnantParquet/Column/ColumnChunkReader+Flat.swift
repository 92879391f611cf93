import AnantColumnar

/// Fixed-width physical values that flat columns decode straight into their final storage.
protocol FlatPhysicalValue: FixedWidthValue, Numeric {
    static func values(of leaf: LeafValues) -> [Self]?
}

extension Int32: FlatPhysicalValue {
    static func values(of leaf: LeafValues) -> [Int32]? { if case .int32(let v) = leaf { return v } else { return nil } }
}

extension Int64: FlatPhysicalValue {
    static func values(of leaf: LeafValues) -> [Int64]? { if case .int64(let v) = leaf { return v } else { return nil } }
}

extension Double: FlatPhysicalValue {
    static func values(of leaf: LeafValues) -> [Double]? { if case .double(let v) = leaf { return v } else { return nil } }
}

extension ColumnChunkReader {
    /// Decodes a flat (unrepeated, top-level) fixed-width chunk of `destination.count`
    /// rows straight into `destination`: PLAIN pages are copied and dictionary pages
    /// gathered without intermediate arrays. Null rows are left zero.
    ///
    /// - Returns: the validity of the rows, or nil when none is null.
    func readFlat<T: FlatPhysicalValue>(into destination: UnsafeMutableBufferPointer<T>) throws(ParquetError) -> Bitmap? {
        try readFlat(into: destination, keeping: nil).validity
    }

    /// `readFlat(into:)`, decoding only the data pages for which `keep` (given the page's
    /// header statistics and entry count) says true; the rows of the others are zero and
    /// listed in `skipped`.
    func readFlat<T: FlatPhysicalValue>(into destination: UnsafeMutableBufferPointer<T>,
                                        keeping keep: ((_ statistics: Statistics?, _ count: Int) -> Bool)?)
        throws(ParquetError) -> (validity: Bitmap?, skipped: [Range<Int>]) {
        var dictionary: [T] = []
        var row = 0
        var validity: Bitmap? = nil
        var skipped = [Range<Int>]()
        var packed = UnsafeMutableBufferPointer<T>(start: nil, count: 0)
        defer { packed.deallocate() }
        let rows = destination.count
        let skip = keep.map { keep in { (_: Int, count: Int, statistics: Statistics?) in !keep(statistics, count) } }
        // PLAIN pages of the exact size decompress straight into their rows.
        let place = { (count: Int, encoding: Encoding, bytes: Int) -> UnsafeMutableRawBufferPointer? in
            guard encoding == .plain, count <= rows - row, bytes == count * MemoryLayout<T>.stride else { return nil }
            return UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: destination[row..<(row + count)]))
        }
        try forEachPage(skip: skip, place: place) { page throws(ParquetError) in
            guard try takeDictionary(page, into: &dictionary) else { return }
            try checkRoom(page, row: row, rows: rows)
            if page.kind == .placed {
                row += page.count
                return
            }
            let target = UnsafeMutableBufferPointer(rebasing: destination[row..<(row + page.count)])
            if page.kind == .skipped {
                target.initialize(repeating: .zero)
                if let last = skipped.last, last.upperBound == row { skipped[skipped.count - 1] = last.lowerBound..<(row + page.count) }
                else { skipped.append(row..<(row + page.count)) }
                row += page.count
                return
            }
            try decodeRows(page, into: target, dictionary: dictionary, packed: &packed) { k in
                if validity == nil { validity = Bitmap(count: rows, value: true) }
                validity![row + k] = false
            }
            row += page.count
        }
        try checkFilled(row: row, rows: rows)
        return (validity, skipped)
    }

    /// Decodes only the rows `selected` (ascending row numbers of a flat fixed-width chunk
    /// of `rows` rows) into `destination`, one slot per selected row. Pages without a
    /// selected row are not decompressed; PLAIN and dictionary pages without nulls read just the
    /// selected values (a selective filter then never touches most of a dictionary).
    ///
    /// - Returns: the validity of the selected rows, or nil when none is null.
    func readFlat<T: FlatPhysicalValue>(rows selected: UnsafeBufferPointer<Int>, of rows: Int,
                                        into destination: UnsafeMutablePointer<T>) throws(ParquetError) -> Bitmap? {
        var dictionary: [T] = []
        var row = 0, next = 0
        var validity: Bitmap? = nil
        var packed = UnsafeMutableBufferPointer<T>(start: nil, count: 0), whole = packed
        defer { packed.deallocate(); whole.deallocate() }
        // Pages holding no selected row are not even decompressed.
        var probe = 0
        let skip = { (first: Int, count: Int, _: Statistics?) -> Bool in
            while probe < selected.count && selected[probe] < first { probe += 1 }
            return probe == selected.count || selected[probe] >= first + count
        }
        try forEachPage(skip: skip) { page throws(ParquetError) in
            guard try takeDictionary(page, into: &dictionary) else { return }
            try checkRoom(page, row: row, rows: rows)
            let end = row + page.count
            var last = next
            while last < selected.count && selected[last] < end { last += 1 }
            defer { (row, next) = (end, last) }
            guard last > next else { return }
            let dense = page.present == page.count
            switch page.encoding {
            case .plain where dense:
                let stride = MemoryLayout<T>.stride
                guard page.count * stride <= page.values.count else {
                    throw ParquetError.corrupt("a PLAIN page of column '\(column)' needs \(page.count * stride) bytes for \(page.count) values but holds \(page.values.count)")
                }
                for j in next..<last { destination[j] = page.values.loadUnaligned(fromByteOffset: (selected[j] &- row) &* stride, as: T.self) }
            case .plainDictionary where dense, .rleDictionary where dense:
                try checkDictionary(page, dictionary)
                var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: page.values[1...]), bitWidth: Int(page.values[0]))
                let inside = try rethrowingParquetErrors {
                    try dictionary.withUnsafeBufferPointer { d in
                        try decoder.gather(count: page.count, rows: UnsafeBufferPointer(rebasing: selected[next..<last]), first: row,
                                           from: d, into: destination + next)
                    }
                }
                guard inside else {
                    throw ParquetError.corrupt("a dictionary index of column '\(column)' is outside its \(dictionary.count)-entry dictionary")
                }
            default:
                grow(&whole, to: page.count)
                var nulls = [Int]()
                try decodeRows(page, into: UnsafeMutableBufferPointer(rebasing: whole[0..<page.count]), dictionary: dictionary,
                               packed: &packed) { nulls.append($0) }
                for j in next..<last { destination[j] = whole[selected[j] &- row] }
                var n = 0
                for j in next..<last where !nulls.isEmpty {
                    // Both ascending: one walk over the page's nulls.
                    let k = selected[j] &- row
                    while n < nulls.count && nulls[n] < k { n += 1 }
                    if n < nulls.count && nulls[n] == k {
                        if validity == nil { validity = Bitmap(count: selected.count, value: true) }
                        validity![j] = false
                    }
                }
            }
        }
        try checkFilled(row: row, rows: rows)
        return validity
    }

    /// Decodes a flat fixed-width chunk of `rows` rows one data page at a time: each page
    /// into an array of its own (null slots zero, and a validity when some is null), handed
    /// to `visit` with the row it starts at. Data pages for which `keep` (given the page's
    /// header statistics and entry count) says false are passed over undecoded. A filter
    /// reads its column this way to test each page while it is still in the cache.
    func forEachFlatPage<T: FlatPhysicalValue>(rows: Int, keeping keep: @escaping (_ statistics: Statistics?, _ count: Int) -> Bool,
                                               _ visit: (_ first: Int, _ values: [T], _ validity: Bitmap?) throws(ParquetError) -> Void)
        throws(ParquetError) {
        var dictionary: [T] = []
        var row = 0
        var packed = UnsafeMutableBufferPointer<T>(start: nil, count: 0)
        defer { packed.deallocate() }
        try forEachPage(skip: { _, count, statistics in !keep(statistics, count) }) { page throws(ParquetError) in
            guard try takeDictionary(page, into: &dictionary) else { return }
            try checkRoom(page, row: row, rows: rows)
            let first = row
            row += page.count
            guard page.kind == .data else { return }
            var validity: Bitmap? = nil
            var outcome: Result<Void, ParquetError> = .success(())
            let values = [T](unsafeUninitializedCapacity: page.count) { target, initialized in
                outcome = Result { () throws(ParquetError) in
                    try decodeRows(page, into: target, dictionary: dictionary, packed: &packed) { k in
                        if validity == nil { validity = Bitmap(count: page.count, value: true) }
                        validity![k] = false
                    }
                }
                // On failure the array is discarded: trivial values need no initialising.
                initialized = page.count
            }
            try outcome.get()
            try visit(first, values, validity)
        }
        try checkFilled(row: row, rows: rows)
    }

    /// Takes a dictionary page's values; false for such a page (nothing more to do with it).
    private func takeDictionary<T: FlatPhysicalValue>(_ page: PageContent, into dictionary: inout [T]) throws(ParquetError) -> Bool {
        guard page.kind == .dictionary else { return true }
        var values = LeafValues.empty(descriptor.physicalType)
        try ValueDecoding.decode(page.values, encoding: .plain, count: page.count, physical: descriptor.physicalType,
                                 typeLength: descriptor.typeLength, dictionary: nil, into: &values, column: column)
        dictionary = T.values(of: values) ?? []
        return false
    }

    private func checkRoom(_ page: PageContent, row: Int, rows: Int) throws(ParquetError) {
        guard page.count <= rows - row else {
            throw ParquetError.corrupt("column '\(column)' holds more values than its row group's \(rows) rows")
        }
    }

    private func checkFilled(row: Int, rows: Int) throws(ParquetError) {
        guard row == rows else { throw ParquetError.corrupt("column '\(column)' holds \(row) values for \(rows) rows") }
    }

    /// Decodes one data page into one slot per entry (`target.count == page.count`): the
    /// values straight into place when none is null, else through `packed` and spread by
    /// the definition levels, null slots zero and reported to `null`.
    private func decodeRows<T: FlatPhysicalValue>(_ page: PageContent, into target: UnsafeMutableBufferPointer<T>, dictionary: [T],
                                                  packed: inout UnsafeMutableBufferPointer<T>, null: (Int) -> Void) throws(ParquetError) {
        if page.present == page.count {
            try decodeValues(page, into: target, dictionary: dictionary)
            return
        }
        grow(&packed, to: page.present)
        try decodeValues(page, into: UnsafeMutableBufferPointer(rebasing: packed[0..<page.present]), dictionary: dictionary)
        let maximum = Int16(descriptor.maxDefinitionLevel)
        var next = 0
        for (k, level) in page.definitionLevels.enumerated() {
            if level == maximum {
                target[k] = packed[next]
                next += 1
            } else {
                target[k] = .zero
                null(k)
            }
        }
    }

    private func grow<E>(_ buffer: inout UnsafeMutableBufferPointer<E>, to count: Int) {
        guard buffer.count < count else { return }
        buffer.deallocate()
        buffer = .allocate(capacity: count)
    }

    private func checkDictionary<T>(_ page: PageContent, _ dictionary: [T]) throws(ParquetError) {
        guard !dictionary.isEmpty else {
            throw ParquetError.corrupt("column '\(column)' has a dictionary-encoded page but no (or an empty) dictionary")
        }
        guard page.values.count >= 1 else { throw ParquetError.corrupt("a dictionary-encoded page of column '\(column)' is empty") }
        guard page.values[0] <= 32 else {
            throw ParquetError.corrupt("a dictionary-encoded page of column '\(column)' has index bit width \(page.values[0]) (at most 32)")
        }
    }

    private func decodeValues<T: FlatPhysicalValue>(_ page: PageContent, into target: UnsafeMutableBufferPointer<T>,
                                                    dictionary: [T]) throws(ParquetError) {
        let count = target.count
        guard count > 0 else { return }
        switch page.encoding {
        case .plain:
            let bytes = count * MemoryLayout<T>.stride
            guard bytes <= page.values.count else {
                throw ParquetError.corrupt("a PLAIN page of column '\(column)' needs \(bytes) bytes for \(count) values but holds \(page.values.count)")
            }
            UnsafeMutableRawBufferPointer(target).copyMemory(from: UnsafeRawBufferPointer(rebasing: page.values[0..<bytes]))
        case .plainDictionary, .rleDictionary:
            try checkDictionary(page, dictionary)
            var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: page.values[1...]), bitWidth: Int(page.values[0]))
            let inside = try rethrowingParquetErrors {
                try dictionary.withUnsafeBufferPointer { d in try decoder.gather(count: count, from: d, into: target.baseAddress!) }
            }
            if !inside { throw ParquetError.corrupt("a dictionary index of column '\(column)' is outside its \(dictionary.count)-entry dictionary") }
        case .deltaBinaryPacked where T.self == Int64.self || T.self == Int32.self:
            // Straight into the target, without the general path's two copies.
            var decoder = try DeltaBinaryPackedDecoder(page.values)
            if let t = target.baseAddress as? UnsafeMutablePointer<Int64> {
                try decoder.decode(maximumBitWidth: 64, expected: count, into: t) { Int64(bitPattern: $0) }
            } else if let t = target.baseAddress as? UnsafeMutablePointer<Int32> {
                try decoder.decode(maximumBitWidth: 32, expected: count, into: t) { Int32(truncatingIfNeeded: $0) }
            }
        case .byteStreamSplit where MemoryLayout<T>.size == 4 || MemoryLayout<T>.size == 8:
            let width = MemoryLayout<T>.size, data = page.values
            guard data.count >= width * count, data.count % width == 0 else {
                throw ParquetError.corrupt("a BYTE_STREAM_SPLIT page of column '\(column)' holds \(data.count) bytes for \(count) values of \(width) bytes")
            }
            // Streams are as long as the page's value count (data.count / width).
            let stride = data.count / width
            let out = UnsafeMutableRawBufferPointer(target)
            for i in 0..<count {
                for j in 0..<width { out[i * width + j] = data[j * stride + i] }
            }
        default:
            var values = LeafValues.empty(descriptor.physicalType)
            try ValueDecoding.decode(page.values, encoding: page.encoding, count: count, physical: descriptor.physicalType,
                                     typeLength: descriptor.typeLength, dictionary: nil, into: &values, column: column)
            guard let decoded = T.values(of: values), decoded.count == count else {
                throw ParquetError.corrupt("a page of column '\(column)' decodes to the wrong type or count")
            }
            _ = target.initialize(from: decoded)
        }
    }
}
