import JunctionCore
import Protocol

/// Something that happened to a coordinator at `now`.
public enum CoordinatorEvent<Address: Hashable & Sendable>: Sendable {
    case datagram([UInt8], from: Address)
    /// The agents' headless Service resolved to these addresses.
    case discovered([Address])
    /// The plan file was (re)read: a ConfigMap update or SIGHUP.
    case planFile([UInt8], source: String)
    /// SIGTERM: say goodbye so agents switch source at once.
    case shutdown
    case timer
}

/// What the shell must do after an event.
public struct CoordinatorOutput<Address: Hashable & Sendable>: Sendable {
    public var sends: [CoordinatorSend<Address>] = []
    public var wakeAt: LocalInstant
    public var notes: [CoordinatorNote] = []
}

/// A notable event inside the coordinator, for logs and metrics.
public enum CoordinatorNote: Sendable, Hashable, CustomStringConvertible {
    case adopted(offsetNanos: Int64, fromAgents: Int, term: UInt64)
    case startedOwnTimebase(term: UInt64)
    case agentJoined(instance: UInt64, ordinal: UInt32)
    case agentForgotten(instance: UInt64)
    case planScheduled(id: UInt64, name: String, activation: TimebaseInstant)
    case planRefused(String)
    /// The agents lent the content of a plan they run that the file lacks.
    case planLearned(id: UInt64, name: String)
    /// Plan adoption and closed-loop activation.
    case plan(PlanActivation.Event)
    case conflict(String)
    /// A head went silent: its junction is stopped.
    case silentHead(String)
    case goodbyeSent

    public var description: String {
        switch self {
        case let .adopted(offset, agents, term): "adopted the agents' timebase (offset \(offset) ns from \(agents) agents), term \(term)"
        case let .startedOwnTimebase(term): "no locked agents heard: starting from own clock, term \(term)"
        case let .agentJoined(instance, ordinal): "agent \(ordinal) (instance \(String(instance, radix: 16))) joined"
        case let .agentForgotten(instance): "agent instance \(String(instance, radix: 16)) forgotten"
        case let .planScheduled(id, name, activation): "plan \(String(id, radix: 16)) \"\(name)\" takes effect at \(activation)"
        case let .plan(event): "plan: \(event)"
        case let .planRefused(reason): "new plan refused, the running plan goes on: \(reason)"
        case let .planLearned(id, name): "plan \(String(id, radix: 16)) \"\(name)\" learned from the agents (the file holds another)"
        case let .conflict(text): "conflict: \(text)"
        case let .silentHead(text): "silent head: \(text)"
        case .goodbyeSent: "goodbye sent"
        }
    }
}

/// What the coordinator knows of one agent.
public struct AgentRecord: Sendable {
    public var instance: UInt64
    public var ordinal: UInt32
    public var board: String
    public var lastHeard: LocalInstant
    public var lastReport: Report?
    /// The last report's t1 and its arrival, to echo in the next tick (once).
    public var pendingEcho: PendingEcho?
    public var lastPlanSent: LocalInstant?
    public var inDNS: Bool
}

/// A report waiting to be echoed: t1 as the agent sent it, and when it
/// arrived on this coordinator's own clock. It goes on the timebase (t2)
/// only when its tick is made, with the offset that stamps the tick (t3): a
/// standby moves its offset as adoption samples come in, and a t2 and t3
/// on two timebases would skew the agent's sample by the move.
public struct PendingEcho: Sendable, Hashable {
    public var reportSentAt: LocalInstant
    public var receivedAt: LocalInstant
}
