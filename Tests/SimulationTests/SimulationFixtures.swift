import JunctionCore
@testable import Simulation

let second = Int64.nanosPerSecond
let minute = 60 * second
let hour = 3600 * second
let crossroads = Array(ExamplePlans.crossroads.utf8)
let corridor = Array(ExamplePlans.corridor.utf8)

/// The steady scenario: drift within 200 ppm, 20% loss, 0 to 2 ms
/// jitter each way.
func steadyScenario(seed: UInt64, agents: Int, duration: Int64) -> Scenario {
    var s = Scenario(seed: seed, agentCount: agents, durationNanos: duration, planBytes: crossroads)
    s.maxDriftPPM = 200
    s.network.lossProbability = 0.2
    s.network.jitterToAgentNanos = 2 * .nanosPerMillisecond
    s.network.jitterToCoordinatorNanos = 2 * .nanosPerMillisecond
    return s
}

func run(_ scenario: Scenario) throws -> SimulationReport {
    var simulation = try ClusterSimulation(scenario: scenario)
    return simulation.run()
}

/// What a failed expectation should print: the violations and how to replay.
func explain(_ report: SimulationReport) -> String {
    report.summary()
}
