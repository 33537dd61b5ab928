import JunctionCore
import Posix
import Simulation

/// Benchmarks of the Simulation area: how fast `simulate --virtual` runs
/// (virtual seconds per wall second, authenticated, the default faults) at
/// 16, 256 and 10,000 agents, and how long agents take from their first tick
/// to lock at 20% loss, over many seeds.
enum SimulationBench {
    static func run(into table: inout BenchTable) {
        for (agents, virtualSeconds) in [(16, 600), (256, 60), (10_000, 5)] {
            guard let r = speed(agents: agents, virtualSeconds: virtualSeconds) else {
                table.add("simulation", "\(agents) agents", 0, "n/a", goal: "the scenario did not load", met: false)
                continue
            }
            let rate = Double(virtualSeconds) / r.wallSeconds
            if agents == 16 {
                // The goal: 24 virtual hours of 16 agents in under 30 s.
                table.add("simulation", "16 agents: virtual s per wall s", rate, "x", goal: ">= 2880 (24 h in 30 s)", met: rate >= 2880)
                table.add("simulation", "16 agents: 24 virtual hours take", 86_400 / rate, "s", goal: "< 30 s", met: 86_400 / rate < 30)
            } else {
                table.add("simulation", "\(agents) agents: virtual s per wall s", rate, "x", goal: "", met: nil)
            }
            if !r.passed { table.add("simulation", "\(agents) agents: invariants", 0, "violated", goal: "0", met: false) }
        }
        let lock = lockDelays(seeds: 40, agents: 16, loss: 0.2)
        table.add("simulation", "start to locked at 20% loss p50 (\(lock.count) agents, 40 seeds)", percentile(lock, 0.5), "s")
        table.add("simulation", "start to locked at 20% loss p99", percentile(lock, 0.99), "s", goal: "<= 2 s", met: percentile(lock, 0.99) <= 2)
        table.add("simulation", "start to locked at 20% loss max", percentile(lock, 1), "s", goal: "<= 2 s", met: percentile(lock, 1) <= 2)
    }

    static func speed(agents: Int, virtualSeconds: Int) -> (wallSeconds: Double, passed: Bool)? {
        var scenario = Scenario(seed: 1, agentCount: agents, durationNanos: Int64(virtualSeconds) * .nanosPerSecond,
                                planBytes: Array(ExamplePlans.crossroads.utf8))
        scenario.network.lossProbability = 0.2
        scenario.network.jitterToAgentNanos = 2 * .nanosPerMillisecond
        scenario.network.jitterToCoordinatorNanos = 2 * .nanosPerMillisecond
        guard var simulation = try? ClusterSimulation(scenario: scenario) else { return nil }
        let clock = MonotonicClock()
        let start = clock.nowNanos()
        let report = simulation.run()
        return (Double(clock.nowNanos() - start) / 1e9, report.passed)
    }

    /// Seconds from each agent's first tick to its first lock, over `seeds`
    /// runs of the default scenario (drift ±200 ppm, 0–2 ms jitter) at `loss`.
    static func lockDelays(seeds: Int, agents: Int, loss: Double) -> [Double] {
        var delays: [Double] = []
        for seed in 1...UInt64(seeds) {
            var scenario = Scenario(seed: seed, agentCount: agents, durationNanos: 30 * .nanosPerSecond,
                                    planBytes: Array(ExamplePlans.crossroads.utf8))
            scenario.network.lossProbability = loss
            scenario.network.jitterToAgentNanos = 2 * .nanosPerMillisecond
            scenario.network.jitterToCoordinatorNanos = 2 * .nanosPerMillisecond
            guard var simulation = try? ClusterSimulation(scenario: scenario) else { continue }
            delays += simulation.run().lockDelaysNanos.map { Double($0) / 1e9 }
        }
        return delays
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
