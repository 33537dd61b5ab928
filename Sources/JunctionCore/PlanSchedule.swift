/// A plan placed on the timebase: its cycle starts at `anchor`.
public struct AnchoredPlan: Sendable {
    public let plan: SignalPlan
    /// The plan's identity on the wire (a hash of its file bytes).
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
}

/// The plan in force and the one announced to follow it, and what one head
/// shows across the handover.
///
/// The handover is per junction and always through all-red: junction j runs
/// the old plan until its first cycle start at or after the activation
/// instant (cycles start all-red), holds red until the new plan's first cycle
/// start after that, then runs the new plan. Every head of a junction computes
/// the same two instants, so the junction changes plans as one.
public struct PlanSchedule: Sendable {
    public private(set) var current: AnchoredPlan?
    public private(set) var pending: AnchoredPlan?

    public init(current: AnchoredPlan? = nil, pending: AnchoredPlan? = nil) {
        self.current = current
        self.pending = pending
    }

    /// Accepts a validated plan. A plan anchored after the current one becomes
    /// pending (replacing an earlier pending plan); with no current plan it
    /// becomes current. Returns false for a plan already known.
    public mutating func accept(_ plan: AnchoredPlan) -> Bool {
        if current?.id == plan.id || pending?.id == plan.id { return false }
        guard let current else {
            self.current = plan
            return true
        }
        if plan.anchor > current.anchor {
            pending = plan
            return true
        }
        return false
    }

    /// Forgets everything (an agent that lost the thread starts over).
    public mutating func clear() {
        current = nil
        pending = nil
    }

    /// A head resolved in one plan (callers may cache by the plan's id).
    public typealias HeadResolver = @Sendable (AnchoredPlan) -> HeadAssignment?

    /// The instants of the all-red handover for a head, when a plan is pending.
    public func handover(resolve: HeadResolver) -> (oldEnds: TimebaseInstant, newStarts: TimebaseInstant)? {
        guard let current, let pending else { return nil }
        let activation = pending.anchor
        let oldEnds = resolve(current).map {
            current.plan.cycleStart(junction: $0.junction, atOrAfter: activation, anchor: current.anchor)
        } ?? activation
        let newStarts = resolve(pending).map {
            pending.plan.cycleStart(junction: $0.junction, atOrAfter: oldEnds, anchor: pending.anchor)
        } ?? oldEnds
        return (oldEnds, newStarts)
    }

    /// Makes the pending plan current once `t` has passed its handover.
    public mutating func promote(at t: TimebaseInstant, resolve: HeadResolver) {
        guard let pending, let h = handover(resolve: resolve), t >= h.newStarts else { return }
        current = pending
        self.pending = nil
    }

    /// What the head shows at `t`, or nil when no plan gives it a head (the
    /// caller shows the flash aspect).
    public func aspect(at t: TimebaseInstant, resolve: HeadResolver) -> Aspect? {
        if let h = handover(resolve: resolve), t >= h.oldEnds {
            if t < h.newStarts { return .red }
            guard let pending, let head = resolve(pending) else { return nil }
            return pending.plan.aspect(of: head, at: t, anchor: pending.anchor)
        }
        guard let current, let head = resolve(current) else { return nil }
        return current.plan.aspect(of: head, at: t, anchor: current.anchor)
    }

    /// The plan that governs the head at `t` (for clearance times and flash).
    public func governingPlan(at t: TimebaseInstant, resolve: HeadResolver) -> AnchoredPlan? {
        if let h = handover(resolve: resolve), t >= h.oldEnds { return pending }
        return current
    }

    /// The first change of the head's aspect strictly after `t`.
    public func nextChange(after t: TimebaseInstant, resolve: HeadResolver) -> (at: TimebaseInstant, aspect: Aspect)? {
        guard let now = aspect(at: t, resolve: resolve) else { return nil }
        if let h = handover(resolve: resolve) {
            if t < h.oldEnds {
                if let current, let head = resolve(current),
                   let next = current.plan.nextChange(of: head, after: t, anchor: current.anchor), next.at < h.oldEnds {
                    return next
                }
                if now != .red { return (h.oldEnds, .red) }
                return changeAfterHold(from: h.newStarts, shown: .red, resolve: resolve)
            }
            if t < h.newStarts { return changeAfterHold(from: h.newStarts, shown: .red, resolve: resolve) }
            guard let pending, let head = resolve(pending) else { return nil }
            return pending.plan.nextChange(of: head, after: t, anchor: pending.anchor)
        }
        guard let current, let head = resolve(current) else { return nil }
        return current.plan.nextChange(of: head, after: t, anchor: current.anchor)
    }

    private func changeAfterHold(from start: TimebaseInstant, shown: Aspect, resolve: HeadResolver) -> (at: TimebaseInstant, aspect: Aspect)? {
        guard let pending, let head = resolve(pending) else { return nil }
        let first = pending.plan.aspect(of: head, at: start, anchor: pending.anchor)
        if first != shown { return (start, first) }
        return pending.plan.nextChange(of: head, after: start, anchor: pending.anchor)
    }
}
