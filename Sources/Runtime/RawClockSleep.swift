/// Sleeping until an instant of `CLOCK_MONOTONIC_RAW`, which
/// `clock_nanosleep` cannot sleep on.
///
/// Why a loop: the raw deadline is mapped to `CLOCK_MONOTONIC` from a fresh
/// pair of readings, but an NTP daemon may slew `CLOCK_MONOTONIC` (chrony:
/// up to 83,333 ppm) while the thread sleeps. Each round sleeps seven
/// eighths of what remains on the raw clock (all of it once 100 µs or less
/// remain), until the raw clock reaches the deadline. A slew of up to 12.5%
/// either way then wakes the thread before the deadline in every long
/// round, each round cuts what remains to at most a fifth, and the last
/// round is late by at most 9 µs at 83,333 ppm.
enum RawClockSleep {
    /// A remaining sleep at or below this is slept whole.
    static let exactSleepNanos: Int64 = 100_000

    static func sleep(untilRawNanos target: Int64, kernel: any KernelClocks) {
        while true {
            let raw = kernel.rawNanos()
            let monotonic = kernel.monotonicNanos()
            let remaining = target - raw
            if remaining <= 0 { return }
            // A fast CLOCK_MONOTONIC ends even the whole-remainder sleep a
            // little early: the loop goes round again for the rest.
            kernel.sleep(untilMonotonicNanos: monotonic + (remaining <= exactSleepNanos ? remaining : remaining - remaining / 8))
        }
    }
}
