import Testing
import JunctionCore
@testable import Simulation

/// A seeded sweep: 1,000 random scenarios (cluster size, drift, loss,
/// jitter, duplication, partitions, coordinator and agent kills, scale-up all
/// drawn from the seed) must all keep every invariant. A failure names the
/// seed; `junction simulate --virtual --random --seed S --hours 0.025` replays it.
@Suite("Random scenario sweep")
struct SweepTests {
    static let scenarios = 1_000
    static let duration = 90 * second

    @Test(arguments: 0..<4)
    func quarter(_ part: Int) throws {
        let count = Self.scenarios / 4
        var kills = 0, frozenGreens = 0, trips: UInt64 = 0, usPlans = 0
        defer { print("sweep part \(part): \(count) scenarios, \(usPlans) with the US plan, \(kills) agent kills, \(frozenGreens) heads frozen on green checked, \(trips) signal monitor trips") }
        for index in (part * count)..<((part + 1) * count) {
            let seed = UInt64(index + 1)
            let (plan, file) = [(corridor, " --plan plans/corridor.json"), (usFourWay, " --plan plans/us-four-way.json"), (crossroads, "")][index % 3]
            let scenario = Scenario.random(seed: seed, durationNanos: Self.duration, planBytes: plan)
            let report = try run(scenario)
            kills += scenario.agentKills.count
            frozenGreens += report.frozenGreenHeadsChecked
            trips += report.monitorTrips
            if index % 3 == 1 { usPlans += 1 }
            // The sequencer is the first line: the monitor behind it never acts.
            #expect(report.monitorTrips == 0, "seed \(seed): the signal monitor tripped \(report.monitorTrips) times")
            #expect(report.violationCount == 0, "seed \(seed) (junction simulate --virtual --random --seed \(seed) --hours 0.025\(file)):\n\(explain(report))")
            if report.violationCount > 0 { return }
        }
    }
}
