import JunctionCore
import Testing
@testable import Runtime

/// The timing thread runs the core once just ahead of each wake-up, so the
/// run that changes the light finds warm caches (`TimingStep`).
@Suite struct TimingStepTests {
    let recheck: Int64 = 20_000_000
    let warmUp: Int64 = 300_000

    func step(now: Int64, wake: Int64, flash: Int64? = nil, warmedUpFor: Int64? = nil, warmUp: Int64? = nil) -> TimingStep {
        TimingStep.next(now: LocalInstant(nanos: now), wakeAt: LocalInstant(nanos: wake), flashAt: flash.map(LocalInstant.init(nanos:)),
                        warmedUpFor: warmedUpFor.map(LocalInstant.init(nanos:)), recheckNanos: recheck, warmUpNanos: warmUp ?? self.warmUp)
    }

    @Test func aWakeUpWithinTheRecheckIsRunAheadOfFirst() {
        #expect(step(now: 0, wake: 10_000_000) == .warmUp(at: LocalInstant(nanos: 9_700_000)))
    }

    @Test func onceRunAheadTheThreadSleepsToTheWakeUpItself() {
        #expect(step(now: 9_700_050, wake: 10_000_000, warmedUpFor: 10_000_000) == .sleep(until: LocalInstant(nanos: 10_000_000)))
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
}
