import JunctionCore

/// The plan as one head sees it on the board's own clock: the agent builds
/// this from its plan schedule and its disciplined clock, so the sequencer
/// below never deals with the timebase or with clock corrections.
public struct PlanView: Sendable {
    /// What the plan shows at a local instant (nil: the plan gives no head).
    public var aspectAt: @Sendable (LocalInstant) -> Aspect?
    /// The plan's first change strictly after a local instant.
    public var nextChangeAfter: @Sendable (LocalInstant) -> (at: LocalInstant, aspect: Aspect)?
    public var timing: ClearanceTiming
    public var sequence: AspectSequence

    public init(aspectAt: @escaping @Sendable (LocalInstant) -> Aspect?,
                nextChangeAfter: @escaping @Sendable (LocalInstant) -> (at: LocalInstant, aspect: Aspect)?,
                timing: ClearanceTiming, sequence: AspectSequence) {
        self.aspectAt = aspectAt
        self.nextChangeAfter = nextChangeAfter
        self.timing = timing
        self.sequence = sequence
    }
}
