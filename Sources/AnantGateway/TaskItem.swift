import AnantCluster
import AnantColumnar
import AnantProto
import AnantWire

/// An item of a compute worker's answer to a task (a `RunTaskResponse`) as the gateway
/// keeps it. Rows of the answer (a `result` partial) stay the bytes they came in, found
/// in place and checked field by field, and go to the client as they are: decoding them
/// and encoding them again would copy every table twice, into freshly zeroed memory,
/// on the gateway's share of the cores. Any other partial is decoded.
struct TaskItem: Sendable {
    var taskID = ""
    var attempt: UInt32 = 0
    var partial: Partial? = nil

    enum Partial: Sendable {
        case rows(Rows)
        case decoded(Anant_V1_PartialResult)

        /// The partial as a message (a merge, or a query's split rows, reads it so).
        var decoded: Anant_V1_PartialResult {
            get throws(Status) {
                switch self {
                case .decoded(let partial): return partial
                case .rows(let rows):
                    let result = try rows.message
                    return .with { $0.result = result }
                }
            }
        }

        /// The bytes of table data it holds (for the request's memory budget).
        var tableBytes: Int {
            switch self {
            case .rows(let rows): rows.tables.reduce(0) { $0 + $1.count }
            case .decoded(let partial): FanOut.bytes(of: partial)
            }
        }
    }

    /// An `OperationResult` as the fields it came in.
    struct Rows: Sendable, LaidOutBytes {
        /// The worker's item the fields lie in.
        let item: [UInt8]
        /// Its tables' fields (each a `NamedTable`, key and all), in order.
        var tables: [Range<Int>]
        /// Its scalars, and the fields they came in.
        var scalars: [Anant_V1_NamedScalar]
        var scalarFields: [Range<Int>]

        /// The rows of `bytes[range]`, an `OperationResult`, its tables checked as
        /// protobuf reads them (fields, UTF-8 names) but not copied.
        init(_ bytes: [UInt8], _ range: Range<Int>) throws(Status) {
            let fields = try OperationResultFields(bytes, in: range)
            item = bytes
            tables = fields.tables.map(\.entry)
            scalars = fields.scalars.map(\.message)
            scalarFields = fields.scalars.map(\.entry)
        }

        /// The rows of a decoded result.
        init(_ result: Anant_V1_OperationResult) throws(Status) {
            let bytes = try result.wireBytes()
            try self.init(bytes, 0..<bytes.count)
        }

        /// The size of the `OperationResult` these fields make.
        var count: Int { (tables + scalarFields).reduce(0) { $0 + $1.count } }

        /// Writes the fields into `space` (of `count` bytes): the tables, then the scalars,
        /// as SwiftProtobuf orders them.
        func write(into space: UnsafeMutableRawBufferPointer) {
            precondition(space.count == count, "room for exactly the fields")
            var at = 0
            item.withUnsafeBytes { source in
                for field in tables + scalarFields {
                    UnsafeMutableRawBufferPointer(rebasing: space[at..<(at + field.count)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[field]))
                    at += field.count
                }
            }
        }

        /// The fields as a decoded message.
        var message: Anant_V1_OperationResult { get throws(Status) { try Anant_V1_OperationResult(wire: bytes) } }
    }

    /// The item of a worker's answer payload.
    ///
    /// - Throws: `Status` `INTERNAL` when it is not a `RunTaskResponse`.
    init(wire payload: [UInt8]) throws(Status) {
        do throws(Status) {
            var partials = [Range<Int>]()
            for field in try WireFields.fields(payload, in: 0..<payload.count) {
                switch (field.number, field.wire) {
                case (1, 2): taskID = try WireFields.string(payload, field)
                case (2, 0): attempt = UInt32(truncatingIfNeeded: WireFields.varint(payload, field))
                case (3, 2): partials.append(field.value)
                default: break
                }
            }
            guard let only = partials.last else { return }
            let fields = try WireFields.fields(payload, in: only)
            if partials.count == 1, fields.count == 1, fields[0].number == 6, fields[0].wire == 2 {
                partial = .rows(try Rows(payload, fields[0].value))
            } else {
                // Anything else, or a partial given in several fields (merged as protobuf reads
                // them): decoded.
                partial = .decoded(try Anant_V1_RunTaskResponse(wire: payload).partial)
            }
        } catch {
            throw Status(.internal, "a worker's answer is not a RunTaskResponse: \(error.message)")
        }
    }
}
