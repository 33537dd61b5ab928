/// Addresses gathered from several lookups, each kept once, in the order
/// first seen.
///
/// Why a set beside the list: a coordinator given 10,000 agents
/// (`--agent` each, or a headless Service of that many pods) gathers them
/// every few seconds, and checking each new address against the list so
/// far is 50 million comparisons a time: a burst of CPU beside the sending
/// threads that stretches the tick rounds it overlaps.
public struct AddressUnion: Sendable {
    private var seen = Set<SocketAddress>()
    /// Every address added, once each, in the order first added.
    public private(set) var addresses: [SocketAddress] = []

    public init() {}

    /// Adds `address` unless it is already in; true if it was new.
    @discardableResult
    public mutating func add(_ address: SocketAddress) -> Bool {
        guard seen.insert(address).inserted else { return false }
        addresses.append(address)
        return true
    }
}
