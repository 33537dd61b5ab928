import Testing
import JunctionCore
@testable import Simulation

/// A killed agent's lamp stays lit (Raspberry Pi kernels keep driving the
/// lines): the trace keeps its last aspect, and if it froze on green, the
/// coordinator stops its junction until the agent is back.
@Suite("Frozen heads: a killed agent's green stops its junction")
struct FrozenHeadTests {
    /// True time (from the simulation's epoch) at which north-south (agent 0
    /// of the crossroads) is `seconds` into its green, about `after` from
    /// start. The coordinator anchors the plan when it starts serving, so a
    /// probe run of the same scenario (the same seed: the same anchor; a
    /// kill draws nothing) says where the cycle lies.
    static func nsGreen(in scenario: Scenario, after: Int64, intoGreen seconds: Int64) throws -> Int64 {
        let plan = try SignalPlan.load(crossroads, source: "crossroads")
        var probe = try ClusterSimulation(scenario: scenario)
        _ = probe.run()
        let anchor = try #require(probe.history.decisions.first?.plan.anchor, "the coordinator started a plan")
        let position = floorMod(ClusterSimulation.epochNanos + after - anchor.nanos, plan.cycleNanos)
        // North-south is green from 4 s to 16 s of the cycle (all-red 2 s, red+amber 2 s).
        return after + floorMod(4 * second + seconds * second - position, plan.cycleNanos)
    }

    @Test(arguments: [1, 11] as [Int64])
    func aHeadKilledWhileGreenStopsItsJunctionUntilItIsBack(intoGreen: Int64) throws {
        var s = steadyScenario(seed: 7, agents: 5, duration: 3 * minute)
        let kill = try Self.nsGreen(in: s, after: 40 * second, intoGreen: intoGreen)
        s.agentKills = [.init(agent: 0, atNanos: kill, downNanos: 9 * second)]
        var simulation = try ClusterSimulation(scenario: s)
        let report = simulation.run()
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.frozenGreenHeadsChecked == 1)
        #expect(report.monitorTrips == 0)
        // The killed head's trace did not go dark: green until the restart,
        // when its successor cleared it through a full amber.
        let frozen = try #require(simulation.traces.first { $0.key.agent == 0 && $0.key.incarnation == 1 })
        #expect(frozen.value.changes.last?.aspect == .green)
        #expect(simulation.traceEnds[frozen.key] == kill + 9 * second, "observed until the restart")
        let successor = try #require(simulation.traces.first { $0.key.agent == 0 && $0.key.incarnation == 2 }?.value)
        // Then red, or flashing red if it locked (and so heard its junction's
        // stop) before the amber ended.
        #expect(successor.changes.first?.aspect == .amber, "\(successor.changes.prefix(3))")
        #expect([Aspect.red, .flashingRed].contains(successor.changes.dropFirst().first?.aspect ?? .green), "\(successor.changes.prefix(3))")
        if successor.changes.count >= 2 { #expect(successor.changes[1].atNanos - successor.changes[0].atNanos >= 3 * second - 5 * .nanosPerMillisecond) }
        // The other heads of the junction flashed meanwhile.
        #expect(report.events.contains { $0.contains("silent head") }, "\(report.events.suffix(20))")
    }

    /// The checker itself: a conflicting green while a head is frozen on
    /// green is a violation; before the threshold it is not.
    @Test func theCheckerCatchesAConflictingGreen() throws {
        let s = steadyScenario(seed: 1, agents: 2, duration: minute)
        var simulation = try ClusterSimulation(scenario: s)
        simulation.frozenHeads = [FrozenHead(agent: 0, traceKey: .init(agent: 0, incarnation: 1, junction: 0, group: 0), junction: 0, group: 0,
                                             aspect: .green, fromNanos: 10 * second, untilNanos: 30 * second)]
        let frozen = HeadTrace(head: "agent0#1", group: 0, changes: [.init(atNanos: 0, aspect: .green)])
        let early = HeadTrace(head: "agent1#1", group: 1, changes: [.init(atNanos: 0, aspect: .red), .init(atNanos: 11 * second, aspect: .amber),
                                                                     .init(atNanos: 12 * second, aspect: .red)])
        simulation.checkFrozenHeads(byJunction: [0: [frozen, early]])
        #expect(simulation.report.violationCount == 0, "an amber within the silence threshold and margin is allowed")
        let late = HeadTrace(head: "agent1#1", group: 1, changes: [.init(atNanos: 0, aspect: .red), .init(atNanos: 20 * second, aspect: .redAmber),
                                                                    .init(atNanos: 22 * second, aspect: .green)])
        simulation.checkFrozenHeads(byJunction: [0: [frozen, late]])
        #expect(simulation.report.violations.map(\.kind) == ["frozen-green"])
        let sameGroup = HeadTrace(head: "agent2#1", group: 0, changes: [.init(atNanos: 0, aspect: .green)])
        simulation.report = SimulationReport(scenario: s)
        simulation.checkFrozenHeads(byJunction: [0: [frozen, sameGroup]])
        #expect(simulation.report.violationCount == 0, "a head of the same group does not conflict")
    }

    @Test func usPlanIsAUSSequence() throws {
        let plan = try SignalPlan.load(usFourWay, source: "us-four-way")
        #expect(plan.sequence == .us)
    }
}
