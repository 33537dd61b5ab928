import Posix

/// When a datagram arrived, on the clock each core wants.
///
/// Why the kernel stamp: the thread that calls `recvmsg` can be scheduled
/// late, and that delay would land in every clock sample. `SO_TIMESTAMPNS`
/// stamps on `CLOCK_REALTIME` when the datagram is queued; the agent needs
/// `CLOCK_MONOTONIC`, so the stamp is moved across with the realtime−monotonic
/// difference read right after `recvmsg` (the two clocks only drift apart by
/// NTP slewing, parts per million, over those microseconds). A stamp that
/// lies after the monotonic reading, or more than a second before it, means
/// realtime was stepped in between: the reading after `recvmsg` is used then.
/// `/metrics` shows the mean and largest gap between the two
/// (`junction_receive_stamp_delay_seconds`): the error the plain reading
/// would have added to every sample.
public enum ReceiveTime {
    /// The arrival on `CLOCK_MONOTONIC`.
    public static func monotonicNanos(of datagram: ReceivedDatagram, clock: MonotonicClock) -> Int64 {
        guard let kernel = datagram.kernelRealtimeNanos else { return datagram.monotonicNanos }
        let monotonic = clock.nowNanos()
        let realtime = clock.realtimeNanos()
        let converted = kernel - (realtime - monotonic)
        if converted > datagram.monotonicNanos || datagram.monotonicNanos - converted > 1_000_000_000 { return datagram.monotonicNanos }
        return converted
    }

    /// The arrival on `CLOCK_REALTIME` (the coordinator's clock).
    public static func realtimeNanos(of datagram: ReceivedDatagram, clock: MonotonicClock) -> Int64 {
        if let kernel = datagram.kernelRealtimeNanos { return kernel }
        return datagram.monotonicNanos + (clock.realtimeNanos() - clock.nowNanos())
    }
}
