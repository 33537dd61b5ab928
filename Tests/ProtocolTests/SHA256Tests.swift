import Testing
@testable import Protocol

/// FIPS 180-4 example vectors (and the NIST long-message "million a").
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        // 448 bits: the two-block example of FIPS 180-4.
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        // 896 bits.
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func standardVectors(message: String, digest: String) {
        #expect(Hex.encode(SHA256.hash(Array(message.utf8))) == digest)
    }

    @Test func millionA() {
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        #expect(Hex.encode(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(Hex.encode(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Feeding the same bytes in two pieces, split anywhere, gives the same
    /// digest: exercises the partial-block buffer and the padding edge cases
    /// (lengths 55, 56, 63, 64 around the length field).
    @Test func splitUpdatesMatchOneShot() {
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let expected = SHA256.hash(message)
            for cut in 0...length {
                var hasher = SHA256()
                hasher.update(Array(message[..<cut]))
                hasher.update(Array(message[cut...]))
                #expect(hasher.finalize() == expected, "length \(length) cut at \(cut)")
            }
        }
    }

    @Test func planIDIsTheFirstEightDigestBytes() {
        // SHA-256("abc") starts ba7816bf8f01cfea.
        #expect(PlanID(planBytes: Array("abc".utf8)).rawValue == 0xba78_16bf_8f01_cfea)
        #expect(PlanID(planBytes: Array("abc".utf8)).description == "ba7816bf8f01cfea")
    }
}

/// The hardware compression (SHA-NI, where the CPU has it) and the portable
/// Swift rounds must agree on every block: the simulator and the agents on
/// x86 use the one, Raspberry Pis the other, and they authenticate each
/// other's datagrams.
@Suite struct SHA256CompressionTests {
    @Test(.enabled(if: SHA256.hardwareAvailable, "this CPU has no SHA extensions; only the portable path runs here"))
    func hardwareAndPortableAgree() throws {
        var seed: UInt64 = 0x5EED
        for blocks in [1, 2, 3, 7] {
            for _ in 0..<200 {
                let bytes = (0..<(blocks * SHA256.blockByteCount)).map { _ -> UInt8 in
                    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return UInt8(truncatingIfNeeded: seed >> 33)
                }
                seed = seed &* 6_364_136_223_846_793_005 &+ 1
                var start = SHA256.State.initial
                start.a ^= UInt32(truncatingIfNeeded: seed); start.h ^= UInt32(truncatingIfNeeded: seed >> 32)
                var hardware = start, portable = start
                bytes.withUnsafeBytes { raw in
                    SHA256.compressHardware(&hardware, blocks: raw.baseAddress!, count: blocks)
                    SHA256.compressPortable(&portable, blocks: raw.baseAddress!, count: blocks)
                }
                #expect(hardware.words == portable.words, "\(blocks) blocks")
            }
        }
    }

    /// The portable path alone against a FIPS 180-4 vector, so it stays
    /// checked on machines whose `SHA256.hash` runs in hardware.
    @Test func portableMatchesTheStandard() {
        // "abc" padded to one block.
        var block = [UInt8](repeating: 0, count: 64)
        block[0] = 0x61; block[1] = 0x62; block[2] = 0x63; block[3] = 0x80; block[63] = 24
        var state = SHA256.State.initial
        block.withUnsafeBytes { SHA256.compressPortable(&state, blocks: $0.baseAddress!, count: 1) }
        #expect(state.words == [0xba78_16bf, 0x8f01_cfea, 0x4141_40de, 0x5dae_2223, 0xb003_61a3, 0x9617_7a9c, 0xb410_ff61, 0xf200_15ad])
    }
}

extension SHA256.State {
    var words: [UInt32] { [a, b, c, d, e, f, g, h] }
}
