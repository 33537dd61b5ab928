import JunctionCore
import Testing
@testable import NodeAgent

/// Accuracy of the discipline against the seeded simulation (`ClockHarness`).
@Suite struct ClockAccuracyTests {
    static let minute: Int64 = 60 * .nanosPerSecond
    static let hour: Int64 = 60 * minute
    static let micro: Int64 = .nanosPerMicrosecond

    @Test(arguments: Array(UInt64(1)...16))
    func locksFastAndTracksWithin100MicrosecondsUnderModerateJitter(seed: UInt64) {
        var random = SplitMix64(seed: seed &* 7919)
        let scenario = ClockScenario(
            seed: seed, durationNanos: 10 * Self.minute, driftPPM: random.uniform(-200...200),
            wanderAmplitudePPM: 2, lossProbability: 0.2)
        let r = ClockHarness.run(scenario)
        print("moderate \(r.summary)")
        #expect((r.lockAfterNanos ?? .max) <= 5 * .nanosPerSecond)
        #expect(r.percentileNanos(99) <= 100 * Self.micro)
        #expect(r.percentileNanos(100) <= 500 * Self.micro)
        #expect(r.boundViolations == 0)
        #expect(r.stepsAfterLock == 0)
    }
}
