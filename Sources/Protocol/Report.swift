import JunctionCore

/// An agent's periodic status to the coordinator: its clock estimate, what its
/// head shows and its drop counters. Its send time (t1) starts the four-
/// timestamp exchange the next tick's `Echo` completes.
public struct Report: Sendable, Hashable {
    /// The agent's configured ordinal.
    public var ordinal: UInt32
    /// Random per agent process.
    public var instance: UInt64
    /// The board's name, at most `Wire.maximumNameByteCount` UTF-8 bytes.
    public var board: String
    /// The plan the agent holds and shows (`.none` when it has none).
    public var planID: PlanID
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
    /// Which coordinator the agent follows (0 and 0 when none yet).
    public var sourceCoordinatorID: UInt64
    public var sourceTerm: UInt64
    /// The agent's drop counters; zero entries are not sent.
    public var drops: [DropReason: UInt64]

    public init(
        ordinal: UInt32, instance: UInt64, board: String, planID: PlanID, state: SyncState,
        offsetNanos: Int64, errorBoundNanos: Int64, head: HeadReport?, sentAt: LocalInstant,
        timebaseAtSend: TimebaseInstant?, sourceCoordinatorID: UInt64, sourceTerm: UInt64,
        drops: [DropReason: UInt64] = [:]
    ) {
        self.ordinal = ordinal
        self.instance = instance
        self.board = board
        self.planID = planID
        self.state = state
        self.offsetNanos = offsetNanos
        self.errorBoundNanos = errorBoundNanos
        self.head = head
        self.sentAt = sentAt
        self.timebaseAtSend = timebaseAtSend
        self.sourceCoordinatorID = sourceCoordinatorID
        self.sourceTerm = sourceTerm
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
    func validate() throws(MessageError) {
        try MessageError.checkName(board, field: "board")
        if let head {
            try MessageError.checkName(head.junction, field: "junction")
            try MessageError.checkName(head.group, field: "group")
        }
    }

    func encode(into writer: inout WireWriter) {
        writer.u32(ordinal)
        writer.u64(instance)
        writer.name(board)
        writer.u64(planID.rawValue)
        writer.u8(state.rawValue)
        writer.i64(offsetNanos)
        writer.i64(errorBoundNanos)
        writer.i64(sentAt.nanos)
        writer.bool(timebaseAtSend != nil)
        if let timebaseAtSend { writer.i64(timebaseAtSend.nanos) }
        writer.u64(sourceCoordinatorID)
        writer.u64(sourceTerm)
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
        planID = PlanID(rawValue: try reader.u64())
        state = try reader.enumeration(SyncState.self)
        offsetNanos = try reader.i64()
        errorBoundNanos = try reader.i64()
        sentAt = LocalInstant(nanos: try reader.i64())
        timebaseAtSend = try reader.bool() ? TimebaseInstant(nanos: try reader.i64()) : nil
        sourceCoordinatorID = try reader.u64()
        sourceTerm = try reader.u64()
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
