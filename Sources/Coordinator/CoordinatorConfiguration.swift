import JunctionCore
import Protocol

/// How a coordinator behaves. Durations are nanoseconds of its own clock
/// (CLOCK_MONOTONIC_RAW plus the wall clock read at start, in the real runtime).
public struct CoordinatorConfiguration: Sendable {
    /// Random per process: a restarted coordinator is a different source.
    public var id: UInt64
    public var key: AuthKey?
    /// Ticks to every agent (default 10 per second).
    public var tickIntervalNanos: Int64 = 100 * .nanosPerMillisecond
    /// With no agent listed in DNS (a cluster being created), solicit and
    /// listen this long before starting a timebase of its own. With agents
    /// listed, adoption lasts until 90% of them answered (see `Discovery`).
    public var adoptionWindowNanos: Int64 = 2 * .nanosPerSecond
    /// Forget an agent not heard from (and not in DNS) for this long.
    public var forgetAgentAfterNanos: Int64 = 15 * .nanosPerSecond
    /// Resend the plan to an agent that reports another one at most this often.
    public var planResendIntervalNanos: Int64 = 500 * .nanosPerMillisecond
    /// Announce a new plan at least this long before it takes effect.
    public var planLeadNanos: Int64 = 5 * .nanosPerSecond
    /// Goodbye is sent this many times on a graceful stop.
    public var goodbyeRepeats: Int = 3
    /// Bound on agents tracked, so a flood of forged Hellos costs little;
    /// 16,384 covers a corridor of 10,000 heads (measured in docs/BENCHMARKS.md)
    /// and matches the replay window's sender capacity.
    public var maximumAgents: Int = 16_384

    public init(id: UInt64, key: AuthKey?) {
        self.id = id
        self.key = key
    }
}
