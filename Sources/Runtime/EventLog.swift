/// The last `capacity` events, each numbered, readable from a cursor.
///
/// Why a ring: an agent runs for months and a head changes every few
/// seconds; the log must cost the same memory on day 300 as on day 1. Readers
/// poll `since` their last sequence number; one that fell behind the ring
/// gets an explicit `eventsLost` line first instead of a silent gap. Pure: no
/// clock, no I/O, no lock (the shell puts it behind a `Mutex`).
public struct EventLog: Sendable {
    public let capacity: Int
    private var ring: [JunctionEvent] = []
    /// Index in `ring` of the oldest event once the ring is full.
    private var head = 0
    /// The sequence number the next event gets (the first is 1).
    public private(set) var nextSequence: UInt64 = 1

    public init(capacity: Int) {
        precondition(capacity > 0, "an event log needs room for at least one event")
        self.capacity = capacity
        ring.reserveCapacity(min(capacity, 1024))
    }

    public var count: Int { ring.count }
    /// The sequence number of the oldest event kept, or `nextSequence` when empty.
    public var oldestSequence: UInt64 { nextSequence - UInt64(ring.count) }

    /// Numbers the event, keeps it (dropping the oldest when full) and
    /// returns it as stored.
    @discardableResult
    public mutating func append(_ event: JunctionEvent) -> JunctionEvent {
        var numbered = event
        numbered.sequence = nextSequence
        nextSequence += 1
        return keep(numbered)
    }

    /// Keeps an event that already has its number from another log (a
    /// filtered copy); numbers must still increase.
    @discardableResult
    public mutating func keep(_ numbered: JunctionEvent) -> JunctionEvent {
        nextSequence = max(nextSequence, numbered.sequence + 1)
        if ring.count < capacity {
            ring.append(numbered)
        } else {
            ring[head] = numbered
            head = (head + 1) % capacity
        }
        return numbered
    }

    /// Up to `limit` events after `cursor` (the last sequence the reader
    /// has; 0 for everything kept), oldest first. When events after the
    /// cursor were already dropped, the answer starts with an `eventsLost`
    /// event (sequence = oldest kept − 1) saying how many. A cursor beyond
    /// the newest event (a reader of a previous process) reads from the
    /// start, so a restart never hides the new process's events.
    public func events(since cursor: UInt64, limit: Int) -> [JunctionEvent] {
        guard limit > 0 else { return [] }
        let last = nextSequence - 1
        var from = cursor > last ? 0 : cursor
        var out: [JunctionEvent] = []
        let oldest = oldestSequence
        if from + 1 < oldest {
            var lost = JunctionEvent(timeNanos: nil, code: .eventsLost, parameter: Int64(oldest - from - 1),
                                     note: "\(oldest - from - 1) events dropped before they were read")
            lost.sequence = oldest - 1
            out.append(lost)
            from = oldest - 1
        }
        let skip = Int(from + 1 - oldest)
        var index = skip
        while index < ring.count && out.count < limit {
            out.append(ring[(head + index) % ring.count])
            index += 1
        }
        return out
    }

    /// The newest `n` events, oldest first.
    public func recent(_ n: Int) -> [JunctionEvent] {
        let take = min(n, ring.count)
        return (ring.count - take..<ring.count).map { ring[(head + $0) % ring.count] }
    }
}
