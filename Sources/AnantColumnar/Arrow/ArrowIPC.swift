/// The Arrow IPC stream format (columnar data on the wire, and `.arrow` files): a Schema
/// message, RecordBatch messages, an end-of-stream marker. Each message is the
/// continuation marker 0xFFFFFFFF, the metadata's length, the metadata (a FlatBuffer,
/// padded to 8 bytes) and the body (the buffers, each 8-byte aligned). pyarrow
/// (`pa.ipc.open_stream`) and polars (`pl.read_ipc_stream`) read what `ArrowIPC` writes;
/// it reads what they write.
///
/// Types: int32 and int64 as signed Int, double as FloatingPoint(DOUBLE), bool as Bool,
/// string as Utf8 (LargeUtf8 beyond 2 GiB of text), json as Utf8 with the canonical
/// `arrow.json` extension. Reading also widens Int8/16 and UInt8/16/32 to int32 or int64,
/// Float32 to double, LargeUtf8 to string, and decodes dictionary-encoded columns
/// (DictionaryBatch messages). Other types, compressed bodies and big-endian streams are
/// refused with `ColumnarError.invalidArrow`, as is anything malformed: every length and
/// offset is checked before it is used.
/// Bytes laid out before they are written: `count` of them, which `write(into:)` puts
/// into memory of exactly that size (a frame's, say), so that large data is copied once
/// from where it lies; `bytes` writes them into an array of their own.
public protocol LaidOutBytes {
    var count: Int { get }
    func write(into space: UnsafeMutableRawBufferPointer)
}

extension LaidOutBytes {
    /// The bytes, written into an array of exactly `count`.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { space, initialized in
            write(into: UnsafeMutableRawBufferPointer(space))
            initialized = count
        }
    }
}

public enum ArrowIPC {
    /// The bytes of a stream holding `batches` (every one of `schema`).
    /// `metadata` goes into the schema's custom metadata (key-value pairs, in order).
    public static func stream(_ schema: Schema, _ batches: [RecordBatch], metadata: [(String, String)] = []) throws(ColumnarError) -> [UInt8] {
        try EncodedStream(schema, batches.map { ($0, 0..<$0.rowCount) }, metadata: metadata).bytes
    }

    /// The stream of one batch.
    public static func stream(_ batch: RecordBatch) throws(ColumnarError) -> [UInt8] {
        try EncodedStream(batch).bytes
    }

    /// A stream laid out before it is written: its messages' metadata made, its batches'
    /// buffers only found, so that `write(into:)` puts it into memory of exactly `count`
    /// bytes (a frame's, say) with one copy of the column data; the rows of a batch may be
    /// a range of it, written as `RecordBatch.slice` would make them, without the slice.
    public struct EncodedStream: Sendable, LaidOutBytes {
        private let schemaMessage: [UInt8]
        private let batches: [EncodedBatch]
        /// The stream's size in bytes.
        public let count: Int

        /// The stream of `batches` (each rows of a batch of `schema`).
        ///
        /// - Throws: `typeMismatch` for a batch of another schema; `invalidValue` for a
        ///   string column of more than 2 GiB of text in one batch.
        public init(_ schema: Schema, _ batches: [(RecordBatch, Range<Int>)], metadata: [(String, String)] = []) throws(ColumnarError) {
            schemaMessage = ArrowIPC.schemaMessage(schema, metadata: metadata)
            var encoded = [EncodedBatch]()
            for (batch, rows) in batches {
                guard batch.schema == schema else {
                    throw ColumnarError(.typeMismatch, "a batch of schema \(batch.schema) in a stream of schema \(schema)")
                }
                encoded.append(try EncodedBatch(batch, rows: rows))
            }
            self.batches = encoded
            count = schemaMessage.count + encoded.reduce(0) { $0 + $1.count } + endOfStream.count
        }

        /// The stream of the rows `rows` of `batch` (all of them by default).
        public init(_ batch: RecordBatch, rows: Range<Int>? = nil) throws(ColumnarError) {
            try self.init(batch.schema, [(batch, rows ?? 0..<batch.rowCount)])
        }

        /// Writes the stream into `space`, which holds exactly `count` bytes.
        public func write(into space: UnsafeMutableRawBufferPointer) {
            precondition(space.count == count, "room for exactly the stream")
            var at = space.baseAddress!
            func put(_ bytes: [UInt8]) {
                bytes.withUnsafeBytes { at.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                at += bytes.count
            }
            put(schemaMessage)
            for batch in batches {
                batch.write(into: UnsafeMutableRawBufferPointer(start: at, count: batch.count))
                at += batch.count
            }
            put(endOfStream)
        }
    }

    /// A batch's message laid out: its prefixed metadata, and the buffers of its body
    /// (each 8-byte aligned), written when the message is.
    struct EncodedBatch: Sendable, LaidOutBytes {
        /// One buffer of the body: its size, and what writes its bytes.
        struct Buffer: Sendable {
            let count: Int
            let write: @Sendable (UnsafeMutableRawPointer) -> Void
        }

        let metadata: [UInt8]
        let buffers: [Buffer]
        /// The body's size: the buffers, each padded to 8 bytes.
        let bodyCount: Int
        var count: Int { metadata.count + bodyCount }

        /// The message of the rows `rows` of `batch`: the bytes `batch.slice(rows)` would
        /// give, the columns' values read in place.
        init(_ batch: RecordBatch, rows: Range<Int>) throws(ColumnarError) {
            precondition(rows.lowerBound >= 0 && rows.upperBound <= batch.rowCount, "rows inside the batch")
            var buffers = [Buffer](), layout = [UInt8](), nodes = [UInt8](), body = 0
            func append(_ int: Int64, to raw: inout [UInt8]) { withUnsafeBytes(of: int.littleEndian) { raw.append(contentsOf: $0) } }
            func buffer(_ count: Int, _ write: @escaping @Sendable (UnsafeMutableRawPointer) -> Void) {
                append(Int64(body), to: &layout)
                append(Int64(count), to: &layout)
                buffers.append(Buffer(count: count, write: write))
                body += (count + 7) & ~7
            }
            func bytes<T: BitwiseCopyable & Sendable>(_ array: [T], from start: Int, count: Int) {
                buffer(count) { out in
                    guard count > 0 else { return }
                    array.withUnsafeBytes { out.copyMemory(from: $0.baseAddress! + start, byteCount: count) }
                }
            }
            func values<T: BitwiseCopyable & Sendable>(_ array: [T], _ range: Range<Int>) {
                bytes(array, from: range.lowerBound * MemoryLayout<T>.stride, count: range.count * MemoryLayout<T>.stride)
            }
            // Only the bytes holding the bits (not the last word's unused ones).
            func bitmap(_ bits: Bitmap?) { bytes(bits?.words ?? [], from: 0, count: bits.map { ($0.count + 7) / 8 } ?? 0) }
            let whole = rows == 0..<batch.rowCount
            for (name, column) in zip(batch.schema.names, batch.columns) {
                // A slice's validity as `slice` gives it.
                let validity: Bitmap?
                switch column {
                case _ where whole: validity = column.validity
                case .string(let c), .json(let c): validity = Bitmap.canonical(c.validity?.slice(rows))
                default: validity = column.validity?.slice(rows)
                }
                append(Int64(rows.count), to: &nodes)
                append(Int64(validity.map { $0.count - $0.setCount } ?? 0), to: &nodes)
                bitmap(validity)
                switch column {
                case .int32(let c): values(c.values, rows)
                case .int64(let c): values(c.values, rows)
                case .double(let c): values(c.values, rows)
                case .bool(let c): bitmap(whole ? c.bits : c.bits.slice(rows))
                case .string(let c), .json(let c):
                    // The schema declares Utf8 (32-bit offsets): more text is refused.
                    let (start, end) = (c.offsets[rows.lowerBound], c.offsets[rows.upperBound])
                    guard end - start <= Int64(Int32.max) else { throw tooLarge(name) }
                    let offsets = c.offsets, range = rows.lowerBound..<(rows.upperBound + 1)
                    // Stored byte-wise: a frame places the buffer at any address.
                    buffer(range.count * 4) { out in
                        for (i, offset) in offsets[range].enumerated() {
                            out.storeBytes(of: Int32(truncatingIfNeeded: offset - start).littleEndian, toByteOffset: 4 * i, as: Int32.self)
                        }
                    }
                    values(c.bytes, Int(start)..<Int(end))
                }
            }
            let header = FlatBuffer.Value.table([
                .int64(Int64(rows.count)),
                .offset(.structs(nodes, count: batch.columns.count, alignment: 8)),
                .offset(.structs(layout, count: layout.count / 16, alignment: 8)),
            ])
            metadata = message(MessageType.recordBatch, header, bodyLength: body)
            self.buffers = buffers
            bodyCount = body
        }

        /// Writes the message into `space`, which holds exactly `count` bytes.
        func write(into space: UnsafeMutableRawBufferPointer) {
            precondition(space.count == count, "room for exactly the message")
            metadata.withUnsafeBytes { space.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            var at = space.baseAddress! + metadata.count
            for buffer in buffers {
                buffer.write(at)
                let padded = (buffer.count + 7) & ~7
                (at + buffer.count).initializeMemory(as: UInt8.self, repeating: 0, count: padded - buffer.count)
                at += padded
            }
        }
    }

    private static func tooLarge(_ name: String) -> ColumnarError {
        ColumnarError(.invalidValue, "column '\(name)' holds more than 2 GiB of text in one batch: write it in smaller batches")
    }

    /// The marker that ends a stream.
    public static let endOfStream: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]

    /// The message announcing a stream's schema (the first of a stream).
    public static func schemaMessage(_ schema: Schema, metadata: [(String, String)] = []) -> [UInt8] {
        message(MessageType.schema, schemaTable(schema, metadata), body: [])
    }

    /// The bytes of an Arrow IPC file (`.arrow`: what `pa.ipc.open_file` and
    /// `pl.read_ipc` read): the magic, the stream, a footer locating every batch, its
    /// length, the magic again.
    public static func file(_ schema: Schema, _ batches: [RecordBatch], metadata: [(String, String)] = []) throws(ColumnarError) -> [UInt8] {
        var encoder = FileEncoder(schema, metadata: metadata)
        var out = encoder.start()
        for batch in batches { out += try encoder.append(batch) }
        return out + encoder.finish()
    }

    /// An Arrow IPC file in pieces, for writing one batch at a time: `start()`, then
    /// `append(_:)` per batch, then `finish()`; the pieces in order are the file. Only the
    /// batches' places are kept until the footer.
    public struct FileEncoder: Sendable {
        private let schema: Schema
        private let metadata: [(String, String)]
        private var offset = 0
        private var blocks = [UInt8]()
        private var count = 0

        public init(_ schema: Schema, metadata: [(String, String)] = []) {
            self.schema = schema
            self.metadata = metadata
        }

        /// The magic and the schema message.
        public mutating func start() -> [UInt8] {
            let out = Array("ARROW1".utf8) + [0, 0] + schemaMessage(schema, metadata: metadata)
            offset = out.count
            return out
        }

        /// One batch's message.
        public mutating func append(_ batch: RecordBatch) throws(ColumnarError) -> [UInt8] {
            guard batch.schema == schema else {
                throw ColumnarError(.typeMismatch, "a batch of schema \(batch.schema) in a file of schema \(schema)")
            }
            let message = try EncodedBatch(batch, rows: 0..<batch.rowCount)
            func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { blocks.append(contentsOf: $0) } }
            append(Int64(offset))
            append(Int32(message.metadata.count))
            append(Int32(0))
            append(Int64(message.bodyCount))
            offset += message.count
            count += 1
            return message.bytes
        }

        /// The end of the stream, the footer locating every batch, its length, the magic.
        public func finish() -> [UInt8] {
            let footer = FlatBuffer.encode(.table([
                .int16(4), .offset(schemaTable(schema, metadata)), .offset(.structs([], count: 0, alignment: 8)),
                .offset(.structs(blocks, count: count, alignment: 8)),
            ]))
            var out = endOfStream + footer
            withUnsafeBytes(of: Int32(footer.count).littleEndian) { out.append(contentsOf: $0) }
            return out + Array("ARROW1".utf8)
        }
    }

    /// The Schema table of `schema`.
    private static func schemaTable(_ schema: Schema, _ metadata: [(String, String)]) -> FlatBuffer.Value {
        let fields = schema.fields.map { field -> FlatBuffer.Value in
            var slots: [FlatBuffer.Slot?] = [.offset(.string(field.name)), .bool(field.nullable)]
            switch field.type {
            case .int32: slots += [.uint8(TypeID.int), .offset(.table([.int32(32), .bool(true)]))]
            case .int64: slots += [.uint8(TypeID.int), .offset(.table([.int32(64), .bool(true)]))]
            case .double: slots += [.uint8(TypeID.floatingPoint), .offset(.table([.int16(2)]))]
            case .bool: slots += [.uint8(TypeID.bool), .offset(.table([]))]
            case .string, .json: slots += [.uint8(TypeID.utf8), .offset(.table([]))]
            }
            slots += [nil, .offset(.tables([]))]
            if field.type == .json {
                slots.append(.offset(.tables([keyValue("ARROW:extension:name", "arrow.json"), keyValue("ARROW:extension:metadata", "")])))
            }
            return .table(slots)
        }
        return .table([.int16(0), .offset(.tables(fields)), metadata.isEmpty ? nil : .offset(.tables(metadata.map(keyValue)))])
    }

    /// The message of one batch (its schema announced before).
    ///
    /// - Throws: `invalidValue` for a string column of more than 2 GiB of text (Utf8's
    ///   32-bit offsets): write such a table in smaller batches.
    public static func batchMessage(_ batch: RecordBatch) throws(ColumnarError) -> [UInt8] {
        try EncodedBatch(batch, rows: 0..<batch.rowCount).bytes
    }

    /// The schema and batches of a whole stream, or of an Arrow IPC file (its stream part
    /// is read; the footer only repeats where the batches are).
    /// With `range`, the stream is those bytes of `bytes` (read in place: a stream inside
    /// a larger message is not copied out of it).
    public static func read(_ bytes: [UInt8], in range: Range<Int>? = nil) throws(ColumnarError)
        -> (schema: Schema, batches: [RecordBatch], metadata: [(String, String)]) {
        let range = range ?? 0..<bytes.count
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "a range inside the bytes")
        var reader = ArrowStreamReader()
        var batches = [RecordBatch]()
        var offset = range.lowerBound + (bytes[range].starts(with: Array("ARROW1".utf8)) ? 8 : 0)
        while let (message, next) = try ArrowIPC.nextMessage(bytes, at: offset, end: range.upperBound) {
            offset = next
            if let batch = try reader.read(message) { batches.append(batch) }
            if reader.ended { break }
        }
        guard let schema = reader.schema else { throw ColumnarError(.invalidArrow, "the Arrow IPC stream has no schema message") }
        return (schema, batches, reader.metadata)
    }

    // MARK: Messages

    enum TypeID {
        static let int: UInt8 = 2, floatingPoint: UInt8 = 3, utf8: UInt8 = 5, bool: UInt8 = 6, largeUtf8: UInt8 = 20
    }

    enum MessageType {
        static let schema: UInt8 = 1, dictionaryBatch: UInt8 = 2, recordBatch: UInt8 = 3
    }

    private static func keyValue(_ key: String, _ value: String) -> FlatBuffer.Value {
        .table([.offset(.string(key)), .offset(.string(value))])
    }

    /// Continuation marker, metadata length, metadata (Message, version V5), body.
    private static func message(_ type: UInt8, _ header: FlatBuffer.Value, body: [UInt8]) -> [UInt8] {
        message(type, header, bodyLength: body.count) + body
    }

    /// A message's prefixed metadata, announcing a body of `bodyLength` bytes.
    private static func message(_ type: UInt8, _ header: FlatBuffer.Value, bodyLength: Int) -> [UInt8] {
        let metadata = FlatBuffer.encode(.table([.int16(4), .uint8(type), .offset(header), .int64(Int64(bodyLength))]))
        var out: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
        withUnsafeBytes(of: Int32(metadata.count).littleEndian) { out.append(contentsOf: $0) }
        return out + metadata
    }

    /// Whether `bytes` start like an Arrow IPC file or stream.
    public static func isArrow(_ head: some Collection<UInt8>) -> Bool {
        head.starts(with: Array("ARROW1".utf8)) || head.starts(with: [0xFF, 0xFF, 0xFF, 0xFF])
    }

    /// One message of a stream: its metadata and body, and where the next one starts; nil
    /// at the end-of-stream marker or at `end` (default: the end of the bytes).
    public static func nextMessage(_ bytes: [UInt8], at offset: Int, end: Int? = nil) throws(ColumnarError) -> (ArrowMessage, Int)? {
        let end = end ?? bytes.count
        precondition(end <= bytes.count, "a stream's end inside the bytes")
        guard offset < end else { return nil }
        var at = offset
        func prefix() throws(ColumnarError) -> Int {
            guard end - at >= 4 else {
                throw ColumnarError(.invalidArrow, "an Arrow IPC message's length \(at - offset) bytes into the message is cut short")
            }
            defer { at += 4 }
            return Int(try FlatTable.read(Int32.self, bytes, at))
        }
        var length = try prefix()
        if length == -1 { length = try prefix() }
        if length == 0 { return nil }
        guard length > 0, length <= end - at else {
            throw ColumnarError(.invalidArrow, "an Arrow IPC message of \(length) metadata bytes does not fit the \(end - at) bytes after it")
        }
        let metadata = Array(bytes[at..<(at + length)])
        at += length
        let table = try FlatTable(root: metadata)
        let bodyLength = try table.scalar(3, default: Int64(0))
        guard bodyLength >= 0, bodyLength <= Int64(end - at) else {
            throw ColumnarError(.invalidArrow, "an Arrow IPC message body of \(bodyLength) bytes does not fit the \(end - at) bytes after its metadata")
        }
        return (ArrowMessage(metadata: table, body: bytes[at..<(at + Int(bodyLength))]), at + Int(bodyLength))
    }
}

/// One message of an Arrow IPC stream: its metadata (a `Message` FlatBuffer) and body.
/// The body is a slice of the stream's bytes, not a copy.
public struct ArrowMessage: Sendable {
    let metadata: FlatTable
    let body: ArraySlice<UInt8>
}

/// Reads a stream message by message (the wire delivers them one at a time): the schema
/// first, dictionaries, then batches.
public struct ArrowStreamReader: Sendable {
    /// The stream's schema, once its first message was read.
    public private(set) var schema: Schema?
    /// True after the end-of-stream marker.
    public private(set) var ended = false
    /// The schema's custom metadata (key-value pairs, in order).
    public private(set) var metadata: [(String, String)] = []
    private var fields: [ArrowField] = []
    private var dictionaries: [Int64: Column] = [:]

    public init() {}

    private static func invalid(_ message: String) -> ColumnarError { ColumnarError(.invalidArrow, message) }

    /// Reads one message; the batch it holds, if it is a record batch.
    public mutating func read(_ message: ArrowMessage) throws(ColumnarError) -> RecordBatch? {
        let version = try message.metadata.scalar(0, default: Int16(0))
        guard version >= 3 else { throw Self.invalid("Arrow IPC metadata version \(version) is too old (V4 or V5 are read)") }
        let type = try message.metadata.scalar(1, default: UInt8(0))
        guard let header = try message.metadata.table(2) else { throw Self.invalid("an Arrow IPC message has no header") }
        switch type {
        case ArrowIPC.MessageType.schema:
            guard schema == nil else { throw Self.invalid("a second schema message in one Arrow IPC stream") }
            if try header.scalar(0, default: Int16(0)) != 0 { throw Self.invalid("a big-endian Arrow IPC stream (only little-endian is read)") }
            fields = []
            for field in try header.tables(1) { fields.append(try ArrowField(field)) }
            for pair in try header.tables(2) { metadata.append((try pair.string(0) ?? "", try pair.string(1) ?? "")) }
            schema = try Schema(fields.map { Field($0.name, $0.type, nullable: $0.nullable) })
            return nil
        case ArrowIPC.MessageType.dictionaryBatch:
            guard schema != nil else { throw Self.invalid("a dictionary batch before the schema") }
            let id = try header.scalar(0, default: Int64(0))
            guard let data = try header.table(1) else { throw Self.invalid("a dictionary batch without data") }
            guard let field = fields.first(where: { $0.dictionary?.id == id }) else { throw Self.invalid("a dictionary batch for unknown dictionary \(id)") }
            var cursor = try BodyCursor(data, message.body)
            var values = try cursor.column(field.valueType, type: field.type)
            try cursor.done()
            if try header.bool(2), let old = dictionaries[id] { values = Column.concatenating([old, values]) }
            dictionaries[id] = values
            return nil
        case ArrowIPC.MessageType.recordBatch:
            guard let schema else { throw Self.invalid("a record batch before the schema") }
            var cursor = try BodyCursor(header, message.body)
            var columns = [Column]()
            for field in fields {
                if let dictionary = field.dictionary {
                    guard let values = dictionaries[dictionary.id] else { throw Self.invalid("column '\(field.name)' uses dictionary \(dictionary.id), never sent") }
                    columns.append(try cursor.indices(dictionary.indexType, into: values, name: field.name))
                } else {
                    columns.append(try cursor.column(field.valueType, type: field.type))
                }
            }
            try cursor.done()
            do { return try RecordBatch(schema: schema, columns: columns, rowCount: cursor.rowCount) } catch {
                throw Self.invalid("an Arrow record batch does not fit its schema: \(error.message)")
            }
        default:
            throw Self.invalid("Arrow IPC message type \(type) is not read (schema, dictionary and record batches are)")
        }
    }

    /// Marks the end of the stream.
    public mutating func end() { ended = true }
}

/// A field of an Arrow schema, as the reader needs it.
struct ArrowField: Sendable {
    /// How values are stored.
    enum Storage: Sendable, Equatable {
        case int(bits: Int, signed: Bool)
        case float(bits: Int)
        case bool
        case utf8(large: Bool)
    }

    var name: String
    var nullable: Bool
    var valueType: Storage
    var type: DataType
    var dictionary: (id: Int64, indexType: Storage)?

    init(_ table: FlatTable) throws(ColumnarError) {
        name = try table.string(0) ?? ""
        nullable = try table.bool(1)
        let typeID = try table.scalar(2, default: UInt8(0))
        let typeTable = try table.table(3)
        let name = self.name
        switch typeID {
        case ArrowIPC.TypeID.int:
            let (bits, signed) = try ArrowField.integer(typeTable, name)
            valueType = .int(bits: bits, signed: signed)
            type = bits < 32 || (bits == 32 && signed) ? .int32 : .int64
        case ArrowIPC.TypeID.floatingPoint:
            let precision = try typeTable?.scalar(0, default: Int16(0)) ?? 0
            guard precision == 1 || precision == 2 else { throw ColumnarError(.invalidArrow, "column '\(name)': half floats are not read") }
            valueType = .float(bits: precision == 1 ? 32 : 64)
            type = .double
        case ArrowIPC.TypeID.bool:
            valueType = .bool
            type = .bool
        case ArrowIPC.TypeID.utf8, ArrowIPC.TypeID.largeUtf8:
            valueType = .utf8(large: typeID == ArrowIPC.TypeID.largeUtf8)
            var isJSON = false
            for kv in try table.tables(6) where try kv.string(0) == "ARROW:extension:name" { isJSON = try kv.string(1) == "arrow.json" }
            type = isJSON ? .json : .string
        default:
            throw ColumnarError(.invalidArrow, "column '\(name)': Arrow type \(typeID) is not read (integers, floats, Booleans and strings are)")
        }
        if !(try table.tables(5)).isEmpty { throw ColumnarError(.invalidArrow, "column '\(name)': nested types are not read") }
        if let encoding = try table.table(4) {
            var index = ArrowField.Storage.int(bits: 32, signed: true)
            if let t = try encoding.table(1) {
                let (bits, signed) = try ArrowField.integer(t, name)
                index = .int(bits: bits, signed: signed)
            }
            dictionary = (try encoding.scalar(0, default: Int64(0)), index)
        }
    }

    /// An Int type's width and signedness: 8, 16, 32 or 64 bits, unsigned below 64.
    static func integer(_ t: FlatTable?, _ name: String) throws(ColumnarError) -> (Int, Bool) {
        guard let t else { throw ColumnarError(.invalidArrow, "column '\(name)': an Int type without its table") }
        let bits = Int(try t.scalar(0, default: Int32(0))), signed = try t.bool(1)
        guard [8, 16, 32, 64].contains(bits) else { throw ColumnarError(.invalidArrow, "column '\(name)': a \(bits)-bit integer type") }
        guard signed || bits < 64 else {
            throw ColumnarError(.invalidArrow, "column '\(name)': unsigned 64-bit integers are not read (they may not fit int64)")
        }
        return (bits, signed)
    }
}

/// Walks a record batch's field nodes and buffers over its body.
struct BodyCursor {
    /// The message's body; buffers are at offsets from its start.
    let body: ArraySlice<UInt8>
    let rowCount: Int
    private var nodes: [(length: Int, nulls: Int)] = []
    private var buffers: [Range<Int>] = []
    private var node = 0, buffer = 0

    init(_ header: FlatTable, _ body: ArraySlice<UInt8>) throws(ColumnarError) {
        self.body = body
        let length = try header.scalar(0, default: Int64(0))
        guard length >= 0, length < Int64(Int32.max) * 64 else { throw ColumnarError(.invalidArrow, "a record batch of \(length) rows") }
        rowCount = Int(length)
        if try header.table(3) != nil { throw ColumnarError(.invalidArrow, "compressed Arrow IPC bodies are not read; write the stream uncompressed") }
        if let (start, count) = try header.vector(1, stride: 16) {
            for k in 0..<count {
                let length = try FlatTable.read(Int64.self, header.bytes, start + 16 * k)
                let nulls = try FlatTable.read(Int64.self, header.bytes, start + 16 * k + 8)
                guard length >= 0, length <= Int64(rowCount), nulls >= 0, nulls <= length else {
                    throw ColumnarError(.invalidArrow, "a field node of \(length) values and \(nulls) nulls in a batch of \(rowCount) rows")
                }
                nodes.append((Int(length), Int(nulls)))
            }
        }
        if let (start, count) = try header.vector(2, stride: 16) {
            for k in 0..<count {
                let offset = try FlatTable.read(Int64.self, header.bytes, start + 16 * k)
                let length = try FlatTable.read(Int64.self, header.bytes, start + 16 * k + 8)
                guard offset >= 0, length >= 0, offset <= Int64(body.count), length <= Int64(body.count) - offset else {
                    throw ColumnarError(.invalidArrow, "a buffer of \(length) bytes at \(offset) outside a body of \(body.count) bytes")
                }
                buffers.append(Int(offset)..<Int(offset + length))
            }
        }
    }

    func done() throws(ColumnarError) {
        guard node == nodes.count else { throw ColumnarError(.invalidArrow, "a record batch has \(nodes.count) field nodes for \(node) columns") }
    }

    private mutating func nextNode() throws(ColumnarError) -> (length: Int, nulls: Int) {
        guard node < nodes.count else { throw ColumnarError(.invalidArrow, "a record batch has fewer field nodes than columns") }
        node += 1
        return nodes[node - 1]
    }

    private mutating func nextBuffer(atLeast bytes: Int) throws(ColumnarError) -> Range<Int> {
        guard buffer < buffers.count else { throw ColumnarError(.invalidArrow, "a record batch has fewer buffers than its columns need") }
        buffer += 1
        let range = buffers[buffer - 1]
        guard range.count >= bytes else { throw ColumnarError(.invalidArrow, "a buffer of \(range.count) bytes where \(bytes) are needed") }
        return range
    }

    private func bits(_ range: Range<Int>, count: Int) -> Bitmap {
        var words = [UInt64](repeating: 0, count: (count + 63) / 64)
        words.withUnsafeMutableBytes { raw in
            body.withUnsafeBytes { source in raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[range.lowerBound..<(range.lowerBound + (count + 7) / 8)])) }
        }
        return Bitmap(words: words, count: count)
    }

    /// `count` little-endian values from the start of `range`, copied at once.
    private func load<T: FixedWidthInteger>(_: T.Type, _ range: Range<Int>, count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { out, initialized in
            body.withUnsafeBytes { raw in
                let start = range.lowerBound
                UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + count * MemoryLayout<T>.size)]))
            }
            if T(littleEndian: 1) != 1 { for k in 0..<count { out[k] = T(littleEndian: out[k]) } }
            initialized = count
        }
    }

    /// The validity of the next column (nil when it has no null).
    private mutating func validity(_ node: (length: Int, nulls: Int)) throws(ColumnarError) -> Bitmap? {
        let range = try nextBuffer(atLeast: 0)
        guard node.nulls > 0 else { return nil }
        guard range.count >= (node.length + 7) / 8 else { throw ColumnarError(.invalidArrow, "a validity buffer of \(range.count) bytes for \(node.length) values") }
        let validity = bits(range, count: node.length)
        guard validity.count - validity.setCount == node.nulls else { throw ColumnarError(.invalidArrow, "a validity bitmap disagrees with its null count") }
        return validity
    }

    /// The next column, stored as `storage`, as Anant's `type`.
    mutating func column(_ storage: ArrowField.Storage, type: DataType) throws(ColumnarError) -> Column {
        let node = try nextNode()
        let validity = try self.validity(node)
        let n = node.length
        switch storage {
        case .int(let bits, let signed):
            let range = try nextBuffer(atLeast: n * bits / 8)
            let values: [Int64] = switch (bits, signed) {
            case (8, true): load(Int8.self, range, count: n).map(Int64.init)
            case (8, false): load(UInt8.self, range, count: n).map(Int64.init)
            case (16, true): load(Int16.self, range, count: n).map(Int64.init)
            case (16, false): load(UInt16.self, range, count: n).map(Int64.init)
            case (32, true): load(Int32.self, range, count: n).map(Int64.init)
            case (32, false): load(UInt32.self, range, count: n).map(Int64.init)
            default: load(Int64.self, range, count: n)
            }
            return type == .int32 ? .int32(Int32Column(values.map { Int32(truncatingIfNeeded: $0) }, validity: validity))
                : .int64(Int64Column(values, validity: validity))
        case .float(let bits):
            let range = try nextBuffer(atLeast: n * bits / 8)
            let values = bits == 32 ? load(UInt32.self, range, count: n).map { Double(Float(bitPattern: $0)) }
                : load(UInt64.self, range, count: n).map(Double.init(bitPattern:))
            return .double(DoubleColumn(values, validity: validity))
        case .bool:
            let range = try nextBuffer(atLeast: (n + 7) / 8)
            return .bool(BoolColumn(bits: bits(range, count: n), validity: validity))
        case .utf8(let large):
            // A column of no rows may come with no offsets at all (older writers).
            let offsetRange = try nextBuffer(atLeast: n == 0 ? 0 : (n + 1) * (large ? 8 : 4))
            let offsets = n == 0 && offsetRange.count < (large ? 8 : 4) ? [0]
                : large ? load(Int64.self, offsetRange, count: n + 1) : load(Int32.self, offsetRange, count: n + 1).map(Int64.init)
            let dataRange = try nextBuffer(atLeast: 0)
            guard let first = offsets.first, let last = offsets.last, first >= 0, first <= last, last <= Int64(dataRange.count) else {
                throw ColumnarError(.invalidArrow, "string offsets outside their data buffer of \(dataRange.count) bytes")
            }
            let start = body.startIndex + dataRange.lowerBound
            let bytes = Array(body[(start + Int(first))..<(start + Int(last))])
            let strings: StringColumn
            do { strings = try StringColumn(offsets: offsets.map { $0 - first }, bytes: bytes, validity: validity) } catch {
                throw ColumnarError(.invalidArrow, "string offsets: \(error.message)")
            }
            return type == .json ? .json(strings) : .string(strings)
        }
    }

    /// The next column: indices into `values` (a dictionary).
    mutating func indices(_ indexType: ArrowField.Storage, into values: Column, name: String) throws(ColumnarError) -> Column {
        guard case .int = indexType else { throw ColumnarError(.invalidArrow, "column '\(name)': dictionary indices must be integers") }
        let column = try self.column(indexType, type: .int64)
        guard case .int64(let indices) = column else { throw ColumnarError(.invalidArrow, "column '\(name)': dictionary indices") }
        var rows = [Int32]()
        rows.reserveCapacity(indices.count)
        for (row, index) in indices.values.enumerated() {
            let present = indices.validity?[row] ?? true
            guard !present || (index >= 0 && index < Int64(values.count)) else {
                throw ColumnarError(.invalidArrow, "column '\(name)': dictionary index \(index) outside a dictionary of \(values.count) values")
            }
            rows.append(present ? Int32(index) : -1)
        }
        return values.gather(nullable: rows)
    }
}
