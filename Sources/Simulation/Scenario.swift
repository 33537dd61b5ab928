import JunctionCore

/// One simulated run, entirely as data: cluster size, clocks, network and
/// the faults to inject. `Scenario.random(seed:)` derives all of it from a
/// seed; tests build specific ones by hand.
public struct Scenario: Sendable {
    public var seed: UInt64
    public var agentCount: Int
    public var durationNanos: Int64
    public var planBytes: [UInt8]
    /// Agents' crystals: drift uniform in ±maxDriftPPM, with wander and steps.
    public var maxDriftPPM: Double = 200
    public var wanderPPMPerSegment: Double = 0.02
    public var frequencyStepChance: Double = 0
    public var frequencyStepPPM: Double = 0
    public var network = NetworkModel()
    /// Coordinators' realtime clocks: offset uniform in ±this from true time
    /// (nodes' NTP is off by this much at worst), drift in ±coordinatorDriftPPM.
    public var coordinatorClockOffsetNanos: Int64 = 50 * .nanosPerMillisecond
    public var coordinatorDriftPPM: Double = 0.5
    /// The coordinator is killed at `atNanos` and a new one (another clock
    /// offset, another id) starts `downNanos` later.
    public var coordinatorOutages: [Outage] = []
    /// A second coordinator starts at this time (as in a rolling update).
    public var secondCoordinatorAtNanos: Int64?
    public var agentKills: [AgentKill] = []
    /// Stalls of an agent's process (the node or its VM deschedules it, as
    /// a loaded CI machine or a Pi under memory pressure does): nothing of
    /// it runs for the duration; its timer and the datagrams that arrived
    /// meanwhile are handled when it runs again, so a change due inside the
    /// stall reaches the lamp late.
    public var agentStalls: [AgentStall] = []
    /// Stop a given coordinator (by start order) at a time, with or without goodbye.
    public var coordinatorStops: [(index: Int, atNanos: Int64, graceful: Bool)] = []
    /// Agents added at these instants (scale up).
    public var agentJoins: [Int64] = []
    /// Agents removed for good (scale down): index and instant.
    public var agentRemovals: [(agent: Int, atNanos: Int64)] = []
    public var planChanges: [(atNanos: Int64, bytes: [UInt8])] = []
    /// The coordinator's time to seal and send one datagram: a round of
    /// ticks to N agents takes N times this to leave (about 3 µs a datagram
    /// on loopback on the development VM, more on a Pi or a loaded node).
    public var coordinatorSendNanos: Int64 = 3 * .nanosPerMicrosecond
    /// How long DNS takes to show a change of the agents' Service.
    public var dnsLagNanos: Int64 = 30 * .nanosPerSecond
    /// How the coordinator Service's DNS reaches agents: a new coordinator's
    /// address arrives only through it (resolve interval, cache TTL).
    public var coordinatorDNS = CoordinatorDNS()
    /// Steps of the wall clock on the coordinators' node (an NTP step after a
    /// Pi without a real-time clock boots): true-time instant and size. A
    /// coordinator reads the wall clock once at start, so a step moves only
    /// the own clock of coordinators started after it.
    public var coordinatorWallClockSteps: [(atNanos: Int64, stepNanos: Int64)] = []
    /// Bursts of NTP slew of `CLOCK_MONOTONIC` on agents' nodes.
    public var agentSlews: [MonotonicSlew] = []
    /// Bursts of NTP slew of `CLOCK_MONOTONIC` on the coordinators' node
    /// (chrony on a freshly booted Pi pulling its clock in at up to 83,333
    /// ppm): true-time instant, length and extra rate. Every coordinator
    /// started there sees them.
    public var coordinatorSlews: [(atNanos: Int64, durationNanos: Int64, ppm: Double)] = []
    /// The behaviour before the coordinator moved to `CLOCK_MONOTONIC_RAW`,
    /// to show the coordinator-node slew is a real fault: its own clock (the
    /// junction's timebase) follows the slewed `CLOCK_MONOTONIC`.
    public var coordinatorsTickMonotonic = false
    /// The behaviour before issue 11, to show the slew fault is real: agents
    /// discipline `CLOCK_MONOTONIC` (which the slews bend) instead of
    /// `CLOCK_MONOTONIC_RAW` (which they do not).
    public var agentsDisciplineMonotonic = false
    /// Agents start uniformly within this window.
    public var startupSpreadNanos: Int64 = 2 * .nanosPerSecond
    /// Lockstep invariant: locked agents change within this of each other.
    public var targetSkewNanos: Int64 = 1 * .nanosPerMillisecond
    /// Authenticate datagrams with HMAC-SHA256 (on by default).
    public var authenticated = true
    /// At the end every live agent must have been locked again within this
    /// long after the last fault (the liveness phase).
    public var recoveryNanos: Int64 = 60 * .nanosPerSecond

    public struct Outage: Sendable, Hashable {
        public var atNanos: Int64
        public var downNanos: Int64
        /// Clock offset of the replacement, from true time.
        public var replacementClockOffsetNanos: Int64
        public init(atNanos: Int64, downNanos: Int64, replacementClockOffsetNanos: Int64) {
            self.atNanos = atNanos
            self.downNanos = downNanos
            self.replacementClockOffsetNanos = replacementClockOffsetNanos
        }
    }

    /// An NTP daemon slewing `CLOCK_MONOTONIC` on one agent's node: `ppm`
    /// extra rate for `durationNanos` (chrony's default ceiling is 83,333).
    public struct MonotonicSlew: Sendable, Hashable {
        public var agent: Int
        public var atNanos: Int64
        public var durationNanos: Int64
        public var ppm: Double
        public init(agent: Int, atNanos: Int64, durationNanos: Int64, ppm: Double) {
            self.agent = agent
            self.atNanos = atNanos
            self.durationNanos = durationNanos
            self.ppm = ppm
        }
    }

    public struct AgentKill: Sendable, Hashable {
        public var agent: Int
        public var atNanos: Int64
        public var downNanos: Int64
        public init(agent: Int, atNanos: Int64, downNanos: Int64) {
            self.agent = agent
            self.atNanos = atNanos
            self.downNanos = downNanos
        }
    }

    public struct AgentStall: Sendable, Hashable {
        public var agent: Int
        public var atNanos: Int64
        public var durationNanos: Int64
        public init(agent: Int, atNanos: Int64, durationNanos: Int64) {
            self.agent = agent
            self.atNanos = atNanos
            self.durationNanos = durationNanos
        }
    }

    public init(seed: UInt64, agentCount: Int, durationNanos: Int64, planBytes: [UInt8]) {
        self.seed = seed
        self.agentCount = agentCount
        self.durationNanos = durationNanos
        self.planBytes = planBytes
    }

    /// The end of the last injected fault (0 when none).
    var lastFaultEndNanos: Int64 {
        var end: Int64 = 0
        for o in coordinatorOutages { end = max(end, o.atNanos + o.downNanos) }
        for k in agentKills { end = max(end, k.atNanos + k.downNanos) }
        for stall in agentStalls { end = max(end, stall.atNanos + stall.durationNanos) }
        for p in network.partitions { end = max(end, p.endNanos) }
        for j in agentJoins { end = max(end, j) }
        if let s = secondCoordinatorAtNanos { end = max(end, s) }
        for stop in coordinatorStops { end = max(end, stop.atNanos) }
        // A plan change is settled once announced, acknowledged and handed
        // over (lead plus a cycle at most, plus a re-announcement).
        for change in planChanges { end = max(end, change.atNanos + 10 * .nanosPerSecond) }
        for step in coordinatorWallClockSteps { end = max(end, step.atNanos) }
        for slew in agentSlews { end = max(end, slew.atNanos + slew.durationNanos) }
        for slew in coordinatorSlews { end = max(end, slew.atNanos + slew.durationNanos) }
        return end
    }

    /// A random scenario: everything drawn from the seed, in ranges where the
    /// system must hold all its invariants.
    public static func random(seed: UInt64, durationNanos: Int64, planBytes: [UInt8]) -> Scenario {
        var r = SimulationRandom(seed: seed, stream: 0x5CE7)
        var s = Scenario(seed: seed, agentCount: Int(1 + r.upTo(7)), durationNanos: durationNanos, planBytes: planBytes)
        let second = Int64.nanosPerSecond
        s.maxDriftPPM = r.uniform(0...200)
        s.wanderPPMPerSegment = r.uniform(0...0.05)
        s.network.lossProbability = r.uniform(0...0.3)
        s.network.baseDelayNanos = 50_000 + r.upTo(400_000)
        s.network.jitterToAgentNanos = r.upTo(5 * .nanosPerMillisecond)
        s.network.jitterToCoordinatorNanos = r.upTo(5 * .nanosPerMillisecond)
        s.network.duplicateProbability = r.uniform(0...0.05)
        s.targetSkewNanos = 5 * .nanosPerMillisecond
        s.coordinatorClockOffsetNanos = r.upTo(10 * second)
        let faultWindow = max(durationNanos - s.recoveryNanos, durationNanos / 2)
        if r.chance(0.5) {
            let at = 20 * second + r.upTo(max(faultWindow - 30 * second, 0))
            s.coordinatorOutages.append(Outage(atNanos: at, downNanos: r.upTo(8 * second),
                                               replacementClockOffsetNanos: r.upTo(20 * second) - 10 * second))
        }
        if r.chance(0.3) {
            let start = 15 * second + r.upTo(max(faultWindow - 20 * second, 0))
            let agents: Set<Int> = r.chance(0.5) ? [] : [Int(r.upTo(Int64(s.agentCount - 1)))]
            s.network.partitions.append(.init(startNanos: start, endNanos: start + r.upTo(20 * second), agents: agents))
        }
        if r.chance(0.3) {
            let victim = Int(r.upTo(Int64(s.agentCount - 1)))
            s.agentKills.append(AgentKill(agent: victim, atNanos: 10 * second + r.upTo(max(faultWindow - 15 * second, 0)),
                                          downNanos: r.upTo(5 * second)))
        }
        if r.chance(0.2) { s.agentJoins.append(5 * second + r.upTo(max(faultWindow - 10 * second, 0))) }
        s.drawPlanEdits(&r, faultWindow: faultWindow)
        // Issue 11's faults draw from their own stream, so the scenarios
        // above stay what they were for every seed.
        var n = SimulationRandom(seed: seed, stream: 0x5CE11)
        if n.chance(0.3) {
            // Seconds to a day, either way: a board that booted without a
            // real-time clock and then met NTP.
            let size = n.chance(0.5) ? 1 * second + n.upTo(60 * second) : n.upTo(86_400 * second)
            s.coordinatorWallClockSteps.append((atNanos: 5 * second + n.upTo(max(faultWindow - 10 * second, 0)),
                                                stepNanos: n.chance(0.5) ? size : -size))
        }
        if n.chance(0.3) {
            let victim = Int(n.upTo(Int64(s.agentCount - 1)))
            let ppm = n.uniform(500...83_333)
            s.agentSlews.append(MonotonicSlew(agent: victim, atNanos: 5 * second + n.upTo(max(faultWindow - 15 * second, 0)),
                                              durationNanos: 1 * second + n.upTo(10 * second), ppm: n.chance(0.5) ? ppm : -ppm))
        }
        if n.chance(0.2) {
            // A rolling update: the new coordinator overlaps the old, which
            // then says goodbye.
            let at = 20 * second + n.upTo(max(faultWindow - 40 * second, 0))
            s.secondCoordinatorAtNanos = at
            s.coordinatorStops.append((index: 0, atNanos: at + 5 * second + n.upTo(10 * second), graceful: true))
        }
        // Drawn last, so the scenarios drawn before it stay as they were.
        if n.chance(0.3) {
            let ppm = n.uniform(500...83_333)
            s.coordinatorSlews.append((atNanos: 5 * second + n.upTo(max(faultWindow - 15 * second, 0)),
                                       durationNanos: 1 * second + n.upTo(10 * second), ppm: n.chance(0.5) ? ppm : -ppm))
        }
        // Its own stream too: a coordinator slow to send (a loaded node, a
        // preemption mid-round) makes its last ticks leave late.
        var c = SimulationRandom(seed: seed, stream: 0x5E7D)
        if c.chance(0.3) { s.coordinatorSendNanos = c.upTo(1 * .nanosPerMillisecond) }
        // The delay floor's wander (`NetworkModel.FloorWander`), from none to
        // twice what the bench's relay shows, over 20 s to 10 minutes.
        var w = SimulationRandom(seed: seed, stream: 0xF1_00A)
        s.network.floorWander = .init(peakToPeakNanos: w.upTo(200 * .nanosPerMicrosecond),
                                      periodNanos: 20 * second + w.upTo(580 * second))
        s.drawRemainingFaults(seed: seed, faultWindow: faultWindow)
        return s
    }

    /// The faults the simulator models that no draw above reaches, from their
    /// own stream (so every seed's earlier draws stay as they were): the
    /// sweep is to draw every fault it knows. DNS as slow as a busy
    /// cluster's (the agents' Service up to a minute late to the
    /// coordinator; the coordinator's cached up to 30 s, its endpoints a
    /// few seconds late); a crystal that steps in frequency (a board
    /// warming up); an agent scaled away for good; an agent's process
    /// descheduled for a while, more than once (a loaded node). Stalls stay
    /// under 4 ms: the lockstep target here is 5 ms, and a longer stall
    /// makes a change late by its length, which the checker counts, rightly
    /// (`StallTests` holds what the head does then).
    mutating func drawRemainingFaults(seed: UInt64, faultWindow: Int64) {
        let second = Int64.nanosPerSecond
        var f = SimulationRandom(seed: seed, stream: 0x5CE14)
        dnsLagNanos = f.upTo(60 * second)
        coordinatorDNS.cacheTTLNanos = f.upTo(30 * second)
        coordinatorDNS.endpointLagNanos = f.upTo(5 * second)
        if f.chance(0.2) {
            frequencyStepChance = f.uniform(0.01...0.2)
            frequencyStepPPM = f.uniform(0.1...5)
        }
        if f.chance(0.2), agentCount > 1 {
            agentRemovals.append((agent: Int(f.upTo(Int64(agentCount - 1))),
                                  atNanos: 10 * second + f.upTo(max(faultWindow - 15 * second, 0))))
        }
        if f.chance(0.2) {
            let victim = Int(f.upTo(Int64(agentCount - 1)))
            for _ in 0...f.upTo(20) {
                agentStalls.append(AgentStall(agent: victim, atNanos: 5 * second + f.upTo(max(faultWindow - 10 * second, 0)),
                                              durationNanos: 100 * .nanosPerMicrosecond + f.upTo(3_900 * .nanosPerMicrosecond)))
            }
        }
    }

    /// Plan edits and the faults around them (issue 9): one to three edits,
    /// often the next one inside the previous one's lead window; a
    /// coordinator replaced, an agent restarted or added, an agent
    /// partitioned across the activation, each shortly after the first edit.
    mutating func drawPlanEdits(_ r: inout SimulationRandom, faultWindow: Int64) {
        let second = Int64.nanosPerSecond
        guard r.chance(0.5) else { return }
        var at = 8 * second + r.upTo(max(faultWindow - 25 * second, 0))
        for _ in 0...r.upTo(2) {
            planChanges.append((atNanos: at, bytes: Self.edited(planBytes, &r)))
            at += r.chance(0.4) ? r.upTo(PlanRules.leadNanos) : PlanRules.leadNanos + r.upTo(15 * second)
        }
        let first = planChanges[0].atNanos
        if r.chance(0.3) {
            coordinatorOutages.append(Outage(atNanos: first + r.upTo(8 * second), downNanos: r.upTo(5 * second),
                                             replacementClockOffsetNanos: r.upTo(20 * second) - 10 * second))
        }
        if r.chance(0.3) {
            agentKills.append(AgentKill(agent: Int(r.upTo(Int64(agentCount - 1))), atNanos: first + r.upTo(10 * second),
                                        downNanos: r.upTo(5 * second)))
        }
        if r.chance(0.2) { agentJoins.append(first + r.upTo(10 * second)) }
        if r.chance(0.3) {
            let start = first + r.upTo(6 * second)
            network.partitions.append(.init(startNanos: start, endNanos: start + 2 * second + r.upTo(18 * second),
                                            agents: [Int(r.upTo(Int64(agentCount - 1)))]))
        }
    }

    /// The plan with new green times (7 to 25 s), and sometimes a longer
    /// amber or all-red (so the handover hold is exercised); heads, groups
    /// and conflicts stay, so the wiring is the same in every edit.
    static func edited(_ bytes: [UInt8], _ r: inout SimulationRandom) -> [UInt8] {
        var text = String(decoding: bytes, as: UTF8.self)
        text = text.replacing(/"seconds": \d+/) { _ in "\"seconds\": \(7 + r.upTo(18))" }
        if r.chance(0.3) { text = text.replacing(/"amber": 3/) { _ in "\"amber\": 4" } }
        if r.chance(0.3) { text = text.replacing(/"allRed": 2/) { _ in "\"allRed\": 3" } }
        return Array(text.utf8)
    }
}
