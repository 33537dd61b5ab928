/// Refuses datagrams whose (sender, sequence) was already accepted, the way
/// IPsec does (RFC 4303, section 3.4.3): per sender, the highest sequence seen
/// and a 64-bit bitmap of the 64 sequences at and below it. Reordering within
/// 64 datagrams is fine; anything older is refused.
///
/// At most `maximumSenders` senders are tracked; a new sender beyond that
/// evicts the one heard from least recently. Evicting forgets its window, so
/// the bound should comfortably exceed the senders a receiver really has
/// (one or two coordinators for an agent; up to 10,000 agents for a
/// coordinator, hence the default of 16,384). Only authenticated, correctly
/// addressed datagrams reach this window, so an attacker without the key
/// cannot create senders to force evictions.
///
/// The senders form a doubly linked list in recency order, threaded through
/// an array of slots (indices, not references, so the type stays a plain
/// `Sendable` value): touching a sender moves it to the tail and evicting
/// takes the head, both in O(1), so a full window with thousands of senders
/// costs no scan per new one.
public struct ReplayWindow: Sendable {
    /// Sequences tracked below the highest one seen.
    public static let width: UInt64 = 64
    /// Above the coordinator's maximum of 10,000 agents.
    public static let defaultMaximumSenders = 16_384

    struct Slot: Sendable {
        var sender: UInt64
        var highest: UInt64
        /// Bit i set: `highest - i` was accepted.
        var seen: UInt64
        /// Neighbours in recency order (older, newer); -1 at the ends.
        var older: Int
        var newer: Int
    }

    public let maximumSenders: Int
    /// Slots in use or free; grows up to `maximumSenders`, never beyond.
    private var slots: [Slot] = []
    private var slotOfSender: [UInt64: Int] = [:]
    /// Slots emptied by `forget`, reused before the array grows.
    private var freeSlots: [Int] = []
    /// The least and the most recently heard senders' slots (-1 when empty).
    private var oldest = -1
    private var newest = -1

    public init(maximumSenders: Int = ReplayWindow.defaultMaximumSenders) {
        precondition(maximumSenders >= 1, "a replay window must track at least one sender")
        self.maximumSenders = maximumSenders
    }

    /// How many senders are tracked now.
    public var trackedSenders: Int { slotOfSender.count }

    /// Whether `sequence` from `sender` would be accepted, without recording it.
    public func wouldAccept(sender: UInt64, sequence: UInt64) -> Bool {
        guard let index = slotOfSender[sender] else { return true }
        return Self.accepts(slots[index], sequence: sequence)
    }

    private static func accepts(_ slot: Slot, sequence: UInt64) -> Bool {
        if sequence > slot.highest { return true }
        let distance = slot.highest - sequence
        return distance < width && slot.seen & (1 << distance) == 0
    }

    /// Records `sequence` from `sender` and returns true, or returns false
    /// (recording nothing) when it is a replay or older than the window.
    public mutating func admit(sender: UInt64, sequence: UInt64) -> Bool {
        guard let index = slotOfSender[sender] else {
            insert(Slot(sender: sender, highest: sequence, seen: 1, older: -1, newer: -1))
            return true
        }
        guard Self.accepts(slots[index], sequence: sequence) else { return false }
        let highest = slots[index].highest
        if sequence > highest {
            let shift = sequence - highest
            slots[index].seen = shift >= Self.width ? 1 : (slots[index].seen << shift) | 1
            slots[index].highest = sequence
        } else {
            slots[index].seen |= 1 << (highest - sequence)
        }
        unlink(index)
        appendNewest(index)
        return true
    }

    /// Forgets one sender (say, a coordinator that said goodbye).
    public mutating func forget(sender: UInt64) {
        guard let index = slotOfSender.removeValue(forKey: sender) else { return }
        unlink(index)
        freeSlots.append(index)
    }

    /// Stores a new sender as the newest, evicting the oldest when full.
    private mutating func insert(_ slot: Slot) {
        let index: Int
        if slotOfSender.count >= maximumSenders {
            index = oldest
            slotOfSender.removeValue(forKey: slots[index].sender)
            unlink(index)
            slots[index] = slot
        } else if let free = freeSlots.popLast() {
            index = free
            slots[index] = slot
        } else {
            index = slots.count
            slots.append(slot)
        }
        slotOfSender[slot.sender] = index
        appendNewest(index)
    }

    private mutating func unlink(_ index: Int) {
        let older = slots[index].older, newer = slots[index].newer
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        slots[index].older = -1
        slots[index].newer = -1
    }

    private mutating func appendNewest(_ index: Int) {
        slots[index].older = newest
        slots[index].newer = -1
        if newest >= 0 { slots[newest].newer = index } else { oldest = index }
        newest = index
    }
}
