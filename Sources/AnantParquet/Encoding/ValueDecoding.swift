/// Decodes the values section of a data or dictionary page into `LeafValues`.
enum ValueDecoding {
    /// Decodes `count` non-null values encoded with `encoding` from `data`, appending to
    /// `values`; `dictionary` is required for dictionary encodings.
    static func decode(_ data: UnsafeRawBufferPointer, encoding: Encoding, count: Int, physical: PhysicalType,
                       typeLength: Int, dictionary: LeafValues?, into values: inout LeafValues, column: String) throws(ParquetError) {
        if count == 0 { return }
        switch encoding {
        case .plain:
            try plain(data, count: count, physical: physical, typeLength: typeLength, into: &values, column: column)
        case .plainDictionary, .rleDictionary:
            guard let dictionary else {
                throw ParquetError.corrupt("column '\(column)' has a dictionary-encoded page but no dictionary page")
            }
            try dictionaryIndices(data, count: count, dictionary: dictionary, into: &values, column: column)
        case .rle:
            guard physical == .boolean else { throw unsupported(encoding, physical, column) }
            guard data.count >= 4 else { throw ParquetError.corrupt("an RLE boolean page of column '\(column)' lacks its length") }
            let length = Int(UInt32(littleEndian: data.loadUnaligned(as: UInt32.self)))
            guard length <= data.count - 4 else { throw ParquetError.corrupt("an RLE boolean run of column '\(column)' claims \(length) bytes") }
            var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: data[4..<(4 + length)]), bitWidth: 1)
            var bits = [UInt32](repeating: 0, count: count)
            try bits.withUnsafeMutableBufferPointer { b throws(ParquetError) in try decoder.decode(count: count, into: b.baseAddress!) }
            guard case .boolean(var out) = values else { preconditionFailure("boolean column") }
            values = .int32([])
            out.append(contentsOf: bits.lazy.map { $0 != 0 })
            values = .boolean(out)
        case .deltaBinaryPacked:
            guard physical == .int32 || physical == .int64 else { throw unsupported(encoding, physical, column) }
            var decoder = try DeltaBinaryPackedDecoder(data)
            var raw = [UInt64]()
            try decoder.decode(maximumBitWidth: physical == .int32 ? 32 : 64, expected: count, into: &raw)
            switch values {
            case .int32(var out):
                values = .int64([])
                out.append(contentsOf: raw.prefix(count).lazy.map { Int32(truncatingIfNeeded: $0) })
                values = .int32(out)
            case .int64(var out):
                values = .int32([])
                out.append(contentsOf: raw.prefix(count).lazy.map { Int64(bitPattern: $0) })
                values = .int64(out)
            default: preconditionFailure("integer column")
            }
        case .deltaLengthByteArray, .deltaByteArray:
            guard physical == .byteArray || (physical == .fixedLenByteArray && encoding == .deltaByteArray) else {
                throw unsupported(encoding, physical, column)
            }
            guard case .bytes(var out) = values else { preconditionFailure("byte array column") }
            values = .int32([])
            defer { values = .bytes(out) }
            if encoding == .deltaLengthByteArray {
                _ = try ByteArrayDecoders.deltaLength(data, count: count, into: &out)
            } else {
                let start = out.count
                _ = try ByteArrayDecoders.deltaByteArray(data, count: count, into: &out)
                if physical == .fixedLenByteArray {
                    for i in start..<out.count where out.offsets[i + 1] - out.offsets[i] != typeLength {
                        throw ParquetError.corrupt("a DELTA_BYTE_ARRAY value of FIXED_LEN_BYTE_ARRAY(\(typeLength)) column '\(column)' has the wrong length")
                    }
                }
            }
        case .byteStreamSplit:
            try byteStreamSplit(data, count: count, physical: physical, typeLength: typeLength, into: &values, column: column)
        default:
            throw ParquetError(.unsupported, "column '\(column)' uses encoding \(encoding), which Anant does not read")
        }
    }

    static func unsupported(_ encoding: Encoding, _ physical: PhysicalType, _ column: String) -> ParquetError {
        ParquetError.corrupt("column '\(column)' uses encoding \(encoding) on \(physical) values, which the format does not allow")
    }

    private static func plain(_ data: UnsafeRawBufferPointer, count: Int, physical: PhysicalType, typeLength: Int,
                              into values: inout LeafValues, column: String) throws(ParquetError) {
        func need(_ bytes: Int) throws(ParquetError) {
            guard bytes <= data.count else {
                throw ParquetError.corrupt("a PLAIN page of column '\(column)' needs \(bytes) bytes for \(count) values but holds \(data.count)")
            }
        }
        switch values {
        case .boolean(var out):
            try need((count + 7) / 8)
            values = .int32([])
            out.reserveAdditional(count)
            for i in 0..<count { out.append(data[i >> 3] & (1 << (i & 7)) != 0) }
            values = .boolean(out)
        case .int32(var out):
            try need(count * 4)
            values = .int64([])
            appendRaw(data, count: count, into: &out)
            values = .int32(out)
        case .int64(var out):
            try need(count * 8)
            values = .int32([])
            appendRaw(data, count: count, into: &out)
            values = .int64(out)
        case .float(var out):
            try need(count * 4)
            values = .int32([])
            appendRaw(data, count: count, into: &out)
            values = .float(out)
        case .double(var out):
            try need(count * 8)
            values = .int32([])
            appendRaw(data, count: count, into: &out)
            values = .double(out)
        case .int96(var out):
            try need(count * 12)
            values = .int32([])
            out.reserveAdditional(count)
            for i in 0..<count {
                out.append(Int96(nanosOfDay: Int64(littleEndian: data.loadUnaligned(fromByteOffset: 12 * i, as: Int64.self)),
                                 julianDay: Int32(littleEndian: data.loadUnaligned(fromByteOffset: 12 * i + 8, as: Int32.self))))
            }
            values = .int96(out)
        case .bytes(var out):
            values = .int32([])
            defer { values = .bytes(out) }
            if physical == .fixedLenByteArray {
                _ = try ByteArrayDecoders.fixed(data, count: count, width: typeLength, into: &out)
            } else {
                _ = try ByteArrayDecoders.plain(data, count: count, into: &out)
            }
        }
    }

    /// Copies `count` little-endian fixed-width values (the host is little-endian; `data`
    /// may be unaligned, so the bytes are copied, not reinterpreted in place).
    static func appendRaw<T: Numeric>(_ data: UnsafeRawBufferPointer, count: Int, into out: inout [T]) {
        guard count > 0 else { return }
        let start = out.count
        out.append(contentsOf: repeatElement(T.zero, count: count))
        out.withUnsafeMutableBytes { destination in
            destination.baseAddress!.advanced(by: start * MemoryLayout<T>.stride)
                .copyMemory(from: data.baseAddress!, byteCount: count * MemoryLayout<T>.stride)
        }
    }

    private static func dictionaryIndices(_ data: UnsafeRawBufferPointer, count: Int, dictionary: LeafValues,
                                          into values: inout LeafValues, column: String) throws(ParquetError) {
        guard data.count >= 1 else { throw ParquetError.corrupt("a dictionary-encoded page of column '\(column)' is empty") }
        let width = Int(data[0])
        guard width <= 32 else {
            throw ParquetError.corrupt("a dictionary-encoded page of column '\(column)' has index bit width \(width) (at most 32)")
        }
        var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: data[1...]), bitWidth: width)
        var indices = [UInt32](repeating: 0, count: count)
        let size = UInt32(dictionary.count)
        try indices.withUnsafeMutableBufferPointer { buffer throws(ParquetError) in
            try decoder.decode(count: count, into: buffer.baseAddress!)
            var bad: UInt32 = 0
            for i in buffer where i >= size { bad = i }
            guard bad == 0 || size > bad else {
                throw ParquetError.corrupt("a dictionary index \(bad) of column '\(column)' is outside its \(size)-entry dictionary")
            }
            values.appendGathered(from: dictionary, indices: UnsafeBufferPointer(buffer))
        }
    }

    private static func byteStreamSplit(_ data: UnsafeRawBufferPointer, count: Int, physical: PhysicalType, typeLength: Int,
                                        into values: inout LeafValues, column: String) throws(ParquetError) {
        let width: Int
        switch physical {
        case .float, .int32: width = 4
        case .double, .int64: width = 8
        case .fixedLenByteArray: width = typeLength
        default: throw unsupported(.byteStreamSplit, physical, column)
        }
        guard width > 0, data.count >= width * count, data.count % width == 0 else {
            throw ParquetError.corrupt("a BYTE_STREAM_SPLIT page of column '\(column)' holds \(data.count) bytes for \(count) values of \(width) bytes")
        }
        // Streams are as long as the page's value count (data.count / width).
        let stride = data.count / width
        var joined = [UInt8](repeating: 0, count: count * width)
        for i in 0..<count {
            for j in 0..<width { joined[i * width + j] = data[j * stride + i] }
        }
        try rethrowingParquetErrors {
            try joined.withUnsafeBytes { raw in
                try plain(raw, count: count, physical: physical, typeLength: typeLength, into: &values, column: column)
            }
        }
    }
}
