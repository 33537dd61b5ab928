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
    public var sends: [(bytes: [UInt8], to: Address)] = []
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
    /// The last report's t1 and t2, to echo in the next tick (once).
    public var pendingEcho: Echo?
    public var lastPlanSent: LocalInstant?
    public var inDNS: Bool
}
