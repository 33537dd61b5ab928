import JunctionCore
import Protocol

/// Everything that makes one agent different from another, and its timing
/// policy. All durations are nanoseconds of the board's own clock.
public struct AgentConfiguration: Sendable {
    /// The StatefulSet ordinal (0, 1, 2, ...), the fallback head key.
    public var ordinal: Int
    /// The Kubernetes node the light is wired to; the first head key.
    public var board: String?
    /// Whether the ordinal may pick a head when the plan names no head for
    /// `board`. False for real lamps (`--output gpio` without
    /// `--ordinal-heads`): a light then shows only the head wired to it, and
    /// flashes while the plan does not name its board.
    public var ordinalHeads = true
    /// A random number per process, so a restarted agent is told apart.
    public var instance: UInt64
    /// Shared-key authentication; nil only in explicit insecure mode.
    public var key: AuthKey?
    /// What the head shows until the agent is locked: steady red by default.
    public var startupAspect: Aspect = .red
    /// Reports to the followed coordinator (each gives one clock sample).
    public var reportIntervalNanos: Int64 = 100 * .nanosPerMillisecond
    /// Reports while unsynced or locking: a burst, each answered by an
    /// immediate tick, so the first lock comes in about a second (like
    /// NTP's iburst).
    public var burstReportIntervalNanos: Int64 = 15 * .nanosPerMillisecond
    /// Reports to every coordinator address, so a new one can adopt the timebase.
    public var broadcastReportIntervalNanos: Int64 = 1 * .nanosPerSecond
    /// Reports to every coordinator address while the followed one is silent.
    public var orphanReportIntervalNanos: Int64 = 200 * .nanosPerMillisecond
    /// Hello to every coordinator address until ticks arrive.
    public var helloIntervalNanos: Int64 = 1 * .nanosPerSecond
    /// No accepted sample for this long: holdover.
    public var holdoverAfterNanos: Int64 = 1 * .nanosPerSecond
    /// The followed coordinator is silent for this long: follow another.
    public var sourceTimeoutNanos: Int64 = 1_500 * .nanosPerMillisecond
    /// Locked needs an error bound at most this.
    public var lockBoundNanos: Int64 = 700 * .nanosPerMicrosecond
    /// While locking, the head already follows the plan once the error bound
    /// is this small: safe (far below any clearance) and within the lockstep
    /// target, so a new agent shows the right aspect in about a second.
    public var followBoundNanos: Int64 = 1 * .nanosPerMillisecond
    /// Locked also needs the frequency known to within this, better than the
    /// crystal's ±500 ppm alone: one lucky first sample is not lock. It need
    /// not be tighter: the error bound (honest before lock too) grows at this
    /// rate between samples, 40 µs a 100 ms tick at 400 ppm, and locked needs
    /// that bound under `lockBoundNanos`. At 120 ppm the first lock took
    /// 3.6 s at p99 under 20% loss; at 400 ppm with the envelope's start-up
    /// bound, 1.9 s.
    public var lockFrequencyUncertaintyPPM: Double = 400
    /// After following a new coordinator, the bound carries this much extra
    /// until `sourceSettleSamples` samples from it were accepted: the new
    /// coordinator adopted the timebase from the agents to within a one-way
    /// delay, and until its samples are in, only that bounds the difference.
    public var sourceChangeAllowanceNanos: Int64 = 10 * .nanosPerMillisecond
    public var sourceSettleSamples: Int = 20
    /// Ticks whose timebase differs from the held estimate by more than this
    /// (or four error bounds, if larger) come from a coordinator that did not
    /// adopt the cluster's time; they are ignored.
    public var sourceDisagreementNanos: Int64 = 50 * .nanosPerMillisecond
    /// How long an agent refuses (and flashes) before accepting a coordinator
    /// whose timebase disagrees with the one it holds.
    public var disagreementGraceNanos: Int64 = 10 * .nanosPerSecond
    /// Flash when the error bound exceeds this fraction of the plan's all-red.
    public var flashFractionOfAllRed: Double = 0.1
    /// How the clock is disciplined.
    public var clock = ClockDiscipline.Configuration()

    public init(ordinal: Int, board: String?, instance: UInt64, key: AuthKey?) {
        self.ordinal = ordinal
        self.board = board
        self.instance = instance
        self.key = key
    }
}
