import Testing
import JunctionCore
@testable import Simulation

/// Node clock faults (issue 11): an NTP daemon slewing an agent's
/// `CLOCK_MONOTONIC` at chrony's ceiling, and the wall clock of the
/// coordinators' node stepped by a day.
@Suite("Node clock faults")
struct NodeClockFaultTests {
    static func slewScenario(monotonic: Bool) -> Scenario {
        var s = steadyScenario(seed: 61, agents: 6, duration: 4 * minute)
        s.agentSlews = [
            .init(agent: 0, atNanos: 60 * second, durationNanos: 5 * second, ppm: 83_333),
            .init(agent: 1, atNanos: 90 * second, durationNanos: 8 * second, ppm: -83_333),
            .init(agent: 2, atNanos: 120 * second, durationNanos: 3 * second, ppm: 20_000),
        ]
        s.agentsDisciplineMonotonic = monotonic
        return s
    }

    /// The test that would have caught the defect: disciplining the slewed
    /// clock breaks the invariants (the bound is a lie, heads drift out of
    /// lockstep); disciplining the raw clock keeps every one.
    @Test func aSlewBreaksAMonotonicDisciplineButNotARawOne() throws {
        let before = try run(Self.slewScenario(monotonic: true))
        #expect(before.violationCount > 0, "a slew of 83,333 ppm should have shown on CLOCK_MONOTONIC: \(explain(before))")
        let after = try run(Self.slewScenario(monotonic: false))
        #expect(after.violationCount == 0, "\(explain(after))")
    }

    /// chrony pulling in the clock of the coordinators' node (a freshly
    /// booted Pi) bends `CLOCK_MONOTONIC` by up to 83,333 ppm for seconds.
    /// A coordinator on that clock bends the junction's timebase with it:
    /// the agents, which model a crystal within 500 ppm, cannot follow.
    /// (A rehearsal in CI once saw a head's green end 120 ms early against
    /// the machine's clock; this is how that looks on separate boards.)
    static func coordinatorSlewScenario(monotonic: Bool) -> Scenario {
        var s = steadyScenario(seed: 63, agents: 6, duration: 4 * minute)
        s.coordinatorSlews = [(atNanos: 60 * second, durationNanos: 6 * second, ppm: -20_000),
                              (atNanos: 120 * second, durationNanos: 3 * second, ppm: 83_333)]
        s.coordinatorsTickMonotonic = monotonic
        return s
    }

    /// The test that would have caught the defect: a coordinator ticking
    /// the slewed clock breaks the invariants; one on the raw clock keeps
    /// every one, with no flash and no relock.
    @Test func aSlewOnTheCoordinatorsNodeBendsNoTimebase() throws {
        let before = try run(Self.coordinatorSlewScenario(monotonic: true))
        #expect(before.violationCount > 0 || before.flashEntries > 0,
                "a coordinator-node slew should have shown on CLOCK_MONOTONIC: \(explain(before))")
        print("coordinator-node slew on CLOCK_MONOTONIC: \(before.violationCount) violations, \(before.flashEntries) flash entries")
        let after = try run(Self.coordinatorSlewScenario(monotonic: false))
        #expect(after.violationCount == 0, "\(explain(after))")
        #expect(after.flashEntries == 0, "\(explain(after))")
    }

    /// A day's wall-clock step on the coordinators' node: the running
    /// coordinator does not move; its replacement starts a day off and must
    /// still adopt the agents' timebase.
    @Test func aWallClockStepMovesNoTimebase() throws {
        var s = steadyScenario(seed: 62, agents: 8, duration: 4 * minute)
        s.coordinatorWallClockSteps = [(atNanos: 40 * second, stepNanos: 86_400 * second)]
        s.coordinatorOutages = [.init(atNanos: 100 * second, downNanos: 3 * second, replacementClockOffsetNanos: 0)]
        let report = try run(s)
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.events.contains { $0.contains("adopted the agents' timebase") }, "\(explain(report))")
        #expect(report.largestSourceStepNanos <= 1_000_000, "\(explain(report))")
        #expect(report.flashEntries == 0, "\(explain(report))")
    }
}
