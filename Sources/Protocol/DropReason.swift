/// Why a received datagram (or plan chunk) was thrown away.
///
/// Agents count drops per reason and send the counters in their reports, so
/// the raw values travel on the wire: never renumber them, only add new ones.
/// Decoding never traps; every refusal is one of these.
public enum DropReason: UInt8, Sendable, Hashable, CaseIterable, Error, CustomStringConvertible {
    /// Shorter than the fixed header (plus tag when a key is configured).
    case tooShort = 1
    /// Longer than `Wire.maximumDatagramByteCount`.
    case oversize = 2
    /// The first four bytes are not the junction magic: not our protocol.
    case badMagic = 3
    /// A protocol version this build does not speak.
    case unsupportedVersion = 4
    /// A message type this build does not know.
    case unknownType = 5
    /// The body length field, or a field inside the body, runs past the end.
    case badLength = 6
    /// Bytes left over after the message (or the body) was fully read.
    case trailingBytes = 7
    /// A field holds a value that is not allowed (bad enum raw value,
    /// presence flag other than 0/1, invalid UTF-8, inconsistent chunk numbers).
    case badField = 8
    /// The authentication tag does not match: wrong key or tampered bytes.
    case badTag = 9
    /// This receiver has a key but the datagram carries no tag.
    case untagged = 10
    /// This receiver runs insecure (no key) but the datagram carries a tag.
    case unexpectedTag = 11
    /// The sequence number was already seen or is too old for the window.
    case replayed = 12
    /// The sender's timebase instant is too far from the receiver's estimate.
    case stale = 13
    /// A reassembled plan does not hash to its plan id, or chunks of one plan
    /// disagree about its length or activation.
    case planMismatch = 14
    /// A plan larger than `Wire.maximumPlanByteCount`.
    case planTooLarge = 15
    /// A board, junction or group name longer than `Wire.maximumNameByteCount`.
    case nameTooLong = 16
    /// A plan chunk was dropped because too many other plans were in flight.
    case planEvicted = 17
    /// Authentic, but addressed to another receiver (a tick for another agent
    /// process, a report for another coordinator), or unaddressed (recipient
    /// 0) although its type must name its receiver.
    case misaddressed = 18

    /// Short stable name for logs, metrics and the CLI.
    public var description: String {
        switch self {
        case .tooShort: "too-short"
        case .oversize: "oversize"
        case .badMagic: "bad-magic"
        case .unsupportedVersion: "unsupported-version"
        case .unknownType: "unknown-type"
        case .badLength: "bad-length"
        case .trailingBytes: "trailing-bytes"
        case .badField: "bad-field"
        case .badTag: "bad-tag"
        case .untagged: "untagged"
        case .unexpectedTag: "unexpected-tag"
        case .replayed: "replayed"
        case .stale: "stale"
        case .planMismatch: "plan-mismatch"
        case .planTooLarge: "plan-too-large"
        case .nameTooLong: "name-too-long"
        case .planEvicted: "plan-evicted"
        case .misaddressed: "misaddressed"
        }
    }

    /// Parses the names printed by `description`.
    public init?(name: String) {
        guard let match = DropReason.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}
