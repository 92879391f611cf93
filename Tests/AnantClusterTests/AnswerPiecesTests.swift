import AnantCluster
import AnantColumnar
@testable import AnantClient
@testable import AnantGateway
import AnantOperations
import AnantProto
import AnantWire
import Foundation
import Testing

/// Answers cross the wire in pieces (RunTask's and Run's streamed items): the pieces put
/// back together are the result, byte for byte; pieces that do not fit together are
/// refused, never stacked into a wrong answer.
@Suite struct AnswerPiecesTests {
    static func sample(rows: Int) throws -> OperationResult {
        let schema = try Schema([Field("source", .int64, nullable: false), Field("name", .string), Field("weight", .double)])
        let batch = try RecordBatch(schema: schema, columns: [
            .int64(Int64Column((0..<rows).map { Int64($0) })),
            .string(StringColumn(optionals: (0..<rows).map { $0 % 7 == 0 ? nil : "name-\($0)" })),
            .double(DoubleColumn((0..<rows).map { Double($0) / 3 })),
        ])
        let empty = try RecordBatch(schema: schema, columns: schema.fields.map { .nulls($0.type, count: 0) })
        return OperationResult(tables: [NamedTable("pairs", batch), NamedTable("none", empty), NamedTable("small", batch.slice(0..<3))],
                               scalars: [NamedScalar("s", .int(2)), NamedScalar("label", .string("x"))])
    }

    @Test func piecesPutBackTogetherAreTheResult() throws {
        let result = try Self.sample(rows: 100_000)
        for maximum in [1 << 10, 64 << 10, 1 << 20, OperationResult.pieceBytes] {
            let pieces = try result.pieces(maximumBytes: maximum)
            #expect(pieces.count >= (maximum < 1 << 20 ? 3 : 1))
            #expect(pieces.dropFirst().allSatisfy { $0.scalars.isEmpty })
            // Each piece stays near the maximum (one row's worth over at most).
            for piece in pieces { #expect(piece.tables.reduce(0) { $0 + $1.table.arrowIpc.count } <= maximum + 4096) }
            let back = try OperationResult(pieces: pieces)
            #expect(back == result)
            #expect(back.table("none")?.rowCount == 0 && back.table("none")?.schema == result.table("none")?.schema)
        }
        // A whole answer (a task's partial) survives the trip too.
        guard case .result(let again) = try PartialResult(pieces: try PartialResult.result(result).pieces) else {
            Issue.record("a result partial came back as another kind")
            return
        }
        #expect(again == result)
    }

    @Test func piecesThatDoNotFitAreRefused() throws {
        let result = try Self.sample(rows: 50_000)
        var pieces = try result.pieces(maximumBytes: 64 << 10)
        #expect(pieces.count > 3)
        // Scalars after the first piece.
        var extra = pieces
        extra[2].scalars = extra[0].scalars
        #expect(Self.code { _ = try OperationResult(pieces: extra) } == .internal)
        // A piece of a table with another schema.
        let other = try RecordBatch([("source", .string(StringColumn(["a"])))])
        pieces[1].tables[0].table = try other.proto
        #expect(Self.code { _ = try OperationResult(pieces: pieces) } == .internal)
        // Bytes that are not Arrow.
        pieces[1].tables[0].table.arrowIpc = Data([0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0, 0, 0, 1, 2, 3])
        #expect(Self.code { _ = try OperationResult(pieces: pieces) } == .invalidArgument)
        // No piece at all, or several items of a partial that is not rows.
        #expect(Self.code { _ = try OperationResult(pieces: []) } == .internal)
        let reach = Anant_V1_PartialResult.with { $0.reach = .init() }
        #expect(Self.code { _ = try PartialResult(pieces: [reach, reach]) } == .invalidArgument)
    }

    @Test func theGatewayPassesRowsThroughAndChecksTheirScalars() throws {
        let part = try Self.sample(rows: 1000)
        let tasks = try [part, part].map { try PartialResult.result($0).pieces }
        let passed = try GatewayService.passThrough(tasks)
        #expect(passed.count == tasks[0].count + tasks[1].count)
        #expect(try OperationResult(pieces: passed) == OperationResult(appending: [part, part]))
        // A task with other scalars than the first, or answering no rows.
        var other = tasks
        other[1][0].result.scalars[0].value.intValue = 3
        #expect(Self.code { _ = try GatewayService.passThrough(other) } == .internal)
        other = tasks
        other[1][0] = .with { $0.reach = .init() }
        #expect(Self.code { _ = try GatewayService.passThrough(other) } == .internal)
    }

    /// A worker's items as it encodes them, read by the gateway without decoding their
    /// tables: the rows it passes on are SwiftProtobuf's bytes of the same pieces, and read
    /// in place they are the result; damaged items are refused as the worker's fault.
    @Test func workersRowsPassThroughAsTheyCame() throws {
        let part = try Self.sample(rows: 20_000)
        let pieces = try PartialResult.result(part).pieces
        #expect(pieces.count == 1)
        var parsed = [[TaskItem.Partial]]()
        for (task, piece) in [pieces[0], pieces[0]].enumerated() {
            let payload: [UInt8] = try Anant_V1_RunTaskResponse.with {
                $0.taskID = "job-1/\(task)"
                $0.attempt = 2
                $0.partial = piece
            }.serializedBytes()
            let item = try TaskItem(wire: payload)
            #expect(item.taskID == "job-1/\(task)" && item.attempt == 2)
            guard case .rows(let rows)? = item.partial else {
                Issue.record("rows of the answer were decoded")
                return
            }
            #expect(rows.scalars == piece.result.scalars && rows.tables.count == piece.result.tables.count)
            var written = [UInt8](repeating: 0, count: rows.count)
            written.withUnsafeMutableBytes { rows.write(into: $0) }
            #expect(written == (try piece.result.serializedBytes() as [UInt8]))
            #expect(try OperationResult(wire: written, in: 0..<written.count) == OperationResult(proto: piece.result))
            parsed.append([item.partial!])
        }
        // The second task's scalars, the first's again, are left out of what passes on.
        let passed = try GatewayService.passThrough(parsed)
        #expect(passed[0].scalars.count == 2 && passed[1].scalars.isEmpty && passed[1].scalarFields.isEmpty)
        #expect(try OperationResult(pieces: passed.map { try $0.message }) == OperationResult(appending: [part, part]))
        // Another kind of partial is decoded.
        let reach: [UInt8] = try Anant_V1_RunTaskResponse.with { $0.taskID = "t"; $0.partial.reach = .init() }.serializedBytes()
        guard case .decoded(let decoded)? = try TaskItem(wire: reach).partial, case .reach = decoded.kind else {
            Issue.record("a reach partial was not decoded")
            return
        }
        // Cut short, a name that is not UTF-8, bytes that are not protobuf.
        let good: [UInt8] = try Anant_V1_RunTaskResponse.with { $0.taskID = "t"; $0.partial = pieces[0] }.serializedBytes()
        #expect(Self.code { _ = try TaskItem(wire: Array(good.prefix(good.count - 10))) } == .internal)
        var badName = pieces[0]
        badName.result.tables[0].name = "pairs"
        var named: [UInt8] = try Anant_V1_RunTaskResponse.with { $0.partial = badName }.serializedBytes()
        let at = named.firstRange(of: Array("pairs".utf8))!.lowerBound
        named[at] = 0xFF
        #expect(Self.code { _ = try TaskItem(wire: named) } == .internal)
        #expect(Self.code { _ = try TaskItem(wire: [0x1A, 0x05, 0x32, 0x09]) } == .internal)
    }

    /// A worker writes a result's pieces straight from the columns: the prefix, the
    /// piece's field (as `FrameWriting.streamItem` adds it) and the piece are SwiftProtobuf's
    /// bytes of the same item, which the gateway reads as rows.
    @Test func piecesWrittenInPlaceAreProtobufsItems() throws {
        let result = try Self.sample(rows: 30_000)
        for maximum in [1 << 10, 64 << 10, OperationResult.pieceBytes] {
            let encoded = try result.encodedPieces(maximumBytes: maximum)
            for (k, piece) in encoded.enumerated() {
                // The fields as SwiftProtobuf orders and sizes them (re-encoding what it read
                // gives the same bytes).
                let message = try piece.message
                #expect(piece.bytes == (try message.serializedBytes() as [UInt8]))
                var written = try piece.taskItemPrefix(taskID: "job-7/\(k)", attempt: UInt32(k))
                EnvelopeCodec.key(6, 2, &written)
                EnvelopeCodec.varint(UInt64(piece.count), &written)
                written += piece.bytes
                let item = Anant_V1_RunTaskResponse.with { $0.taskID = "job-7/\(k)"; $0.attempt = UInt32(k); $0.partial.result = message }
                #expect(written == (try item.serializedBytes() as [UInt8]))
                guard case .rows(let rows)? = try TaskItem(wire: written).partial else {
                    Issue.record("a worker's rows were not read as rows")
                    return
                }
                #expect(try rows.message == message)
            }
        }
        // A piece of no table and no scalar has nothing to write: it goes as a message.
        let empty = try OperationResult().encodedPieces()
        #expect(empty.count == 1 && empty[0].count == 0)
        #expect(try empty[0].message == Anant_V1_OperationResult())
    }

    /// The client reads a Run item's result in place: the same as decoding it, a result
    /// given twice merges as protobuf merges it, and the other fields are kept.
    @Test func theClientReadsRunItemsInPlace() throws {
        let part = try Self.sample(rows: 5_000)
        let piece = try part.pieces(maximumBytes: 1 << 20)[0]
        var item = Anant_V1_RunResponse()
        item.dataset = .with { $0.name = "d"; $0.version = 3 }
        item.result = piece
        item.timings = .with { $0.total = 42 }
        let bytes: [UInt8] = try item.serializedBytes()
        let (rest, result) = try AnantClient.runItem(bytes)
        #expect(rest.dataset == item.dataset && rest.timings == item.timings && !rest.hasResult)
        #expect(try result == OperationResult(proto: piece))
        // Twice: tables and scalars appended.
        let (_, twice) = try AnantClient.runItem(bytes + bytes)
        #expect(twice?.tables.count == 2 * piece.tables.count && twice?.scalars.count == 2 * piece.scalars.count)
        // No result; an empty one; a damaged one.
        #expect(try AnantClient.runItem(try Anant_V1_RunResponse.with { $0.timings.total = 1 }.serializedBytes()).1 == nil)
        #expect(try AnantClient.runItem([0x12, 0x00]).1 == OperationResult())
        #expect(Self.code { _ = try AnantClient.runItem(Array(bytes.prefix(bytes.count / 2))) } != nil)
    }

    static func code(_ body: () throws -> Void) -> StatusCode? {
        do { try body() } catch let status as Status { return status.code } catch { return .unknown }
        return nil
    }
}
