import JunctionCore
import Posix

/// The coordinator's own clock: `CLOCK_MONOTONIC_RAW` plus an offset fixed
/// at start. It is the junction's timebase while this coordinator leads.
///
/// Why not the wall clock: an NTP step on the coordinator's node (common
/// right after a Pi without a real-time clock boots) would move every tick,
/// and every agent with it. The wall clock is read once, at start, only to
/// give a fresh cluster a timebase near civil time. Adoption (in the core)
/// adds the offset to the agents' timebase on top, so a replacement's wall
/// clock never matters.
///
/// Why raw and not `CLOCK_MONOTONIC`: the same NTP daemon that steps the
/// wall clock also slews `CLOCK_MONOTONIC`, by up to 83,333 ppm (chrony's
/// `maxslewrate`) for seconds. A timebase on it would bend by as much, and
/// the agents, which model a crystal within 500 ppm, could not follow: heads
/// drift apart or flash (the simulator shows it, `coordinatorSlews`). The
/// raw clock is the crystal; the agents discipline theirs to it.
public struct CoordinatorClock: Sendable {
    let kernel: any KernelClocks
    /// own clock = `CLOCK_MONOTONIC_RAW` + this (the wall clock at start,
    /// plus the testing offset).
    public let startOffsetNanos: Int64
    /// The testing offset added to the wall clock (0 in production).
    public let wallClockOffsetNanos: Int64

    /// - Parameter wallClockOffsetNanos: TESTING AID: pretend the node's wall
    ///   clock is this far off (a freshly booted board without NTP), so a
    ///   rehearsal on one machine shows whether a replacement adopts the
    ///   agents' timebase or imposes its own.
    public init(kernel: any KernelClocks = MonotonicClock(), wallClockOffsetNanos: Int64 = 0) {
        self.kernel = kernel
        self.wallClockOffsetNanos = wallClockOffsetNanos
        let raw = kernel.rawNanos()
        startOffsetNanos = kernel.realtimeNanos() + wallClockOffsetNanos - raw
    }

    /// The coordinator's clock now.
    public func now() -> LocalInstant { local(fromRaw: kernel.rawNanos()) }

    /// A `CLOCK_MONOTONIC_RAW` reading on the coordinator's clock.
    public func local(fromRaw nanos: Int64) -> LocalInstant { LocalInstant(nanos: nanos + startOffsetNanos) }

    /// When a datagram arrived, on the coordinator's clock: the kernel's
    /// (realtime) stamp moved to `CLOCK_MONOTONIC_RAW` first.
    public func arrival(of datagram: ReceivedDatagram) -> LocalInstant {
        local(fromRaw: ReceiveTime.rawNanos(of: datagram, clock: kernel))
    }

    /// The wall clock minus the coordinator's clock now: how far the node's
    /// wall clock has moved from the coordinator's since start (a step, or
    /// NTP's slewing and frequency correction; 0 without either), for
    /// `/metrics`.
    public func wallClockDriftNanos() -> Int64 {
        let raw = kernel.rawNanos()
        return kernel.realtimeNanos() + wallClockOffsetNanos - (raw + startOffsetNanos)
    }

    /// Sleeps until the coordinator's clock reads `local` (or returns at
    /// once); a slew of `CLOCK_MONOTONIC` cannot make the wake-up late.
    public func sleep(until local: LocalInstant) {
        RawClockSleep.sleep(untilRawNanos: local.nanos - startOffsetNanos, kernel: kernel)
    }
}
