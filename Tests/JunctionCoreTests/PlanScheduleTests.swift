import Testing
@testable import JunctionCore

/// Crossroads (cycle 52 s) anchored at 0 hands over to the corridor (cycle
/// 56 s) announced for 60 s. The crossroads walk group: red 0–40, red+amber
/// 40–42, green 42–49, amber 49–52; north-south: red+amber 2–4, green 4–16.
/// Corridor j0 main: red 0–2, red+amber 2–4, green 4–34, amber 34–37.
@Suite("PlanSchedule: handover through all-red")
struct PlanScheduleTests {
    let s = Int64.nanosPerSecond
    let crossroads: AnchoredPlan
    let corridor: AnchoredPlan

    init() throws {
        let old = try SignalPlan.load(Array(ExamplePlans.crossroads.utf8), source: "crossroads")
        let new = try SignalPlan.load(Array(ExamplePlans.corridor.utf8), source: "corridor")
        crossroads = AnchoredPlan(plan: old, id: 1, anchor: TimebaseInstant(nanos: 0), bytes: [])
        corridor = AnchoredPlan(plan: new, id: 2, anchor: TimebaseInstant(nanos: 60 * s), bytes: [])
    }

    func t(_ seconds: Double) -> TimebaseInstant { TimebaseInstant(nanos: Int64((seconds * 1e9).rounded())) }

    /// The head shows `oldGroup` of crossroads, then junction `newJunction`'s main of the corridor.
    func resolver(oldGroup: Int, newJunction: Int = 0) -> PlanSchedule.HeadResolver {
        { plan in plan.id == 1 ? plan.plan.assignment(junction: 0, group: oldGroup) : plan.plan.assignment(junction: newJunction, group: 0) }
    }

    func schedule() -> PlanSchedule { PlanSchedule(current: crossroads, pending: corridor, pendingCommitted: true) }

    @Test func handoverInstantsFollowEachJunctionsCycleStarts() throws {
        let h0 = try #require(schedule().handover(resolve: resolver(oldGroup: 2)))
        // First crossroads cycle start at or after 60 s is 104 s; corridor j0's
        // cycle (anchored 60 s) starts next at 116 s.
        #expect(h0.oldEnds == t(104))
        #expect(h0.newStarts == t(116))
        // Corridor j1 is offset 21.6 s: its next cycle start after 104 s is 137.6 s.
        let h1 = try #require(schedule().handover(resolve: resolver(oldGroup: 2, newJunction: 1)))
        #expect(h1.oldEnds == t(104))
        #expect(h1.newStarts == t(137.6))
        #expect(PlanSchedule(current: crossroads).handover(resolve: resolver(oldGroup: 2)) == nil)
    }

    @Test func oldPlanThenRedThenNewPlan() throws {
        let schedule = schedule()
        let resolve = resolver(oldGroup: 2)
        let walk = crossroads.plan.assignment(junction: 0, group: 2)
        let main = corridor.plan.assignment(junction: 0, group: 0)
        // Before the old plan's cycle start: exactly the old plan.
        for ms in stride(from: Int64(0), to: 104_000, by: 250) {
            let at = TimebaseInstant(nanos: ms * .nanosPerMillisecond)
            #expect(schedule.aspect(at: at, resolve: resolve) == crossroads.plan.aspect(of: walk, at: at, anchor: crossroads.anchor))
        }
        #expect(schedule.aspect(at: t(100), resolve: resolve) == .green)
        #expect(schedule.aspect(at: t(104) - 1, resolve: resolve) == .amber)
        // Red from the old cycle start to the new one.
        for ms in stride(from: Int64(104_000), to: 116_000, by: 250) {
            #expect(schedule.aspect(at: TimebaseInstant(nanos: ms * .nanosPerMillisecond), resolve: resolve) == .red)
        }
        #expect(schedule.aspect(at: t(116) - 1, resolve: resolve) == .red)
        // Then exactly the new plan from its anchor.
        for ms in stride(from: Int64(116_000), to: 300_000, by: 250) {
            let at = TimebaseInstant(nanos: ms * .nanosPerMillisecond)
            #expect(schedule.aspect(at: at, resolve: resolve) == corridor.plan.aspect(of: main, at: at, anchor: corridor.anchor))
        }
        #expect(schedule.aspect(at: t(118), resolve: resolve) == .redAmber)
        #expect(schedule.aspect(at: t(120), resolve: resolve) == .green)
        #expect(schedule.governingPlan(at: t(104) - 1, resolve: resolve)?.id == 1)
        #expect(schedule.governingPlan(at: t(104), resolve: resolve)?.id == 2)
    }

    @Test func nextChangeAcrossTheHandover() throws {
        let schedule = schedule()
        let walk = resolver(oldGroup: 2)
        func next(_ at: TimebaseInstant, _ resolve: @escaping PlanSchedule.HeadResolver) throws -> (at: TimebaseInstant, aspect: Aspect) {
            try #require(schedule.nextChange(after: at, resolve: resolve))
        }
        // A change of the old plan before its end is reported as it is.
        #expect(try next(t(100), walk) == (t(101), .amber))
        // The old plan's amber ends in the hold's red.
        #expect(try next(t(102), walk) == (t(104), .red))
        // During the hold, the next change is the new plan's first non-red.
        #expect(try next(t(104), walk) == (t(118), .redAmber))
        #expect(try next(t(110), walk) == (t(118), .redAmber))
        #expect(try next(t(116), walk) == (t(118), .redAmber))
        #expect(try next(t(118), walk) == (t(120), .green))
        // A head red at the end of the old plan stays red through the hold:
        // north-south's next old change (106 s) is past the handover.
        let northSouth = resolver(oldGroup: 0)
        #expect(try next(t(100), northSouth) == (t(118), .redAmber))
        // Every reported change really changes the aspect, and nothing changes before it.
        var at = t(90)
        while at < t(200) {
            let change = try next(at, walk)
            #expect(change.at > at)
            #expect(schedule.aspect(at: change.at, resolve: walk) == change.aspect)
            #expect(schedule.aspect(at: change.at - 1, resolve: walk) != change.aspect)
            at = change.at
        }
    }

    @Test func promoteAtTheNewPlansStartOnly() {
        var schedule = schedule()
        let resolve = resolver(oldGroup: 2)
        schedule.promote(at: t(104), resolve: resolve)
        #expect(schedule.current?.id == 1)
        schedule.promote(at: t(116) - 1, resolve: resolve)
        #expect(schedule.current?.id == 1)
        #expect(schedule.pending?.id == 2)
        schedule.promote(at: t(116), resolve: resolve)
        #expect(schedule.current?.id == 2)
        #expect(schedule.pending == nil)
        #expect(schedule.aspect(at: t(120), resolve: resolve) == .green)
    }

    @Test func acceptRules() {
        var schedule = PlanSchedule()
        #expect(schedule.aspect(at: t(1), resolve: resolver(oldGroup: 0)) == nil)
        let changed117 = schedule.accept(crossroads)
        #expect(changed117)
        #expect(schedule.current?.id == 1)
        #expect(schedule.pending == nil)
        let changed121 = schedule.accept(crossroads)
        #expect(!changed121, "the same id again is refused")
        let sameID = AnchoredPlan(plan: corridor.plan, id: 1, anchor: t(-500), bytes: [])
        let changed124 = schedule.accept(sameID)
        #expect(changed124, "the same id at another anchor is another plan (here: arrived out of order)")
        #expect(schedule.current?.anchor == t(-500) && schedule.pending?.anchor == t(0))
        schedule.clear()
        _ = schedule.accept(crossroads)
        let simultaneous = AnchoredPlan(plan: corridor.plan, id: 3, anchor: t(0), bytes: [])
        let changed130 = schedule.accept(simultaneous)
        #expect(!changed130, "an anchor equal to the current one is refused")
        let changed132 = schedule.accept(corridor)
        #expect(changed132)
        #expect(schedule.pending?.id == 2)
        let changed135 = schedule.accept(corridor)
        #expect(!changed135, "the pending id again is refused")
        let replacement = AnchoredPlan(plan: corridor.plan, id: 4, anchor: t(30), bytes: [])
        let changed138 = schedule.accept(replacement)
        #expect(changed138, "a later-anchored plan replaces the pending one")
        #expect(schedule.pending?.id == 4)
        #expect(schedule.current?.id == 1)
        let older = AnchoredPlan(plan: corridor.plan, id: 5, anchor: t(-10), bytes: [])
        let changed150 = schedule.accept(older)
        #expect(!changed150, "an anchor before the current one is refused while a plan is pending")
        schedule.clear()
        #expect(schedule.current == nil && schedule.pending == nil)
    }

    @Test func noHeadInEitherPlanGivesNoAspect() {
        let schedule = schedule()
        let none: PlanSchedule.HeadResolver = { _ in nil }
        #expect(schedule.aspect(at: t(10), resolve: none) == nil)
        #expect(schedule.nextChange(after: t(10), resolve: none) == nil)
    }
}
