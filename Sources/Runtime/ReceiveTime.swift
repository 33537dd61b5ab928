import Posix

/// When a datagram arrived, on the clock each core wants.
///
/// Why the kernel stamp: the thread that calls `recvmsg` can be scheduled
/// late, and that delay would land in every clock sample. `SO_TIMESTAMPNS`
/// stamps on `CLOCK_REALTIME` when the datagram is queued; the cores want
/// `CLOCK_MONOTONIC_RAW` (the agent's clock, and the coordinator's plus an
/// offset), so the stamp is moved across with the realtime−monotonic
/// difference read right after `recvmsg`, then to raw (the clocks only
/// drift apart by NTP slewing over those microseconds: at chrony's 83,333 ppm
/// ceiling, under a microsecond for a 10 µs wake-up). A stamp that lies after
/// the reading taken after `recvmsg`, or more than a second before it, means
/// realtime was stepped in between: that reading is used then. Each pair of
/// clocks is read as at one instant (`ClockPair`), so a thread preempted
/// between the reads cannot move the stamp.
/// `/metrics` shows the mean and largest gap between the two
/// (`junction_receive_stamp_delay_seconds`): the error the plain reading
/// would have added to every sample.
public enum ReceiveTime {
    /// The arrival on `CLOCK_MONOTONIC`.
    public static func monotonicNanos(of datagram: ReceivedDatagram, clock: any KernelClocks) -> Int64 {
        guard let kernel = datagram.kernelRealtimeNanos else { return datagram.monotonicNanos }
        let converted = kernel - ClockPair.differenceFromMonotonic({ clock.realtimeNanos() }, clock: clock)
        if converted > datagram.monotonicNanos || datagram.monotonicNanos - converted > 1_000_000_000 { return datagram.monotonicNanos }
        return converted
    }

    /// The arrival on `CLOCK_MONOTONIC_RAW` (the agent's clock): the
    /// monotonic arrival moved across by the raw−monotonic difference now.
    public static func rawNanos(of datagram: ReceivedDatagram, clock: any KernelClocks) -> Int64 {
        let arrival = monotonicNanos(of: datagram, clock: clock)
        return arrival + ClockPair.differenceFromMonotonic({ clock.rawNanos() }, clock: clock)
    }
}
