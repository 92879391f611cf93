import AnantColumnar
import AnantProto
import AnantWire
import Foundation
import NIOCore
import Testing

/// The direct encoding of large stream items is exactly SwiftProtobuf's.
@Suite struct FrameWritingTests {
    @Test(arguments: [(UInt64(1), 0, UInt64(0)), (300, 1, 1 << 20), (UInt64.max, 200, 5), (7, 1 << 20, 123_456_789)])
    func streamItemsEncodeAsSwiftProtobufDoes(id: UInt64, count: Int, offset: UInt64) throws {
        var descriptor = Anant_V1_ShardDescriptor()
        descriptor.dataset = "papers"
        descriptor.version = 3
        descriptor.table = .edges
        descriptor.sha256 = String(repeating: "0f", count: 32)
        var head = Anant_V1_GetShardResponse()
        if count % 2 == 0 { head.shard = descriptor }
        head.offset = offset
        let chunk = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let direct = try FrameWriting.streamItem(id: id, prefix: try head.wireBytes(), bytesField: 3, count: count,
                                                 allocator: ByteBufferAllocator()) { space in
            space.copyBytes(from: chunk)
        }
        var whole = head
        whole.chunk = Data(chunk)
        var envelope = Envelope.make(.streamItem, id: id)
        envelope.payload = Data(try whole.wireBytes())
        let bytes: [UInt8] = try envelope.serializedBytes()
        #expect(Array(direct.readableBytesView) == FrameDecoder.header(bytes.count) + bytes)
    }
}
