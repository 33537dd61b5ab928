import JunctionCore
import Protocol

/// A datagram the coordinator decided to send: numbered when decided, sealed
/// when the shell sends it.
///
/// A tick is stamped then. Its `sentAt` is t3 of the agent's clock sample,
/// and a round of ticks to many agents takes time to leave (about 3 µs a
/// datagram on loopback here, 35 ms for 10,000 agents). Stamped when the
/// round began, the last agent's tick would seem to travel that much longer
/// towards the agent than back: an asymmetry no four-timestamp exchange can
/// see, which puts that agent's clock half of it behind the first agent's.
public struct CoordinatorSend<Address: Hashable & Sendable>: Sendable {
    public let to: Address
    public let message: Message
    let sender: UInt64
    let sequence: UInt64
    let recipient: UInt64
    let codec: DatagramCodec
    /// The coordinator's timebase is its local clock plus this offset.
    let offsetNanos: Int64
    /// The governing plan's cycle (0 without one), to keep a restamped
    /// tick's cycle position consistent with its `sentAt`.
    let cycleNanos: Int64

    /// Sealed as decided (a tick stamped when the core handled the event);
    /// empty if the message cannot be encoded, which the shell skips.
    public var bytes: [UInt8] {
        (try? codec.seal(message, sender: sender, sequence: sequence, recipient: recipient)) ?? []
    }

    /// Sealed as it leaves at the coordinator's local instant `now`: a tick
    /// carries the timebase at `now` as its `sentAt` (never earlier than
    /// decided), and its cycle position moves with it.
    public func bytes(leavingAt now: LocalInstant) -> [UInt8] {
        guard case var .tick(tick) = message else { return bytes }
        let sentAt = TimebaseInstant(nanos: now.nanos + offsetNanos)
        let moved = sentAt - tick.sentAt
        guard moved > 0 else { return bytes }
        tick.sentAt = sentAt
        if cycleNanos > 0 { tick.cyclePositionNanos = (tick.cyclePositionNanos + moved) % cycleNanos }
        return (try? codec.seal(.tick(tick), sender: sender, sequence: sequence, recipient: recipient)) ?? []
    }
}
