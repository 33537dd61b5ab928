import Testing
import JunctionCore
@testable import Simulation

/// A seeded sweep: 1,000 random scenarios (cluster size, drift, loss,
/// jitter, duplication, partitions, coordinator and agent kills, stalls,
/// scale-up and scale-down, clock steps and slews, slow DNS, and plan edits
/// with a replaced coordinator, a restarted or added agent and an agent
/// partitioned around them, all drawn from the seed) must all keep every
/// invariant. Every scenario runs; a failure names the seeds;
/// `junction simulate --virtual --random --seed S --hours 0.025` replays one.
@Suite("Random scenario sweep")
struct SweepTests {
    static let scenarios = 1_000
    static let duration = 90 * second

    /// Issue 14: the sweep draws every fault the simulator models, each in
    /// at least 2% of its seeds. Stalls, scale-down, crystal frequency steps
    /// and slow DNS were modelled but never drawn; drawn, scale-down failed
    /// eight seeds in a thousand (`ScaleDownTests`).
    @Test func theSweepDrawsEveryFaultTheSimulatorModels() {
        let defaults = Scenario(seed: 0, agentCount: 1, durationNanos: Self.duration, planBytes: crossroads)
        var drawn: [String: Int] = [:]
        for seed in 1...UInt64(Self.scenarios) {
            let s = Scenario.random(seed: seed, durationNanos: Self.duration, planBytes: crossroads)
            let faults: [(String, Bool)] = [
                ("loss", s.network.lossProbability > 0),
                ("duplication", s.network.duplicateProbability > 0),
                ("delay floor wander", s.network.floorWander.peakToPeakNanos > 0),
                ("partition", !s.network.partitions.isEmpty),
                ("coordinator killed", !s.coordinatorOutages.isEmpty),
                ("rolling update", s.secondCoordinatorAtNanos != nil && s.coordinatorStops.contains { $0.graceful }),
                ("coordinator slow to send", s.coordinatorSendNanos != defaults.coordinatorSendNanos),
                ("coordinators' wall clock stepped", !s.coordinatorWallClockSteps.isEmpty),
                ("coordinators' clock slewed", !s.coordinatorSlews.isEmpty),
                ("agent killed", !s.agentKills.isEmpty),
                ("agent stalled", !s.agentStalls.isEmpty),
                ("agent's clock slewed", !s.agentSlews.isEmpty),
                ("crystal frequency steps", s.frequencyStepChance > 0),
                ("scale up", !s.agentJoins.isEmpty),
                ("scale down", !s.agentRemovals.isEmpty),
                ("plan edited", !s.planChanges.isEmpty),
                ("agents' Service DNS lag", s.dnsLagNanos != defaults.dnsLagNanos),
                ("coordinator Service DNS cache", s.coordinatorDNS.cacheTTLNanos != defaults.coordinatorDNS.cacheTTLNanos),
            ]
            for (name, present) in faults { drawn[name, default: 0] += present ? 1 : 0 }
        }
        for (name, seeds) in drawn.sorted(by: { $0.key < $1.key }) {
            #expect(seeds >= Self.scenarios / 50, "\(name): drawn by \(seeds) of \(Self.scenarios) seeds")
        }
    }

    @Test(arguments: 0..<4)
    func quarter(_ part: Int) throws {
        let count = Self.scenarios / 4
        let clock = ContinuousClock()
        let started = clock.now
        var failing: [UInt64] = []
        var violations = 0
        var withPlanEdits = 0
        var kills = 0, frozenGreens = 0, trips: UInt64 = 0, usPlans = 0
        var largestStep: (nanos: Int64, seed: UInt64) = (0, 0)
        var changes = 0
        for index in (part * count)..<((part + 1) * count) {
            let seed = UInt64(index + 1)
            let (plan, file) = [(corridor, " --plan plans/corridor.json"), (usFourWay, " --plan plans/us-four-way.json"), (crossroads, "")][index % 3]
            let scenario = Scenario.random(seed: seed, durationNanos: Self.duration, planBytes: plan)
            if !scenario.planChanges.isEmpty { withPlanEdits += 1 }
            let report = try run(scenario)
            kills += scenario.agentKills.count
            frozenGreens += report.frozenGreenHeadsChecked
            trips += report.monitorTrips
            if index % 3 == 1 { usPlans += 1 }
            // The sequencer is the first line: the monitor behind it never acts.
            #expect(report.monitorTrips == 0, "seed \(seed): the signal monitor tripped \(report.monitorTrips) times")
            violations += report.violationCount
            if !scenario.coordinatorOutages.isEmpty || scenario.secondCoordinatorAtNanos != nil { changes += 1 }
            if report.largestSourceStepNanos > largestStep.nanos { largestStep = (report.largestSourceStepNanos, seed) }
            if report.violationCount > 0 {
                failing.append(seed)
                if failing.count <= 3 {
                    Issue.record("seed \(seed) (junction simulate --virtual --random --seed \(seed) --hours 0.025\(file)):\n\(explain(report))")
                }
            }
        }
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("sweep quarter \(part): \(count) scenarios (\(withPlanEdits) with plan edits, \(usPlans) with the US plan, \(kills) agent kills, \(frozenGreens) heads frozen on green checked, \(trips) monitor trips), \(violations) violations in \(failing.count) scenarios \(failing), \(seconds) s")
        #expect(failing.isEmpty, "failing seeds: \(failing)")
        // Issue 11's figure: the largest timebase step any agent saw at a
        // change of coordinator (with DNS lag and node clock faults).
        print("sweep part \(part): \(changes) scenarios with a coordinator change; largest timebase step at a change of coordinator \(Double(largestStep.nanos) / 1e3) µs (seed \(largestStep.seed))")
        // Seconds here would mean a replacement imposed its own timebase on
        // agents that held one; a few ms is one adoption sample's delay.
        #expect(largestStep.nanos <= 5_000_000, "timebase step \(largestStep.nanos) ns at a coordinator change, seed \(largestStep.seed)")
    }

    /// Seeds of the 10,000-seed sweep (`junction simulate --virtual --sweep
    /// 10000`) that failed: an agent joined just before its coordinator died
    /// kept the old plan 42 s past the replacement's fresh plan (2711:
    /// conflicting greens; 1210: a wrong transition). Judged, like the sweep,
    /// from true time and the scenario's plan history. 5101 and 5125: a
    /// locking agent's regression, carried by two or three heavily weighted
    /// points, claimed a frequency it did not know; its bound was exceeded
    /// (5125), and after a 14 s partition it ran 7.8 ms off the plan (5101).
    ///
    /// From the sweeps of this stop's changes: 5639, a pending plan adopted
    /// past its commit point was missing from the checker's history; 3981, a
    /// locking agent took a new coordinator 5 s off its estimate with a 10 ms
    /// bound; 5496, a replacement that heard only agents flashing on a
    /// command started its file's plan afresh beside theirs; 240, two
    /// coordinators in a rolling update stopped the junction on each other's
    /// heads (the blip invariant); 1774, a board that joined right after an
    /// activation ran the new plan at a green-wave junction still in the old.
    ///
    /// From the sweep after fresh agents were answered at once: 2487, a
    /// replacement judged a head silent from its answer to a solicit, before
    /// the head could report to it; 3659, the checker skipped a plan change
    /// 1 ms after a head joined and judged the head wrong for showing it;
    /// 8872, a standby re-adopted and moved its timebase under a fresh agent
    /// that already followed it (a dishonest bound); 7808, an outage while
    /// the coordinator was already down started a second replacement, and
    /// two coordinators served to the end.
    ///
    /// From a sweep of seeds 20,001 on: 22138 and 25558, an agent that changed source
    /// in its first minute took the regression's frequency, 127 ppm from the
    /// start-up envelope's it had run at, with the envelope's uncertainty (a
    /// dishonest bound).
    @Test(arguments: [(UInt64(2711), "crossroads"), (1210, "corridor"), (5101, "corridor"), (5125, "corridor"),
                      (5639, "crossroads"), (3981, "crossroads"), (5496, "crossroads"), (240, "crossroads"),
                      (1774, "corridor"), (2487, "crossroads"), (3659, "crossroads"), (8872, "corridor"),
                      (7808, "crossroads"), (22138, "corridor"), (25558, "corridor")])
    func aSeedTheLongSweepFoundStaysClean(seed: UInt64, planName: String) throws {
        let report = try run(Scenario.random(seed: seed, durationNanos: Self.duration, planBytes: planName == "corridor" ? corridor : crossroads))
        #expect(report.violationCount == 0, "\(explain(report))")
    }
}
