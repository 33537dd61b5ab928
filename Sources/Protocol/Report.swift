import JunctionCore

/// An agent's periodic status to the coordinator: its clock estimate, what its
/// head shows, the plans it holds and its drop counters. Its send time (t1)
/// starts the four-timestamp exchange the next tick's `Echo` completes.
///
/// Addressed (header recipient) to the coordinator it is meant for, or 0 when
/// the agent does not know that coordinator's id yet (a discovery report).
public struct Report: Sendable, Hashable {
    /// The agent's configured ordinal.
    public var ordinal: UInt32
    /// Random per agent process.
    public var instance: UInt64
    /// The board's name, at most `Wire.maximumNameByteCount` UTF-8 bytes.
    public var board: String
    /// The plan the agent runs, with its anchor (`.none` when it has none).
    public var plan: PlanRef
    /// The pending plan the agent holds complete and validated: its
    /// acknowledgement of the coordinator's announcement (`.none` when none).
    public var pending: PlanRef
    public var state: SyncState
    /// Estimated offset from the local clock to the timebase
    /// (timebase = local + offset).
    public var offsetNanos: Int64
    /// How far the offset estimate may be wrong, at most.
    public var errorBoundNanos: Int64
    /// What the agent's head shows, when it drives one.
    public var head: HeadReport?
    /// t1: the agent's own clock when it sent this report.
    public var sentAt: LocalInstant
    /// The agent's view of the timebase at sending; nil while unsynced. A new
    /// coordinator uses it to adopt the running timebase instead of jumping.
    public var timebaseAtSend: TimebaseInstant?
    /// Which coordinator the agent follows (0 when none).
    public var sourceCoordinatorID: UInt64
    /// The highest term the agent has followed, even when it follows none now.
    public var sourceTerm: UInt64
    /// The nonce of the `Solicit` this report answers, or 0 when it answers none.
    public var solicitNonce: UInt64
    /// The on-board signal monitor has tripped: the head is held in its safe
    /// path (flashing red) until it rejoins the plan.
    public var monitorTripped: Bool
    /// The head is leaving or out of the plan by the agent's own decision
    /// (flashing red).
    public var outOfPlan: Bool
    /// The agent has stopped gracefully (its last word, sent a few times):
    /// its lamp shows `head.aspect` (the shutdown aspect) until a successor
    /// starts, so a coordinator need not fear it frozen on green.
    public var stopped: Bool
    /// The agent's drop counters; zero entries are not sent.
    public var drops: [DropReason: UInt64]

    public init(
        ordinal: UInt32, instance: UInt64, board: String, plan: PlanRef, pending: PlanRef = .none,
        state: SyncState, offsetNanos: Int64, errorBoundNanos: Int64, head: HeadReport?, sentAt: LocalInstant,
        timebaseAtSend: TimebaseInstant?, sourceCoordinatorID: UInt64, sourceTerm: UInt64,
        solicitNonce: UInt64 = 0, monitorTripped: Bool = false, outOfPlan: Bool = false,
        stopped: Bool = false, drops: [DropReason: UInt64] = [:]
    ) {
        self.ordinal = ordinal
        self.instance = instance
        self.board = board
        self.plan = plan
        self.pending = pending
        self.state = state
        self.offsetNanos = offsetNanos
        self.errorBoundNanos = errorBoundNanos
        self.head = head
        self.sentAt = sentAt
        self.timebaseAtSend = timebaseAtSend
        self.sourceCoordinatorID = sourceCoordinatorID
        self.sourceTerm = sourceTerm
        self.solicitNonce = solicitNonce
        self.monitorTripped = monitorTripped
        self.outOfPlan = outOfPlan
        self.stopped = stopped
        self.drops = drops
    }
}

/// What one head shows, as an agent reports it.
public struct HeadReport: Sendable, Hashable {
    /// Junction and signal group names, at most `Wire.maximumNameByteCount`
    /// UTF-8 bytes each.
    public var junction: String
    public var group: String
    public var aspect: Aspect

    public init(junction: String, group: String, aspect: Aspect) {
        self.junction = junction
        self.group = group
        self.aspect = aspect
    }
}

// MARK: Wire

extension Report {
    /// Monitor byte bit 0: the signal monitor has tripped.
    static let monitorTrippedFlag: UInt8 = 0x01
    /// Monitor byte bit 1: the head is out of the plan by the agent's decision.
    static let outOfPlanFlag: UInt8 = 0x02
    /// Monitor byte bit 2: the agent has stopped gracefully.
    static let stoppedFlag: UInt8 = 0x04
    static let monitorFlags: UInt8 = monitorTrippedFlag | outOfPlanFlag | stoppedFlag

    func validate() throws(MessageError) {
        try MessageError.checkName(board, field: "board")
        try MessageError.checkPlan(plan, field: "report's current")
        try MessageError.checkPlan(pending, field: "report's pending")
        if let head {
            try MessageError.checkName(head.junction, field: "junction")
            try MessageError.checkName(head.group, field: "group")
        }
    }

    func encode(into writer: inout WireWriter) {
        writer.u32(ordinal)
        writer.u64(instance)
        writer.name(board)
        writer.u8(state.rawValue)
        writer.i64(offsetNanos)
        writer.i64(errorBoundNanos)
        writer.i64(sentAt.nanos)
        writer.bool(timebaseAtSend != nil)
        if let timebaseAtSend { writer.i64(timebaseAtSend.nanos) }
        writer.u64(sourceCoordinatorID)
        writer.u64(sourceTerm)
        writer.planRef(plan)
        writer.planRef(pending)
        writer.u64(solicitNonce)
        writer.u8((monitorTripped ? Self.monitorTrippedFlag : 0) | (outOfPlan ? Self.outOfPlanFlag : 0)
            | (stopped ? Self.stoppedFlag : 0))
        writer.bool(head != nil)
        if let head {
            writer.name(head.junction)
            writer.name(head.group)
            writer.u8(head.aspect.rawValue)
        }
        // Canonical: non-zero counts only, in ascending raw-value order.
        let entries = DropReason.allCases.compactMap { reason in
            drops[reason].flatMap { $0 > 0 ? (reason, $0) : nil }
        }
        writer.u8(UInt8(entries.count))
        for (reason, count) in entries {
            writer.u8(reason.rawValue)
            writer.u64(count)
        }
    }

    init(from reader: inout WireReader) throws(DropReason) {
        ordinal = try reader.u32()
        instance = try reader.u64()
        board = try reader.name()
        state = try reader.enumeration(SyncState.self)
        offsetNanos = try reader.i64()
        errorBoundNanos = try reader.i64()
        sentAt = LocalInstant(nanos: try reader.i64())
        timebaseAtSend = try reader.bool() ? TimebaseInstant(nanos: try reader.i64()) : nil
        sourceCoordinatorID = try reader.u64()
        sourceTerm = try reader.u64()
        plan = try reader.planRef()
        pending = try reader.planRef()
        solicitNonce = try reader.u64()
        let monitor = try reader.u8()
        guard monitor & ~Self.monitorFlags == 0 else { throw .badField }
        monitorTripped = monitor & Self.monitorTrippedFlag != 0
        outOfPlan = monitor & Self.outOfPlanFlag != 0
        stopped = monitor & Self.stoppedFlag != 0
        if try reader.bool() {
            head = HeadReport(
                junction: try reader.name(), group: try reader.name(),
                aspect: try reader.enumeration(Aspect.self))
        } else {
            head = nil
        }
        drops = try Self.decodeDrops(from: &reader)
    }

    /// Entries must be known reasons in strictly ascending order with
    /// non-zero counts, so every set of counters has exactly one encoding.
    private static func decodeDrops(from reader: inout WireReader) throws(DropReason) -> [DropReason: UInt64] {
        let count = Int(try reader.u8())
        guard count <= DropReason.allCases.count else { throw .badField }
        var drops: [DropReason: UInt64] = [:]
        var previous: UInt8 = 0
        for _ in 0..<count {
            let reason = try reader.enumeration(DropReason.self)
            let value = try reader.u64()
            guard reason.rawValue > previous, value > 0 else { throw .badField }
            previous = reason.rawValue
            drops[reason] = value
        }
        return drops
    }
}
