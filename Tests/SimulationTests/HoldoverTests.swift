import Testing
import JunctionCore
@testable import Simulation

@Suite("Holdover and isolation")
struct HoldoverTests {
    @Test func anHourWithoutTicksKeepsTheLightsWithinFiveMilliseconds() throws {
        var s = steadyScenario(seed: 21, agents: 4, duration: 10 * minute + hour + 3 * minute)
        s.wanderPPMPerSegment = 0 // constant drift, as the requirement states
        s.network.partitions = [.init(startNanos: 10 * minute, endNanos: 10 * minute + hour, agents: [])]
        let report = try run(s)
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.holdoverError.count > 1_000)
        #expect(report.holdoverError.maxNanos <= 5_000_000, "\(explain(report))")
        #expect(report.flashEntries == 0, "the lights never stop: no flash during an hour of holdover")
    }

    @Test func isolationBeyondTheSafeHoldoverFlashesThenRejoins() throws {
        var s = steadyScenario(seed: 22, agents: 2, duration: 10 * minute + 5 * hour + 5 * minute)
        s.network.partitions = [.init(startNanos: 10 * minute, endNanos: 10 * minute + 5 * hour, agents: [])]
        s.recoveryNanos = 4 * minute
        let report = try run(s)
        // Flash came before the error threatened safety (checked as
        // "unsafe-following" and "dishonest-bound"), and each agent rejoined
        // at a safe instant (the conflict monitor) once ticks returned.
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.flashEntries == 2)
        #expect(report.flashExits == 2)
        #expect(report.holdoverError.maxNanos < 100_000_000)
    }
}
