import JunctionCore
import Testing
@testable import NodeAgent

private let ms: Int64 = 1_000_000
private let uk = SignalMonitor.Rules(sequence: .uk, timing: .defaults)
/// The default all-red: 2 s, so the hold budget for clearances is 500 ms.
private let allRed = ClearanceTiming.defaults.allRedNanos

/// A monitor showing `aspect` since `since` ms (the change that began it).
private func monitor(showing aspect: Aspect, since: Int64) -> SignalMonitor {
    SignalMonitor(rules: uk, showing: aspect, at: LocalInstant(nanos: since * ms))
}

@Suite("LateChangeHold: a late aspect gets its minimum, not a trip")
struct LateChangeHoldTests {
    /// The rehearsal's case: red+amber began 11.2 ms late, green comes on
    /// time. The green waits until the red+amber has served its 2 s (less
    /// the monitor's slack), then the monitor accepts it.
    @Test func aGreenWaitsForALateRedAmber() {
        let late = monitor(showing: .redAmber, since: 11)
        let now = LocalInstant(nanos: 2_000 * ms)
        let until = LateChangeHold.until(offering: .green, to: late, at: now, allRedNanos: allRed)
        #expect(until != nil)
        if let until {
            #expect(until > now && until <= now + 11 * ms)
            var m = late
            #expect(m.offer(.green, at: until) == .green)
            #expect(!m.isTripped)
        }
        // Offered at once instead, the monitor trips (what the hold avoids).
        var m = late
        _ = m.offer(.green, at: now)
        #expect(m.isTripped)
    }

    /// Starting a green late endangers no one: however late the red+amber
    /// began, the green waits for it.
    @Test func aStartWaitsWithoutLimit() {
        let late = monitor(showing: .redAmber, since: 1_500)
        #expect(LateChangeHold.until(offering: .green, to: late, at: LocalInstant(nanos: 2_000 * ms), allRedNanos: 0) != nil)
    }

    /// Holding an amber delays this head's red into the all-red: up to a
    /// quarter of it, and beyond that the monitor decides. A green is never
    /// held (that would shorten the intergreen).
    @Test func aClearanceWaitsAtMostAQuarterOfTheAllRed() {
        let slightlyLate = monitor(showing: .amber, since: 40)
        #expect(LateChangeHold.until(offering: .red, to: slightlyLate, at: LocalInstant(nanos: 3_000 * ms), allRedNanos: allRed) != nil)
        let veryLate = monitor(showing: .amber, since: 900)
        #expect(LateChangeHold.until(offering: .red, to: veryLate, at: LocalInstant(nanos: 3_000 * ms), allRedNanos: allRed) == nil)
        let lateGreen = monitor(showing: .green, since: 40)
        #expect(LateChangeHold.until(offering: .amber, to: lateGreen, at: LocalInstant(nanos: 7_000 * ms), allRedNanos: allRed) == nil)
    }

    /// Only lateness is waited out: an illegal change is offered at once
    /// (and trips the monitor), a change within the slack is not held, and
    /// neither is one the monitor takes at any time (a red+amber may always
    /// become red or flash: a commanded stop must not wait for it).
    @Test func onlyAShortMinimumIsWaitedOut() {
        let lateRedAmber = monitor(showing: .redAmber, since: 11)
        #expect(LateChangeHold.until(offering: .flashingRed, to: lateRedAmber, at: LocalInstant(nanos: 1_900 * ms), allRedNanos: allRed) == nil)
        #expect(LateChangeHold.until(offering: .red, to: lateRedAmber, at: LocalInstant(nanos: 1_900 * ms), allRedNanos: allRed) == nil)
        let green = monitor(showing: .green, since: 0)
        #expect(LateChangeHold.until(offering: .red, to: green, at: LocalInstant(nanos: 1_000 * ms), allRedNanos: allRed) == nil)
        let redAmber = monitor(showing: .redAmber, since: 3)
        #expect(LateChangeHold.until(offering: .green, to: redAmber, at: LocalInstant(nanos: 2_000 * ms), allRedNanos: allRed) == nil)
    }
}
