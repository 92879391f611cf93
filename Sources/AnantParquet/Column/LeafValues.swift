/// An INT96 value (deprecated Impala/Spark timestamps): nanoseconds of the day and the
/// Julian day, as stored.
public struct Int96: Sendable, Hashable {
    public var nanosOfDay: Int64
    public var julianDay: Int32

    /// Nanoseconds since the Unix epoch; may exceed 64 bits, so 128.
    public var nanosecondsSinceEpoch: Int128 {
        (Int128(julianDay) - 2_440_588) * 86_400_000_000_000 + Int128(nanosOfDay)
    }
}

/// The non-null values of one leaf column chunk, decoded to their physical type.
public enum LeafValues: Sendable {
    case boolean([Bool])
    case int32([Int32])
    case int64([Int64])
    case int96([Int96])
    case float([Float])
    case double([Double])
    /// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY values.
    case bytes(ByteArrayBuffer)

    /// An empty buffer for a physical type.
    static func empty(_ type: PhysicalType) -> LeafValues {
        switch type {
        case .boolean: return .boolean([])
        case .int32: return .int32([])
        case .int64: return .int64([])
        case .int96: return .int96([])
        case .float: return .float([])
        case .double: return .double([])
        case .byteArray, .fixedLenByteArray: return .bytes(ByteArrayBuffer())
        }
    }

    /// The number of values.
    public var count: Int {
        switch self {
        case .boolean(let v): return v.count
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        case .int96(let v): return v.count
        case .float(let v): return v.count
        case .double(let v): return v.count
        case .bytes(let v): return v.count
        }
    }

    /// Appends `self[indices]` of `dictionary` (same type) to `self`; every index has been
    /// checked against the dictionary size.
    mutating func appendGathered(from dictionary: LeafValues, indices: UnsafeBufferPointer<UInt32>) {
        switch (self, dictionary) {
        case (.boolean(var out), .boolean(let d)):
            self = .int32([])
            for i in indices { out.append(d[Int(i)]) }
            self = .boolean(out)
        case (.int32(var out), .int32(let d)):
            self = .int32([])
            LeafValues.gather(d, indices, into: &out)
            self = .int32(out)
        case (.int64(var out), .int64(let d)):
            self = .int32([])
            LeafValues.gather(d, indices, into: &out)
            self = .int64(out)
        case (.int96(var out), .int96(let d)):
            self = .int32([])
            for i in indices { out.append(d[Int(i)]) }
            self = .int96(out)
        case (.float(var out), .float(let d)):
            self = .int32([])
            LeafValues.gather(d, indices, into: &out)
            self = .float(out)
        case (.double(var out), .double(let d)):
            self = .int32([])
            LeafValues.gather(d, indices, into: &out)
            self = .double(out)
        case (.bytes(var out), .bytes(let d)):
            self = .int32([])
            var total = 0
            for i in indices { total += d.offsets[Int(i) + 1] - d.offsets[Int(i)] }
            out.bytes.reserveCapacity(out.bytes.count + total)
            out.offsets.reserveCapacity(out.offsets.count + indices.count)
            d.bytes.withUnsafeBytes { raw in
                for i in indices {
                    out.append(UnsafeRawBufferPointer(rebasing: raw[d.offsets[Int(i)]..<d.offsets[Int(i) + 1]]))
                }
            }
            self = .bytes(out)
        default:
            preconditionFailure("dictionary and data pages of one column have the same type")
        }
    }

    private static func gather<T>(_ dictionary: [T], _ indices: UnsafeBufferPointer<UInt32>, into out: inout [T]) {
        let start = out.count
        out.reserveCapacity(start + indices.count)
        dictionary.withUnsafeBufferPointer { d in
            for i in indices { out.append(d[Int(i)]) }
        }
    }
}
