import AnantColumnar

/// The fields of an encoded protobuf message, read where they lie in its bytes: for a
/// reader that passes a large bytes field on, or reads it in place, without the copies a
/// decoded message makes (SwiftProtobuf copies every bytes field into a `Data` of its own).
/// The checks are SwiftProtobuf's (`EnvelopeCodec.Reader`): keys, lengths, wire types,
/// groups closed and nested at most as deep as it reads messages.
public enum WireFields {
    /// One field of a message.
    public struct Field: Sendable, Equatable {
        public let number: Int
        /// The wire type: 0 varint, 1 fixed 64, 2 length-delimited, 3 group, 5 fixed 32.
        public let wire: Int
        /// The whole field, its key included (what a message merges to read it again).
        public let entry: Range<Int>
        /// Its value: a length-delimited field's content, a varint's or a fixed value's
        /// bytes, a group's inside with its end key.
        public let value: Range<Int>
    }

    /// The fields of the message in `bytes[range]`, in the order they come.
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT` naming what is wrong when the bytes are not a
    ///   message.
    public static func fields(_ bytes: [UInt8], in range: Range<Int>) throws(Status) -> [Field] {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "a range inside the bytes")
        do {
            return try bytes.withUnsafeBufferPointer { all throws(EnvelopeCodec.Malformed) in
                var reader = EnvelopeCodec.Reader(bytes: UnsafeBufferPointer(rebasing: all[range]))
                var fields = [Field]()
                while !reader.atEnd {
                    let start = reader.at
                    let (number, wire) = try reader.key()
                    let valueStart = reader.at
                    let value: Range<Int>
                    if wire == 2 {
                        let count = try reader.lengthDelimited().count
                        value = (reader.at - count)..<reader.at
                    } else {
                        try reader.skip(field: number, wire: wire)
                        value = valueStart..<reader.at
                    }
                    let shift = range.lowerBound
                    fields.append(Field(number: number, wire: wire, entry: (start + shift)..<(reader.at + shift),
                                        value: (value.lowerBound + shift)..<(value.upperBound + shift)))
                }
                return fields
            }
        } catch {
            throw Status(.invalidArgument, "not a protobuf message (\(range.count) bytes): \(error.reason)")
        }
    }

    /// The value of a varint field.
    public static func varint(_ bytes: [UInt8], _ field: Field) -> UInt64 {
        var value: UInt64 = 0, shift: UInt64 = 0
        for byte in bytes[field.value] {
            value |= UInt64(byte & 0x7F) << shift
            shift += 7
        }
        return value
    }

    /// The value of a string field.
    ///
    /// - Throws: `Status` `INVALID_ARGUMENT` when it is not UTF-8.
    public static func string(_ bytes: [UInt8], _ field: Field) throws(Status) -> String {
        guard let text = String(validating: bytes[field.value], as: UTF8.self) else {
            throw Status(.invalidArgument, "field \(field.number) is not a UTF-8 string")
        }
        return text
    }
}
