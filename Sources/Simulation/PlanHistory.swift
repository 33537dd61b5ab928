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
    /// (a standby's decisions drive nothing).
    mutating func settle(followed: Set<UInt64>) {
        entries = decisions.filter { followed.contains($0.coordinatorID) }
    }

    /// The epochs decided before true time `trueNanos`: from each fresh
    /// start, the plans handed over to since (each once, in anchor order),
    /// up to the next fresh start. Anchors of two epochs may be on different
    /// timebases, so epochs are never mixed.
    func epochs(before trueNanos: Int64) -> [[Entry]] {
        var result: [[Entry]] = []
        for (index, start) in entries.enumerated() where start.fresh && start.decidedAtNanos <= trueNanos {
            var chain: [Entry] = [start]
            for entry in entries[(index + 1)...] {
                if entry.fresh { break }
                if chain.contains(where: { $0.plan.identity == entry.plan.identity }) { continue }
                if let last = chain.last, entry.plan.anchor <= last.plan.anchor { continue }
                chain.append(entry)
            }
            result.append(chain)
        }
        return result.reversed()
    }

    /// The schedule that governs timebase instant `t` for a head: entry k
    /// with the handover to entry k+1.
    func schedule(at t: TimebaseInstant, in chain: [Entry], resolve: PlanSchedule.HeadResolver) -> PlanSchedule? {
        guard !chain.isEmpty else { return nil }
        var k = 0
        while k + 1 < chain.count, start(of: k + 1, in: chain, resolve: resolve) <= t { k += 1 }
        let next = k + 1 < chain.count ? chain[k + 1].plan : nil
        return PlanSchedule(current: chain[k].plan, pending: next, pendingCommitted: next != nil)
    }

    /// Where entry k takes over for the head: the new plan's start of the handover.
    private func start(of k: Int, in chain: [Entry], resolve: PlanSchedule.HeadResolver) -> TimebaseInstant {
        let pair = PlanSchedule(current: chain[k - 1].plan, pending: chain[k].plan, pendingCommitted: true)
        return pair.handover(resolve: resolve)?.newStarts ?? chain[k].plan.anchor
    }

    /// The first change of the head after `t` in an epoch.
    func nextChange(after t: TimebaseInstant, in chain: [Entry], resolve: PlanSchedule.HeadResolver) -> (at: TimebaseInstant, aspect: Aspect)? {
        schedule(at: t, in: chain, resolve: resolve)?.nextChange(after: t, resolve: resolve)
    }
}
