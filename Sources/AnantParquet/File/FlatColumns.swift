import AnantColumnar

/// Converts a flat leaf's decoded chunk into an Anant column (see the mapping in
/// `ParquetFileReader+Columnar`).
enum FlatColumns {
    static func dataType(_ leaf: ColumnDescriptor) -> DataType {
        switch leaf.physicalType {
        case .boolean: return .bool
        case .int32:
            if case .integer(32, false)? = leaf.logicalType { return .int64 }
            if case .decimal? = leaf.logicalType { return .double }
            return .int32
        case .int64:
            if case .decimal? = leaf.logicalType { return .double }
            return .int64
        case .int96: return .int64
        case .float, .double: return .double
        case .byteArray:
            switch leaf.logicalType {
            case .json?: return .json
            case .decimal?: return .double
            default: return .string
            }
        case .fixedLenByteArray:
            switch leaf.logicalType {
            case .decimal?, .float16?: return .double
            default: return .string
            }
        }
    }

    static func column(_ data: ColumnChunkData, _ leaf: ColumnDescriptor) throws(ParquetError) -> Column {
        let rows = data.entryCount
        let validity = validityBitmap(data, leaf)
        // Positions of the rows that hold values, when some are null.
        func spread<V>(_ values: [V], zero: V) -> [V] {
            guard validity != nil else { return values }
            var out = [V](repeating: zero, count: rows)
            var next = 0
            let maximum = Int16(leaf.maxDefinitionLevel)
            data.definitionLevels.withUnsafeBufferPointer { levels in
                for row in 0..<rows where levels[row] == maximum {
                    out[row] = values[next]
                    next += 1
                }
            }
            return out
        }
        let type = dataType(leaf)
        switch data.values {
        case .boolean(let v):
            return .bool(BoolColumn(bits: Bitmap(spread(v, zero: false)), validity: validity))
        case .int32(let v):
            switch type {
            case .int64: return .int64(Int64Column(spread(v.map { Int64(UInt32(bitPattern: $0)) }, zero: 0), validity: validity))
            case .double: return .double(DoubleColumn(spread(v.map { decimal(Int64($0), leaf) }, zero: 0), validity: validity))
            default: return .int32(Int32Column(spread(v, zero: 0), validity: validity))
            }
        case .int64(let v):
            if type == .double { return .double(DoubleColumn(spread(v.map { decimal($0, leaf) }, zero: 0), validity: validity)) }
            return .int64(Int64Column(spread(v, zero: 0), validity: validity))
        case .int96(let v):
            // Nanoseconds since the epoch in 64 bits cover 1677-09-21 to 2262-04-11; a value
            // outside is refused, never wrapped into a wrong date.
            var nanoseconds = [Int64]()
            nanoseconds.reserveCapacity(v.count)
            for value in v {
                guard let exact = Int64(exactly: value.nanosecondsSinceEpoch) else {
                    throw ParquetError(.unsupported, """
                        column '\(leaf.path.joined(separator: "."))' holds the INT96 timestamp \(value.isoText), outside the \
                        1677-09-21 ... 2262-04-11 range of 64-bit nanoseconds that Anant's columns hold; `anant parquet digest` \
                        gives its exact value (rewrite the column as a microsecond TIMESTAMP to read it as a column)
                        """)
                }
                nanoseconds.append(exact)
            }
            return .int64(Int64Column(spread(nanoseconds, zero: 0), validity: validity))
        case .float(let v):
            return .double(DoubleColumn(spread(v.map(Double.init), zero: 0), validity: validity))
        case .double(let v):
            return .double(DoubleColumn(spread(v, zero: 0), validity: validity))
        case .bytes(let buffer):
            if type == .double {
                let numbers = (0..<buffer.count).map { i -> Double in
                    if case .double(let d) = ValueRendering.json(data.values, i, leaf) { return d }
                    if case .string(let s) = ValueRendering.json(data.values, i, leaf) { return Double(s) ?? .nan }
                    return .nan
                }
                return .double(DoubleColumn(spread(numbers, zero: 0), validity: validity))
            }
            if leaf.physicalType == .byteArray {
                // Text keeps the decoded bytes as they are: only the offsets are rebuilt
                // (null rows take no bytes).
                var offsets = [Int64](repeating: 0, count: rows + 1)
                var next = 0
                let maximum = Int16(leaf.maxDefinitionLevel)
                buffer.offsets.withUnsafeBufferPointer { source in
                    offsets.withUnsafeMutableBufferPointer { out in
                        for row in 0..<rows {
                            if validity != nil && data.definitionLevels[row] != maximum {
                                out[row + 1] = out[row]
                                continue
                            }
                            out[row + 1] = out[row] + Int64(source[next + 1] - source[next])
                            next += 1
                        }
                    }
                }
                let strings = try? StringColumn(offsets: offsets, bytes: buffer.bytes, validity: validity)
                if let strings { return type == .json ? .json(strings) : .string(strings) }
            }
            var strings = StringColumn()
            strings.reserve(rows: rows, bytes: buffer.bytes.count)
            let textual = leaf.physicalType == .byteArray
            var next = 0
            let maximum = Int16(leaf.maxDefinitionLevel)
            buffer.bytes.withUnsafeBytes { raw in
                for row in 0..<rows {
                    if validity != nil && data.definitionLevels[row] != maximum {
                        strings.appendNull()
                        continue
                    }
                    if textual {
                        strings.append(utf8: UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[buffer.offsets[next]..<buffer.offsets[next + 1]]))
                    } else if case .string(let text) = ValueRendering.json(data.values, next, leaf) {
                        strings.append(text)
                    }
                    next += 1
                }
            }
            return type == .json ? .json(strings) : .string(strings)
        }
    }

    /// One bit per row, set where the row holds a value (nil when none is null).
    static func validityBitmap(_ data: ColumnChunkData, _ leaf: ColumnDescriptor) -> Bitmap? {
        guard leaf.maxDefinitionLevel > 0 else { return nil }
        let maximum = Int16(leaf.maxDefinitionLevel)
        guard data.definitionLevels.contains(where: { $0 != maximum }) else { return nil }
        return Bitmap(data.definitionLevels.lazy.map { $0 == maximum })
    }

    private static func decimal(_ unscaled: Int64, _ leaf: ColumnDescriptor) -> Double {
        guard case .decimal(let scale, _)? = leaf.logicalType else { return Double(unscaled) }
        return Double(ValueRendering.decimalText(String(unscaled), scale: Int(scale))) ?? Double(unscaled)
    }
}
