import JunctionCore

/// The coordinator's heartbeat (about 10 per second and at every phase
/// change), sent to one agent (the header's recipient is its instance): it
/// carries the timebase, the plan identities in force, the junction command
/// and the echo that closes an NTP-style four-timestamp exchange.
public struct Tick: Sendable, Hashable {
    /// The sending coordinator's identity.
    public var coordinatorID: UInt64
    /// The coordinator's generation: a restarted or standby coordinator is
    /// told apart from the old one by `(term, coordinatorID)`.
    public var term: UInt64
    /// t3: the coordinator's timebase when it sent this tick.
    public var sentAt: TimebaseInstant
    /// The governing plan at `sentAt`: the schedule's current plan, with its
    /// anchor (`.none` before one is loaded).
    public var plan: PlanRef
    /// The plan announced to follow it, anchored at its activation, or `.none`.
    public var pending: PlanRef
    /// Every recently reporting agent of the junction acknowledged `pending`:
    /// it will activate at `pending.anchor`. Never set without a pending plan.
    public var pendingCommitted: Bool
    /// Position of `plan` at `sentAt`, so agents can cross-check.
    public var cyclePositionNanos: Int64
    /// What the coordinator tells this agent's junction to do.
    public var command: TickCommand
    /// The agent's last report echoed back (t1, t2); with the agent's receive
    /// time t4 this gives all four NTP timestamps. The agent it is for is the
    /// header's recipient.
    public var echo: Echo?

    public init(
        coordinatorID: UInt64, term: UInt64, sentAt: TimebaseInstant, plan: PlanRef,
        pending: PlanRef = .none, pendingCommitted: Bool = false, cyclePositionNanos: Int64,
        command: TickCommand = .run, echo: Echo? = nil
    ) {
        self.coordinatorID = coordinatorID
        self.term = term
        self.sentAt = sentAt
        self.plan = plan
        self.pending = pending
        self.pendingCommitted = pendingCommitted
        self.cyclePositionNanos = cyclePositionNanos
        self.command = command
        self.echo = echo
    }
}

/// What a tick tells the agent's junction to do.
public enum TickCommand: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Run the plan.
    case run = 0
    /// Show the plan's flash aspect: conflicting greens were reported at
    /// this junction.
    case flash = 1
    /// Flashing red: one head of the junction is silent and may be frozen on
    /// green, so the others must not give conflicting movements a green.
    case stop = 2

    public var description: String {
        switch self {
        case .run: "run"
        case .flash: "flash"
        case .stop: "stop"
        }
    }
}

/// The part of a tick personalised for one agent: its report's send time on
/// its own clock (t1) and the coordinator's receive time (t2).
public struct Echo: Sendable, Hashable {
    /// t1, echoed back unchanged: the agent's own clock when it sent the report.
    public var reportSentAt: LocalInstant
    /// t2: the coordinator's timebase when the report arrived.
    public var reportReceivedAt: TimebaseInstant

    public init(reportSentAt: LocalInstant, reportReceivedAt: TimebaseInstant) {
        self.reportSentAt = reportSentAt
        self.reportReceivedAt = reportReceivedAt
    }
}

// MARK: Wire

extension Tick {
    /// Flags byte bit 0: an echo follows.
    static let echoFlag: UInt8 = 0x01
    /// Flags byte bit 1: the pending plan is committed.
    static let pendingCommittedFlag: UInt8 = 0x02

    func validate() throws(MessageError) {
        try MessageError.checkPlan(plan, field: "tick's governing")
        try MessageError.checkPlan(pending, field: "tick's pending")
        if pendingCommitted && pending.isNone { throw .commitWithoutPending }
    }

    func encode(into writer: inout WireWriter) {
        writer.u64(coordinatorID)
        writer.u64(term)
        writer.i64(sentAt.nanos)
        writer.planRef(plan)
        writer.planRef(pending)
        writer.i64(cyclePositionNanos)
        writer.u8(command.rawValue)
        writer.u8((echo != nil ? Self.echoFlag : 0) | (pendingCommitted ? Self.pendingCommittedFlag : 0))
        if let echo {
            writer.i64(echo.reportSentAt.nanos)
            writer.i64(echo.reportReceivedAt.nanos)
        }
    }

    init(from reader: inout WireReader) throws(DropReason) {
        coordinatorID = try reader.u64()
        term = try reader.u64()
        sentAt = TimebaseInstant(nanos: try reader.i64())
        plan = try reader.planRef()
        pending = try reader.planRef()
        cyclePositionNanos = try reader.i64()
        command = try reader.enumeration(TickCommand.self)
        let flags = try reader.u8()
        guard flags & ~(Self.echoFlag | Self.pendingCommittedFlag) == 0 else { throw .badField }
        pendingCommitted = flags & Self.pendingCommittedFlag != 0
        guard !pendingCommitted || !pending.isNone else { throw .badField }
        if flags & Self.echoFlag != 0 {
            echo = Echo(
                reportSentAt: LocalInstant(nanos: try reader.i64()),
                reportReceivedAt: TimebaseInstant(nanos: try reader.i64()))
        } else {
            echo = nil
        }
    }
}
