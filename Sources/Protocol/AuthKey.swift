/// The shared secret that authenticates every datagram of one junction.
///
/// The shell reads it from a file (such as a mounted Kubernetes Secret) and
/// passes the bytes here; they are used as they are, so write the file without
/// a trailing newline (for example `head -c 32 /dev/urandom > key`).
/// Short keys are refused: a key of fewer than 16 bytes can be guessed.
public struct AuthKey: Sendable {
    /// The fewest key bytes accepted.
    public static let minimumByteCount = 16

    /// The prepared MAC: the key itself is not kept in any other form.
    public let mac: HMACSHA256
    /// How many bytes the key has (for logs; the key is never printed).
    public let byteCount: Int

    /// Takes the key bytes, refusing keys shorter than `minimumByteCount`.
    public init(bytes: [UInt8]) throws(AuthKeyError) {
        guard bytes.count >= Self.minimumByteCount else {
            throw .tooShort(byteCount: bytes.count, minimum: Self.minimumByteCount)
        }
        mac = HMACSHA256(key: bytes)
        byteCount = bytes.count
    }
}

/// Why a key was refused.
public enum AuthKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key file holds too few bytes.
    case tooShort(byteCount: Int, minimum: Int)

    public var description: String {
        switch self {
        case let .tooShort(byteCount, minimum):
            "the authentication key has \(byteCount) bytes but at least \(minimum) are needed; "
                + "create one with `head -c 32 /dev/urandom > junction.key`"
                + " (or run with --insecure on a trusted test network)"
        }
    }
}
