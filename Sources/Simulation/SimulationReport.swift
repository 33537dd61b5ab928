import JunctionCore

/// What a run measured, and every invariant it saw broken.
public struct SimulationReport: Sendable {
    public var scenario: Scenario
    /// |agent's timebase estimate − its coordinator's timebase| while locked.
    public var clockError = Histogram()
    /// Where the largest clock error while locked was seen: true time, agent.
    public var clockErrorMaxAt: (atNanos: Int64, agent: Int)?
    /// The clock error while locked in the `afterSwitchNanos` after an agent
    /// carried its timebase over to another coordinator: what a failover
    /// costs, apart from the start-up lock (whose first seconds under
    /// 10 ms of jitter can reach a millisecond on their own).
    public var clockErrorAfterSwitch = Histogram()
    public static let afterSwitchNanos: Int64 = 60 * .nanosPerSecond
    /// Spread of the true instants at which locked agents made the same change.
    public var changeSkew = Histogram()
    /// Seconds from each agent's first tick to its first lock.
    public var lockDelaysNanos: [Int64] = []
    /// |agent's timebase estimate − truth| while in holdover.
    public var holdoverError = Histogram()
    /// From each agent's first tick until its head shows the plan's aspect,
    /// or holds red only because the plan is in a green too short to join or
    /// an amber (a safe join waits for the plan's next red): the scale-up measure.
    public var joinDelaysNanos: [Int: Int64] = [:]
    /// From each agent's first tick until its head shows exactly the plan's aspect.
    public var followDelaysNanos: [Int: Int64] = [:]
    /// Per plan id, the anchor (activation instant) each agent runs it from:
    /// every agent must hold the same one, so the junction changes as one.
    public var planSwitches: [UInt64: [Int: Int64]] = [:]
    /// Ticks sent to agents removed for good, after the coordinator had time
    /// to notice (DNS lag plus its forget timeout).
    public var ticksToRemovedAgents = 0
    /// Per agent: flash entered, and the plan rejoined after it.
    public var flashEntries = 0
    public var flashExits = 0
    /// Plans the coordinators refused.
    public var plansRefused = 0
    /// Heads frozen on green by an agent kill whose conflicting heads the
    /// frozen-head checker watched; trips of the agents' signal monitors.
    public var frozenGreenHeadsChecked = 0
    public var monitorTrips: UInt64 = 0
    /// The signal monitor's trips by violation (`short-green`...), with the
    /// agent and true time of each, as they happened.
    public var monitorTripLog: [(agent: Int, atNanos: Int64, violation: String)] = []
    public var lockedNanos: Int64 = 0
    public var aliveNanos: Int64 = 0
    public var violations: [SimulationViolation] = []
    public var violationCount = 0
    public var events: [String] = []
    public var datagramsDelivered: UInt64 = 0
    public var datagramsLost: UInt64 = 0
    public var transitions: UInt64 = 0
    /// Largest step of the timebase an agent followed across a change of
    /// coordinator (|new source − old source| at the switch).
    public var largestSourceStepNanos: Int64 = 0
    /// The signed step to each new coordinator (new source − old source, as
    /// the first agent holding a timebase switched to it), by its ID: their
    /// sum is how far the cluster's timebase walked across all changes of
    /// coordinator. Small steps that all lean one way (an adoption that is
    /// biased) add up here while each stays well inside `largestSourceStepNanos`.
    public var sourceSteps: [UInt64: Int64] = [:]
    public var netSourceWalkNanos: Int64 { sourceSteps.values.reduce(0, +) }
    public var wallSeconds: Double = 0
    /// How many notable events the summary lists.
    public var eventLimit = 30

    public var passed: Bool { violationCount == 0 }

    mutating func violate(_ kind: String, _ detail: String, atNanos: Int64) {
        violationCount += 1
        if violations.count < 50 { violations.append(SimulationViolation(kind: kind, detail: detail, atNanos: atNanos)) }
    }

    mutating func note(_ text: String, atNanos: Int64) {
        if events.count < 2000 { events.append("\(formatSeconds(atNanos - atNanos % .nanosPerMillisecond)): \(text)") }
    }

    /// The human summary printed by `junction simulate --virtual`.
    public func summary() -> String {
        func us(_ n: Int64) -> String { n >= 10_000 ? "\(n / 1_000) us" : "\(Double(n / 10) / 100) us" }
        let wander = scenario.network.floorWander
        let floorText = wander.peakToPeakNanos > 0
            ? "floor wanders 0-\(us(wander.peakToPeakNanos)) over \(formatSeconds(wander.periodNanos))" : "constant floor"
        let locked = aliveNanos > 0 ? Double(lockedNanos) / Double(aliveNanos) * 100 : 0
        let sortedLock = lockDelaysNanos.sorted()
        var lines = [
            "junction simulate --virtual: seed \(scenario.seed), \(scenario.agentCount) agents, \(formatSeconds(scenario.durationNanos)) virtual in \(String(format2(wallSeconds))) s wall",
            "network: loss \(Int(scenario.network.lossProbability * 100))%, jitter 0-\(us(scenario.network.jitterToAgentNanos)) to agents, 0-\(us(scenario.network.jitterToCoordinatorNanos)) back; \(floorText); drift up to \(Int(scenario.maxDriftPPM)) ppm",
            "change skew between agents: p50 \(us(changeSkew.quantile(0.5))), p99 \(us(changeSkew.quantile(0.99))), max \(us(changeSkew.maxNanos)) over \(changeSkew.count) changes",
            "clock error while locked:   p50 \(us(clockError.quantile(0.5))), p99 \(us(clockError.quantile(0.99))), max \(us(clockError.maxNanos))\(clockErrorMaxAt.map { " (agent \($0.agent) at \(formatSeconds($0.atNanos - $0.atNanos % .nanosPerMillisecond)))" } ?? "") over \(clockError.count) samples",
            "clock error in holdover:    p50 \(us(holdoverError.quantile(0.5))), p99 \(us(holdoverError.quantile(0.99))), max \(us(holdoverError.maxNanos)) over \(holdoverError.count) samples",
            "time locked: \(format2(locked))% of agent time; lock after first tick: max \(formatSeconds(sortedLock.last ?? 0))",
            "largest timebase step at a change of coordinator: \(us(largestSourceStepNanos)); net walk over \(sourceSteps.count): \(netSourceWalkNanos < 0 ? "-" : "")\(us(abs(netSourceWalkNanos)))",
            "datagrams: \(datagramsDelivered) delivered, \(datagramsLost) lost; light changes: \(transitions)",
            "heads frozen on green by a kill, checked: \(frozenGreenHeadsChecked); signal monitor trips: \(monitorTrips)",
            "invariant violations: \(violationCount)",
        ]
        if clockErrorAfterSwitch.count > 0 {
            lines.insert("clock error after a switch: p50 \(us(clockErrorAfterSwitch.quantile(0.5))), p99 \(us(clockErrorAfterSwitch.quantile(0.99))), max \(us(clockErrorAfterSwitch.maxNanos)) over \(clockErrorAfterSwitch.count) samples (60 s after each)", at: 4)
        }
        for v in violations.prefix(10) { lines.append("  VIOLATION \(v)") }
        if !events.isEmpty {
            lines.append("notable events:")
            lines += events.prefix(eventLimit).map { "  \($0)" }
            if events.count > eventLimit { lines.append("  ... \(events.count - eventLimit) more") }
        }
        if !passed {
            lines.append("replay with: junction simulate --virtual --seed \(scenario.seed) (same options)")
        }
        return lines.joined(separator: "\n")
    }

    private func format2(_ v: Double) -> String {
        let scaled = (v * 100).rounded() / 100
        return "\(scaled)"
    }
}

public struct SimulationViolation: Sendable, CustomStringConvertible {
    public var kind: String
    public var detail: String
    public var atNanos: Int64
    public var description: String { "\(kind) at t=\(formatSeconds(atNanos)): \(detail)" }
}
