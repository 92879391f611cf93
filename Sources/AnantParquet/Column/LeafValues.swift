/// An INT96 value (deprecated Impala/Spark timestamps): nanoseconds of the day and the
/// Julian day, as stored.
public struct Int96: Sendable, Hashable {
    public var nanosOfDay: Int64
    public var julianDay: Int32

    /// Nanoseconds since the Unix epoch; may exceed 64 bits, so 128.
    public var nanosecondsSinceEpoch: Int128 {
        (Int128(julianDay) - 2_440_588) * 86_400_000_000_000 + Int128(nanosOfDay)
    }

    /// The timestamp as ISO 8601 text (UTC, nanoseconds), exact for any Julian day.
    public var isoText: String {
        // The proleptic Gregorian date of a Julian day number (Richards' algorithm).
        let f = Int64(julianDay) + 1401 + (((4 * Int64(julianDay) + 274_277) / 146_097) * 3) / 4 - 38
        let e = 4 * f + 3, g = (e % 1461) / 4, h = 5 * g + 2
        let day = (h % 153) / 5 + 1, month = (h / 153 + 2) % 12 + 1, year = e / 1461 - 4716 + (14 - month) / 12
        func pad(_ v: Int64, _ width: Int) -> String {
            let text = String(v.magnitude)
            return (v < 0 ? "-" : "") + String(repeating: "0", count: Swift.max(0, width - text.count)) + text
        }
        let seconds = nanosOfDay / 1_000_000_000, fraction = nanosOfDay % 1_000_000_000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
            + (fraction == 0 ? "" : ".\(pad(fraction, 9))") + "Z"
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
        // Each case moves the array out of `self` before appending, so that it is uniquely
        // referenced and grows in place (matching on a `(self, dictionary)` tuple would hold
        // a second reference and copy the whole column on every page).
        switch dictionary {
        case .boolean(let d):
            guard case .boolean(var out) = self else { break }
            self = .int32([])
            out.reserveAdditional(indices.count)
            for i in indices { out.append(d[Int(i)]) }
            self = .boolean(out)
            return
        case .int32(let d):
            guard case .int32(var out) = self else { break }
            self = .int32([])
            LeafValues.gather(d, indices, into: &out)
            self = .int32(out)
            return
        case .int64(let d):
            guard case .int64(var out) = self else { break }
            self = .int32([])
            LeafValues.gather(d, indices, into: &out)
            self = .int64(out)
            return
        case .int96(let d):
            guard case .int96(var out) = self else { break }
            self = .int32([])
            LeafValues.gather(d, indices, into: &out)
            self = .int96(out)
            return
        case .float(let d):
            guard case .float(var out) = self else { break }
            self = .int32([])
            LeafValues.gather(d, indices, into: &out)
            self = .float(out)
            return
        case .double(let d):
            guard case .double(var out) = self else { break }
            self = .int32([])
            LeafValues.gather(d, indices, into: &out)
            self = .double(out)
            return
        case .bytes(let d):
            guard case .bytes(var out) = self else { break }
            self = .int32([])
            // Offsets first, then the bytes into storage grown once.
            let first = out.bytes.count, rowBase = out.offsets.count
            var end = first
            out.offsets.reserveAdditional(indices.count)
            d.offsets.withUnsafeBufferPointer { o in
                for i in indices {
                    end += o[Int(i) + 1] - o[Int(i)]
                    out.offsets.append(end)
                }
            }
            out.bytes.append(contentsOf: repeatElement(0, count: end - first))
            out.bytes.withUnsafeMutableBufferPointer { target in
                d.bytes.withUnsafeBufferPointer { source in
                    d.offsets.withUnsafeBufferPointer { o in
                        for (k, i) in indices.enumerated() {
                            let start = o[Int(i)], length = o[Int(i) + 1] - start
                            var position = out.offsets[rowBase + k] - length
                            for b in start..<(start + length) {
                                target[position] = source[b]
                                position += 1
                            }
                        }
                    }
                }
            }
            self = .bytes(out)
            return
        }
        preconditionFailure("dictionary and data pages of one column have the same type")
    }

    private static func gather<T>(_ dictionary: [T], _ indices: UnsafeBufferPointer<UInt32>, into out: inout [T]) {
        out.reserveAdditional(indices.count)
        dictionary.withUnsafeBufferPointer { d in
            for i in indices { out.append(d[Int(i)]) }
        }
    }
}
