import Testing
@testable import JunctionCore

/// The defects of issue 9 in `PlanSchedule`, each as the test that would have
/// caught it: identity is (id, anchor), nothing is shown before its anchor,
/// and the handover keeps the larger intergreen of both plans.
@Suite("PlanSchedule: plan identity is (id, anchor)")
struct PlanIdentityDefectTests {
    let s = Int64.nanosPerSecond
    let crossroads: SignalPlan

    init() throws {
        crossroads = try SignalPlan.load(Array(ExamplePlans.crossroads.utf8), source: "crossroads")
    }

    func t(_ seconds: Double) -> TimebaseInstant { TimebaseInstant(nanos: Int64((seconds * 1e9).rounded())) }
    func anchored(_ plan: SignalPlan, id: UInt64, at seconds: Double) -> AnchoredPlan {
        AnchoredPlan(plan: plan, id: id, anchor: t(seconds), bytes: [])
    }
    func northSouth(_ plan: AnchoredPlan) -> HeadAssignment? { plan.plan.assignment(junction: 0, group: 0) }

    /// The replacement coordinator's defect: the same content anchored
    /// elsewhere is another plan, not "already known".
    @Test func sameIDOtherAnchorIsAnotherPlan() {
        var schedule = PlanSchedule()
        let changed1 = schedule.accept(anchored(crossroads, id: 7, at: 0))
        #expect(changed1)
        let moved = anchored(crossroads, id: 7, at: 104)
        let changed2 = schedule.accept(moved)
        #expect(changed2, "same id, later anchor: a different plan")
        #expect(schedule.pending?.anchor == t(104))
    }

    /// A late-joining agent that receives only a plan anchored in the future
    /// must not run it backwards before its anchor.
    @Test func nothingShownBeforeTheAnchor() {
        var schedule = PlanSchedule()
        _ = schedule.accept(anchored(crossroads, id: 7, at: 104))
        for ms in stride(from: Int64(0), to: 104_000, by: 500) {
            #expect(schedule.aspect(at: TimebaseInstant(nanos: ms * .nanosPerMillisecond), resolve: northSouth) == nil)
        }
        #expect(schedule.aspect(at: t(104), resolve: northSouth) == .red)
        #expect(schedule.nextChange(after: t(50), resolve: northSouth)?.at == t(104))
    }

    /// A pending plan that arrives before the current one is not promoted over it.
    @Test func pendingArrivingFirstStaysPending() {
        var schedule = PlanSchedule()
        _ = schedule.accept(anchored(crossroads, id: 8, at: 104))
        _ = schedule.accept(anchored(crossroads, id: 7, at: 0))
        #expect(schedule.current?.identity == PlanIdentity(id: 7, anchor: t(0)))
        #expect(schedule.pending?.identity == PlanIdentity(id: 8, anchor: t(104)))
    }

    /// A plan whose conflict needs 9 s of intergreen, after one with 3 s
    /// amber: the red between the last old green and the first new green is
    /// at least 9 s, whatever the old plan's clearance gives.
    @Test func handoverKeepsTheLargerIntergreen() throws {
        let slow = try SignalPlan.load(Array("""
            { "groups": ["north-south", "east-west", "walk"],
              "timing": { "amber": 5, "redAmber": 2, "allRed": 2, "minGreen": 7 },
              "conflicts": [{ "groups": ["north-south", "east-west"], "intergreen": 9 }],
              "phases": [{ "green": ["east-west"], "seconds": 10 }, { "green": ["north-south"], "seconds": 10 },
                         { "green": ["walk"], "seconds": 7 }],
              "heads": [{ "group": "north-south" }] }
            """.utf8), source: "slow")
        let old = anchored(crossroads, id: 1, at: 0)
        let hold = PlanSchedule.handoverHoldNanos(from: crossroads, to: slow)
        // The coordinator anchors the new plan at an old cycle start plus the hold.
        let new = anchored(slow, id: 2, at: 104 + Double(hold) / 1e9)
        let schedule = PlanSchedule(current: old, pending: new, pendingCommitted: true)
        // Crossroads: walk is green until 49 s of the cycle (101 s), amber to 104 s.
        let walk: PlanSchedule.HeadResolver = { $0.id == 1 ? $0.plan.assignment(junction: 0, group: 2) : $0.plan.assignment(junction: 0, group: 1) }
        var at = t(95)
        var lastGreenEnd: TimebaseInstant?
        var firstNewGreen: TimebaseInstant?
        while at < t(140), firstNewGreen == nil {
            let change = try #require(schedule.nextChange(after: at, resolve: walk))
            if schedule.aspect(at: at, resolve: walk) == .green && change.aspect != .green { lastGreenEnd = change.at }
            if change.aspect == .green && change.at > t(104) { firstNewGreen = change.at }
            at = change.at
        }
        let gap = try #require(firstNewGreen) - (try #require(lastGreenEnd))
        #expect(gap >= 9 * s, "intergreen across the handover \(gap) ns")
    }

    /// An agent that holds the pending plan but never heard it committed
    /// leaves the plan at the old plan's end (red there), never runs the new one.
    @Test func uncommittedPendingIsNeverShown() throws {
        let walk: PlanSchedule.HeadResolver = { $0.plan.assignment(junction: 0, group: 2) }
        var schedule = PlanSchedule(current: anchored(crossroads, id: 1, at: 0), pending: anchored(crossroads, id: 2, at: 104))
        #expect(schedule.aspect(at: t(103), resolve: walk) == .amber)
        #expect(schedule.aspect(at: t(104), resolve: walk) == nil)
        #expect(schedule.aspect(at: t(200), resolve: walk) == nil)
        let leave = try #require(schedule.nextChange(after: t(102), resolve: walk))
        #expect(leave.at == t(104) && leave.aspect == .flashingRed)
        schedule.promote(at: t(300), resolve: walk)
        #expect(schedule.current?.id == 1, "an uncommitted plan is never promoted")
        let changed3 = schedule.commit(PlanIdentity(id: 2, anchor: t(105)))
        #expect(!changed3, "commit names the exact identity")
        let changed4 = schedule.commit(PlanIdentity(id: 2, anchor: t(104)))
        #expect(changed4)
        #expect(schedule.aspect(at: t(104), resolve: walk) == .red)
        #expect(schedule.aspect(at: t(104 + 45), resolve: walk) == .green)
        schedule.promote(at: t(104), resolve: walk)
        #expect(schedule.current?.identity == PlanIdentity(id: 2, anchor: t(104)))
    }

    /// Past the stop instant the head shows nothing from the next cycle start
    /// of its junction (all-red there), never half a cycle.
    @Test func stopEndsTheTimelineAtACycleStart() {
        let walk: PlanSchedule.HeadResolver = { $0.plan.assignment(junction: 0, group: 2) }
        var schedule = PlanSchedule(current: anchored(crossroads, id: 1, at: 0))
        schedule.setStop(t(60))
        #expect(schedule.aspect(at: t(100), resolve: walk) == .green)
        #expect(schedule.aspect(at: t(104), resolve: walk) == nil)
        #expect(schedule.nextChange(after: t(102), resolve: walk)! == (t(104), .flashingRed))
        schedule.setStop(nil)
        #expect(schedule.aspect(at: t(104), resolve: walk) == .red)
    }

    /// The hold for two crossroads plans is zero: the usual clearance already
    /// gives 7 s (3 s amber, 2 s all-red, 2 s red+amber), over every intergreen.
    @Test func sameTimingsNeedNoExtraHold() {
        #expect(PlanSchedule.handoverHoldNanos(from: crossroads, to: crossroads) == 0)
    }
}
