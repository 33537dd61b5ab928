import Testing
@testable import Protocol

/// All test cases of RFC 4231 (HMAC-SHA-256), including truncated case 5.
@Suite struct HMACTests {
    static let cases: [(name: String, key: [UInt8], data: [UInt8], code: String)] = [
        ("1", [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        ("2", Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ("3", [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ("4", (1...25).map { UInt8($0) }, [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ("6", [UInt8](repeating: 0xaa, count: 131),
         Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ("7", [UInt8](repeating: 0xaa, count: 131),
         Array(("This is a test using a larger than block-size key and a larger than block-size data. "
            + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: 0..<6)
    func rfc4231(index: Int) {
        let testCase = Self.cases[index]
        #expect(Hex.encode(HMACSHA256(key: testCase.key).code(for: testCase.data)) == testCase.code, "case \(testCase.name)")
    }

    /// Case 5: the output truncated to 128 bits, as our datagram tags are.
    @Test func rfc4231TruncatedCase5() {
        let mac = HMACSHA256(key: [UInt8](repeating: 0x0c, count: 20))
        let data = Array("Test With Truncation".utf8)
        var tag = [UInt8](repeating: 0, count: 16)
        data.withUnsafeBytes { input in tag.withUnsafeMutableBytes { mac.code(for: input, into: $0) } }
        #expect(Hex.encode(tag) == "a3b6167473100ee06e0c796c2955552b")
    }

    /// The prepared MAC is reusable: a second message does not see the first.
    @Test func macIsReusable() {
        let mac = HMACSHA256(key: Array("Jefe".utf8))
        _ = mac.code(for: Array("something else entirely".utf8))
        #expect(Hex.encode(mac.code(for: Array("what do ya want for nothing?".utf8)))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func constantTimeEqual() {
        let a: [UInt8] = [1, 2, 3, 4]
        a.withUnsafeBytes { pa in
            [UInt8]([1, 2, 3, 4]).withUnsafeBytes { #expect(HMACSHA256.constantTimeEqual(pa, $0)) }
            [UInt8]([1, 2, 3, 5]).withUnsafeBytes { #expect(!HMACSHA256.constantTimeEqual(pa, $0)) }
            [UInt8]([1, 2, 3]).withUnsafeBytes { #expect(!HMACSHA256.constantTimeEqual(pa, $0)) }
        }
    }

    @Test func shortKeysAreRefusedWithAMessageThatSaysWhatToDo() {
        #expect(throws: AuthKeyError.tooShort(byteCount: 15, minimum: 16)) {
            try AuthKey(bytes: [UInt8](repeating: 1, count: 15))
        }
        let error = AuthKeyError.tooShort(byteCount: 4, minimum: 16)
        #expect(error.description.contains("head -c 32 /dev/urandom"))
        #expect((try? AuthKey(bytes: [UInt8](repeating: 1, count: 16))) != nil)
    }
}
