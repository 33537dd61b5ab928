import Testing
import JunctionCore
@testable import Simulation

/// An agent's process stalled for tens of milliseconds (seen in the
/// namespace rehearsal: both east-west heads changed to red+amber 11.2 ms
/// late, then tripped their monitors when the green came on time, the
/// red+amber 1,988.8 ms long; both flashed red).
@Suite("Agent stalls")
struct StallTests {
    /// Every agent stalls for 30 ms every 300 ms, at its own phase, for
    /// three minutes: about one change in ten of every head lands in a
    /// stall and reaches its lamp late.
    static func stallScenario() -> Scenario {
        var s = steadyScenario(seed: 71, agents: 6, duration: 4 * minute)
        for agent in 0..<6 {
            var at = 30 * second + Int64(agent) * 47 * .nanosPerMillisecond
            while at < 210 * second {
                s.agentStalls.append(.init(agent: agent, atNanos: at, durationNanos: 30 * .nanosPerMillisecond))
                at += 300 * .nanosPerMillisecond
            }
        }
        return s
    }

    /// The test that would have caught the defect: a change made late must
    /// not make the next, on-time change illegal. The head holds the late
    /// aspect for its full minimum instead (a green starts late; an amber
    /// ends late by at most a quarter of the all-red), so no red+amber or
    /// amber is cut short, nothing flashes and no conflicting greens meet.
    /// A green is never held (that would shorten the intergreen), so the
    /// walk head, whose 7 s green is its minimum, may still trip on a green
    /// that began late: intergreen first. The late changes are real, so
    /// lockstep and on-time checks may count them; conflicts may not.
    @Test func aLateChangeIsHeldNotTripped() throws {
        let report = try run(Self.stallScenario())
        print("stalls: \(report.monitorTrips) monitor trips \(report.monitorTripLog), \(report.flashEntries) flash entries, \(report.violationCount) violations: \(report.violations.map(\.detail))")
        let plan = try SignalPlan.load(crossroads, source: "crossroads")
        let greenIsItsMinimum = { (agent: Int) in plan.head(board: nil, ordinal: agent)?.groupName == "walk" }
        #expect(report.monitorTripLog.allSatisfy { $0.violation == "short-green" && greenIsItsMinimum($0.agent) }, "\(report.monitorTripLog)")
        #expect(report.monitorTrips == UInt64(report.monitorTripLog.count), "\(explain(report))")
        #expect(report.flashEntries == 0, "\(explain(report))")
        #expect(!report.violations.contains { $0.kind == "monitor" }, "\(explain(report))")
        #expect(!report.violations.contains { $0.kind == "missed-transition" || $0.kind == "extra-transition" }, "\(explain(report))")
    }
}
