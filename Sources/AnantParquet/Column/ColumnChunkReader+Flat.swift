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
        var dictionary: [T] = []
        var row = 0
        var validity: Bitmap? = nil
        var packed = UnsafeMutableBufferPointer<T>(start: nil, count: 0)
        defer { packed.deallocate() }
        let physical = descriptor.physicalType, width = descriptor.typeLength, name = column, rows = destination.count
        let maximum = Int16(descriptor.maxDefinitionLevel)
        try forEachPage { page throws(ParquetError) in
            if page.kind == .dictionary {
                var values = LeafValues.empty(physical)
                try ValueDecoding.decode(page.values, encoding: .plain, count: page.count, physical: physical,
                                         typeLength: width, dictionary: nil, into: &values, column: name)
                dictionary = T.values(of: values) ?? []
                return
            }
            guard page.count <= rows - row else {
                throw ParquetError.corrupt("column '\(name)' holds more values than its row group's \(rows) rows")
            }
            let dense = page.present == page.count
            // Where the present values go: straight to the rows, or to a buffer to spread.
            let target: UnsafeMutableBufferPointer<T>
            if dense {
                target = UnsafeMutableBufferPointer(rebasing: destination[row..<(row + page.count)])
            } else {
                if packed.count < page.present {
                    packed.deallocate()
                    packed = .allocate(capacity: page.present)
                }
                target = UnsafeMutableBufferPointer(rebasing: packed[0..<page.present])
            }
            try decodeValues(page, into: target, dictionary: dictionary)
            if !dense {
                if validity == nil { validity = Bitmap(count: rows, value: true) }
                var next = 0
                for (k, level) in page.definitionLevels.enumerated() {
                    if level == maximum {
                        destination[row + k] = target[next]
                        next += 1
                    } else {
                        destination[row + k] = .zero
                        validity![row + k] = false
                    }
                }
            }
            row += page.count
        }
        guard row == rows else {
            throw ParquetError.corrupt("column '\(name)' holds \(row) values for \(rows) rows")
        }
        return validity
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
            guard !dictionary.isEmpty || count == 0 else {
                throw ParquetError.corrupt("column '\(column)' has a dictionary-encoded page but no (or an empty) dictionary")
            }
            guard page.values.count >= 1 else { throw ParquetError.corrupt("a dictionary-encoded page of column '\(column)' is empty") }
            let bitWidth = Int(page.values[0])
            guard bitWidth <= 32 else {
                throw ParquetError.corrupt("a dictionary-encoded page of column '\(column)' has index bit width \(bitWidth) (at most 32)")
            }
            var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: page.values[1...]), bitWidth: bitWidth)
            let inside = try rethrowingParquetErrors {
                try dictionary.withUnsafeBufferPointer { d in try decoder.gather(count: count, from: d, into: target.baseAddress!) }
            }
            if !inside { throw ParquetError.corrupt("a dictionary index of column '\(column)' is outside its \(dictionary.count)-entry dictionary") }
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
