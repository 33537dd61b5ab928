import JunctionCore

/// What the agent's Kubernetes probes mean.
///
/// Why: a liveness probe that always says "ok" lets a wedged agent (its
/// timing thread stuck, its lamp frozen) live forever; a readiness probe that
/// needs `locked` stalls a rolling update of agents whenever the coordinator
/// is away, although an agent in holdover runs the plan correctly.
enum AgentProbes {
    /// `/healthz` fails once the timing thread has not completed a loop for this long.
    static let stallLimitNanos: Int64 = 2 * .nanosPerSecond

    /// How long the timing thread has been stalled, if over the limit.
    static func timingStalledNanos(lastLoopAt: LocalInstant, now: LocalInstant) -> Int64? {
        let since = now - lastLoopAt
        return since > stallLimitNanos ? since : nil
    }

    /// `/readyz`: running the plan, with or without the coordinator.
    static func isReady(_ state: SyncState) -> Bool { state == .locked || state == .holdover }
}
