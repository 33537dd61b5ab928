/// Names a plan by its content: the first 8 bytes (big-endian) of the SHA-256
/// of the plan file. Every board that holds the same bytes computes the same
/// id, so a tick can say "plan X is in force" in 8 bytes and an agent can
/// verify that the plan it reassembled is the one meant.
public struct PlanID: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The id of a plan file's bytes.
    public init(planBytes: [UInt8]) {
        let digest = SHA256.hash(planBytes)
        var value: UInt64 = 0
        for byte in digest.prefix(8) { value = value << 8 | UInt64(byte) }
        rawValue = value
    }

    /// "No plan": sent before a plan is loaded, and as a pending id when
    /// nothing is announced. (A real plan hashing to 0 has odds of 2^-64.)
    public static let none = PlanID(rawValue: 0)

    /// 16 lowercase hex digits, as printed in logs and the CLI.
    public var description: String {
        let hex = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
