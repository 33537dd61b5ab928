import Posix

/// What the agent process needs besides the core's configuration: where to
/// listen, how to find coordinators, and its side services.
public struct AgentSettings: Sendable {
    /// UDP address and port for ticks and plan chunks (7070 by default).
    public var listenHost = "0.0.0.0"
    public var port: UInt16 = 7070
    /// The coordinator Service name, resolved every `resolveIntervalNanos`
    /// for Hello and broadcast reports; nil to use only `coordinators`.
    public var coordinatorService: String? = "coordinator"
    public var coordinatorPort: UInt16 = 7071
    /// Explicit coordinator addresses (`--coordinator host:port`), resolved
    /// alongside the Service.
    public var coordinators: [String] = []
    public var resolveIntervalNanos: Int64 = 5_000_000_000
    /// `/healthz`, `/readyz`, `/metrics`, `/status`; nil = no HTTP server.
    public var httpPort: UInt16? = 8080
    /// Stop when the parent process is no longer this one (`--parent-pid`):
    /// the live simulator's children never outlive it.
    public var parentPID: Int32?
    /// How often the timing thread re-reads the schedule while sleeping, so a
    /// wake-up moved earlier by the network thread is not missed.
    public var recheckNanos: Int64 = 20_000_000
    /// How long before each of the core's wake-ups the timing thread runs
    /// the core once ahead, so the run that changes the light finds warm
    /// caches (`TimingStep`): long enough for the warm-up to finish on a
    /// busy board, short enough that the caches are still warm. 0 = never.
    public var warmUpNanos: Int64 = 300_000
    /// With `--realtime`, after the warm-up a wake-up at most this far off
    /// is waited for awake, reading the clock, rather than slept to
    /// (`TimingStep`): the change then waits on no timer slack or scheduler
    /// wake-up. 0 = never. Without `--realtime` the thread always sleeps:
    /// a spinning thread of the default class has used CPU time that a
    /// thread waking at the same instant has not, so the scheduler hands
    /// the core to that one, right at the change (the lockstep bench
    /// measured skew p99 737 µs spinning, 121 µs sleeping).
    public var spinNanos: Int64 = 300_000

    /// The spin the timing thread uses: `spinNanos` under `--realtime`,
    /// none without.
    var effectiveSpinNanos: Int64 { realtime == nil ? 0 : spinNanos }
    /// TESTING AID (`--testing-trap-after-seconds`): this long after start,
    /// the timing thread crashes the process with a Swift trap the moment
    /// the head shows green, so a test can watch the crash guard work.
    public var testingTrapAfterNanos: Int64?
    /// Append every event (docs/EVENTS.md) to this file (`--event-log`).
    public var eventLogPath: String?
    /// `--realtime`: SCHED_FIFO, timer slack and CPU pin for the timing
    /// thread (memory is locked by the command, process-wide); nil = off.
    public var realtime: RealtimeScheduling?

    public init() {}
}
