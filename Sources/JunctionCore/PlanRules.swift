/// The timing contract between the coordinator's plan activation and the
/// agents' plan following (issue 9). Both sides read these numbers, so they
/// live with the plan types rather than in either configuration.
public enum PlanRules {
    /// A pending plan is announced at least this long before the old plan's
    /// last cycle ends (its activation is a cycle boundary at or after
    /// announcement + lead, plus the handover hold).
    public static let leadNanos: Int64 = 5 * .nanosPerSecond
    /// The coordinator commits a pending plan this long before its anchor,
    /// if every recently reporting agent acknowledged it.
    public static let commitLeadNanos: Int64 = 2 * .nanosPerSecond
    /// "Recently reporting": a report heard within this long.
    public static let recentNanos: Int64 = 3 * .nanosPerSecond
    /// An agent that hears no tick for this long stops showing the plan at its
    /// junction's next cycle start; the coordinator does not commit a plan
    /// while an agent that was running the plan has been silent for less.
    /// (Long, so that an hour of holdover keeps the lights; a coordinator
    /// forgets a silent agent that DNS no longer lists much sooner.)
    public static let horizonNanos: Int64 = 2 * 3600 * .nanosPerSecond
    /// How long after a committed plan's anchor a tick may still name the
    /// plan before it (with the committed one pending): the coordinator
    /// activates at its next plan update (a tick interval), and a round of
    /// ticks decided before that leaves over tens of milliseconds.
    public static let activationGraceNanos: Int64 = 1 * .nanosPerSecond
    /// A tick's cycle position may differ this much from the agent's own.
    public static let positionToleranceNanos: Int64 = 50 * .nanosPerMillisecond
    /// A coordinator that cannot continue the agents' plan (it lacks its
    /// content) anchors its own this much beyond the lead, so every head has
    /// left the old plan (minimum green, then amber) before the new one starts.
    public static let freshStartMarginNanos: Int64 = 20 * .nanosPerSecond

    /// The last cycle start of junction 0 of `plan` at or before `t`.
    public static func lastBoundary(of plan: AnchoredPlan, atOrBefore t: TimebaseInstant) -> TimebaseInstant {
        let next = plan.plan.cycleStart(junction: 0, atOrAfter: t, anchor: plan.anchor)
        return next == t ? t : next - plan.plan.cycleNanos
    }
}
