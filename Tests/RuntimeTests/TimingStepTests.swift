import JunctionCore
import Posix
import Testing
@testable import Runtime

/// The timing thread runs the core once just ahead of each wake-up, so the
/// run that changes the light finds warm caches, then waits out the rest
/// awake (`TimingStep`).
@Suite struct TimingStepTests {
    let recheck: Int64 = 20_000_000
    let warmUp: Int64 = 300_000
    let spin: Int64 = 300_000

    func step(now: Int64, wake: Int64, flash: Int64? = nil, warmedUpFor: Int64? = nil, warmUp: Int64? = nil,
              spin: Int64? = nil) -> TimingStep {
        TimingStep.next(now: LocalInstant(nanos: now), wakeAt: LocalInstant(nanos: wake), flashAt: flash.map(LocalInstant.init(nanos:)),
                        warmedUpFor: warmedUpFor.map(LocalInstant.init(nanos:)), recheckNanos: recheck,
                        warmUpNanos: warmUp ?? self.warmUp, spinNanos: spin ?? self.spin)
    }

    @Test func aWakeUpWithinTheRecheckIsRunAheadOfFirst() {
        #expect(step(now: 0, wake: 10_000_000) == .warmUp(at: LocalInstant(nanos: 9_700_000)))
    }

    @Test func onceRunAheadTheThreadWaitsForTheWakeUpAwake() {
        #expect(step(now: 9_700_050, wake: 10_000_000, warmedUpFor: 10_000_000) == .spin(until: LocalInstant(nanos: 10_000_000)))
        #expect(step(now: 9_999_999, wake: 10_000_000, warmedUpFor: 10_000_000) == .spin(until: LocalInstant(nanos: 10_000_000)))
    }

    @Test func withSpinningOffTheThreadSleepsToTheWakeUpItself() {
        #expect(step(now: 9_700_050, wake: 10_000_000, warmedUpFor: 10_000_000, spin: 0) == .sleep(until: LocalInstant(nanos: 10_000_000)))
    }

    /// The spin holds a core, so it is bounded: a warm-up that ran early
    /// (a longer warm-up than spin) sleeps most of the way as before.
    @Test func aWakeUpFartherThanTheSpinIsSleptTo() {
        #expect(step(now: 9_000_000, wake: 10_000_000, warmedUpFor: 10_000_000, warmUp: 1_000_000)
                == .sleep(until: LocalInstant(nanos: 10_000_000)))
    }

    /// Only the change the core ran ahead of is waited for awake: a wake-up
    /// that was never run ahead of, or a flash toggle before it, is slept to.
    @Test func onlyAWarmedUpWakeUpWithNothingBeforeItIsSpunTo() {
        #expect(step(now: 9_800_000, wake: 10_000_000) == .sleep(until: LocalInstant(nanos: 10_000_000)))
        #expect(step(now: 9_800_000, wake: 10_000_000, warmedUpFor: 5_000_000) == .sleep(until: LocalInstant(nanos: 10_000_000)))
        #expect(step(now: 9_800_000, wake: 10_000_000, flash: 9_900_000, warmedUpFor: 10_000_000)
                == .sleep(until: LocalInstant(nanos: 9_900_000)))
        #expect(step(now: 10_000_000, wake: 10_000_000, warmedUpFor: 10_000_000) == .sleep(until: LocalInstant(nanos: 10_000_000)),
                "a wake-up already due is run at once")
    }

    @Test func aWakeUpMovedAfterTheWarmUpIsRunAheadOfAgain() {
        #expect(step(now: 9_700_050, wake: 15_000_000, warmedUpFor: 10_000_000) == .warmUp(at: LocalInstant(nanos: 14_700_000)))
    }

    @Test func aFarWakeUpWaitsForTheRecheck() {
        #expect(step(now: 0, wake: 5_000_000_000) == .sleep(until: LocalInstant(nanos: recheck)))
    }

    @Test func aFlashToggleBeforeTheWarmUpComesFirst() {
        #expect(step(now: 0, wake: 10_000_000, flash: 4_000_000) == .sleep(until: LocalInstant(nanos: 4_000_000)))
        #expect(step(now: 0, wake: 10_000_000, flash: 9_600_000) == .sleep(until: LocalInstant(nanos: 9_600_000)))
        // A toggle after the warm-up instant waits for it.
        #expect(step(now: 0, wake: 10_000_000, flash: 9_800_000) == .warmUp(at: LocalInstant(nanos: 9_700_000)))
    }

    @Test func aWakeUpTooCloseToRunAheadOfIsSleptToDirectly() {
        #expect(step(now: 9_800_000, wake: 10_000_000) == .sleep(until: LocalInstant(nanos: 10_000_000)))
        #expect(step(now: 9_700_000, wake: 10_000_000) == .sleep(until: LocalInstant(nanos: 10_000_000)))
    }

    @Test func aZeroWarmUpNeverRunsAhead() {
        #expect(step(now: 0, wake: 10_000_000, warmUp: 0) == .sleep(until: LocalInstant(nanos: 10_000_000)))
    }

    /// A thread of the default class that spins is handed off the core to
    /// whatever wakes at the change instant: only `--realtime` spins.
    @Test func onlyARealTimeTimingThreadSpins() {
        var settings = AgentSettings()
        #expect(settings.effectiveSpinNanos == 0)
        settings.realtime = RealtimeScheduling()
        #expect(settings.effectiveSpinNanos == settings.spinNanos && settings.spinNanos > 0)
    }
}
