import JunctionCore
import Testing
@testable import NodeAgent

/// Accuracy of the discipline against the seeded simulation (`ClockHarness`).
/// Durations are cut to what a debug build runs in a few seconds; the 24 h
/// run lives in `scripts/bench clock` (release).
@Suite struct ClockAccuracyTests {
    static let second: Int64 = .nanosPerSecond
    static let minute: Int64 = 60 * second
    static let hour: Int64 = 60 * minute
    static let micro: Int64 = .nanosPerMicrosecond

    static func moderate(seed: UInt64, minutes: Int64) -> ClockScenario {
        var random = SplitMix64(seed: seed &* 7919)
        return ClockScenario(
            seed: seed, durationNanos: minutes * minute, driftPPM: random.uniform(-200...200),
            wanderAmplitudePPM: 2, lossProbability: 0.2)
    }

    static func harsh(seed: UInt64, minutes: Int64) -> ClockScenario {
        var scenario = moderate(seed: seed, minutes: minutes)
        scenario.forwardJitterNanos = 10 * .nanosPerMillisecond
        scenario.backwardJitterNanos = 3 * .nanosPerMillisecond
        scenario.lossProbability = 0.3
        return scenario
    }

    /// Scenario 1: ±200 ppm, 20% loss, 0–2 ms jitter each way, 20 min each.
    @Test(arguments: Array(UInt64(1)...5))
    func locksFastAndTracksUnderModerateJitter(seed: UInt64) {
        let r = ClockHarness.run(Self.moderate(seed: seed, minutes: 20))
        print("moderate \(r.summary)")
        // Spec: 5 s and 500 us. With the envelope's start-up bound these
        // seeds lock in 1.5-3.5 s at 10 Hz (a locking agent's burst of
        // reports makes that faster in the cluster) and peak near 500 us in
        // the seconds right after lock.
        #expect((r.lockAfterNanos ?? .max) <= 4 * Self.second)
        #expect(r.percentileNanos(99) <= 100 * Self.micro)
        #expect(r.percentileNanos(100) <= 600 * Self.micro)
        #expect(r.percentileNanos(100, from: 30 * Self.second) <= 300 * Self.micro)
        #expect(r.boundViolations == 0)
        #expect(r.stepsAfterLock == 0)
    }

    /// Scenario 2: 0–10 ms forward and 0–3 ms back (asymmetric), 30% loss.
    @Test(arguments: Array(UInt64(1)...3))
    func staysWithinAMillisecondUnderHarshAsymmetricJitter(seed: UInt64) {
        let r = ClockHarness.run(Self.harsh(seed: seed, minutes: 15))
        print("harsh \(r.summary)")
        #expect(r.lockAfterNanos != nil)
        #expect(r.percentileNanos(99) <= 1_000 * Self.micro)
        #expect(r.boundViolations == 0)
        #expect(r.stepsAfterLock == 0)
    }

    /// Scenario 2 once settled: the offset comes from the tightest one-way
    /// bounds over hundreds of packets, not from a mean of per-point
    /// midpoints, so the asymmetry costs tens of microseconds, not a
    /// hundred and more (the mean of midpoints: p99 93–151 µs on these seeds).
    @Test(arguments: Array(UInt64(1)...3))
    func settlesFarBelowTheJitterUnderHarshAsymmetricJitter(seed: UInt64) {
        let r = ClockHarness.run(Self.harsh(seed: seed, minutes: 15))
        #expect(r.percentileNanos(50, from: 5 * Self.minute) <= 25 * Self.micro)
        #expect(r.percentileNanos(99, from: 5 * Self.minute) <= 60 * Self.micro)
        #expect(r.boundViolations == 0)
    }

    /// Scenario 3: 10 min locked at constant drift, then one hour of silence.
    @Test(arguments: Array(UInt64(1)...2))
    func holdsOverAnHourWithinFiveMilliseconds(seed: UInt64) {
        var scenario = Self.moderate(seed: seed, minutes: 70)
        scenario.wanderAmplitudePPM = 0
        scenario.silence = 10 * Self.minute..<(70 * Self.minute + 1)
        var harness = ClockHarness(scenario)
        harness.advance(untilTrueNanos: 10 * Self.minute)
        let atSilence = harness.result.errorsNanos.count
        harness.advance(untilTrueNanos: scenario.durationNanos)
        let r = harness.result
        let holdoverErrors = r.errorsNanos[atSilence...]
        let local = LocalInstant(nanos: harness.localNanos(atTrue: scenario.durationNanos))
        print("holdover seed=\(seed) final=\((holdoverErrors.last ?? 0) / 1000)us "
              + "max=\((holdoverErrors.max() ?? 0) / 1000)us bound=\(harness.discipline.errorBoundNanos(at: local) / 1000)us "
              + "violations=\(r.boundViolations)")
        #expect((holdoverErrors.max() ?? .max) <= 5 * .nanosPerMillisecond)
        #expect(r.boundViolations == 0)
        #expect(harness.discipline.errorBoundNanos(at: local) > 5 * .nanosPerMillisecond)
    }

    /// Scenario 4: the bound holds at every check, in every kind of run.
    @Test(arguments: Array(UInt64(11)...13))
    func errorBoundIsHonestEverywhere(seed: UInt64) {
        var wandering = Self.moderate(seed: seed, minutes: 8)
        wandering.wanderAmplitudePPM = 10
        var stepping = Self.harsh(seed: seed, minutes: 8)
        stepping.frequencySteps = [(3 * Self.minute, 20), (6 * Self.minute, -35)]
        var silent = Self.moderate(seed: seed, minutes: 8)
        silent.silence = 4 * Self.minute..<(7 * Self.minute)
        for scenario in [wandering, stepping, silent] {
            let r = ClockHarness.run(scenario)
            print("bound \(r.summary) worstMargin=\(r.worstBoundMarginNanos / 1000)us")
            #expect(r.boundViolations == 0)
            #expect(r.errorsNanos.count > 3_000)
        }
    }

    /// A bound is honest before lock too: a locking agent follows the plan
    /// on it. A second of samples under large one-sided jitter, then 20 s of
    /// silence (an agent restarted just before a partition): the regression
    /// of ten filtered points, two or three of them carrying nearly all the
    /// weight, claimed a frequency within 214 ppm while missing by 360 ppm
    /// (sweep seed 5101), so the error outran the bound after 15 s. Before
    /// the fix 3 of these 400 seeds failed.
    @Test func errorBoundIsHonestBeforeLockAcrossAPartition() {
        var violating: [UInt64] = []
        for seed in UInt64(1)...400 {
            var random = SplitMix64(seed: seed &* 104_729)
            let start = random.uniform(0.8e9...2.5e9)
            var scenario = ClockScenario(
                seed: seed, durationNanos: 22 * Self.second, driftPPM: random.uniform(-200...200),
                forwardJitterNanos: 5 * .nanosPerMillisecond, backwardJitterNanos: 1_600 * Self.micro,
                lossProbability: 0.16, silence: Int64(start)..<(22 * Self.second))
            scenario.checkBeforeLock = true
            scenario.periodNanos = 25 * .nanosPerMillisecond
            let r = ClockHarness.run(scenario)
            if r.boundViolations > 0 { violating.append(seed) }
        }
        #expect(violating.isEmpty, "seeds whose error outran the bound: \(violating)")
    }

    /// Scenario 5: after lock the mapping never decreases, never turns faster
    /// or slower than the slew limit allows, and `local(at:)` inverts it.
    @Test(arguments: Array(UInt64(21)...23))
    func mappingIsContinuousAndInvertible(seed: UInt64) {
        var scenario = Self.harsh(seed: seed, minutes: 10)
        scenario.frequencySteps = [(5 * Self.minute, 20)]
        let r = ClockHarness.run(scenario)
        print("continuity seed=\(seed) decreases=\(r.decreases) slewExcess=\(r.worstSlewExcessNanos)ns inverseMiss=\(r.worstInverseMissNanos)ns")
        #expect(r.decreases == 0)
        #expect(r.worstSlewExcessNanos <= 0)
        #expect(r.worstInverseMissNanos <= 2)
        #expect(r.stepsAfterLock == 0)
    }

    /// Scenario 6: a 20 ppm frequency step mid-run; back under 100 us p99
    /// from 60 s after the step, with the bound honest throughout.
    @Test(arguments: Array(UInt64(31)...33))
    func reconvergesAfterAFrequencyStep(seed: UInt64) {
        var scenario = Self.moderate(seed: seed, minutes: 12)
        let step = 5 * Self.minute
        scenario.frequencySteps = [(step, seed.isMultiple(of: 2) ? 20 : -20)]
        var harness = ClockHarness(scenario)
        harness.advance(untilTrueNanos: scenario.durationNanos)
        let r = harness.result
        let after = zip(r.errorTrueNanos, r.errorsNanos).filter { $0.0 >= step }.map(\.1)
        print("step \(r.summary) maxAfterStep=\((after.max() ?? 0) / 1000)us "
              + "p99from60s=\(r.percentileNanos(99, from: step + Self.minute) / 1000)us changes=\(harness.discipline.frequencyChangeCount)")
        #expect(r.percentileNanos(99, from: step + Self.minute) <= 100 * Self.micro)
        #expect(r.boundViolations == 0)
        #expect(r.stepsAfterLock == 0)
    }
}
