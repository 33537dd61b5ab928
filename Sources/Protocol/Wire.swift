/// The fixed numbers of the wire format, in one place, so the limits that
/// keep memory bounded are visible together (see docs/PROTOCOL.md).
public enum Wire {
    /// "JNCT": the first four bytes of every datagram.
    public static let magic: UInt32 = 0x4A4E_4354
    /// The one version this build speaks; anything else is refused
    /// (`unsupported-version`), versions 1 and 2 included. Version 3 added
    /// the solicit's wanted plan (plan chunks from agent to coordinator).
    public static let version: UInt8 = 3
    /// magic(4) version(1) type(1) flags(1) bodyLength(2) sender(8)
    /// sequence(8) recipient(8).
    public static let headerByteCount = 33
    /// Where the recipient id sits in the header (under the tag).
    static let recipientOffset = 25
    /// HMAC-SHA256 truncated to 16 bytes (128 bits), as RFC 4231 case 5 allows.
    public static let tagByteCount = 16
    /// Stays below the IPv6 minimum MTU (1280) minus headers: no fragmentation.
    public static let maximumDatagramByteCount = 1200
    /// Board, junction and group names (UTF-8 bytes).
    public static let maximumNameByteCount = 63
    /// Plan bytes carried by every chunk but the last.
    public static let planChunkPayloadByteCount = 1024
    /// The largest plan file accepted: bounds the assembler's memory.
    public static let maximumPlanByteCount = 256 * 1024
    /// The most chunks one plan can have.
    public static let maximumPlanChunkCount = maximumPlanByteCount / planChunkPayloadByteCount
    /// The recipient id meaning "any receiver": allowed only for the message
    /// types that may be sent before the sender knows who will read them.
    public static let anyRecipient: UInt64 = 0

    /// Header flag bit 0: a 16-byte tag follows the body.
    static let taggedFlag: UInt8 = 0x01

    /// The type byte of each message.
    enum MessageType: UInt8 {
        case tick = 1
        case planChunk = 2
        case report = 3
        case hello = 4
        case goodbye = 5
        case solicit = 6

        /// Hellos, reports and solicits may go to a receiver whose id the
        /// sender does not know yet (recipient 0). Ticks, plan chunks and
        /// goodbyes steer one agent, so they must name it.
        var mayBeUnaddressed: Bool {
            switch self {
            case .hello, .report, .solicit: true
            case .tick, .planChunk, .goodbye: false
            }
        }
    }
}
