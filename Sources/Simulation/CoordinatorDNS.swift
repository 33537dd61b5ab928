/// The coordinator Service's DNS as the agents see it: how a new
/// coordinator's address reaches them, and how late.
///
/// Why a model: on Kubernetes a replaced coordinator pod comes back with a
/// new address. Agents learn it only by resolving the `coordinator` Service:
/// the pod's endpoint is published about a second after it starts
/// (`endpointLagNanos`, the EndpointSlice controller and CoreDNS's watch),
/// CoreDNS answers from a cache that keeps an answer for its TTL
/// (`cacheTTLNanos`, 30 s: the default Corefile's `ttl 30` with `cache 30`),
/// and the agent runtime resolves every 5 s (`resolveIntervalNanos`, as
/// `AgentSettings`). Each agent's node has its own cache (NodeLocal DNSCache,
/// the worst case: agents see a change at different moments). So a new
/// address reaches an agent between about 1 and 36 s late; a simulator that
/// delivered it at once would hide every bug of discovery.
public struct CoordinatorDNS: Sendable, Hashable {
    public var resolveIntervalNanos: Int64 = 5 * .nanosPerSecond
    public var cacheTTLNanos: Int64 = 30 * .nanosPerSecond
    public var endpointLagNanos: Int64 = 1 * .nanosPerSecond
    public init() {}
}

/// The coordinator Service's endpoints over true time.
struct CoordinatorEndpoints {
    struct Record {
        var coordinator: Int
        var since: Int64
        var until: Int64?
    }
    private(set) var records: [Record] = []

    mutating func add(_ coordinator: Int, at t: Int64) { records.append(Record(coordinator: coordinator, since: t)) }

    mutating func remove(_ coordinator: Int, at t: Int64) {
        for i in records.indices where records[i].coordinator == coordinator && records[i].until == nil { records[i].until = t }
    }

    /// The coordinators listed at true time `t`.
    func listed(at t: Int64) -> [Int] {
        records.filter { $0.since <= t && ($0.until.map { $0 > t } ?? true) }.map(\.coordinator)
    }
}

/// One agent's node cache and the list the agent runtime last resolved.
struct AgentResolver {
    var cacheFilledAt: Int64?
    var cached: [Int] = []
    /// What the agent sends Hello and broadcast reports to.
    var resolved: [Int] = []

    /// A lookup at true time `t`: from the cache while it is fresh, else
    /// from the endpoints as CoreDNS sees them (`endpointLagNanos` late).
    mutating func resolve(at t: Int64, endpoints: CoordinatorEndpoints, model: CoordinatorDNS) {
        if cacheFilledAt.map({ t - $0 >= model.cacheTTLNanos }) ?? true {
            cached = endpoints.listed(at: t - model.endpointLagNanos)
            // An empty answer is not kept: CoreDNS's denial cache is short,
            // modelled here as none (the kinder case for a cold start only).
            cacheFilledAt = cached.isEmpty ? nil : t
        }
        resolved = cached
    }
}
