/// HMAC-SHA256 (RFC 2104), the message authentication code on every datagram.
///
/// The key is absorbed once: the initialiser keeps two SHA-256 hashers that
/// have already compressed `key ^ ipad` and `key ^ opad`, and each message
/// copies them. That saves two of the five compressions of a short datagram,
/// which matters at ten ticks a second per agent on a Raspberry Pi.
///
/// This type accepts any key length (RFC 4231 tests use 4-byte keys); the
/// project's minimum key length is enforced by `AuthKey`.
public struct HMACSHA256: Sendable {
    /// Bytes in a full (untruncated) code.
    public static let codeByteCount = SHA256.digestByteCount

    let innerAfterKey: SHA256
    let outerAfterKey: SHA256

    /// Prepares a MAC with `key`; keys longer than a block are hashed first,
    /// as RFC 2104 requires.
    public init(key: [UInt8]) {
        var block = key.count > SHA256.blockByteCount ? SHA256.hash(key) : key
        block.append(contentsOf: repeatElement(0, count: SHA256.blockByteCount - block.count))
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        innerAfterKey = inner
        outerAfterKey = outer
    }

    /// The full 32-byte code of `message`.
    public func code(for message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { input in
            [UInt8](unsafeUninitializedCapacity: Self.codeByteCount) { out, count in
                code(for: input, into: UnsafeMutableRawBufferPointer(out))
                count = Self.codeByteCount
            }
        }
    }

    /// Writes the code of `message` into `out`, truncated to `out.count` bytes
    /// (at most 32), allocating nothing.
    public func code(for message: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count <= Self.codeByteCount, "an HMAC-SHA256 code has at most 32 bytes")
        withUnsafeTemporaryAllocation(byteCount: Self.codeByteCount, alignment: 8) { digest in
            var inner = innerAfterKey
            inner.update(message)
            inner.finalize(into: digest)
            var outer = outerAfterKey
            outer.update(UnsafeRawBufferPointer(digest))
            outer.finalize(into: digest)
            if let destination = out.baseAddress, let source = digest.baseAddress {
                destination.copyMemory(from: source, byteCount: out.count)
            }
        }
    }

    /// Compares two byte strings in time that depends only on their length,
    /// so an attacker cannot learn how many leading bytes of a forged tag
    /// were right.
    public static func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
