import JunctionCore

/// The network between coordinators and agents, as data: loss, delay,
/// jitter (separately each way, for asymmetry), a wandering delay floor,
/// duplication and partitions.
public struct NetworkModel: Sendable, Hashable {
    public var lossProbability: Double = 0
    /// The least one-way delay each way, before the floor's wander.
    public var baseDelayNanos: Int64 = 150_000
    /// Uniform extra delay, coordinator → agent and agent → coordinator.
    public var jitterToAgentNanos: Int64 = 0
    public var jitterToCoordinatorNanos: Int64 = 0
    /// How the least delay moves over time, each way.
    public var floorWander = FloorWander()
    public var duplicateProbability: Double = 0
    /// Intervals during which the listed agents hear nothing and are not heard.
    public var partitions: [Partition] = []

    public init() {}

    public struct Partition: Sendable, Hashable {
        public var startNanos: Int64
        public var endNanos: Int64
        /// Agent indices cut off; empty means every agent.
        public var agents: Set<Int>
        public init(startNanos: Int64, endNanos: Int64, agents: Set<Int>) {
            self.startNanos = startNanos
            self.endNanos = endNanos
            self.agents = agents
        }
    }

    /// The delay floor's slow movement: a triangle wave from 0 to
    /// `peakToPeakNanos` and back over `periodNanos`, each agent's path at
    /// its own phase (agent k starts k golden-ratio periods in), the way
    /// back half a period behind the way out.
    ///
    /// Why: a real path's least delay is no constant. On this project's
    /// bench the relay's wake-up from `select` moved the per-20 s minimum
    /// towards the agents between 66 and 97 µs while the way back stayed at
    /// 18–20 µs; on a Pi, interrupt coalescing and CPU frequency steps do the
    /// same. An agent can only take the offset as the middle of the two
    /// floors, so when they move apart its timebase moves by half the
    /// difference, and no estimator removes that. A constant floor hides it,
    /// and a simulator that hides it credits fits that lean on the luckiest
    /// packets with gains real processes never show (docs/BENCHMARKS-HISTORY.md,
    /// "Tried and reverted", 2026-12-05). A function of time, not a draw,
    /// so that it shifts no other random draw of a seed.
    public struct FloorWander: Sendable, Hashable {
        public var peakToPeakNanos: Int64
        public var periodNanos: Int64

        public init(peakToPeakNanos: Int64 = 100_000, periodNanos: Int64 = 150 * .nanosPerSecond) {
            self.peakToPeakNanos = peakToPeakNanos
            self.periodNanos = periodNanos
        }

        /// No wander: a constant floor.
        public static let none = FloorWander(peakToPeakNanos: 0, periodNanos: 1)

        /// The floor's rise above the base delay on agent `agent`'s path at
        /// true time `t`.
        public func riseNanos(at t: Int64, agent: Int, toAgent: Bool) -> Int64 {
            guard peakToPeakNanos > 0, periodNanos > 1 else { return 0 }
            let half = periodNanos / 2
            let golden = 0.618_033_988_749_895 * Double(agent)
            let start = Int64(((golden - golden.rounded(.down)) * Double(periodNanos)).rounded(.down))
            var phase = (t + start + (toAgent ? 0 : half)) % periodNanos
            if phase < 0 { phase += periodNanos }
            let up = phase < half ? phase : periodNanos - phase
            return Int64((Double(peakToPeakNanos) * Double(up) / Double(half)).rounded())
        }
    }

    func isPartitioned(agent: Int, at t: Int64) -> Bool {
        partitions.contains { t >= $0.startNanos && t < $0.endNanos && ($0.agents.isEmpty || $0.agents.contains(agent)) }
    }

    /// The delivery delays of one datagram on agent `agent`'s path, sent at
    /// true time `t`: empty when lost, two when duplicated.
    func deliveries(toAgent: Bool, agent: Int, at t: Int64, random: inout SimulationRandom) -> [Int64] {
        if random.chance(lossProbability) { return [] }
        let jitter = toAgent ? jitterToAgentNanos : jitterToCoordinatorNanos
        let floor = baseDelayNanos + floorWander.riseNanos(at: t, agent: agent, toAgent: toAgent)
        var out = [floor + random.upTo(jitter)]
        if random.chance(duplicateProbability) { out.append(floor + random.upTo(jitter)) }
        return out
    }
}
