/// What the coordinator process needs besides the core's configuration.
public struct CoordinatorSettings: Sendable {
    public var listenHost = "0.0.0.0"
    /// UDP port for agents' reports (7071 by default).
    public var port: UInt16 = 7071
    /// The agents' headless Service, resolved every `discoveryIntervalNanos`;
    /// nil to use only `agents`.
    public var agentsService: String? = "agents"
    public var agentPort: UInt16 = 7070
    /// Explicit agent addresses (`--agent host:port`), for runs without DNS.
    public var agents: [String] = []
    public var discoveryIntervalNanos: Int64 = 5_000_000_000
    /// The plan file, polled for changes every `planPollIntervalNanos`.
    public var planPath: String
    public var planPollIntervalNanos: Int64 = 2_000_000_000
    public var httpPort: UInt16? = 8081
    /// Stop when the parent process is no longer this one.
    public var parentPID: Int32?
    /// Append the junction's merged events (docs/EVENTS.md) to this file (`--event-log`).
    public var eventLogPath: String?

    public init(planPath: String) { self.planPath = planPath }
}
