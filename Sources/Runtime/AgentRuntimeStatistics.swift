import Posix

/// What the agent shell counts on top of the core's counters, for `/metrics`.
struct AgentRuntimeStatistics: Sendable {
    var received: [DatagramKind: UInt64] = [:]
    var datagramsSent: UInt64 = 0
    var sendErrors: UInt64 = 0
    var transitions: UInt64 = 0
    var outputErrors: UInt64 = 0
    /// How late the timing thread ran the timer of each light change.
    var transitionLateness = RunningStatistics()
    /// How long before `recvmsg` returned the kernel stamped each datagram:
    /// the error the after-`recvmsg` reading would have added.
    var stampDelay = RunningStatistics()
    /// `CLOCK_MONOTONIC`'s rate against `CLOCK_MONOTONIC_RAW` over the last
    /// second, ppm: the node's NTP slew (the agent's clock is the raw one).
    var monotonicSlewPPM: Double = 0

    mutating func record(_ datagram: ReceivedDatagram, monotonicReceiveNanos: Int64) {
        received[DatagramKind(header: datagram.bytes), default: 0] += 1
        if datagram.kernelRealtimeNanos != nil { stampDelay.add(datagram.monotonicNanos - monotonicReceiveNanos) }
    }
}
