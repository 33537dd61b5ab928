import Testing
import JunctionCore
@testable import Simulation

@Suite("Lockstep under drift, loss and jitter")
struct LockstepTests {
    /// 16 agents for 2 virtual hours in `swift test`; `.ci/run` also runs the
    /// same scenario for 24 hours through `junction simulate --virtual`.
    @Test func steadyScenarioMeetsTheTargets() throws {
        let report = try run(steadyScenario(seed: 11, agents: 16, duration: 2 * hour))
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.clockError.quantile(0.99) <= 100_000, "\(explain(report))")
        #expect(report.clockError.maxNanos <= 500_000, "\(explain(report))")
        #expect(report.lockDelaysNanos.count == 16)
        #expect((report.lockDelaysNanos.max() ?? .max) <= 5 * second, "\(explain(report))")
        #expect(report.changeSkew.count > 100)
        #expect(report.changeSkew.maxNanos <= 1_000_000)
    }

    @Test func harshNetworkStaysWithinAMillisecond() throws {
        var s = steadyScenario(seed: 12, agents: 16, duration: 30 * minute)
        s.network.lossProbability = 0.3
        s.network.jitterToAgentNanos = 10 * .nanosPerMillisecond
        s.network.jitterToCoordinatorNanos = 3 * .nanosPerMillisecond
        s.targetSkewNanos = 5 * .nanosPerMillisecond
        let report = try run(s)
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.clockError.quantile(0.99) <= 1_000_000, "\(explain(report))")
    }

    /// A round of ticks takes time to leave: 24 agents at 400 µs a datagram
    /// (a loaded coordinator node) is 9.6 ms first to last. Ticks stamped
    /// when the round began made the last agents' ticks seem to travel 9.6 ms
    /// longer towards them than back, an asymmetry no exchange can see: their
    /// clocks ran up to 4.8 ms behind the first agents'. Stamped as they
    /// leave, every head still changes within the millisecond.
    @Test func aSlowTickRoundKeepsLockstep() throws {
        var s = steadyScenario(seed: 13, agents: 24, duration: 10 * minute)
        s.coordinatorSendNanos = 400 * .nanosPerMicrosecond
        let report = try run(s)
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.changeSkew.count > 10)
        #expect(report.changeSkew.maxNanos <= 1_000_000, "\(explain(report))")
        #expect(report.clockError.quantile(0.99) <= 200_000, "\(explain(report))")
    }

    @Test func aFailingSeedReplaysExactly() throws {
        var s = Scenario.random(seed: 4242, durationNanos: 3 * minute, planBytes: crossroads)
        s.network.lossProbability = 0.25
        let first = try run(s)
        let second = try run(s)
        #expect(first.summary() == second.summary())
        #expect(first.clockError.count == second.clockError.count)
        #expect(first.datagramsDelivered == second.datagramsDelivered)
    }

    /// The invariant checker can fail: a lockstep target no real network can
    /// meet is reported as a violation with the replay command.
    @Test func theCheckerReportsViolations() throws {
        var s = steadyScenario(seed: 13, agents: 8, duration: 3 * minute)
        s.targetSkewNanos = 1_000
        let report = try run(s)
        #expect(report.violationCount > 0)
        #expect(report.summary().contains("replay with: junction simulate --virtual --seed 13"))
    }
}
