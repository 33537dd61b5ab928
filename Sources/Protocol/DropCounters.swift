/// How many datagrams were dropped, per reason: what an agent reports and a
/// coordinator exposes, so that a wrong key or a replay attack shows up as a
/// number instead of as silence.
public struct DropCounters: Sendable, Hashable, CustomStringConvertible {
    /// Non-zero counts only, so two counters with the same counts are equal.
    public private(set) var counts: [DropReason: UInt64] = [:]

    public init() {}

    /// Counters starting from `counts` (zero entries are ignored).
    public init(_ counts: [DropReason: UInt64]) {
        for (reason, count) in counts where count > 0 { self.counts[reason] = count }
    }

    /// The count for one reason (0 when never dropped for it).
    public subscript(reason: DropReason) -> UInt64 { counts[reason] ?? 0 }

    /// The sum over all reasons.
    public var total: UInt64 { counts.values.reduce(0, &+) }

    /// Counts one drop (wrapping after 2^64, which never happens in practice).
    public mutating func record(_ reason: DropReason, count: UInt64 = 1) {
        guard count > 0 else { return }
        counts[reason, default: 0] &+= count
    }

    /// Adds every count of `other`, e.g. a plan assembler's into an inbox's.
    public mutating func add(_ other: DropCounters) {
        for (reason, count) in other.counts { record(reason, count: count) }
    }

    /// "bad-tag=3 replayed=1", in raw-value order; "none" when empty.
    public var description: String {
        let parts = DropReason.allCases.compactMap { reason in counts[reason].map { "\(reason)=\($0)" } }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }
}
