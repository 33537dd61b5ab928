#if canImport(Glibc)
import Glibc
#endif

/// Reads the kernel clocks. A value type with no state, so it can be passed
/// (injected) wherever a real clock is wanted, and replaced in tests.
public struct MonotonicClock: Sendable {
    public init() {}

    /// `CLOCK_MONOTONIC` in nanoseconds: the board's own steady clock.
    public func nowNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// `CLOCK_MONOTONIC_RAW` in nanoseconds: the board's crystal as it ticks,
    /// never slewed by an NTP daemon (chrony slews `CLOCK_MONOTONIC` by up to
    /// 83,333 ppm by default). `clock_nanosleep` cannot sleep on it, so a
    /// sleeper maps a raw deadline to `CLOCK_MONOTONIC` and re-checks.
    public func rawNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_RAW, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// `CLOCK_REALTIME` in nanoseconds since the Unix epoch: NTP-disciplined on
    /// Kubernetes nodes, which makes it a reasonable initial timebase.
    public func realtimeNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Sleeps until the absolute `CLOCK_MONOTONIC` instant `deadlineNanos`
    /// with `clock_nanosleep(TIMER_ABSTIME)`, retrying after signals. Absolute
    /// deadlines do not accumulate the error a relative sleep would.
    public func sleep(untilNanos deadlineNanos: Int64) {
        var ts = timespec(tv_sec: Int(deadlineNanos / 1_000_000_000), tv_nsec: Int(deadlineNanos % 1_000_000_000))
        while true {
            let rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil)
            if rc != EINTR { return }
        }
    }
}
