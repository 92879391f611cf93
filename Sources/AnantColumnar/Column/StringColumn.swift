import CAnantSystem
/// A column of UTF-8 strings: one byte buffer and `count + 1` offsets into it.
///
/// Row `i` is `bytes[offsets[i] ..< offsets[i + 1]]`. Null rows are empty ranges with a
/// clear validity bit. Offsets are 64-bit so a column may exceed 2 GiB of text.
public struct StringColumn: Sendable, Hashable {
    /// Start offsets of every row, then the end of the last row; `offsets[0] == 0`.
    public private(set) var offsets: [Int64]
    /// The UTF-8 bytes of all rows, back to back.
    public private(set) var bytes: [UInt8]
    /// Which rows hold a value (`nil`: all of them).
    public var validity: Bitmap?

    /// Creates an empty column.
    public init() {
        offsets = [0]
        bytes = []
        validity = nil
    }

    /// Creates a column from its buffers; `offsets` must start at 0, never decrease and end
    /// at `bytes.count`.
    public init(offsets: [Int64], bytes: [UInt8], validity: Bitmap? = nil) throws(ColumnarError) {
        guard let first = offsets.first, first == 0, offsets.last == Int64(bytes.count) else {
            throw ColumnarError(.invalidValue, "string offsets must start at 0 and end at the byte count \(bytes.count)")
        }
        for i in 1..<offsets.count where offsets[i] < offsets[i - 1] {
            throw ColumnarError(.invalidValue, "string offsets decrease at row \(i - 1)")
        }
        if let validity, validity.count != offsets.count - 1 {
            throw ColumnarError(.lengthMismatch, "validity has \(validity.count) bits for \(offsets.count - 1) strings")
        }
        self.offsets = offsets
        self.bytes = bytes
        self.validity = validity
    }

    /// Creates a column from optional strings (`nil` is null).
    public init<S: Sequence>(optionals: S) where S.Element == String? {
        self.init()
        for value in optionals { append(value) }
    }

    /// Creates a column of non-null strings.
    public init<S: Sequence>(_ strings: S) where S.Element == String {
        self.init()
        for value in strings { append(value) }
    }

    /// The number of rows.
    @inlinable public var count: Int { offsets.count - 1 }

    /// The number of null rows.
    public var nullCount: Int { validity.map { $0.count - $0.setCount } ?? 0 }

    /// True if row `index` is null.
    @inlinable public func isNull(_ index: Int) -> Bool {
        guard let validity else { return false }
        return !validity[index]
    }

    /// The byte range of row `index` in `bytes`.
    @inlinable public func byteRange(_ index: Int) -> Range<Int> {
        Int(offsets[index])..<Int(offsets[index + 1])
    }

    /// The string of row `index`, or nil when it is null. Invalid UTF-8 is repaired with
    /// U+FFFD (columns built by Anant hold valid UTF-8 only).
    public subscript(index: Int) -> String? {
        if isNull(index) { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[byteRange(index)]), as: UTF8.self)
        }
    }

    /// Calls `body` with the UTF-8 bytes of row `index` (empty for a null).
    @inlinable
    public func withUTF8<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { buffer in
            try body(UnsafeBufferPointer(rebasing: buffer[byteRange(index)]))
        }
    }

    /// Appends one string (`nil` appends a null).
    public mutating func append(_ value: String?) {
        guard var value else { return appendNull() }
        value.withUTF8 { appendValid($0) }
    }

    /// Appends one non-null value given as UTF-8 bytes.
    public mutating func append(utf8: UnsafeBufferPointer<UInt8>) {
        appendValid(utf8)
    }

    /// Appends a null.
    public mutating func appendNull() {
        if validity == nil { validity = Bitmap(count: count, value: true) }
        offsets.append(Int64(bytes.count))
        validity!.append(false)
    }

    /// Reserves room for `rows` more rows holding `byteCount` more bytes.
    public mutating func reserve(rows: Int, bytes byteCount: Int) {
        offsets.reserveAdditional(rows)
        bytes.reserveAdditional(byteCount)
    }

    private mutating func appendValid(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: utf8)
        offsets.append(Int64(bytes.count))
        validity?.append(true)
    }

    /// The rows at `indices`, in that order.
    public func gather(_ indices: [Int]) -> StringColumn { gathering(indices) }

    /// The rows at `indices`, in that order.
    public func gather(_ indices: [Int32]) -> StringColumn { gathering(indices) }

    /// The generic gather, specialised inside this module for each index collection the
    /// public entry points pass (a generic public entry point would run unspecialised,
    /// element by element through witness tables, when called from other modules).
    func gathering<C: Collection>(_ indices: C) -> StringColumn where C.Element: BinaryInteger {
        // Pass 1: each row's start (kept) and length (into the new offsets); pass 2: the
        // bytes, into storage sized once. Both prefetch the rows a little ahead: the
        // reads are random, and overlapping their cache misses is most of the speed.
        let rows = indices.map { Int($0) }
        let n = rows.count, ahead = 16
        var out = StringColumn()
        var starts = [Int](repeating: 0, count: n)
        var total: Int64 = 0
        out.offsets = [Int64](unsafeUninitializedCapacity: n + 1) { buffer, initialized in
            buffer[0] = 0
            offsets.withUnsafeBufferPointer { offsets in
                starts.withUnsafeMutableBufferPointer { starts in
                    for k in 0..<n {
                        if k + ahead < n { anant_prefetch(offsets.baseAddress! + rows[k + ahead]) }
                        let i = rows[k]
                        starts[k] = Int(offsets[i])
                        total += offsets[i + 1] - offsets[i]
                        buffer[k + 1] = total
                    }
                }
            }
            initialized = n + 1
        }
        let newOffsets = out.offsets
        out.bytes = [UInt8](unsafeUninitializedCapacity: Int(total)) { target, initialized in
            bytes.withUnsafeBufferPointer { source in
                guard let base = source.baseAddress else { return }
                for k in 0..<n {
                    if k + ahead < n { anant_prefetch(base + starts[k + ahead]) }
                    let position = Int(newOffsets[k]), length = Int(newOffsets[k + 1]) - position, start = starts[k]
                    if length <= 16 {
                        for b in 0..<length { target[position + b] = source[start + b] }
                    } else {
                        (target.baseAddress! + position).update(from: base + start, count: length)
                    }
                }
            }
            initialized = Int(total)
        }
        out.validity = Bitmap.canonical(validity?.gathering(indices))
        return out
    }

    /// The rows in `range`.
    public func slice(_ range: Range<Int>) -> StringColumn {
        precondition(range.lowerBound >= 0 && range.upperBound < offsets.count, "slice out of range")
        let start = offsets[range.lowerBound], end = offsets[range.upperBound]
        var out = StringColumn()
        out.offsets = offsets[range.lowerBound...range.upperBound].map { $0 - start }
        out.bytes = Array(bytes[Int(start)..<Int(end)])
        out.validity = Bitmap.canonical(validity?.slice(range))
        return out
    }
}
