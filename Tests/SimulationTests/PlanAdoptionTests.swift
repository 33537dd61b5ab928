import Testing
import JunctionCore
import Protocol
@testable import Simulation

/// The cluster remembers the plan: a replacement coordinator whose plan file
/// differs from the plan the agents run (the file was edited while it was
/// down, or an edit was still pending when its predecessor died) must carry
/// on the agents' plan and hand over to the file's through the closed loop.
/// Before, it lacked the running plan's content, started the file's plan
/// afresh 25 s ahead, and every head left the plan for flashing red.
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

    func check(_ scenario: Scenario, comment: Comment) throws {
        var simulation = try ClusterSimulation(scenario: scenario)
        let report = simulation.run()
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(flashes(simulation, after: 30 * second).isEmpty, "\(comment): \(flashes(simulation, after: 30 * second)) \(explain(report))")
        #expect(!report.events.contains { $0.contains("coordinator 1: plan: started(") }, "\(comment): \(explain(report))")
        #expect(report.events.contains { $0.contains("coordinator 1: plan: adopted(") }, "\(comment): \(explain(report))")
        let editedID = PlanID(planBytes: edited).rawValue
        let switched = try #require(report.planSwitches[editedID], "\(comment): the edit never took effect: \(explain(report))")
        #expect(switched.count == scenario.agentCount, "\(comment): \(switched)")
        #expect(Set(switched.values).count == 1, "\(comment): one activation instant for all: \(switched)")
    }

    /// Found while writing the two below: a plain edit, no fault at all.
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

    /// The file is edited while no coordinator runs; the replacement reads it.
    @Test func aFileEditedWhileTheCoordinatorIsDownIsHandedOverTo() throws {
        for seed in [UInt64(81), 82, 83] {
            var s = steadyScenario(seed: seed, agents: 6, duration: 3 * minute)
            s.coordinatorOutages = [.init(atNanos: 60 * second, downNanos: 3 * second, replacementClockOffsetNanos: 7 * second)]
            s.planChanges = [(atNanos: 61 * second, bytes: edited)]
            try check(s, comment: "seed \(seed)")
        }
    }

    /// The edit was announced (pending on the agents) when the coordinator died.
    @Test func anEditPendingWhenTheCoordinatorDiesIsCarriedOn() throws {
        for (seed, kill) in [(UInt64(84), 500 * Int64.nanosPerMillisecond), (85, 2 * second), (86, 4 * second)] {
            var s = steadyScenario(seed: seed, agents: 6, duration: 3 * minute)
            s.planChanges = [(atNanos: 60 * second, bytes: edited)]
            s.coordinatorOutages = [.init(atNanos: 60 * second + kill, downNanos: 2 * second, replacementClockOffsetNanos: -4 * second)]
            try check(s, comment: "seed \(seed), killed \(formatSeconds(kill)) after the edit")
        }
    }
}
