/// The head one agent shows: a group of a junction, with that junction's
/// green-wave offset already worked out.
public struct HeadAssignment: Sendable, Hashable, CustomStringConvertible {
    /// Index of the junction; may be beyond the listed junctions when a
    /// corridor plan was extended by scaling.
    public var junction: Int
    public var junctionName: String
    public var group: Int
    public var groupName: String
    /// Shift of this junction's cycle after the plan's anchor, in `0..<cycle`.
    public var offsetNanos: Int64

    public var description: String { "\(junctionName)/\(groupName)" }
}

extension SignalPlan {
    /// Which head an agent shows.
    ///
    /// 1. The head listed with the agent's `board` (its Kubernetes node name),
    ///    because the lights are wired to the board, not to the pod.
    /// 2. Otherwise the head in position `ordinal` among the heads listed
    ///    without a board (or among all heads when every head names a board).
    /// 3. Beyond that list, the plan's `scaling` rule: `mirror` repeats the
    ///    list, `extend` adds one corridor junction per agent, `none` gives nil
    ///    (the agent shows the flash aspect).
    public func head(board: String?, ordinal: Int) -> HeadAssignment? {
        if let board, let entry = heads.first(where: { $0.board == board }) {
            return assignment(junction: entry.junction, group: entry.group)
        }
        let boardless = heads.filter { $0.board == nil }
        let slots = boardless.isEmpty ? heads : boardless
        let n = max(ordinal, 0)
        if n < slots.count { return assignment(junction: slots[n].junction, group: slots[n].group) }
        switch scaling {
        case .mirror:
            let entry = slots[n % slots.count]
            return assignment(junction: entry.junction, group: entry.group)
        case .extend:
            let last = slots[slots.count - 1]
            let extra = n - slots.count
            return assignment(junction: junctions.count + extra, group: last.group)
        case .none:
            return nil
        }
    }

    /// The head of a given junction and group index (junction may be an
    /// extended corridor junction).
    public func assignment(junction: Int, group: Int) -> HeadAssignment {
        HeadAssignment(junction: junction, junctionName: junctionName(junction), group: group,
                       groupName: groups[group], offsetNanos: offsetNanos(junction: junction))
    }

    /// The name of any junction index, listed or extended.
    public func junctionName(_ junction: Int) -> String {
        if junction < junctions.count { return junctions[junction].name }
        return "\(corridor?.namePrefix ?? "j")\(junction)"
    }

    /// The offset of any junction index; extended corridor junctions follow
    /// the corridor's spacing and speed.
    public func offsetNanos(junction: Int) -> Int64 {
        if junction < junctions.count { return junctions[junction].offsetNanos }
        guard let corridor else { return 0 }
        return floorMod(corridor.travelNanos(toJunction: junction), cycleNanos)
    }

    /// The position in the cycle of a head's junction at timebase `t`, for a
    /// plan whose cycle starts at `anchor`.
    public func cyclePosition(of head: HeadAssignment, at t: TimebaseInstant, anchor: TimebaseInstant) -> Int64 {
        floorMod(t - anchor - head.offsetNanos, cycleNanos)
    }

    /// What the head shows at timebase `t`.
    public func aspect(of head: HeadAssignment, at t: TimebaseInstant, anchor: TimebaseInstant) -> Aspect {
        timelines[head.group].aspect(at: cyclePosition(of: head, at: t, anchor: anchor))
    }

    /// The first change of the head strictly after `t`, as an instant on the
    /// timebase and the aspect it brings.
    public func nextChange(of head: HeadAssignment, after t: TimebaseInstant,
                           anchor: TimebaseInstant) -> (at: TimebaseInstant, aspect: Aspect)? {
        guard let next = timelines[head.group].nextChange(after: cyclePosition(of: head, at: t, anchor: anchor)) else {
            return nil
        }
        return (t + next.inNanos, next.aspect)
    }

    /// The first start of a cycle of `junction` at or after `t` (the all-red
    /// instant where a plan change may take over).
    public func cycleStart(junction: Int, atOrAfter t: TimebaseInstant, anchor: TimebaseInstant) -> TimebaseInstant {
        // An explicit Int64 local: Swift 6.0's type checker resolves the
        // chained `-` between instants and nanoseconds differently otherwise.
        let sinceAnchorNanos: Int64 = t - anchor
        let position = floorMod(sinceAnchorNanos - offsetNanos(junction: junction), cycleNanos)
        return position == 0 ? t : t + (cycleNanos - position)
    }
}
