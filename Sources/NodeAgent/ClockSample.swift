import JunctionCore

/// One completed report/tick exchange with the coordinator, the raw material of
/// the clock discipline.
///
/// The agent sends a report at local `t1`; the coordinator receives it at
/// timebase `t2`, echoes `t1` and `t2` in a later tick it sends at timebase
/// `t3`; the agent receives that tick at local `t4`. Local instants are the
/// board's monotonic clock, timebase instants the coordinator's scale, so the
/// two pairs cannot be mixed up by accident.
public struct ClockSample: Sendable, Hashable {
    /// Local instant the report left the agent.
    public var t1: LocalInstant
    /// Timebase instant the coordinator received the report.
    public var t2: TimebaseInstant
    /// Timebase instant the coordinator sent the tick echoing the report.
    public var t3: TimebaseInstant
    /// Local instant the tick arrived at the agent.
    public var t4: LocalInstant

    public init(t1: LocalInstant, t2: TimebaseInstant, t3: TimebaseInstant, t4: LocalInstant) {
        self.t1 = t1
        self.t2 = t2
        self.t3 = t3
        self.t4 = t4
    }
}
