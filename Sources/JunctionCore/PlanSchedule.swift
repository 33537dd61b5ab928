/// A plan placed on the timebase: its cycle starts at `anchor`.
public struct AnchoredPlan: Sendable {
    public let plan: SignalPlan
    /// The plan's content id on the wire (a hash of its file bytes).
    public let id: UInt64
    public let anchor: TimebaseInstant
    /// The file bytes the id was computed from, kept so the plan can be passed on.
    public let bytes: [UInt8]

    public init(plan: SignalPlan, id: UInt64, anchor: TimebaseInstant, bytes: [UInt8]) {
        self.plan = plan
        self.id = id
        self.anchor = anchor
        self.bytes = bytes
    }

    /// The plan's identity: content id and anchor together.
    public var identity: PlanIdentity { PlanIdentity(id: id, anchor: anchor) }
}

/// The plan in force and the one announced to follow it, and what one head
/// shows across the handover.
///
/// Identity is (id, anchor): the same content anchored elsewhere is another
/// plan. Nothing is shown before a plan's anchor. The handover is per
/// junction and always through all-red: junction j runs the old plan until
/// its first cycle start at or after `anchor − hold` (cycles start all-red),
/// holds red for at least `hold` (`handoverHoldNanos`: long enough for the
/// larger intergreen and all-red of both plans), then runs the new plan from
/// its first cycle start after that. Every head of a junction computes the
/// same instants, so the junction changes plans as one.
///
/// A pending plan is shown only once it is committed (the coordinator heard
/// every agent acknowledge it). Uncommitted, the head leaves the plan at the
/// old plan's end: `aspect` is nil from there (the caller shows flashing red).
/// Likewise nothing is shown from `stop` on (the first cycle start at or after
/// the instant past which the agent cannot know the plan).
public struct PlanSchedule: Sendable {
    public private(set) var current: AnchoredPlan?
    public private(set) var pending: AnchoredPlan?
    /// The coordinator committed `pending`: it takes over at the handover.
    public private(set) var pendingCommitted: Bool
    /// Past the first cycle start at or after this instant nothing is shown.
    public private(set) var stop: TimebaseInstant?
    /// Before the first cycle start of the current plan at or after this
    /// instant nothing is shown: a head that left the plan rejoins at the
    /// junction's all-red cycle start, with every other head of it.
    public private(set) var resume: TimebaseInstant?
    /// The plan this schedule handed over from at its last promotion: ticks
    /// decided just before the coordinator activated the current plan still
    /// name it (see `PlanFollower`).
    public private(set) var handedOverFrom: PlanIdentity?

    public init(current: AnchoredPlan? = nil, pending: AnchoredPlan? = nil, pendingCommitted: Bool = false,
                stop: TimebaseInstant? = nil) {
        self.current = current
        self.pending = pending
        self.pendingCommitted = pendingCommitted
        self.stop = stop
    }

    /// Accepts a validated plan; returns false when it changes nothing.
    ///
    /// - A plan already held (same id AND anchor) changes nothing.
    /// - With no plan it becomes current (shown only from its anchor).
    /// - Anchored after the current one it becomes pending, replacing a
    ///   pending one (a re-announcement is another plan, acknowledged anew).
    /// - Anchored before the current one while nothing is pending (the plans
    ///   arrived out of order) it becomes current and the other pending.
    /// - Anything else (same anchor as the current, or older than it while a
    ///   plan is pending) is refused.
    public mutating func accept(_ plan: AnchoredPlan) -> Bool {
        let identity = plan.identity
        if identity == current?.identity || identity == pending?.identity { return false }
        guard let current else {
            self.current = plan
            return true
        }
        if plan.anchor > current.anchor {
            pending = plan
            pendingCommitted = false
            return true
        }
        if plan.anchor < current.anchor, pending == nil {
            pending = current
            pendingCommitted = false
            self.current = plan
            return true
        }
        return false
    }

    /// The coordinator committed this pending plan (or already runs it).
    /// Returns false when the schedule does not hold it as pending.
    @discardableResult
    public mutating func commit(_ identity: PlanIdentity) -> Bool {
        guard pending?.identity == identity else { return false }
        pendingCommitted = true
        return true
    }

    /// Forgets the pending plan (withdrawn or replaced by the coordinator).
    public mutating func dropPending() {
        pending = nil
        pendingCommitted = false
    }

    /// Keeps only the plans whose identity is in `identities`.
    public mutating func retain(_ identities: Set<PlanIdentity>) {
        if let p = pending, !identities.contains(p.identity) { dropPending() }
        if let c = current, !identities.contains(c.identity) {
            current = pending
            dropPending()
        }
    }

    /// Sets the instant past whose first cycle start nothing is shown (nil: none).
    public mutating func setStop(_ instant: TimebaseInstant?) { stop = instant }

    /// Sets the instant before whose first cycle start nothing is shown (nil: none).
    public mutating func setResume(_ instant: TimebaseInstant?) { resume = instant }

    /// Forgets everything (an agent that lost the thread starts over).
    public mutating func clear() {
        current = nil
        handedOverFrom = nil
        dropPending()
        stop = nil
        resume = nil
    }

    /// A head resolved in one plan (callers may cache by the plan's id).
    public typealias HeadResolver = @Sendable (AnchoredPlan) -> HeadAssignment?

    /// The least red every junction holds between two plans, on top of the
    /// old plan's final amber and the new plan's opening all-red and
    /// red+amber: enough that any group losing green in the old plan and any
    /// group gaining green in the new one are separated by the largest
    /// intergreen of either plan, and the all-red lasts the longer of the two.
    /// Groups are compared across plans without regard to names (fail-closed).
    public static func handoverHoldNanos(from old: SignalPlan, to new: SignalPlan) -> Int64 {
        let newRedAmber = new.sequence == .uk ? new.timing.redAmberNanos : 0
        let given = old.timing.amberNanos + new.timing.allRedNanos + newRedAmber
        let largestIntergreen = (old.conflicts + new.conflicts).map(\.intergreenNanos).max() ?? 0
        let allRed = old.timing.amberNanos + max(old.timing.allRedNanos, new.timing.allRedNanos) + newRedAmber
        return max(0, max(largestIntergreen, allRed) - given)
    }

    /// The instants of the all-red handover for a head, when a plan is pending.
    public func handover(resolve: HeadResolver) -> (oldEnds: TimebaseInstant, newStarts: TimebaseInstant)? {
        guard let current, let pending else { return nil }
        let hold = Self.handoverHoldNanos(from: current.plan, to: pending.plan)
        let base = max(pending.anchor - hold, current.anchor)
        let oldEnds = resolve(current).map {
            current.plan.cycleStart(junction: $0.junction, atOrAfter: base, anchor: current.anchor)
        } ?? base
        let earliest = max(pending.anchor, oldEnds + hold)
        let newStarts = resolve(pending).map {
            pending.plan.cycleStart(junction: $0.junction, atOrAfter: earliest, anchor: pending.anchor)
        } ?? earliest
        return (oldEnds, newStarts)
    }

    /// Makes the pending plan current once `t` has passed its handover, if it
    /// was committed.
    public mutating func promote(at t: TimebaseInstant, resolve: HeadResolver) {
        guard pendingCommitted, let pending, let h = handover(resolve: resolve), t >= h.newStarts else { return }
        handedOverFrom = current?.identity
        current = pending
        dropPending()
    }

    /// Everything a head's timeline depends on besides the head itself: two
    /// schedules with equal keys give every head the same timeline (a plan's
    /// id is a hash of its content).
    public struct Key: Hashable, Sendable {
        var current: PlanIdentity?
        var pending: PlanIdentity?
        var pendingCommitted: Bool
        var stop: TimebaseInstant?
        var resume: TimebaseInstant?
    }

    public var key: Key {
        Key(current: current?.identity, pending: pending?.identity, pendingCommitted: pendingCommitted, stop: stop, resume: resume)
    }

    /// Whether `timeline`, worked out for the same head under a schedule
    /// whose key was `key`, is this schedule's timeline too: the same plans,
    /// and a stop that ends what the head shows at the same instant.
    ///
    /// Why not just compare keys: an agent's stop is the silence horizon
    /// from the last tick, so it moves with every tick (ten a second), while
    /// the instant it ends the plan (a cycle start) moves once a cycle.
    /// Comparing keys worked the timeline out again for every tick.
    public func sharesTimeline(_ timeline: HeadTimeline, workedOutUnder key: Key) -> Bool {
        guard key.current == current?.identity, key.pending == pending?.identity,
              key.pendingCommitted == pendingCommitted, key.resume == resume else { return false }
        guard let stop else { return key.stop == nil }
        return key.stop != nil && timeline.stopsAlike?.contains(stop.nanos) == true
    }

    /// The head's timeline under this schedule, worked out once: ask it as
    /// often as needed while the schedule and the head stay the same.
    public func timeline(resolve: HeadResolver) -> HeadTimeline {
        let uncut = spans(resolve: resolve)
        guard let stop else { return HeadTimeline(spans: uncut) }
        let (spans, alike) = cut(uncut, at: stop)
        return HeadTimeline(spans: spans, stopsAlike: alike)
    }

    /// The spans of the head's timeline in order, before the stop cuts
    /// them: (from, source); each lasts until the next one's start.
    func spans(resolve: HeadResolver) -> [HeadTimeline.Span] {
        guard let current else { return [] }
        let start = TimebaseInstant(nanos: .min)
        var spans: [HeadTimeline.Span] = [HeadTimeline.Span(from: start, source: .nothing)]
        let head = resolve(current)
        let currentSource: HeadTimeline.Source = head.map { .plan(HeadTimeline.PlanHead(current, $0)) } ?? .nothing
        var begins = current.anchor
        if let resume, let head, resume > current.anchor {
            begins = current.plan.cycleStart(junction: head.junction, atOrAfter: resume, anchor: current.anchor)
        }
        spans.append(HeadTimeline.Span(from: begins, source: currentSource))
        if let h = handover(resolve: resolve), let pending, h.oldEnds >= begins {
            if pendingCommitted {
                spans.append(HeadTimeline.Span(from: h.oldEnds, source: .red))
                spans.append(HeadTimeline.Span(from: h.newStarts, source: resolve(pending).map { .plan(HeadTimeline.PlanHead(pending, $0)) } ?? .nothing))
            } else {
                spans.append(HeadTimeline.Span(from: h.oldEnds, source: .nothing))
            }
        }
        return spans
    }

    /// Ends the spans at the first cycle start, at or after `stop`, of the plan
    /// shown then (a red hold or nothing ends at `stop` itself). Also returns
    /// every stop that would cut them alike: in the same span, and (in a
    /// plan) within the same cycle.
    private func cut(_ spans: [HeadTimeline.Span], at stop: TimebaseInstant)
        -> (spans: [HeadTimeline.Span], stopsAlike: ClosedRange<Int64>) {
        guard let index = spans.lastIndex(where: { $0.from <= stop }) else {
            return ([HeadTimeline.Span(from: stop, source: .nothing)], stop.nanos...stop.nanos)
        }
        // The same span is the last to start at or before any stop from its
        // start until just before the earliest later span starts.
        var low = spans[index].from.nanos
        var high = spans[(index + 1)...].map { $0.from.nanos &- 1 }.min() ?? .max
        var end = stop
        if case let .plan(p) = spans[index].source {
            end = p.anchored.plan.cycleStart(junction: p.head.junction, atOrAfter: stop, anchor: p.anchored.anchor)
            // Every stop in (end − cycle, end] has its first cycle start at `end`.
            let (cycleBefore, overflow) = end.nanos.subtractingReportingOverflow(p.anchored.plan.cycleNanos)
            low = max(low, overflow ? stop.nanos : cycleBefore + 1)
            high = min(high, end.nanos)
        } else {
            (low, high) = (stop.nanos, stop.nanos)
        }
        var kept = spans.filter { $0.from < end }
        kept.append(HeadTimeline.Span(from: end, source: .nothing))
        return (kept, low...high)
    }

    /// What the head shows at `t`, or nil when it must not follow a plan then
    /// (before the anchor, past an uncommitted handover or the stop, or no
    /// head in the plan): the caller leaves the plan for flashing red.
    public func aspect(at t: TimebaseInstant, resolve: HeadResolver) -> Aspect? {
        timeline(resolve: resolve).aspect(at: t)
    }

    /// The plan that governs the head at `t` (for clearance times and flash).
    public func governingPlan(at t: TimebaseInstant, resolve: HeadResolver) -> AnchoredPlan? {
        if let h = handover(resolve: resolve), pendingCommitted, t >= h.oldEnds { return pending }
        return current
    }

    /// The first change of what the head shows strictly after `t`: a new
    /// aspect, or `.flashingRed` where the plan stops being shown (the
    /// instant the caller must leave it).
    public func nextChange(after t: TimebaseInstant, resolve: HeadResolver) -> (at: TimebaseInstant, aspect: Aspect)? {
        timeline(resolve: resolve).nextChange(after: t)
    }
}
