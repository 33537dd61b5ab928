/// The network between coordinators and agents, as data: loss, delay,
/// jitter (separately each way, for asymmetry), duplication and partitions.
public struct NetworkModel: Sendable, Hashable {
    public var lossProbability: Double = 0
    /// Fixed one-way delay each way.
    public var baseDelayNanos: Int64 = 150_000
    /// Uniform extra delay, coordinator → agent and agent → coordinator.
    public var jitterToAgentNanos: Int64 = 0
    public var jitterToCoordinatorNanos: Int64 = 0
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

    func isPartitioned(agent: Int, at t: Int64) -> Bool {
        partitions.contains { t >= $0.startNanos && t < $0.endNanos && ($0.agents.isEmpty || $0.agents.contains(agent)) }
    }

    /// The delivery delays of one datagram: empty when lost, two when duplicated.
    func deliveries(toAgent: Bool, random: inout SimulationRandom) -> [Int64] {
        if random.chance(lossProbability) { return [] }
        let jitter = toAgent ? jitterToAgentNanos : jitterToCoordinatorNanos
        var out = [baseDelayNanos + random.upTo(jitter)]
        if random.chance(duplicateProbability) { out.append(baseDelayNanos + random.upTo(jitter)) }
        return out
    }
}
