/// Which coordinator an agent follows.
///
/// The rule is stable on purpose: keep following the current coordinator
/// while it is heard; when it falls silent or says goodbye, follow the
/// highest term heard recently, then the lowest id. Only coordinators whose
/// ticks agree with the timebase the agent holds are ever "heard" here (the
/// agent core sets disagreeing ones aside), so the rule prefers the timebase
/// the agents hold, and among those the newest adoption (a coordinator takes
/// the highest term it heard + 1). A newcomer cannot win by a lower term.
/// Two coordinators serve the same timebase, so a switch costs no step, and
/// there is no flapping between them.
public struct SourceSelector: Sendable {
    public struct Source: Sendable, Hashable {
        public var id: UInt64
        public var term: UInt64
    }

    private var heard: [UInt64: (term: UInt64, lastNanos: Int64)] = [:]
    private var goodbyes: Set<UInt64> = []
    public private(set) var current: Source? {
        didSet { if let current { lastTerm = max(lastTerm, current.term) } }
    }
    /// The highest term ever followed, reported even while no coordinator is
    /// heard, so that a replacement takes a higher term.
    public private(set) var lastTerm: UInt64 = 0
    public let timeoutNanos: Int64
    /// Bound on remembered coordinators.
    public static let maximumSources = 16

    public init(timeoutNanos: Int64) { self.timeoutNanos = timeoutNanos }

    /// Notes a tick from a coordinator; returns true when the agent now
    /// follows a different coordinator than before.
    public mutating func heard(id: UInt64, term: UInt64, atNanos now: Int64) -> Bool {
        if goodbyes.contains(id) { return false }
        heard[id] = (term, now)
        if heard.count > Self.maximumSources, let oldest = heard.min(by: { $0.value.lastNanos < $1.value.lastNanos }) {
            heard[oldest.key] = nil
        }
        return reselect(atNanos: now)
    }

    /// A coordinator said goodbye: stop following it at once.
    public mutating func goodbye(id: UInt64, atNanos now: Int64) -> Bool {
        goodbyes.insert(id)
        if goodbyes.count > Self.maximumSources { goodbyes.removeFirst() }
        heard[id] = nil
        return reselect(atNanos: now)
    }

    /// Re-examines the choice as time passes; true when it changed.
    public mutating func reselect(atNanos now: Int64) -> Bool {
        if let current, let entry = heard[current.id], now - entry.lastNanos <= timeoutNanos { return false }
        let live = heard.filter { now - $0.value.lastNanos <= timeoutNanos }
        let best = live.min { ($0.value.term, $1.key) > ($1.value.term, $0.key) }
        let next = best.map { Source(id: $0.key, term: $0.value.term) }
        if next == current { return false }
        current = next
        return next != nil
    }

    /// Follows a given coordinator at once (an agent giving up the timebase
    /// it held for this coordinator's).
    public mutating func follow(id: UInt64, term: UInt64, atNanos now: Int64) {
        goodbyes.remove(id)
        heard[id] = (term, now)
        current = Source(id: id, term: term)
    }

    /// Whether coordinator `id` was heard within the timeout.
    public func isLive(_ id: UInt64, atNanos now: Int64) -> Bool {
        heard[id].map { now - $0.lastNanos <= timeoutNanos } ?? false
    }

    /// The coordinators heard within the timeout, other than the followed
    /// one, lowest id first.
    public func othersLive(atNanos now: Int64) -> [UInt64] {
        // Asked for every report: with one coordinator (almost always) there
        // is nothing to filter or sort.
        guard heard.count > 1 else { return [] }
        return heard.filter { $0.key != current?.id && now - $0.value.lastNanos <= timeoutNanos }.keys.sorted()
    }

    /// Whether a tick's sender is the followed coordinator.
    public func isCurrent(_ id: UInt64) -> Bool { current?.id == id }
}
