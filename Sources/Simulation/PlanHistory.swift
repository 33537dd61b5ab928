import JunctionCore

/// Ground truth for the checker: which (plan, anchor) the scenario's
/// coordinators put in force, in order, read from the coordinators'
/// decisions (started, committed) and never from an agent's schedule.
///
/// From it the checker computes what any wired head should show at any
/// timebase instant: each plan runs from its handover from the one before
/// (the all-red handover of `PlanSchedule`, as every head must compute it) to
/// its handover to the next. A plan started afresh (a coordinator that could
/// not continue the agents' plan) cuts the chain: the heads leave the old
/// plan on their own before it, so no run of following crosses it.
struct PlanHistory {
    struct Entry {
        var plan: AnchoredPlan
        /// The id of the coordinator that decided it.
        var coordinatorID: UInt64
        /// Started afresh, not handed over to.
        var fresh: Bool
        /// True time the decision was taken (for messages).
        var decidedAtNanos: Int64
    }

    /// Every decision, in order, by any coordinator.
    private(set) var decisions: [Entry] = []
    /// The decisions of coordinators that agents followed: the history.
    private(set) var entries: [Entry] = []

    /// Records a decision of coordinator `coordinatorID`.
    mutating func record(_ plan: AnchoredPlan, fresh: Bool, coordinatorID: UInt64, atNanos: Int64) {
        decisions.append(Entry(plan: plan, coordinatorID: coordinatorID, fresh: fresh, decidedAtNanos: atNanos))
    }

    /// Keeps the decisions of coordinators some agent followed at some time
    /// (a standby's decisions drive nothing); a plan already in the history
    /// is not taken again (a replacement committing its predecessor's).
    mutating func settle(followed: Set<UInt64>) {
        entries = []
        for d in decisions where followed.contains(d.coordinatorID) {
            if entries.contains(where: { $0.plan.identity == d.plan.identity }) { continue }
            if let last = entries.last, d.plan.anchor < last.plan.anchor { continue }
            entries.append(d)
        }
    }

    /// The schedule that governs timebase instant `t` for a head: entry k
    /// with the handover to entry k+1 (when k+1 is handed over to).
    func schedule(at t: TimebaseInstant, resolve: PlanSchedule.HeadResolver) -> PlanSchedule? {
        guard !entries.isEmpty else { return nil }
        var k = 0
        while k + 1 < entries.count, start(of: k + 1, resolve: resolve) <= t { k += 1 }
        let next = k + 1 < entries.count && !entries[k + 1].fresh ? entries[k + 1].plan : nil
        return PlanSchedule(current: entries[k].plan, pending: next, pendingCommitted: next != nil)
    }

    /// Where entry k takes over for the head: its anchor when fresh, the new
    /// plan's start of the handover otherwise.
    private func start(of k: Int, resolve: PlanSchedule.HeadResolver) -> TimebaseInstant {
        if entries[k].fresh || k == 0 { return entries[k].plan.anchor }
        let pair = PlanSchedule(current: entries[k - 1].plan, pending: entries[k].plan, pendingCommitted: true)
        return pair.handover(resolve: resolve)?.newStarts ?? entries[k].plan.anchor
    }

    /// The first change of the head after `t` in the history.
    func nextChange(after t: TimebaseInstant, resolve: PlanSchedule.HeadResolver) -> (at: TimebaseInstant, aspect: Aspect)? {
        schedule(at: t, resolve: resolve)?.nextChange(after: t, resolve: resolve)
    }

    /// What the head shows at `t` in the history.
    func aspect(at t: TimebaseInstant, resolve: PlanSchedule.HeadResolver) -> Aspect? {
        schedule(at: t, resolve: resolve)?.aspect(at: t, resolve: resolve)
    }
}
