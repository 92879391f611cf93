import AnantColumnar

/// Cuts a byte stream into frames: a 4-byte big-endian length, then that many bytes (one
/// `Envelope`). A pure state machine, fed whatever the socket delivers (one byte at a
/// time, or many frames at once); the NIO handler is a thin shell around it.
///
/// The length is checked the moment its 4 bytes are in, before anything of the frame is
/// buffered: a length of 0 or above `maximumFrameBytes` is refused at once (the
/// connection is then closed; nothing else on it can be trusted). A frame never holds
/// more than `maximumFrameBytes` of memory, plus the header.
///
/// A frame's body is gathered in chunks of at most `chunkBytes`, each reserved as its
/// bytes begin to come: a peer announcing a large frame holds no more memory than it
/// sent, plus one chunk's reservation (address space, untouched until bytes arrive). A
/// frame of one chunk is that chunk; a larger one is copied once into an array of its
/// exact size when its last byte is in (for that moment it is held twice). Growing one
/// array would copy the bytes again at every doubling, each time into freshly zeroed
/// pages.
public struct FrameDecoder: Sendable {
    /// The largest frame accepted.
    public let maximumFrameBytes: Int
    /// The most bytes of a frame gathered in one array before the next is begun.
    public let chunkBytes: Int
    private var header: [UInt8] = []
    private var expected: Int? = nil
    /// The full chunks of the frame so far, and the one being filled.
    private var chunks: [[UInt8]] = []
    private var body: [UInt8] = []
    private var received = 0
    /// Set after a refusal: the decoder refuses everything after it.
    private var failure: Status? = nil
    /// Whether a frame's length was read: only the first can be mistaken for TLS.
    private var sawFrame = false

    public init(maximumFrameBytes: Int, chunkBytes: Int = 8 << 20) {
        precondition(maximumFrameBytes >= 1 && maximumFrameBytes <= Int(UInt32.max), "a frame maximum of 1 byte to 4 GiB")
        precondition(chunkBytes >= 1, "chunks of at least one byte")
        self.maximumFrameBytes = maximumFrameBytes
        self.chunkBytes = chunkBytes
    }

    /// Bytes received but not yet part of a whole frame.
    public var buffered: Int { header.count + received }

    /// Adds received bytes; the frames they complete, in order.
    ///
    /// - Throws: `Status` `RESOURCE_EXHAUSTED` for a length above the maximum,
    ///   `INVALID_ARGUMENT` for a zero length; the same again on every later call.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(Status) -> [[UInt8]] {
        if let failure { throw failure }
        var frames = [[UInt8]]()
        var rest = bytes[...]
        while !rest.isEmpty {
            guard let length = expected else {
                let take = min(4 - header.count, rest.count)
                header.append(contentsOf: rest.prefix(take))
                rest = rest.dropFirst(take)
                guard header.count == 4 else { continue }
                let value = header.reduce(0) { $0 << 8 | Int($1) }
                // A TLS record (handshake 0x16 or alert 0x15, version 3.x) where the first
                // frame's length belongs: the peer speaks TLS and this side does not.
                if !sawFrame, header[0] == 0x15 || header[0] == 0x16, header[1] == 0x03, header[2] <= 0x04 {
                    return try fail(Status(.failedPrecondition, "the peer speaks TLS on a connection made without it"))
                }
                header.removeAll(keepingCapacity: true)
                if value == 0 { return try fail(Status(.invalidArgument, "a frame of length 0: every frame holds one envelope")) }
                if value > maximumFrameBytes {
                    return try fail(Status(.resourceExhausted, "a frame of \(value) bytes is over the maximum of \(maximumFrameBytes)"))
                }
                expected = value
                sawFrame = true
                continue
            }
            if body.isEmpty { body.reserveCapacity(min(length - received, chunkBytes)) }
            // The allocator may round a reservation up: a chunk still ends at `chunkBytes`.
            let room = min(body.capacity, chunkBytes)
            let take = min(room - body.count, length - received, rest.count)
            body.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
            received += take
            if received == length {
                frames.append(chunks.isEmpty ? body : Self.joined(chunks + [body], count: length))
                chunks = []
                body = []
                received = 0
                expected = nil
            } else if body.count == room {
                chunks.append(body)
                body = []
            }
        }
        return frames
    }

    /// The chunks of a frame as one array.
    private static func joined(_ chunks: [[UInt8]], count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            for chunk in chunks {
                chunk.withUnsafeBufferPointer { bytes in
                    _ = UnsafeMutableBufferPointer(rebasing: out[initialized...]).initialize(fromContentsOf: bytes)
                }
                initialized += chunk.count
            }
        }
    }

    private mutating func fail(_ status: Status) throws(Status) -> [[UInt8]] {
        failure = status
        header = []
        chunks = []
        body = []
        received = 0
        throw status
    }

    /// The 4-byte length prefix of a frame of `count` bytes.
    public static func header(_ count: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt32(count).bigEndian) { Array($0) }
    }
}
