import JunctionCore
import Posix

/// The coordinator's own clock: `CLOCK_MONOTONIC` plus an offset fixed at
/// start.
///
/// Why not the wall clock: an NTP step on the coordinator's node (common
/// right after a Pi without a real-time clock boots) would move every tick,
/// and every agent with it. The wall clock is read once, at start, only to
/// give a fresh cluster a timebase near civil time; after that the clock is
/// the steady monotonic one. Adoption (in the core) adds the offset to the
/// agents' timebase on top, so a replacement's wall clock never matters.
public struct CoordinatorClock: Sendable {
    let kernel: any KernelClocks
    /// own clock = `CLOCK_MONOTONIC` + this (the wall clock at start, plus
    /// the testing offset).
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
        let monotonic = kernel.monotonicNanos()
        startOffsetNanos = kernel.realtimeNanos() + wallClockOffsetNanos - monotonic
    }

    /// The coordinator's clock now.
    public func now() -> LocalInstant { local(fromMonotonic: kernel.monotonicNanos()) }

    /// A `CLOCK_MONOTONIC` reading on the coordinator's clock.
    public func local(fromMonotonic nanos: Int64) -> LocalInstant { LocalInstant(nanos: nanos + startOffsetNanos) }

    /// When a datagram arrived, on the coordinator's clock: the kernel's
    /// (realtime) stamp moved to `CLOCK_MONOTONIC` first.
    public func arrival(of datagram: ReceivedDatagram) -> LocalInstant {
        local(fromMonotonic: ReceiveTime.monotonicNanos(of: datagram, clock: kernel))
    }

    /// The wall clock minus the coordinator's clock now: how far a wall-clock
    /// step has taken the node since start (0 without one), for `/metrics`.
    public func wallClockDriftNanos() -> Int64 {
        let monotonic = kernel.monotonicNanos()
        return kernel.realtimeNanos() + wallClockOffsetNanos - (monotonic + startOffsetNanos)
    }

    /// Sleeps until the coordinator's clock reads `local` (or returns at once).
    public func sleep(until local: LocalInstant) {
        kernel.sleep(untilMonotonicNanos: local.nanos - startOffsetNanos)
    }
}
