import JunctionCore
import Protocol

/// Something that happened to an agent at `now`.
public enum AgentEvent<Address: Hashable & Sendable>: Sendable {
    /// A datagram arrived from `source`.
    case datagram([UInt8], from: Address)
    /// A datagram arrived from `source`, already opened by the shell
    /// (`DatagramCodec.open`: size, header, tag, body). The runtime opens
    /// datagrams on its network thread before it takes the lock the timing
    /// thread needs, so authenticating never holds up a light change; the
    /// core still checks freshness, recipient and replay.
    ///
    /// Boxed: an opened envelope is about 220 bytes, and unboxed it made
    /// every event that size, copied several times per event (the
    /// simulator's timers and raw datagrams too).
    indirect case opened(Result<Envelope, DropReason>, from: Address)
    /// A wake-up the agent asked for (extra wake-ups are harmless).
    case timer
}

/// Where an agent sends a datagram.
public enum AgentDestination<Address: Hashable & Sendable>: Sendable, Hashable {
    /// One coordinator, at the address its ticks came from.
    case peer(Address)
    /// Every coordinator the shell can find (the coordinator Service's
    /// addresses): for Hello and the periodic broadcast report.
    case allCoordinators
}

/// A datagram for the shell to send: the message with its header fields,
/// sealed (HMAC-SHA256) when `bytes` is read.
///
/// Why sealed on reading: sealing is authenticating, which must not happen
/// under the lock the runtime's timing thread takes. The core fixes the
/// sequence number; the runtime reads `bytes` after releasing the lock.
public struct AgentSend<Address: Hashable & Sendable>: Sendable {
    public var to: AgentDestination<Address>
    public let message: Message
    let sender: UInt64
    let sequence: UInt64
    let recipient: UInt64
    let codec: DatagramCodec

    /// The datagram's sequence number (unique per agent): the same datagram
    /// sent to several addresses is sealed once.
    public var sequenceNumber: UInt64 { sequence }

    /// The sealed datagram; empty if the message cannot be encoded (too
    /// large for a datagram), which the shell skips.
    public var bytes: [UInt8] {
        (try? codec.seal(message, sender: sender, sequence: sequence, recipient: recipient)) ?? []
    }
}

/// What the shell must do after an event.
public struct AgentOutput<Address: Hashable & Sendable>: Sendable {
    public var sends: [AgentSend<Address>] = []
    /// What the head must show from now on (apply it if it changed).
    public var aspect: Aspect
    /// When to call `handle(.timer, ...)` next at the latest. It is the next
    /// light change whenever one is coming, so sleep precisely until it.
    public var wakeAt: LocalInstant
    /// Notable things that happened, for logs and metrics.
    public var notes: [AgentNote] = []
}

/// A notable event inside the agent.
public enum AgentNote: Sendable, Hashable, CustomStringConvertible {
    case stateChanged(from: SyncState, to: SyncState, reason: String)
    case sourceChanged(coordinatorID: UInt64, term: UInt64)
    case planAccepted(id: UInt64, name: String, activation: TimebaseInstant)
    case planRefused(id: UInt64, reason: String)
    /// The followed coordinator's tick names other plans: the head leaves.
    case planMismatch(String)
    case clockStepped(byNanos: Int64)
    /// The signal monitor refused a change and put the head on its safe path.
    case monitorTripped(SignalMonitor.Trip)
    /// A change offered before the shown aspect's minimum (that aspect
    /// began late) waits for it (`LateChangeHold`): `nanos` from now.
    case lateChangeHeld(from: Aspect, to: Aspect, nanos: Int64)

    public var description: String {
        switch self {
        case let .stateChanged(from, to, reason): "state \(from) -> \(to) (\(reason))"
        case let .sourceChanged(id, term): "following coordinator \(String(id, radix: 16)) term \(term)"
        case let .planAccepted(id, name, activation): "plan \(String(id, radix: 16)) \"\(name)\" accepted, active from \(activation)"
        case let .planMismatch(reason): "plan mismatch, leaving the plan: \(reason)"
        case let .planRefused(id, reason): "plan \(String(id, radix: 16)) refused: \(reason)"
        case let .clockStepped(by): "clock stepped by \(by) ns"
        case let .monitorTripped(trip): "signal monitor tripped: \(trip)"
        case let .lateChangeHeld(from, to, nanos): "\(from) -> \(to) held \(nanos / 1_000) µs: \(from) began late"
        }
    }
}
