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
