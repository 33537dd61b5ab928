import Posix

/// The three kernel clocks the runtimes read, and the one they sleep on.
///
/// Why a protocol: the coordinator's and the agent's clocks are mappings
/// between these (monotonic + an offset; raw mapped to monotonic for a
/// sleep), and the mappings are tested with an injected pair whose
/// `CLOCK_MONOTONIC` is slewed or whose wall clock is stepped, which the real
/// kernel cannot be made to do in a test.
public protocol KernelClocks: Sendable {
    /// `CLOCK_MONOTONIC`: steady, but slewed by NTP daemons.
    func monotonicNanos() -> Int64
    /// `CLOCK_MONOTONIC_RAW`: the crystal, never slewed.
    func rawNanos() -> Int64
    /// `CLOCK_REALTIME`: the wall clock, stepped and slewed by NTP.
    func realtimeNanos() -> Int64
    /// Sleeps until the absolute `CLOCK_MONOTONIC` instant.
    func sleep(untilMonotonicNanos deadline: Int64)
}

extension MonotonicClock: KernelClocks {
    public func monotonicNanos() -> Int64 { nowNanos() }
    public func sleep(untilMonotonicNanos deadline: Int64) { sleep(untilNanos: deadline) }
}
