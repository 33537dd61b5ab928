#if canImport(Glibc)
import Glibc
#endif
import JunctionCore
@testable import Simulation

let second = Int64.nanosPerSecond
let minute = 60 * second
let hour = 3600 * second
let crossroads = Array(ExamplePlans.crossroads.utf8)
let corridor = Array(ExamplePlans.corridor.utf8)
/// A US-sequence plan (red, green, yellow), from plans/us-four-way.json.
let usFourWay: [UInt8] = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)  // Tests/SimulationTests/<file>.swift
    guard let file = fopen(parts.joined(separator: "/") + "/plans/us-four-way.json", "rb") else { return [] }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while case let n = fread(&buffer, 1, buffer.count, file), n > 0 { bytes += buffer[0..<n] }
    return bytes
}()

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
