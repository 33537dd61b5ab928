import JunctionCore

/// How a coordinator finds the agents and decides when it has heard enough
/// of them to adopt their timebase (rule 9 of the design).
///
/// Why it exists: on Kubernetes a replacement coordinator comes up with a new
/// address, and agents learn that address only through DNS, up to about 36 s
/// late (resolve interval, CoreDNS cache). Waiting for their broadcast
/// reports, as a fixed 2 s window did, meant hearing nobody and starting a
/// new timebase from the new node's wall clock. So the coordinator speaks
/// first: every round (`roundInterval(agents:standby:)`) it sends a solicit
/// to every agent address its own DNS lookup of the agents' Service lists
/// (and every agent it has heard), and each agent answers at once to the
/// address the solicit came from. Each round carries a fresh nonce; only
/// answers to a nonce issued in the last `nonceLifetimeNanos` count, so an
/// answer is younger than the round that asked for it.
///
/// When adoption ends (answers are always collected for `minimumNanos` from
/// the first one, several rounds, so each agent gives a few samples and the
/// least delayed can be kept):
/// - once at least 90% (rounded up, at least 1) of the DNS-listed agents
///   have answered;
/// - after `capNanos` (10 s), if an answer carried a timebase to adopt, or a
///   majority of the listed agents answered (holding none: a new cluster);
/// - never otherwise while DNS lists agents: a coordinator that cannot hear
///   the cluster (or only a restarted agent of it, while the rest are cut
///   off) must not impose a new timebase on agents that may hold one;
/// - if DNS lists no agent (a cluster being created), after `aloneNanos`.
///
/// A pure value: the nonces come from a seeded generator the core owns (the
/// nonce is for freshness, not secrecy; answers are authenticated by the
/// agents' tags).
public struct Discovery<Address: Hashable & Sendable>: Sendable {
    public enum Decision: Sendable, Hashable {
        /// Keep soliciting.
        case wait
        /// Adoption is over: adopt the samples if there are any, else start
        /// a timebase of its own (the agents that answered hold none).
        case finish
    }

    /// Rounds while adopting, for up to `fastRoundAgents` agents. Each
    /// agent's sample is its least delayed answer, so the more answers the
    /// closer adoption comes to the agents' timebase: at one round every
    /// 200 ms (two or three answers per agent at 30% loss in the second
    /// adoption lasts) every replacement moved the cluster's timebase back
    /// by up to 0.5–0.8 ms in the simulator, which the agents then slewed
    /// after at different moments. Larger clusters space their rounds so no
    /// more than `fastRoundAgents` answers come per `roundIntervalNanos`, up
    /// to `slowRoundIntervalNanos` (10,000 agents: every 200 ms, as before).
    public static var roundIntervalNanos: Int64 { 50 * .nanosPerMillisecond }
    public static var slowRoundIntervalNanos: Int64 { 200 * .nanosPerMillisecond }
    public static var fastRoundAgents: Int { 2_500 }
    /// While serving with no followers (a standby), rounds are four times
    /// slower: only enough to keep its offset on the agents' timebase.
    public static var standbySlowdown: Int64 { 4 }

    /// The time between rounds that ask `agents` agents.
    public static func roundInterval(agents: Int, standby: Bool) -> Int64 {
        let scaled = roundIntervalNanos * Int64(max(agents, 1)) / Int64(fastRoundAgents)
        let interval = min(max(scaled, roundIntervalNanos), slowRoundIntervalNanos)
        return standby ? interval * standbySlowdown : interval
    }
    public static var nonceLifetimeNanos: Int64 { 2 * .nanosPerSecond }
    public static var minimumNanos: Int64 { 1 * .nanosPerSecond }
    public static var capNanos: Int64 { 10 * .nanosPerSecond }
    /// The share of DNS-listed agents that must answer, in percent.
    public static var quorumPercent: Int { 90 }

    public let startedAt: LocalInstant
    /// With no agent in DNS, how long to listen before starting alone.
    public let aloneNanos: Int64
    /// Nonces issued, newest last, with when; older than the lifetime are dropped.
    public private(set) var nonces: [(nonce: UInt64, at: LocalInstant)] = []
    /// Addresses that answered a fresh nonce during this adoption.
    public private(set) var answered: Set<Address> = []
    /// When the first of them answered.
    public private(set) var firstAnswerAt: LocalInstant?
    public private(set) var nextRoundAt: LocalInstant
    private var generator: UInt64

    public init(now: LocalInstant, aloneNanos: Int64, seed: UInt64) {
        startedAt = now
        self.aloneNanos = aloneNanos
        nextRoundAt = now
        generator = seed
    }

    /// A new round's nonce when one is due (nil otherwise); the caller sends
    /// a solicit with it to every agent address it knows.
    public mutating func round(now: LocalInstant, standby: Bool = false, asking agents: Int = 1) -> UInt64? {
        guard now >= nextRoundAt else { return nil }
        nextRoundAt = now + Self.roundInterval(agents: agents, standby: standby)
        nonces.removeAll { now - $0.at > Self.nonceLifetimeNanos }
        var nonce: UInt64 = 0
        while nonce == 0 { nonce = nextRandom() }
        nonces.append((nonce, now))
        return nonce
    }

    /// Whether `nonce` was issued in the last `nonceLifetimeNanos`: the
    /// report that carries it was made after that round asked for it.
    public func isFresh(_ nonce: UInt64, now: LocalInstant) -> Bool {
        nonce != 0 && nonces.contains { $0.nonce == nonce && now - $0.at <= Self.nonceLifetimeNanos }
    }

    /// Notes an answer from `address` to a fresh nonce at `now`.
    public mutating func answered(from address: Address, now: LocalInstant) {
        if answered.insert(address).inserted, listed.contains(address) { heardListed += 1 }
        if firstAnswerAt == nil { firstAnswerAt = now }
    }

    /// The agent addresses DNS lists, as the core knows them (set on each DNS
    /// answer), and how many of them answered, counted as answers come: the
    /// decision is asked on every datagram while adopting, and counting
    /// 10,000 listed agents each time made adoption quadratic.
    public private(set) var listed: Set<Address> = []
    private var heardListed = 0

    public mutating func setListed(_ addresses: Set<Address>) {
        listed = addresses
        heardListed = answered.reduce(0) { $0 + (addresses.contains($1) ? 1 : 0) }
    }

    /// Whether adoption may end at `now`, given the listed addresses last
    /// set and whether any answer carried a timebase worth adopting.
    public func decision(now: LocalInstant, hasSample: Bool) -> Decision {
        decide(now: now, listedCount: listed.count, heard: heardListed, hasSample: hasSample)
    }

    /// Whether adoption may end at `now`, given the agent addresses DNS lists
    /// and whether any answer carried a timebase worth adopting.
    public func decision(now: LocalInstant, listed: some Collection<Address>, hasSample: Bool) -> Decision {
        decide(now: now, listedCount: listed.count, heard: listed.reduce(0) { $0 + (answered.contains($1) ? 1 : 0) },
               hasSample: hasSample)
    }

    private func decide(now: LocalInstant, listedCount: Int, heard: Int, hasSample: Bool) -> Decision {
        let elapsed = now - startedAt
        if listedCount == 0 {
            return elapsed >= aloneNanos && collected(now) ? .finish : .wait
        }
        guard let first = firstAnswerAt, now - first >= Self.minimumNanos else { return .wait }
        if heard >= Self.quorum(of: listedCount) { return .finish }
        if elapsed >= Self.capNanos && (hasSample || heard * 2 > listedCount) { return .finish }
        return .wait
    }

    /// Answers, if any, have been collected for `minimumNanos`.
    private func collected(_ now: LocalInstant) -> Bool {
        firstAnswerAt.map { now - $0 >= Self.minimumNanos } ?? true
    }

    /// ⌈90% of `count`⌉, at least 1.
    public static func quorum(of count: Int) -> Int {
        max(1, (count * quorumPercent + 99) / 100)
    }

    /// The next instant adoption should be re-examined.
    public func nextDeadline(after now: LocalInstant) -> LocalInstant {
        var next = nextRoundAt
        var limits = [startedAt + aloneNanos, startedAt + Self.capNanos]
        if let first = firstAnswerAt { limits.append(first + Self.minimumNanos) }
        for limit in limits where limit > now {
            next = min(next, limit)
        }
        return max(next, now + 1)
    }

    /// SplitMix64: a seeded stream, no global state.
    private mutating func nextRandom() -> UInt64 {
        generator &+= 0x9E37_79B9_7F4A_7C15
        var z = generator
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
