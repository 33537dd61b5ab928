import JunctionCore

/// The coordinator's heartbeat (about 10 per second and at every phase
/// change): it carries the timebase, the plan in force and, per agent, the
/// echo that closes an NTP-style four-timestamp exchange.
public struct Tick: Sendable, Hashable {
    /// The sending coordinator's identity.
    public var coordinatorID: UInt64
    /// The coordinator's generation: a restarted or standby coordinator is
    /// told apart from the old one by `(term, coordinatorID)`.
    public var term: UInt64
    /// t3: the coordinator's timebase when it sent this tick.
    public var sentAt: TimebaseInstant
    /// The plan in force (`.none` before one is loaded).
    public var planID: PlanID
    /// A plan announced for a future activation, or `.none`.
    public var pendingPlanID: PlanID
    /// Where in the cycle the coordinator is, so agents can cross-check.
    public var cyclePositionNanos: Int64
    /// The coordinator commands this agent's junction to flash: reports
    /// showed conflicting greens there. Bit 1 of the tick's flags byte.
    public var flashCommanded: Bool = false
    /// The agent's last report echoed back (t1, t2), when this tick is
    /// addressed to one agent; with the agent's receive time t4 this gives all
    /// four NTP timestamps.
    public var echo: Echo?

    public init(
        coordinatorID: UInt64, term: UInt64, sentAt: TimebaseInstant, planID: PlanID,
        pendingPlanID: PlanID = .none, cyclePositionNanos: Int64, echo: Echo? = nil, flashCommanded: Bool = false
    ) {
        self.coordinatorID = coordinatorID
        self.term = term
        self.sentAt = sentAt
        self.planID = planID
        self.pendingPlanID = pendingPlanID
        self.cyclePositionNanos = cyclePositionNanos
        self.echo = echo
        self.flashCommanded = flashCommanded
    }
}

/// The part of a tick personalised for one agent: its report's send time on
/// its own clock (t1) and the coordinator's receive time (t2).
public struct Echo: Sendable, Hashable {
    /// Which agent process the echo is for (its `Report.instance`), so an
    /// agent ignores echoes meant for a previous run of itself.
    public var agentInstance: UInt64
    /// t1, echoed back unchanged: the agent's own clock when it sent the report.
    public var reportSentAt: LocalInstant
    /// t2: the coordinator's timebase when the report arrived.
    public var reportReceivedAt: TimebaseInstant

    public init(agentInstance: UInt64, reportSentAt: LocalInstant, reportReceivedAt: TimebaseInstant) {
        self.agentInstance = agentInstance
        self.reportSentAt = reportSentAt
        self.reportReceivedAt = reportReceivedAt
    }
}

// MARK: Wire

extension Tick {
    func encode(into writer: inout WireWriter) {
        writer.u64(coordinatorID)
        writer.u64(term)
        writer.i64(sentAt.nanos)
        writer.u64(planID.rawValue)
        writer.u64(pendingPlanID.rawValue)
        writer.i64(cyclePositionNanos)
        // Flags: bit 0 an echo follows, bit 1 flash commanded.
        writer.u8((echo != nil ? 1 : 0) | (flashCommanded ? 2 : 0))
        if let echo {
            writer.u64(echo.agentInstance)
            writer.i64(echo.reportSentAt.nanos)
            writer.i64(echo.reportReceivedAt.nanos)
        }
    }

    init(from reader: inout WireReader) throws(DropReason) {
        coordinatorID = try reader.u64()
        term = try reader.u64()
        sentAt = TimebaseInstant(nanos: try reader.i64())
        planID = PlanID(rawValue: try reader.u64())
        pendingPlanID = PlanID(rawValue: try reader.u64())
        cyclePositionNanos = try reader.i64()
        let flags = try reader.u8()
        guard flags & ~3 == 0 else { throw .badField }
        flashCommanded = flags & 2 != 0
        if flags & 1 != 0 {
            echo = Echo(
                agentInstance: try reader.u64(),
                reportSentAt: LocalInstant(nanos: try reader.i64()),
                reportReceivedAt: TimebaseInstant(nanos: try reader.i64()))
        } else {
            echo = nil
        }
    }
}
