import JunctionCore
import Testing
@testable import NodeAgent

private func at(_ seconds: Double) -> LocalInstant { LocalInstant(nanos: Int64((seconds * 1e9).rounded())) }

/// A deliberately wrong "plan function": the aspects a faulty controller
/// offers, at the instants it offers them.
private struct OfferedChanges {
    var changes: [(seconds: Double, aspect: Aspect)]

    func aspect(at t: LocalInstant) -> Aspect { changes.last { at($0.seconds) <= t }?.aspect ?? changes[0].aspect }

    /// Runs `monitor` from the first change to `end`, waking at every offered
    /// change and at the monitor's own changes; returns what the head showed.
    func drive(_ monitor: inout SignalMonitor, until end: Double) -> [(seconds: Double, aspect: Aspect)] {
        var shown: [(seconds: Double, aspect: Aspect)] = [(changes[0].seconds, monitor.shown)]
        var now = at(changes[0].seconds)
        while now <= at(end) {
            let aspect = monitor.offer(aspect(at: now), at: now)
            if aspect != shown.last!.aspect { shown.append((Double(now.nanos) / 1e9, aspect)) }
            let nextOffer = changes.map { at($0.seconds) }.first { $0 > now }
            let candidates = [nextOffer, monitor.nextChange.map { max($0, now + 1) }].compactMap { $0 }
            guard let next = candidates.min() else { break }
            now = next
        }
        return shown
    }
}

/// The default timing: amber 3 s, red+amber 2 s, minimum green 7 s.
private let uk = SignalMonitor.Rules(sequence: .uk, timing: .defaults)
private let us = SignalMonitor.Rules(sequence: .us, timing: .defaults)

private func same(_ a: [(seconds: Double, aspect: Aspect)], _ b: [(Double, Aspect)]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0.seconds - $1.0) < 1e-6 && $0.aspect == $1.1 }
}

@Suite("SignalMonitor: every lamp change policed, whatever the controller says")
struct SignalMonitorTests {
    @Test func aLegalUKCycleIsShownAsOffered() {
        let plan = OfferedChanges(changes: [(0, .red), (2, .redAmber), (4, .green), (20, .amber), (23, .red), (32, .redAmber), (34, .green)])
        var monitor = SignalMonitor(rules: uk, showing: .red, at: at(0))
        let shown = plan.drive(&monitor, until: 40)
        #expect(same(shown, [(0, .red), (2, .redAmber), (4, .green), (20, .amber), (23, .red), (32, .redAmber), (34, .green)]))
        #expect(!monitor.isTripped && monitor.tripCount == 0)
    }

    @Test func aLegalUSCycleIsShownAsOffered() {
        let plan = OfferedChanges(changes: [(0, .red), (2, .green), (20, .amber), (23, .red), (32, .green)])
        var monitor = SignalMonitor(rules: us, showing: .red, at: at(0))
        let shown = plan.drive(&monitor, until: 40)
        #expect(same(shown, [(0, .red), (2, .green), (20, .amber), (23, .red), (32, .green)]))
        #expect(monitor.tripCount == 0)
    }

    /// Each kind of bad jump, and what the street sees instead.
    @Test(arguments: [
        // green → red without amber: the green gets its full amber, then flashing red.
        ("green-to-red", [(0.0, Aspect.red), (2, .redAmber), (4, .green), (15, .red), (22, .redAmber), (24, .green)],
         SignalMonitor.Violation.greenNotToAmber, [(0.0, Aspect.red), (2, .redAmber), (4, .green), (15, .amber), (18, .flashingRed)]),
        // green → dark.
        ("green-to-dark", [(0, .red), (2, .redAmber), (4, .green), (15, .off), (20, .red)],
         .greenNotToAmber, [(0, .red), (2, .redAmber), (4, .green), (15, .amber), (18, .flashingRed)]),
        // red → green in the UK sequence (no red+amber).
        ("uk-red-to-green", [(0, .red), (5, .green), (20, .amber), (23, .red)],
         .startWithoutStop, [(0, .red), (5, .flashingRed)]),
        // an amber cut short: it is finished, then flashing red.
        ("short-amber", [(0, .red), (2, .redAmber), (4, .green), (12, .amber), (13, .red), (20, .redAmber)],
         .shortAmber, [(0, .red), (2, .redAmber), (4, .green), (12, .amber), (15, .flashingRed)]),
        // a red+amber cut short before its green.
        ("short-red-amber", [(0, .red), (2, .redAmber), (2.5, .green), (20, .amber)],
         .shortRedAmber, [(0, .red), (2, .redAmber), (2.5, .flashingRed)]),
        // a green ended before its minimum.
        ("short-green", [(0, .red), (2, .redAmber), (4, .green), (6, .amber), (9, .red), (12, .redAmber), (14, .green)],
         .shortGreen, [(0, .red), (2, .redAmber), (4, .green), (6, .amber), (9, .flashingRed)]),
        // green → flashing (a leave that forgot the amber).
        ("green-to-flash", [(0, .red), (2, .redAmber), (4, .green), (15, .flashingRed)],
         .greenNotToAmber, [(0, .red), (2, .redAmber), (4, .green), (15, .amber), (18, .flashingRed)]),
    ])
    func badJumpsTakeTheSafePathAndStayThere(
        name: String, offered: [(Double, Aspect)], violation: SignalMonitor.Violation, expected: [(Double, Aspect)]
    ) throws {
        let plan = OfferedChanges(changes: offered.map { (seconds: $0.0, aspect: $0.1) })
        var monitor = SignalMonitor(rules: uk, showing: .red, at: at(0))
        let shown = plan.drive(&monitor, until: 60)
        #expect(same(shown, expected), "\(name): \(shown)")
        let trip = try #require(monitor.trip, "\(name) did not trip")
        #expect(trip.violation == violation)
        #expect(monitor.tripCount == 1, "latched: one trip however long the faulty plan goes on")
        #expect(monitor.shown == .flashingRed)
    }

    @Test func usRulesRefuseRedAmber() {
        let plan = OfferedChanges(changes: [(0, .red), (2, .redAmber), (4, .green)])
        var monitor = SignalMonitor(rules: us, showing: .red, at: at(0))
        let shown = plan.drive(&monitor, until: 10)
        #expect(same(shown, [(0, .red), (2, .flashingRed)]))
        #expect(monitor.trip?.violation == .notInSequence)
    }

    @Test func darkOrFlashingAmberNeverStartsTraffic() {
        for start in [Aspect.off, .flashingAmber] {
            var monitor = SignalMonitor(rules: us, showing: start, at: at(0))
            #expect(monitor.offer(.green, at: at(10)) == .flashingRed, "\(start) → green")
            #expect(monitor.trip?.violation == .startWithoutStop)
        }
        var monitor = SignalMonitor(rules: uk, showing: .flashingRed, at: at(0))
        #expect(monitor.offer(.red, at: at(1)) == .red)
        #expect(monitor.offer(.redAmber, at: at(1.5)) == .redAmber, "from red, the UK start is at once")
        #expect(!monitor.isTripped)
    }

    /// Durations are measured on a slewed clock: 2,000 ppm + 1 ms of slack,
    /// no more.
    @Test func slackCoversSlewButNotAStep() {
        var slewed = SignalMonitor(rules: uk, showing: .amber, at: at(0))
        #expect(slewed.offer(.red, at: at(2.9985)) == .red)
        #expect(!slewed.isTripped)
        var stepped = SignalMonitor(rules: uk, showing: .amber, at: at(0))
        #expect(stepped.offer(.red, at: at(2.95)) == .amber)
        #expect(stepped.trip?.violation == .shortAmber)
    }

    @Test func anAmberKeepsTheTimeItStartedWith() {
        var monitor = SignalMonitor(rules: SignalMonitor.Rules(sequence: .uk, amberNanos: 4_000_000_000, redAmberNanos: 2_000_000_000,
                                                              minGreenNanos: 7_000_000_000), showing: .amber, at: at(0))
        monitor.rules = uk  // a plan handover to a 3 s amber while a 4 s amber runs
        #expect(monitor.offer(.red, at: at(3.5)) == .amber)
        #expect(monitor.isTripped)
    }

    @Test func rearmOnlyAfterTheSafePath() {
        var monitor = SignalMonitor(rules: uk, showing: .green, at: at(0))
        #expect(monitor.offer(.red, at: at(10)) == .amber)
        monitor.rearm(at: at(11))
        #expect(monitor.isTripped, "still on its amber: not re-armed")
        #expect(monitor.offer(.green, at: at(12)) == .amber)
        #expect(monitor.nextChange == at(13))
        monitor.rearm(at: at(13))
        #expect(!monitor.isTripped && monitor.shown == .flashingRed)
        #expect(monitor.offer(.red, at: at(14)) == .red)
        #expect(monitor.tripCount == 1)
    }

    @Test func aRetainedGreenMayGoToAmberAtOnce() {
        var monitor = SignalMonitor(rules: uk, showing: .green, at: at(0), retained: true)
        #expect(monitor.offer(.amber, at: at(0)) == .amber)
        #expect(!monitor.isTripped)
        var fresh = SignalMonitor(rules: uk, showing: .green, at: at(0))
        #expect(fresh.offer(.amber, at: at(0)) == .amber)
        #expect(fresh.trip?.violation == .shortGreen, "a green that just began must serve its minimum")
    }

    /// A lamp lit later than its offer: the minimum counts from the lamp,
    /// and a reading from before the offer cannot shorten it.
    @Test func aLateLampMakesTheMinimumCountFromIt() {
        var monitor = SignalMonitor(rules: uk, showing: .green, at: at(0), retained: true)
        #expect(monitor.offer(.amber, at: at(0)) == .amber)
        monitor.lampLit(at: at(0.5))
        monitor.lampLit(at: at(0.1))
        #expect(monitor.shownSince == at(0.5))
        #expect(monitor.offer(.red, at: at(3.0)) == .amber)
        #expect(monitor.trip?.violation == .shortAmber, "3 s after the offer is 2.5 s of lamp")
    }

    @Test func stopClearsAGreenThroughItsFullAmber() {
        var green = SignalMonitor(rules: uk, showing: .green, at: at(0))
        let end = green.stop(at: at(10), finally: .red)
        #expect(green.shown == .amber && end == at(13))
        #expect(green.offer(.green, at: at(12)) == .amber, "nothing else is shown during the shutdown")
        #expect(green.offer(.green, at: at(13)) == .red)
        #expect(!green.isTripped && green.tripCount == 0)

        var amber = SignalMonitor(rules: uk, showing: .amber, at: at(0))
        #expect(amber.stop(at: at(1), finally: .off) == at(3))
        var red = SignalMonitor(rules: uk, showing: .redAmber, at: at(0))
        #expect(red.stop(at: at(1), finally: .off) == at(1))
        #expect(red.shown == .off)
    }
}
