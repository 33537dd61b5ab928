import Testing
import JunctionCore
import Protocol
@testable import Simulation

/// Plan edits must not take a head out of the plan: judged from ground
/// truth (what each head showed, by the scenario's wiring, in true time).
@Suite("Plan edits across coordinator replacement: the heads stay in the plan")
struct PlanAdoptionTests {
    let edited = Array(ExamplePlans.crossroads.replacing(#""seconds": 12 }"#, with: #""seconds": 15 }"#).utf8)

    /// Ground truth: every flashing aspect any head showed after `from`, by
    /// the scenario's wiring in true time.
    func flashes(_ simulation: ClusterSimulation, after from: Int64) -> [String] {
        simulation.traces.values.flatMap { trace in
            trace.changes.filter { $0.aspect.isFlashing && $0.atNanos >= from }.map { "\(trace.head) \($0.aspect) at \(formatSeconds($0.atNanos))" }
        }
    }

    /// A plain edit, no fault at all.
    /// At the activation an agent that switched at its own clock (a little
    /// ahead, or its tick in flight across the anchor) got a tick still
    /// naming the old plan and left the plan for flashing red: 5 of these 6.
    @Test func aPlainEditHandsOverWithoutLeavingThePlan() throws {
        for seed in UInt64(81)...86 {
            var s = steadyScenario(seed: seed, agents: 6, duration: 3 * minute)
            s.planChanges = [(atNanos: 61 * second, bytes: edited)]
            var simulation = try ClusterSimulation(scenario: s)
            let report = simulation.run()
            #expect(report.violationCount == 0, "\(explain(report))")
            #expect(flashes(simulation, after: 30 * second).isEmpty, "seed \(seed): \(flashes(simulation, after: 30 * second))")
            #expect(!report.events.contains { $0.contains("plan mismatch") }, "seed \(seed): \(explain(report))")
            #expect(report.planSwitches[PlanID(planBytes: edited).rawValue]?.count == s.agentCount, "seed \(seed)")
        }
    }
}
