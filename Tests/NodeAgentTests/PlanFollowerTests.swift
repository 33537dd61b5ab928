import JunctionCore
import Protocol
import Testing
@testable import NodeAgent

/// The agent's plan identity: every followed tick is compared with the plans
/// held; only the coordinator's exact (id, anchor) pairs are run.
@Suite("PlanFollower: ticks against the plans held")
struct PlanFollowerTests {
    let s = Int64.nanosPerSecond
    let plan: SignalPlan
    let old: AnchoredPlan
    let new: AnchoredPlan
    let walk: PlanSchedule.HeadResolver = { $0.plan.assignment(junction: 0, group: 2) }

    init() throws {
        plan = try SignalPlan.load(Array(ExamplePlans.crossroads.utf8), source: "crossroads")
        old = AnchoredPlan(plan: plan, id: 1, anchor: TimebaseInstant(nanos: 0), bytes: [])
        // Handed over at the old plan's cycle start at 104 s (hold 0).
        new = AnchoredPlan(plan: plan, id: 2, anchor: TimebaseInstant(nanos: 104 * s), bytes: [])
    }

    func t(_ seconds: Double) -> TimebaseInstant { TimebaseInstant(nanos: Int64((seconds * 1e9).rounded())) }
    func ref(_ p: AnchoredPlan?) -> PlanRef { PlanRef(p) }
    func tick(at seconds: Double, plan: PlanRef, pending: PlanRef = .none, committed: Bool = false,
              position: Int64? = nil, anchor: TimebaseInstant = TimebaseInstant(nanos: 0)) -> Tick {
        let sentAt = t(seconds)
        return Tick(coordinatorID: 7, term: 1, sentAt: sentAt, plan: plan, pending: pending, pendingCommitted: committed,
                    cyclePositionNanos: position ?? floorMod(sentAt - anchor, self.plan.cycleNanos))
    }

    /// The defect: a tick naming the same id at another anchor was "the same
    /// plan"; now it is a mismatch and the agent drops what it holds.
    @Test func sameIDOtherAnchorIsAMismatch() {
        var follower = PlanFollower()
        var schedule = PlanSchedule(current: old)
        let shifted = PlanRef(id: PlanID(rawValue: 1), anchor: t(2))
        let verdict = follower.check(tick(at: 60, plan: shifted, anchor: t(2)), schedule: &schedule)
        #expect(verdict != .agrees)
        #expect(schedule.current == nil, "the wrong anchor is dropped, the right one fetched")
        #expect(follower.mismatches == 1)
        #expect(follower.admits(PlanIdentity(id: 1, anchor: t(2))))
        #expect(!follower.admits(PlanIdentity(id: 1, anchor: t(0))), "the dropped plan is not taken again")
    }

    /// Random scenario 2711 of the 10,000-seed sweep: an agent joined just
    /// before its coordinator died and took the old plan; the replacement
    /// started the edited plan fresh, anchored ahead, and the agent held that
    /// as pending. A tick naming it as governing read as "already committed",
    /// so the agent kept the old plan until its own handover, 42 s past the
    /// new plan's anchor, green against the rest of the junction. A
    /// coordinator activates a pending plan only at its anchor: one that
    /// governs before its anchor was started fresh, and the agent's plan is
    /// not the junction's.
    @Test func aPendingPlanGoverningBeforeItsAnchorWasStartedFreshNotHandedOver() {
        var follower = PlanFollower()
        var schedule = PlanSchedule(current: old, pending: new)
        let verdict = follower.check(tick(at: 80, plan: ref(new), anchor: new.anchor), schedule: &schedule)
        #expect(verdict != .agrees)
        #expect(schedule.current?.identity == new.identity && schedule.pending == nil, "the old plan is dropped")
        // At or after its anchor the same tick is a handover the agent completes.
        var handing = PlanSchedule(current: old, pending: new)
        var after = PlanFollower()
        #expect(after.check(tick(at: 104, plan: ref(new), anchor: new.anchor), schedule: &handing) == .agrees)
        #expect(handing.current?.identity == old.identity && handing.pendingCommitted)
    }

    /// The defect: at a plan edit's activation the agent switched at its
    /// own clock (a little ahead of the coordinator's, or its tick in flight
    /// across the anchor) and the next tick still named the old plan with the
    /// new one committed: "the coordinator runs plan 1, this agent 2", and
    /// the head left the plan for flashing red (5 of 6 simulated edits).
    @Test func aTickDecidedJustBeforeTheActivationAgrees() {
        var follower = PlanFollower()
        var schedule = PlanSchedule(current: old, pending: new, pendingCommitted: true)
        schedule.promote(at: new.anchor, resolve: walk)
        #expect(schedule.current?.identity == new.identity && schedule.handedOverFrom == old.identity)
        let late = tick(at: 104.03, plan: ref(old), pending: ref(new), committed: true)
        #expect(follower.check(late, schedule: &schedule) == .agrees)
        #expect(schedule.current?.identity == new.identity)
        // Uncommitted, or long after the anchor, it is a coordinator that
        // does not run this plan.
        var uncommitted = schedule, other = PlanFollower()
        #expect(other.check(tick(at: 104.03, plan: ref(old), pending: ref(new)), schedule: &uncommitted) != .agrees)
        var stale = schedule, another = PlanFollower()
        #expect(another.check(tick(at: 105.5, plan: ref(old), pending: ref(new), committed: true), schedule: &stale) != .agrees)
    }

    @Test func cyclePositionIsCrossChecked() {
        var follower = PlanFollower()
        var schedule = PlanSchedule(current: old)
        #expect(follower.check(tick(at: 60, plan: ref(old), position: 8 * s + 50 * 1_000_000), schedule: &schedule) == .agrees)
        #expect(follower.check(tick(at: 60, plan: ref(old), position: 8 * s + 51 * 1_000_000), schedule: &schedule) != .agrees)
    }

    /// A pending plan runs only after `pendingCommitted` for exactly it;
    /// without it the head leaves at the old plan's end.
    @Test func pendingRunsOnlyWhenCommitted() {
        var follower = PlanFollower()
        var schedule = PlanSchedule(current: old, pending: new)
        _ = follower.check(tick(at: 99, plan: ref(old), pending: ref(new)), schedule: &schedule)
        #expect(!schedule.pendingCommitted)
        #expect(schedule.aspect(at: t(104), resolve: walk) == nil, "uncommitted: leave at the handover")
        let other = PlanRef(id: PlanID(rawValue: 2), anchor: t(156))
        _ = follower.check(tick(at: 100, plan: ref(old), pending: other, committed: true), schedule: &schedule)
        #expect(schedule.pending == nil, "a commit of another identity drops ours")
        #expect(schedule.aspect(at: t(156), resolve: walk) == nil, "the announced plan is not held: the old one stops at its handover")
        #expect(schedule.aspect(at: t(155), resolve: walk) == .amber)
        schedule = PlanSchedule(current: old, pending: new)
        _ = follower.check(tick(at: 101, plan: ref(old), pending: ref(new), committed: true), schedule: &schedule)
        #expect(schedule.pendingCommitted)
        #expect(schedule.aspect(at: t(104), resolve: walk) == .red)
        #expect(schedule.aspect(at: t(104 + 45), resolve: walk) == .green)
    }

    /// The coordinator already runs the pending plan (the agent missed the
    /// commit, or its junction hands over later): that is a commit.
    @Test func theTicksPlanBeingOurPendingCommitsIt() {
        var follower = PlanFollower()
        var schedule = PlanSchedule(current: old, pending: new)
        let verdict = follower.check(tick(at: 105, plan: ref(new), anchor: new.anchor), schedule: &schedule)
        #expect(verdict == .agrees)
        #expect(schedule.pendingCommitted)
        #expect(schedule.current?.identity == old.identity, "promoted at the agent's own handover")
    }

    /// Plans the last tick does not name are not taken; an accepted plan the
    /// tick already committed is committed at once.
    @Test func onlyNamedPlansAreTakenAndCommitsApply() {
        var follower = PlanFollower()
        var schedule = PlanSchedule(current: old)
        _ = follower.check(tick(at: 99, plan: ref(old), pending: ref(new), committed: true), schedule: &schedule)
        #expect(!follower.admits(PlanIdentity(id: 3, anchor: t(104))))
        #expect(follower.admits(new.identity))
        _ = schedule.accept(new)
        follower.accepted(new.identity, schedule: &schedule)
        #expect(schedule.pendingCommitted)
        #expect(schedule.stop == t(99) + PlanRules.horizonNanos, "held now: only the horizon stops it")
    }
}
