import JunctionCore

/// A plan's identity on the wire: its content id and its anchor (where its
/// cycle starts on the timebase). The same file anchored at two instants is
/// two different plans: heads running them would be out of step, so every
/// comparison of "which plan" compares both.
public struct PlanRef: Sendable, Hashable, CustomStringConvertible {
    /// The content id (a hash of the plan file); `.none` for no plan.
    public var id: PlanID
    /// The timebase instant at which the plan's cycle starts (its activation).
    public var anchor: TimebaseInstant

    public init(id: PlanID, anchor: TimebaseInstant) {
        self.id = id
        self.anchor = anchor
    }

    /// A schedule's plan, or `.none` when there is none.
    public init(_ plan: AnchoredPlan?) {
        guard let plan else {
            self = .none
            return
        }
        self.init(id: PlanID(rawValue: plan.id), anchor: plan.anchor)
    }

    /// "No plan": id 0 and anchor 0. It has this one form on the wire, so a
    /// missing plan is never mistaken for a plan with id 0 at some anchor.
    public static let none = PlanRef(id: .none, anchor: TimebaseInstant(nanos: 0))

    public var isNone: Bool { id == .none }

    /// Whether the pair has its one canonical form (no anchor without an id).
    var isCanonical: Bool { !isNone || anchor.nanos == 0 }

    /// "1122334455667788@1700000060000000000", or "none".
    public var description: String { isNone ? "none" : "\(id)@\(anchor.nanos)" }
}
