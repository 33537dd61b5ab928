/// Refuses datagrams whose (sender, sequence) was already accepted, the way
/// IPsec does (RFC 4303, section 3.4.3): per sender, the highest sequence seen
/// and a 64-bit bitmap of the 64 sequences at and below it. Reordering within
/// 64 datagrams is fine; anything older is refused.
///
/// At most `maximumSenders` senders are tracked; a new sender beyond that
/// evicts the one heard from least recently. Evicting forgets its window, so
/// the bound should comfortably exceed the senders a receiver really has
/// (one or two coordinators for an agent; the agents for a coordinator).
/// Only authenticated datagrams reach this window, so an attacker without the
/// key cannot create senders to force evictions.
public struct ReplayWindow: Sendable {
    /// Sequences tracked below the highest one seen.
    public static let width: UInt64 = 64

    struct SenderWindow: Sendable {
        var highest: UInt64
        /// Bit i set: `highest - i` was accepted.
        var seen: UInt64
        var lastTouched: UInt64
    }

    public let maximumSenders: Int
    private var senders: [UInt64: SenderWindow] = [:]
    private var touchCounter: UInt64 = 0

    public init(maximumSenders: Int = 256) {
        precondition(maximumSenders >= 1, "a replay window must track at least one sender")
        self.maximumSenders = maximumSenders
    }

    /// How many senders are tracked now.
    public var trackedSenders: Int { senders.count }

    /// Whether `sequence` from `sender` would be accepted, without recording it.
    public func wouldAccept(sender: UInt64, sequence: UInt64) -> Bool {
        guard let window = senders[sender] else { return true }
        if sequence > window.highest { return true }
        let distance = window.highest - sequence
        return distance < Self.width && window.seen & (1 << distance) == 0
    }

    /// Records `sequence` from `sender` and returns true, or returns false
    /// (recording nothing) when it is a replay or older than the window.
    public mutating func admit(sender: UInt64, sequence: UInt64) -> Bool {
        guard wouldAccept(sender: sender, sequence: sequence) else { return false }
        touchCounter &+= 1
        guard var window = senders[sender] else {
            evictIfFull()
            senders[sender] = SenderWindow(highest: sequence, seen: 1, lastTouched: touchCounter)
            return true
        }
        if sequence > window.highest {
            let shift = sequence - window.highest
            window.seen = shift >= Self.width ? 1 : (window.seen << shift) | 1
            window.highest = sequence
        } else {
            window.seen |= 1 << (window.highest - sequence)
        }
        window.lastTouched = touchCounter
        senders[sender] = window
        return true
    }

    /// Forgets one sender (say, a coordinator that said goodbye).
    public mutating func forget(sender: UInt64) {
        senders.removeValue(forKey: sender)
    }

    private mutating func evictIfFull() {
        guard senders.count >= maximumSenders,
            let oldest = senders.min(by: { $0.value.lastTouched < $1.value.lastTouched })
        else { return }
        senders.removeValue(forKey: oldest.key)
    }
}
