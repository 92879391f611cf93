@testable import AnantColumnar
import Foundation
import Testing

/// SHA-256 against FIPS 180-4's example digests and independently computed ones, by both
/// compressions (the CPU's SHA instructions where present, and the portable one), and the
/// two against each other over many lengths fed in uneven pieces.
@Suite struct SHA256Tests {
    static func hex(_ bytes: [UInt8], hardware: Bool = true, pieces: [Int] = []) -> String {
        var hasher = hardware ? SHA256() : SHA256(hardware: false)
        var start = 0
        for piece in pieces where start < bytes.count {
            let end = min(bytes.count, start + piece)
            bytes[start..<end].withUnsafeBytes { hasher.update($0) }
            start = end
        }
        bytes[start...].withUnsafeBytes { hasher.update($0) }
        return hasher.hexDigest()
    }

    @Test(arguments: [true, false])
    func knownDigests(hardware: Bool) {
        let cases: [(String, String)] = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
             "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        ]
        for (text, digest) in cases {
            #expect(Self.hex(Array(text.utf8), hardware: hardware) == digest, "\(text)")
        }
        // A million 'a's, in pieces of 1000.
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Self.hex(million, hardware: hardware, pieces: [Int](repeating: 1000, count: 1000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Where the CPU lists SHA-NI (Linux's `sha_ni` flag), the hardware path is the one the
    /// tests above exercise beside the portable one.
    @Test func theCPUsInstructionsAreUsedWhereItHasThem() throws {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return }
        let flags = info.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ").map(String.init)) } ?? []
        #expect(SHA256.usesCPUInstructions == (flags.contains("sha_ni") && flags.contains("ssse3") && flags.contains("sse4_1")))
    }

    @Test func bothCompressionsAgreeOnEveryLength() {
        var generator = SeededGenerator(seed: 3)
        for length in Array(0...300) + [1000, 4095, 4096, 4097, 65_536, 1 << 20] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let pieces = (0..<8).map { _ in Int.random(in: 1...130, using: &generator) }
            let portable = Self.hex(bytes, hardware: false)
            #expect(Self.hex(bytes) == portable, "length \(length)")
            #expect(Self.hex(bytes, pieces: pieces) == portable, "length \(length) in pieces \(pieces)")
        }
    }
}
