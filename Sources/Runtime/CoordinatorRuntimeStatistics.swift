import Posix

/// What the coordinator shell counts on top of the core's counters.
struct CoordinatorRuntimeStatistics: Sendable {
    var received: [DatagramKind: UInt64] = [:]
    var datagramsSent: UInt64 = 0
    var sendErrors: UInt64 = 0

    mutating func record(_ datagram: ReceivedDatagram) {
        received[DatagramKind(header: datagram.bytes), default: 0] += 1
    }
}
