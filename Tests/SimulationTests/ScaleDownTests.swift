import Testing
import JunctionCore
@testable import Simulation

/// Scaling the agents' StatefulSet down deletes pods: Kubernetes sends each
/// SIGTERM, and the agent leaves service as `AgentRuntime.stop` does (a
/// green through its full amber, then its shutdown aspect and its last
/// word). The simulator modelled it as a SIGKILL whose lamp went dark, which
/// no agent does; the sweep never drew it until issue 14 asked for every
/// fault the simulator knows, and then it failed: the silent head stopped
/// its junction for good (no last word), and a head frozen by an earlier
/// kill was forgotten with its agent while its lamp stayed green.
@Suite("Scale-down")
struct ScaleDownTests {
    /// The first instant after `after` at which agent `agent` shows green,
    /// in a fault-free run of `scenario` (the same seed runs the same until
    /// the first fault).
    func greenStart(of agent: Int, after: Int64, in scenario: Scenario) throws -> Int64 {
        var simulation = try ClusterSimulation(scenario: scenario)
        _ = simulation.run()
        let trace = try #require(simulation.traces.first { $0.key.agent == agent }?.value)
        let green = try #require(trace.changes.first { $0.aspect == .green && $0.atNanos > after })
        return green.atNanos
    }

    /// Removed a second into its green, the head shows amber at once, red
    /// after the plan's amber, and says so: the rest of its junction never
    /// flashes and everything holds.
    @Test func aHeadScaledAwayWhileGreenLeavesThroughAmberAndItsJunctionRunsOn() throws {
        var s = steadyScenario(seed: 91, agents: 4, duration: 2 * minute)
        let removal = try greenStart(of: 0, after: 20 * second, in: s) + 1 * second
        s.agentRemovals = [(agent: 0, atNanos: removal)]
        var simulation = try ClusterSimulation(scenario: s)
        let report = simulation.run()
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.flashEntries == 0, "no head flashed: \(explain(report))")
        let trace = try #require(simulation.traces.first { $0.key.agent == 0 }?.value)
        let after = trace.changes.filter { $0.atNanos >= removal }
        #expect(after.map(\.aspect) == [.amber, .red], "\(trace.changes.suffix(4))")
        if after.count == 2 {
            #expect(after[0].atNanos - removal < 1 * .nanosPerMillisecond, "amber at the SIGTERM")
            // Timed on the board's own clock, as the runtime's stop is:
            // within its drift (±200 ppm of 3 s) of the plan's full amber.
            #expect(abs(after[1].atNanos - after[0].atNanos - 3 * second) <= 600 * .nanosPerMicrosecond, "the plan's full amber")
        }
    }

    /// Killed on green and deleted before it restarts, a head stays lit
    /// green with no agent: its junction must stay stopped to the end
    /// (the checker's frozen-green rule holds the others to red), and that
    /// junction flashing is the safe answer, not a failure to recover.
    @Test func aHeadKilledOnGreenAndThenScaledAwayKeepsItsJunctionStopped() throws {
        // Long enough for the coordinator to forget the agent (gone from DNS
        // for `forgetAgentAfterNanos`) and for the liveness check to apply.
        var s = steadyScenario(seed: 92, agents: 4, duration: 4 * minute)
        let kill = try greenStart(of: 0, after: 20 * second, in: s) + 1 * second
        s.agentKills = [.init(agent: 0, atNanos: kill, downNanos: 5 * second)]
        s.agentRemovals = [(agent: 0, atNanos: kill + 2 * second)]
        let report = try run(s)
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.frozenGreenHeadsChecked == 1)
        #expect(report.flashExits == 0, "the junction never ran again: \(explain(report))")
    }
}
