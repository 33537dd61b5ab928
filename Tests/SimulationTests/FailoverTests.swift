import Testing
import JunctionCore
@testable import Simulation

@Suite("Coordinator failover, scaling and plan changes")
struct FailoverTests {
    @Test func coordinatorKilledTwentyTimesCostsNoTransition() throws {
        var s = steadyScenario(seed: 31, agents: 16, duration: 21 * 90 * second)
        var r = SimulationRandom(seed: 31, stream: 9)
        s.coordinatorOutages = (1...20).map { n in
            .init(atNanos: Int64(n) * 90 * second, downNanos: 5 * second,
                  replacementClockOffsetNanos: r.upTo(20 * second) - 10 * second)
        }
        let report = try run(s)
        // Includes the check that every head's changes match the plan's,
        // one for one and within 5 ms: no missed or extra transition.
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.largestSourceStepNanos <= 1_500_000, "\(explain(report))")
        #expect(report.clockError.quantile(0.99) <= 500_000, "\(explain(report))")
        #expect(report.events.filter { $0.contains("adopted the agents' timebase") }.count == 20)
    }

    /// The failover bench's network (30% loss, 0–10 ms towards the agents,
    /// 0–1 ms back, ±450 ppm crystals), the coordinator killed ten times.
    /// A replacement adopts each agent's least delayed answer, which is the
    /// agents' timebase less the delay back: with one solicit round every
    /// 200 ms an agent gave two or three answers in the second adoption
    /// lasts, and every replacement moved the timebase back by up to 0.8 ms
    /// (seeds 1–5: largest step 472–791 µs, 3.2–4.4 ms in all over the
    /// ten), which the agents then slewed after at different moments.
    /// Rounds every 50 ms: 245–319 µs, about 2 ms in all. What is left is
    /// the shortest delay back itself (150 µs of base delay here), which no
    /// number of answers removes. The floor is held constant here, so that
    /// the figures measure the adoption's sampling alone (a wandering floor
    /// adds its own rise on the way back to every adoption: 2.6–3.1 ms of
    /// walk over the ten at 0–100 µs, seeds 1–6).
    @Test func aReplacementAdoptsTheTimebaseWithinAFewHundredMicroseconds() throws {
        var s = Scenario(seed: 4, agentCount: 4, durationNanos: 18 * minute, planBytes: crossroads)
        s.network.floorWander = .none
        s.maxDriftPPM = 450
        s.network.lossProbability = 0.3
        s.network.jitterToAgentNanos = 10 * .nanosPerMillisecond
        s.network.jitterToCoordinatorNanos = 1 * .nanosPerMillisecond
        s.coordinatorOutages = (1...10).map { n in
            .init(atNanos: Int64(n) * 90 * second, downNanos: 5 * second, replacementClockOffsetNanos: Int64(n) * second)
        }
        let report = try run(s)
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.sourceSteps.count == 10)
        #expect(report.largestSourceStepNanos <= 400_000, "\(explain(report))")
        #expect(abs(report.netSourceWalkNanos) <= 2_600_000, "\(explain(report))")
        // And the agents, holding the timebase across each switch, never
        // stray further from the new source than its adoption put them
        // (slewing towards the new source's first samples: 1.2–2 ms). Only
        // the minute after each switch counts: the start-up lock under
        // 10 ms of jitter reaches 0.9–1.3 ms on some seeds by itself.
        #expect(report.clockErrorAfterSwitch.count > 0)
        #expect(report.clockErrorAfterSwitch.maxNanos <= 500_000, "\(explain(report))")
    }

    /// Issue 11: the replacement comes up at a new address (agents learn it
    /// only through DNS, 1 to 36 s late), with its wall clock a day off, while
    /// every agent is cut off from it for 20 s. It must keep soliciting
    /// rather than start a timebase of its own, then adopt the agents' (term
    /// 2), with no step and no flash from a second timebase.
    @Test func aReplacementThatHearsNobodyKeepsSolicitingThenAdopts() throws {
        var s = steadyScenario(seed: 36, agents: 8, duration: 4 * minute)
        s.coordinatorOutages = [.init(atNanos: 60 * second, downNanos: 2 * second, replacementClockOffsetNanos: 86_400 * second)]
        s.network.partitions = [.init(startNanos: 61 * second, endNanos: 81 * second, agents: [])]
        let report = try run(s)
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(!report.events.contains { $0.contains("coordinator 1: no locked agents heard") }, "\(explain(report))")
        let adopted = try #require(report.events.first { $0.contains("coordinator 1: adopted the agents' timebase") }, "\(explain(report))")
        #expect(adopted.hasSuffix("term 2"))
        #expect(report.largestSourceStepNanos <= 1_500_000, "\(explain(report))")
        #expect(!report.events.contains { $0.contains("disagrees") }, "no second timebase: \(explain(report))")
    }

    /// The simulator's rollout is a Deployment's: the old ReplicaSet
    /// recreates a pod that dies mid-rollout, and the rollout then stops that
    /// pod. Before, the stop went to the dead pod and left two coordinators
    /// serving for good (two replicas, which the junction does not support:
    /// random scenario 4 of the sweep once plans were lent).
    @Test func aRolloutStopsTheOldReplicaSetsReplacementPod() throws {
        var s = steadyScenario(seed: 37, agents: 4, duration: 2 * minute)
        s.coordinatorOutages = [.init(atNanos: 20 * second, downNanos: 2 * second, replacementClockOffsetNanos: 0)]
        s.secondCoordinatorAtNanos = 21 * second
        s.coordinatorStops = [(index: 0, atNanos: 30 * second, graceful: true)]
        let report = try run(s)
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.events.contains { $0.hasSuffix("coordinator 2 stopped") }, "\(explain(report))")
        #expect(!report.events.contains { $0.hasSuffix("coordinator 1 stopped") })
        // An outage that kills both pods mid-rollout leaves one replacement:
        // the new ReplicaSet's, which the old one's stop does not touch.
        var both = s
        both.secondCoordinatorAtNanos = 15 * second
        let after = try run(both)
        #expect(after.violationCount == 0, "\(explain(after))")
        #expect(!after.events.contains { $0.hasSuffix("coordinator 2 stopped") }, "\(explain(after))")
    }

    /// An outage while the coordinator is already down (its replacement
    /// not yet started) kills nothing and starts no second replacement: a
    /// Deployment of one replica recreates one pod. Each outage used to
    /// start its own, and the two served to the end (sweep seed 7808).
    @Test func anOutageDuringAnOutageStartsOneReplacement() throws {
        var s = steadyScenario(seed: 38, agents: 4, duration: 2 * minute)
        s.coordinatorOutages = [.init(atNanos: 20 * second, downNanos: 4 * second, replacementClockOffsetNanos: 0),
                                .init(atNanos: 21 * second, downNanos: 5 * second, replacementClockOffsetNanos: 0)]
        let report = try run(s)
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.events.contains { $0.contains("coordinator 1 started") }, "\(explain(report))")
        #expect(!report.events.contains { $0.contains("coordinator 2 started") }, "\(explain(report))")
    }

    /// A rolling update must not blip, judged from ground truth (what each
    /// lamp showed). The new coordinator stood by for 5-15 s hearing the
    /// heads only through its solicit rounds, took a lost answer or two for
    /// silence, and stopped the junction: the agents got that stop in their
    /// first ticks after the goodbye and every head flashed red for 2-8 s
    /// (random scenario 247).
    @Test func aRollingUpdateFlashesNoHead() throws {
        for seed in UInt64(41)...46 {
            var s = steadyScenario(seed: seed, agents: 6, duration: 2 * minute)
            s.secondCoordinatorAtNanos = 30 * second
            s.coordinatorStops = [(index: 0, atNanos: (40 + Int64(seed % 3) * 3) * second, graceful: true)]
            var simulation = try ClusterSimulation(scenario: s)
            let report = simulation.run()
            #expect(report.violationCount == 0, "\(explain(report))")
            let flashes = simulation.traces.values.flatMap { trace in
                trace.changes.filter { $0.aspect.isFlashing && $0.atNanos >= 29 * second }.map { "\(trace.head) at \(formatSeconds($0.atNanos))" }
            }
            #expect(flashes.isEmpty, "seed \(seed): \(flashes) \(explain(report))")
            #expect(!report.events.contains { $0.contains("silent head") }, "seed \(seed): \(explain(report))")
        }
    }

    /// The blip invariant can fail: a head that flashes after it locked, in
    /// a scenario whose faults promise none, is a violation; a partition
    /// excuses it.
    @Test func aFlashAfterLockWithNoFaultToExcuseItIsABlip() throws {
        var s = steadyScenario(seed: 47, agents: 3, duration: 1 * minute)
        var simulation = try ClusterSimulation(scenario: s)
        #expect(simulation.run().violationCount == 0)
        let key = try #require(simulation.traces.keys.first { $0.agent == 1 })
        simulation.traces[key]?.changes.append(.init(atNanos: 50 * second, aspect: .flashingRed))
        simulation.checkNoBlip()
        #expect(simulation.report.violations.contains { $0.kind == "blip" })
        s.network.partitions = [.init(startNanos: 40 * second, endNanos: 45 * second, agents: [1])]
        var excused = try ClusterSimulation(scenario: s)
        _ = excused.run()
        excused.traces[key]?.changes.append(.init(atNanos: 50 * second, aspect: .flashingRed))
        excused.checkNoBlip()
        #expect(!excused.report.violations.contains { $0.kind == "blip" })
    }

    @Test func agentsAddedMidCycleShowTheRightAspectWithinTwoSeconds() throws {
        var s = steadyScenario(seed: 32, agents: 6, duration: 6 * minute)
        s.agentJoins = [47 * second, 61_300 * .nanosPerMillisecond, 100 * second, 133_700 * .nanosPerMillisecond]
        s.agentRemovals = [(agent: 1, atNanos: 150 * second)]
        let report = try run(s)
        #expect(report.violationCount == 0, "\(explain(report))")
        for joined in 6..<10 {
            let delay = try #require(report.joinDelaysNanos[joined], "agent \(joined) never followed the plan")
            // 2.5 s: a fresh agent follows a coordinator only once a tick
            // echoes one of its own reports (issue 11) and takes only the
            // plan that coordinator's ticks name (issue 9); the 2 s goal is
            // measured in scripts/bench (docs/BENCHMARKS.md).
            #expect(delay <= 2_500 * .nanosPerMillisecond, "agent \(joined) took \(delay) ns")
        }
        #expect(report.ticksToRemovedAgents == 0)
    }

    @Test func twoCoordinatorsAtOnceAndEitherDying() throws {
        for (seed, stopIndex) in [(UInt64(33), 0), (34, 1)] {
            var s = steadyScenario(seed: seed, agents: 8, duration: 8 * minute)
            s.coordinatorClockOffsetNanos = 5 * second
            s.secondCoordinatorAtNanos = 2 * minute
            s.coordinatorStops = [(index: stopIndex, atNanos: 4 * minute, graceful: stopIndex == 0)]
            let report = try run(s)
            #expect(report.violationCount == 0, "\(explain(report))")
            #expect(report.largestSourceStepNanos <= 1_000_000, "\(explain(report))")
        }
    }

    @Test func aPlanChangeTakesEffectAtOneBoundaryAndABadPlanIsRefused() throws {
        var s = steadyScenario(seed: 35, agents: 8, duration: 10 * minute)
        let changed = ExamplePlans.crossroads.replacing("\"seconds\": 12", with: "\"seconds\": 15")
        let bad = ExamplePlans.crossroads.replacing("\"amber\": 3", with: "\"amber\": 1")
        s.planChanges = [(atNanos: 2 * minute, bytes: Array(changed.utf8)), (atNanos: 6 * minute, bytes: Array(bad.utf8))]
        let report = try run(s)
        #expect(report.violationCount == 0, "\(explain(report))")
        #expect(report.plansRefused == 1)
        let newPlan = try SignalPlan.load(Array(changed.utf8), source: "changed")
        let oldPlan = try SignalPlan.load(crossroads, source: "old")  // outside #expect: Swift 6.0 rejects `try` in its autoclosure
        #expect(newPlan.cycleNanos != oldPlan.cycleNanos)
        let switches = report.planSwitches.values.filter { $0.count == 8 }
        #expect(switches.count == 2, "the first plan and the changed plan, each on all 8 agents")
        for perAgent in switches { #expect(Set(perAgent.values).count == 1, "one activation instant for all: \(perAgent)") }
    }
}
