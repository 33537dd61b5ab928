import Protocol

/// The message type a datagram's header claims, for the "received by type"
/// metric only.
///
/// Why a peek: the cores decode and authenticate; the shell only counts. The
/// header is not authenticated yet at this point, so anything that does not
/// start with the magic is `other`, and a forged type is counted under the
/// type it claims (and then under its drop reason).
enum DatagramKind: String, Sendable, CaseIterable {
    case tick, plan, report, hello, goodbye, solicit, other

    /// Byte 5 of the header is the type: tick 1, plan 2, report 3, hello 4,
    /// goodbye 5, solicit 6 (docs/PROTOCOL.md).
    init(header bytes: [UInt8]) {
        guard bytes.count >= Wire.headerByteCount,
              UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]) == Wire.magic
        else { self = .other; return }
        switch bytes[5] {
        case 1: self = .tick
        case 2: self = .plan
        case 3: self = .report
        case 4: self = .hello
        case 5: self = .goodbye
        case 6: self = .solicit
        default: self = .other
        }
    }
}
