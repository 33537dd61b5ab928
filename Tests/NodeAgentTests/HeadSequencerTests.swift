import JunctionCore
import Testing
@testable import NodeAgent

/// A repeating timeline on the board's own clock, standing in for the plan:
/// the sequencer sees only `PlanView`, so a hand-made one pins every instant.
private struct FakeTimeline: Sendable {
    /// Segment starts in `0..<cycleNanos`, the first at 0.
    var segments: [(startNanos: Int64, aspect: Aspect)]
    var cycleNanos: Int64

    func aspect(at local: LocalInstant) -> Aspect {
        let p = floorMod(local.nanos, cycleNanos)
        return segments.last { $0.startNanos <= p }!.aspect
    }

    func nextChange(after local: LocalInstant) -> (at: LocalInstant, aspect: Aspect)? {
        let current = aspect(at: local)
        let cycleStart = local.nanos - floorMod(local.nanos, cycleNanos)
        for k in 0..<3 {
            for segment in segments {
                let at = cycleStart + Int64(k) * cycleNanos + segment.startNanos
                if at > local.nanos && segment.aspect != current { return (LocalInstant(nanos: at), segment.aspect) }
            }
        }
        return nil
    }

    func view(_ sequence: AspectSequence, timing: ClearanceTiming = .defaults) -> PlanView {
        let timeline = self
        return PlanView(aspectAt: { timeline.aspect(at: $0) }, nextChangeAfter: { timeline.nextChange(after: $0) },
                        timing: timing, sequence: sequence)
    }
}

private let s = Int64.nanosPerSecond
private func at(_ seconds: Double) -> LocalInstant { LocalInstant(nanos: Int64((seconds * 1e9).rounded())) }

/// UK, 30 s cycle: red 0–2, red+amber 2–4, green 4–20, amber 20–23, red 23–30.
private let ukTimeline = FakeTimeline(
    segments: [(0, .red), (2 * s, .redAmber), (4 * s, .green), (20 * s, .amber), (23 * s, .red)], cycleNanos: 30 * s)
/// US, 30 s cycle: red 0–2, green 2–20, amber 20–23, red 23–30.
private let usTimeline = FakeTimeline(
    segments: [(0, .red), (2 * s, .green), (20 * s, .amber), (23 * s, .red)], cycleNanos: 30 * s)
/// A short green (4–8 s) well under the 7 s minimum green of the timing.
private let shortGreenTimeline = FakeTimeline(
    segments: [(0, .red), (2 * s, .redAmber), (4 * s, .green), (8 * s, .amber), (11 * s, .red)], cycleNanos: 30 * s)

/// Default timing: amber 3 s, red+amber 2 s, minimum green 7 s.
@Suite("HeadSequencer: every change a driver sees is legal")
struct HeadSequencerTests {
    /// A sequencer following the UK plan from its red at 0 s, advanced to `seconds`.
    private func following(_ view: PlanView, until seconds: Double) -> HeadSequencer {
        var sequencer = HeadSequencer(initial: .red, at: at(0))
        sequencer.setGoal(.followPlan, now: at(0), plan: view)
        for change in [2.0, 4.0, 20.0, 23.0] where change <= seconds { sequencer.advance(to: at(change), plan: view) }
        sequencer.advance(to: at(seconds), plan: view)
        return sequencer
    }

    @Test func followingShowsThePlanAndItsChanges() throws {
        let view = ukTimeline.view(.uk)
        var sequencer = following(view, until: 0)
        #expect(sequencer.program == .following)
        #expect(sequencer.shown == .red)
        let first = try #require(sequencer.nextChange(after: at(0), plan: view))
        #expect(first.at == at(2) && first.aspect == .redAmber)
        sequencer.advance(to: at(2), plan: view)
        #expect(sequencer.shown == .redAmber)
        sequencer.advance(to: at(4), plan: view)
        #expect(sequencer.shown == .green)
        #expect(sequencer.shownSince == at(4))
        let next = try #require(sequencer.nextChange(after: at(4), plan: view))
        #expect(next.at == at(20) && next.aspect == .amber)
    }

    @Test func leavingFromAnOldGreenClearsThroughAFullAmber() throws {
        let view = ukTimeline.view(.uk)
        var sequencer = following(view, until: 15)  // green since 4 s: minimum green served
        #expect(sequencer.shown == .green)
        sequencer.setGoal(.hold(.red), now: at(15), plan: view)
        #expect(sequencer.shown == .amber, "green is never followed directly by red")
        #expect(sequencer.program == .clearing(until: at(18), then: .red))
        let change = try #require(sequencer.nextChange(after: at(15), plan: view))
        #expect(change.at == at(18) && change.aspect == .red)
        sequencer.advance(to: LocalInstant(nanos: 18 * s - 1), plan: view)
        #expect(sequencer.shown == .amber, "the amber lasts its full 3 s")
        sequencer.advance(to: at(18), plan: view)
        #expect(sequencer.shown == .red)
        #expect(sequencer.program == .steady(.red))
        #expect(sequencer.nextChange(after: at(18), plan: view) == nil)
    }

    /// Entry into a junction flash (flashing amber, which lets traffic
    /// proceed) goes through all-red: a green clears through its full
    /// amber, then holds red for the all-red, then flashes.
    @Test func enteringAJunctionFlashGoesThroughAmberAndAllRed() throws {
        let view = ukTimeline.view(.uk)
        var sequencer = following(view, until: 12)
        sequencer.setGoal(.hold(.flashingAmber), now: at(12), plan: view)
        #expect(sequencer.shown == .amber)
        sequencer.advance(to: at(14.999), plan: view)
        #expect(sequencer.shown == .amber)
        #expect(sequencer.nextChange(after: at(14.999), plan: view)?.aspect == .red)
        sequencer.advance(to: at(15), plan: view)
        #expect(sequencer.shown == .red, "all-red before the flash")
        sequencer.advance(to: at(16.999), plan: view)
        #expect(sequencer.shown == .red)
        sequencer.advance(to: at(17), plan: view)
        #expect(sequencer.shown == .flashingAmber)
    }

    /// A head that is red when its junction is commanded into flashing
    /// amber waits out the longest clearance of a conflicting green leaving
    /// at the same command (minimum green, amber, all-red: 7 + 3 + 2 s).
    @Test func aRedHeadEntersAJunctionFlashOnlyAfterAnyConflictingGreenHasCleared() throws {
        let view = ukTimeline.view(.uk)
        var sequencer = following(view, until: 25)  // plan red since 23 s
        #expect(sequencer.shown == .red)
        sequencer.setGoal(.hold(.flashingAmber), now: at(25), plan: view)
        sequencer.advance(to: at(36.999), plan: view)
        #expect(sequencer.shown == .red)
        sequencer.advance(to: at(37), plan: view)
        #expect(sequencer.shown == .flashingAmber)
        // Flashing red (stop) needs no all-red.
        var stop = following(view, until: 25)
        stop.setGoal(.hold(.flashingRed), now: at(25), plan: view)
        #expect(stop.shown == .flashingRed)
    }

    @Test func leavingDuringAmberKeepsTheAmberItsFullTime() throws {
        let view = ukTimeline.view(.uk)
        var sequencer = following(view, until: 21)  // plan amber since 20 s
        #expect(sequencer.shown == .amber)
        sequencer.setGoal(.hold(.flashingRed), now: at(21), plan: view)
        #expect(sequencer.program == .clearing(until: at(23), then: .flashingRed))
        sequencer.advance(to: at(22.9), plan: view)
        #expect(sequencer.shown == .amber)
        sequencer.advance(to: at(23), plan: view)
        #expect(sequencer.shown == .flashingRed)
    }

    @Test func aFreshGreenIsFinishedUpToTheMinimumGreen() throws {
        let view = ukTimeline.view(.uk)
        var sequencer = following(view, until: 6)  // green since 4 s, 2 s ago
        sequencer.setGoal(.hold(.red), now: at(6), plan: view)
        #expect(sequencer.shown == .green)
        #expect(sequencer.program == .finishingGreen(until: at(11), then: .red))
        let first = try #require(sequencer.nextChange(after: at(6), plan: view))
        #expect(first.at == at(11) && first.aspect == .amber)
        sequencer.advance(to: at(10.999), plan: view)
        #expect(sequencer.shown == .green)
        sequencer.advance(to: at(11), plan: view)
        #expect(sequencer.shown == .amber)
        let second = try #require(sequencer.nextChange(after: at(11), plan: view))
        #expect(second.at == at(14) && second.aspect == .red)
        sequencer.advance(to: at(14), plan: view)
        #expect(sequencer.shown == .red)
    }

    @Test func aFreshGreenNeverOutlastsThePlansOwnGreen() throws {
        let view = shortGreenTimeline.view(.uk)
        var sequencer = following(view, until: 5)  // green 4–8 s, minimum would reach 11 s
        sequencer.setGoal(.hold(.red), now: at(5), plan: view)
        #expect(sequencer.program == .finishingGreen(until: at(8), then: .red))
        sequencer.advance(to: at(8), plan: view)
        #expect(sequencer.shown == .amber)
        sequencer.advance(to: at(11), plan: view)
        #expect(sequencer.shown == .red)
    }

    @Test func joiningWherePlanIsRedFollowsAtOnce() throws {
        let view = ukTimeline.view(.uk)
        var sequencer = HeadSequencer(initial: .red, at: at(24))
        sequencer.setGoal(.followPlan, now: at(25), plan: view)
        #expect(sequencer.program == .following)
        #expect(sequencer.shown == .red)
        let change = try #require(sequencer.nextChange(after: at(25), plan: view))
        #expect(change.at == at(32) && change.aspect == .redAmber)
    }

    @Test func ukJoiningAGreenWithTimeLeftGoesThroughRedAmber() throws {
        let view = ukTimeline.view(.uk)
        var sequencer = HeadSequencer(initial: .red, at: at(0))
        sequencer.setGoal(.followPlan, now: at(5), plan: view)  // 15 s of green left ≥ 2 + 7
        #expect(sequencer.shown == .redAmber)
        #expect(sequencer.program == .preparing(until: at(7)))
        let change = try #require(sequencer.nextChange(after: at(5), plan: view))
        #expect(change.at == at(7) && change.aspect == .green)
        sequencer.advance(to: at(6.999), plan: view)
        #expect(sequencer.shown == .redAmber)
        sequencer.advance(to: at(7), plan: view)
        #expect(sequencer.shown == .green)
        #expect(sequencer.program == .following)
        let next = try #require(sequencer.nextChange(after: at(7), plan: view))
        #expect(next.at == at(20) && next.aspect == .amber)
    }

    @Test func usJoiningAGreenWithTimeLeftGoesGreenAtOnce() throws {
        let view = usTimeline.view(.us, timing: ClearanceTiming(amberNanos: 3 * s, redAmberNanos: 0, allRedNanos: 2 * s, minGreenNanos: 7 * s))
        var sequencer = HeadSequencer(initial: .red, at: at(0))
        sequencer.setGoal(.followPlan, now: at(5), plan: view)
        #expect(sequencer.shown == .green)
        #expect(sequencer.program == .following)
    }

    @Test func joiningAGreenWithTooLittleLeftHoldsRedUntilThePlansRed() throws {
        let view = ukTimeline.view(.uk)
        var sequencer = HeadSequencer(initial: .red, at: at(0))
        sequencer.setGoal(.followPlan, now: at(14), plan: view)  // 6 s left < 2 + 7
        #expect(sequencer.shown == .red)
        #expect(sequencer.program == .waitingToJoin(hold: .red))
        // It looks again at the plan's changes, showing red meanwhile.
        let look = try #require(sequencer.nextChange(after: at(14), plan: view))
        #expect(look.at == at(20) && look.aspect == .red)
        sequencer.advance(to: at(20), plan: view)  // plan amber: still not joinable
        #expect(sequencer.shown == .red)
        #expect(sequencer.program == .waitingToJoin(hold: .red))
        let join = try #require(sequencer.nextChange(after: at(20), plan: view))
        #expect(join.at == at(23) && join.aspect == .red)
        sequencer.advance(to: at(23), plan: view)
        #expect(sequencer.program == .following)
        #expect(sequencer.shown == .red)
        #expect(sequencer.shownSince == at(0), "no visible change while waiting and joining on red")
    }

    @Test func joiningDuringTheGreenAtExactlyTheNeededTime() {
        let view = ukTimeline.view(.uk)
        // 9 s left (20 − 11) is exactly red+amber + minimum green: joinable.
        var exact = HeadSequencer(initial: .red, at: at(0))
        exact.setGoal(.followPlan, now: at(11), plan: view)
        #expect(exact.program == .preparing(until: at(13)))
        // One nanosecond less is not.
        var late = HeadSequencer(initial: .red, at: at(0))
        late.setGoal(.followPlan, now: LocalInstant(nanos: 11 * s + 1), plan: view)
        #expect(late.program == .waitingToJoin(hold: .red))
    }

    @Test func joiningDuringAmberWaitsForRed() {
        let view = ukTimeline.view(.uk)
        var sequencer = HeadSequencer(initial: .red, at: at(0))
        sequencer.setGoal(.followPlan, now: at(21), plan: view)
        #expect(sequencer.shown == .red)
        #expect(sequencer.program == .waitingToJoin(hold: .red))
        sequencer.advance(to: at(23), plan: view)
        #expect(sequencer.program == .following)
    }

    @Test func flashThenRedThenFollow() throws {
        let view = ukTimeline.view(.uk)
        var sequencer = HeadSequencer(initial: .flashingRed, at: at(0))
        #expect(sequencer.shown == .flashingRed)
        sequencer.setGoal(.hold(.red), now: at(1), plan: view)
        #expect(sequencer.shown == .red)
        #expect(sequencer.shownSince == at(1))
        #expect(sequencer.nextChange(after: at(1), plan: view) == nil)
        // Plan red+amber at 3 s, 1 s of it left: the head shows a full
        // red+amber (to 5 s), then the plan's green (issue 10).
        sequencer.setGoal(.followPlan, now: at(3), plan: view)
        #expect(sequencer.program == .preparing(until: at(5)))
        #expect(sequencer.shown == .redAmber)
        sequencer.advance(to: at(4), plan: view)
        #expect(sequencer.shown == .redAmber, "the plan's green began, but red+amber has had only 1 s")
        sequencer.advance(to: at(5), plan: view)
        #expect(sequencer.shown == .green)
        #expect(sequencer.program == .following)
    }

    @Test func joiningAtRedAmberWithTooLittleGreenLeftWaitsForRed() {
        // Red+amber 2–4 s, green only 4–8 s: a full red+amber from 3.5 s
        // leaves 2.5 s of green, under the 7 s minimum.
        let view = shortGreenTimeline.view(.uk)
        var sequencer = HeadSequencer(initial: .red, at: at(0))
        sequencer.setGoal(.followPlan, now: at(3.5), plan: view)
        #expect(sequencer.shown == .red)
        #expect(sequencer.program == .waitingToJoin(hold: .red))
    }

    @Test func fromFlashingAmberAHeadJoinsOnlyAtRed() {
        let view = ukTimeline.view(.uk)
        var sequencer = HeadSequencer(initial: .flashingAmber, at: at(0))
        sequencer.setGoal(.followPlan, now: at(5), plan: view)  // plan green with 15 s left
        #expect(sequencer.shown == .flashingAmber)
        sequencer.advance(to: at(23), plan: view)
        #expect(sequencer.shown == .red && sequencer.program == .following)
    }

    @Test func aRetainedGreenIsClearedThroughAFullAmber() {
        var sequencer = HeadSequencer(retained: .green, startup: .red, at: at(0))
        #expect(sequencer.shown == .amber)
        sequencer.advance(to: at(2.9), plan: nil)
        #expect(sequencer.shown == .amber)
        sequencer.advance(to: at(3), plan: nil)
        #expect(sequencer.shown == .red)
        let red = HeadSequencer(retained: .redAmber, startup: .red, at: at(0))
        #expect(red.shown == .red)
        // A plan with a 4 s amber arrives during the clearance: its full amber.
        let longAmber = ukTimeline.view(.uk, timing: ClearanceTiming(amberNanos: 4 * s, redAmberNanos: 2 * s, allRedNanos: 2 * s, minGreenNanos: 7 * s))
        var retained = HeadSequencer(retained: .green, startup: .red, at: at(0))
        retained.advance(to: at(1), plan: longAmber)
        #expect(retained.nextChange(after: at(1), plan: longAmber)?.at == at(4))
        retained.advance(to: at(3), plan: longAmber)
        #expect(retained.shown == .amber)
        retained.advance(to: at(4), plan: longAmber)
        #expect(retained.shown == .red)
    }

    /// Lit late, the clearance runs its full amber from the lamp, also when
    /// a plan with a longer amber arrives meanwhile.
    @Test func aClearanceLitLateRunsItsFullAmberFromTheLamp() {
        var sequencer = HeadSequencer(retained: .green, startup: .red, at: at(0))
        sequencer.clearanceLit(at: at(0.5))
        #expect(sequencer.shownSince == at(0.5) && sequencer.program == .clearing(until: at(3.5), then: .red))
        sequencer.advance(to: at(3.4), plan: nil)
        #expect(sequencer.shown == .amber)
        sequencer.advance(to: at(3.5), plan: nil)
        #expect(sequencer.shown == .red)
        sequencer.clearanceLit(at: at(4))
        #expect(sequencer.program == .steady(.red), "nothing to move once the clearance is over")
        let longAmber = ukTimeline.view(.uk, timing: ClearanceTiming(amberNanos: 4 * s, redAmberNanos: 2 * s, allRedNanos: 2 * s, minGreenNanos: 7 * s))
        var planned = HeadSequencer(retained: .green, startup: .red, at: at(0))
        planned.clearanceLit(at: at(0.5))
        planned.advance(to: at(4.4), plan: longAmber)
        #expect(planned.shown == .amber)
        planned.advance(to: at(4.5), plan: longAmber)
        #expect(planned.shown == .red)
    }

    @Test func losingThePlanWhileFollowingClearsToFlash() {
        let view = ukTimeline.view(.uk)
        var sequencer = following(view, until: 15)
        sequencer.advance(to: at(16), plan: nil)
        #expect(sequencer.shown == .amber)
        #expect(sequencer.program == .clearing(until: at(19), then: .flashingRed))
    }

    /// Over a day of random goal changes the shown aspects only ever make
    /// legal steps: green is left only to amber, and amber lasts 3 s.
    @Test func randomGoalChangesOnlyMakeLegalSteps() {
        let view = ukTimeline.view(.uk)
        var random = SplitMix64(seed: 42)
        var sequencer = HeadSequencer(initial: .red, at: at(0))
        var now = at(0)
        var last = sequencer.shown
        var amberSince: LocalInstant?
        // The sequencer is the first line: the monitor behind it never trips.
        var monitor = SignalMonitor(rules: .init(sequence: .uk, timing: .defaults), showing: .red, at: now)
        for _ in 0..<5_000 {
            let step = Int64(random.next() % UInt64(4 * s)) + 1
            var target = now + step
            if let change = sequencer.nextChange(after: now, plan: view), change.at < target { target = change.at }
            now = target
            if random.next() % 8 == 0 {
                let goals: [HeadSequencer.Goal] = [.followPlan, .hold(.red), .hold(.flashingAmber)]
                sequencer.setGoal(goals[Int(random.next() % 3)], now: now, plan: view)
            } else {
                sequencer.advance(to: now, plan: view)
            }
            let shown = sequencer.shown
            #expect(monitor.offer(shown, at: now) == shown, "monitor refused \(last) -> \(shown) at \(now): \(monitor.trip.map(\.description) ?? "")")
            if monitor.isTripped { break }
            if shown != last {
                if last == .green { #expect(shown == .amber, "green went to \(shown) at \(now)") }
                if last == .amber, let since = amberSince { #expect(now - since >= 3 * s, "amber for \(now - since) ns") }
                if shown == .green { #expect(last == .redAmber, "UK green came from \(last)") }
                amberSince = shown == .amber ? now : nil
                last = shown
            }
        }
    }
}
