import JunctionCore
import Protocol

/// The coordinator's side of plan identity: which (plan, anchor) the junction
/// runs, which one is announced, and when the announcement is committed.
///
/// - Adoption: a coordinator continues the plan the agents run (their
///   reports' current and pending plans), so a replacement never re-anchors
///   it; its plan file schedules a change only when its content id differs.
///   A plan whose content is neither the file's nor learned from the agents
///   (`PlanLibrary`) cannot be continued; the coordinator asks for it
///   (`wantedContent`) before it adopts. With nothing to adopt, the file's
///   plan is anchored at now + lead.
/// - Closed loop: a pending plan is announced with its anchor at a junction-0
///   cycle start at least `PlanRules.leadNanos` ahead plus the handover hold,
///   and committed at anchor − `commitLeadNanos` only if every agent that
///   reported within `recentNanos` acknowledged exactly it and no agent that
///   was running the plan has gone silent within the horizon; otherwise it is
///   announced again at a later boundary (a new identity, new
///   acknowledgements). A file edited again before the commit is announced
///   afresh; one edited after waits for the activation.
public struct PlanActivation: Sendable {
    /// What one agent's last report says, and how long ago it was heard.
    public struct AgentPlans: Sendable, Hashable {
        public var plan: PlanIdentity
        public var pending: PlanIdentity
        /// Locked or in holdover: it may be showing `plan`.
        public var running: Bool
        public var silentNanos: Int64

        public init(plan: PlanIdentity, pending: PlanIdentity, running: Bool, silentNanos: Int64) {
            self.plan = plan
            self.pending = pending
            self.running = running
            self.silentNanos = silentNanos
        }
    }

    /// Something the coordinator logs.
    public enum Event: Sendable, Hashable {
        case started(PlanIdentity)
        case adopted(plan: PlanIdentity, pending: PlanIdentity, fromAgents: Int)
        case announced(PlanIdentity, name: String)
        case committed(PlanIdentity)
        case activated(PlanIdentity)
        case withdrawn(PlanIdentity)
        /// Not every agent acknowledged in time: announced again later.
        case reannounced(old: PlanIdentity, new: PlanIdentity, missing: Int)
    }

    public private(set) var schedule = PlanSchedule()
    /// The plan before the current one: agents of offset junctions still run
    /// it until their own handover, and are not told to fetch plans for that.
    public private(set) var previous: PlanIdentity?
    /// Until this instant some junction still runs the previous plan or holds
    /// the all-red between the two (junctions of a green wave hand over at
    /// their own cycle starts, up to a cycle after the anchor).
    public private(set) var handoverEndsAt: TimebaseInstant?
    /// The plan file's content: what the operator wants the junction to run.
    public private(set) var file: (plan: SignalPlan, id: UInt64, bytes: [UInt8])
    /// Plans learned from the agents (their content, lent on request).
    public private(set) var library = PlanLibrary()
    /// Counters for metrics and tests.
    public private(set) var reannouncements = 0

    public init(plan: SignalPlan, bytes: [UInt8]) {
        file = (plan, PlanID(planBytes: bytes).rawValue, bytes)
    }

    /// The content of plan `id`: the file's, or one learned from the agents.
    public func content(of id: UInt64) -> (plan: SignalPlan, bytes: [UInt8])? {
        id == file.id ? (file.plan, file.bytes) : library.content(of: id)
    }

    /// A chunk of a plan an agent lent (see `wantedContent`).
    public mutating func receive(_ chunk: PlanChunk) -> PlanLibrary.Outcome {
        library.receive(chunk)
    }

    /// The plan whose content adoption still lacks: the plan the agents run,
    /// else the pending plan they hold, when neither the file nor the library
    /// has it (and it was not refused). `.none` when nothing is missing.
    public func wantedContent(_ reports: [AgentPlans]) -> PlanID {
        guard let running = running(reports) else { return .none }
        for id in [running.plan.id, running.pending?.id].compactMap({ $0 })
        where content(of: id) == nil && library.mayAsk(for: id) {
            return PlanID(rawValue: id)
        }
        return .none
    }

    /// The most common current plan among the reports (ties: more of them
    /// running, then the lower anchor), how many run it, and the most common
    /// pending plan among those agents.
    private func running(_ reports: [AgentPlans]) -> (plan: PlanIdentity, pending: PlanIdentity?, count: Int)? {
        let candidates = reports.filter { !$0.plan.isNone }
        var counts: [PlanIdentity: (count: Int, running: Int)] = [:]
        for r in candidates { counts[r.plan, default: (0, 0)].count += 1; counts[r.plan]!.running += r.running ? 1 : 0 }
        guard let best = counts.max(by: { a, b in
            (a.value.count, a.value.running, -a.key.anchor.nanos) < (b.value.count, b.value.running, -b.key.anchor.nanos)
        }) else { return nil }
        var pendings: [PlanIdentity: Int] = [:]
        for r in candidates where r.plan == best.key && !r.pending.isNone { pendings[r.pending, default: 0] += 1 }
        let pending = pendings.max { ($0.value, -$0.key.anchor.nanos) < ($1.value, -$1.key.anchor.nanos) }?.key
        return (best.key, pending, best.value.count)
    }

    /// The plan file was read again (already validated).
    public mutating func fileChanged(plan: SignalPlan, bytes: [UInt8]) {
        file = (plan, PlanID(planBytes: bytes).rawValue, bytes)
    }

    /// Takes the plans the agents run: the most common current plan among
    /// trusted reports (ties: more of them running, then the lower anchor),
    /// and the most common pending plan among those agents. A plan whose
    /// content this coordinator lacks (neither the file's nor learned) cannot
    /// be continued; then nothing is adopted and `update` starts the file's
    /// plan afresh far enough ahead for every head to leave the old one. A
    /// pending plan whose content it lacks is left out (the file's plan is
    /// then announced over it).
    public mutating func adopt(_ reports: [AgentPlans], at t: TimebaseInstant) -> Event? {
        // Content this coordinator lacks cannot be continued; `update` starts
        // the file's plan afresh (once: a later call changes nothing).
        guard let (best, pending, count) = running(reports), let current = content(of: best.id) else { return nil }
        let adoptedPending = pending.flatMap { p in content(of: p.id).map { (identity: p, content: $0) } }
        let unchanged = schedule.current?.identity == best && schedule.pending?.identity == adoptedPending?.identity
        if unchanged { return nil }
        schedule = PlanSchedule(current: AnchoredPlan(plan: current.plan, id: best.id, anchor: best.anchor, bytes: current.bytes))
        if let adoptedPending {
            let p = adoptedPending.identity
            _ = schedule.accept(AnchoredPlan(plan: adoptedPending.content.plan, id: p.id, anchor: p.anchor, bytes: adoptedPending.content.bytes))
            // Past its commit point the old coordinator may have committed it
            // and some agents will switch: honour that (the others leave).
            if t >= p.anchor - PlanRules.commitLeadNanos { schedule.commit(p) }
        }
        return .adopted(plan: best, pending: adoptedPending?.identity ?? .none, fromAgents: count)
    }

    /// Moves the activation on at timebase `t`: starts, announces, commits or
    /// re-announces, and activates. `agents` are the coordinator's agents.
    /// A coordinator that is not `deciding` (agents follow another one) only
    /// activates what was committed: two deciders would announce two anchors.
    public mutating func update(at t: TimebaseInstant, agents: [AgentPlans], deciding: Bool = true) -> [Event] {
        var events: [Event] = []
        if !deciding {
            if schedule.pendingCommitted, let pending = schedule.pending, let current = schedule.current, t >= pending.anchor {
                handedOver(from: current, to: pending)
            }
            return []
        }
        guard let current = schedule.current else {
            // Nothing adopted: the file's plan, anchored ahead (never at 0, and
            // far enough that heads running anything else have left it).
            let margin = agents.contains { $0.running } ? PlanRules.freshStartMarginNanos : 0
            let anchor = roundedUp(t + PlanRules.leadNanos + margin)
            schedule = PlanSchedule(current: AnchoredPlan(plan: file.plan, id: file.id, anchor: anchor, bytes: file.bytes))
            return [.started(schedule.current!.identity)]
        }
        if schedule.pendingCommitted, let pending = schedule.pending, t >= pending.anchor {
            handedOver(from: current, to: pending)
            events.append(.activated(pending.identity))
        }
        if let pending = schedule.pending, !schedule.pendingCommitted, t >= pending.anchor - PlanRules.commitLeadNanos {
            let missing = agents.filter { !acknowledges($0, pending.identity) }.count
            if missing == 0 {
                schedule.commit(pending.identity)
                events.append(.committed(pending.identity))
            } else {
                reannouncements += 1
                announce(AnchoredPlan(plan: pending.plan, id: pending.id, anchor: pending.anchor, bytes: pending.bytes), at: t)
                events.append(.reannounced(old: pending.identity, new: schedule.pending!.identity, missing: missing))
            }
        }
        if !schedule.pendingCommitted, let current = schedule.current {
            if file.id == current.id {
                if let pending = schedule.pending {
                    schedule.dropPending()
                    events.append(.withdrawn(pending.identity))
                }
            } else if file.id != schedule.pending?.id {
                announce(AnchoredPlan(plan: file.plan, id: file.id, anchor: t, bytes: file.bytes), at: t)
                if let pending = schedule.pending {
                    events.append(.announced(pending.identity, name: file.plan.name))
                } else {
                    // It replaced a plan that had not begun: a start, not a handover.
                    events.append(.started(schedule.current!.identity))
                }
            }
        }
        return events
    }

    /// Whether an agent lets a pending plan be committed: heard recently and
    /// acknowledging it (or already past it), or silent for good, or never
    /// running a plan.
    func acknowledges(_ agent: AgentPlans, _ pending: PlanIdentity) -> Bool {
        if agent.silentNanos <= PlanRules.recentNanos { return agent.pending == pending || agent.plan == pending }
        return !agent.running || agent.silentNanos >= PlanRules.horizonNanos
    }

    /// Announces `plan` (its anchor ignored): at the first junction-0 cycle
    /// start of the current plan at least the lead ahead, plus the hold. A
    /// current plan that has not begun yet is replaced outright.
    private mutating func announce(_ plan: AnchoredPlan, at t: TimebaseInstant) {
        guard let current = schedule.current else { return }
        let earliest = t + PlanRules.leadNanos
        if current.anchor >= t {
            schedule = PlanSchedule(current: AnchoredPlan(plan: plan.plan, id: plan.id, anchor: max(current.anchor, earliest),
                                                          bytes: plan.bytes))
            return
        }
        let boundary = current.plan.cycleStart(junction: 0, atOrAfter: max(earliest, (schedule.pending?.anchor ?? earliest) + 1),
                                               anchor: current.anchor)
        let hold = PlanSchedule.handoverHoldNanos(from: current.plan, to: plan.plan)
        schedule.dropPending()
        _ = schedule.accept(AnchoredPlan(plan: plan.plan, id: plan.id, anchor: boundary + hold, bytes: plan.bytes))
    }

    /// The pending plan took over: the previous one is kept by identity, and
    /// when the last junction leaves it.
    private mutating func handedOver(from old: AnchoredPlan, to new: AnchoredPlan) {
        previous = old.identity
        schedule = PlanSchedule(current: new)
        let pair = PlanSchedule(current: old, pending: new, pendingCommitted: true)
        var end = new.anchor
        for j in 0..<max(old.plan.junctions.count, new.plan.junctions.count) {
            let resolve: PlanSchedule.HeadResolver = { anchored in
                j < anchored.plan.junctions.count ? anchored.plan.assignment(junction: j, group: 0) : nil
            }
            if let h = pair.handover(resolve: resolve) { end = max(end, h.newStarts) }
        }
        handoverEndsAt = end
    }

    /// Whether an agent that holds neither plan may be given the current one
    /// alone at `t`: not while a junction may still run the previous plan,
    /// which such an agent would not know (it would show the current plan
    /// from its anchor, at a junction still in the old one).
    public func mayGiveCurrentAlone(at t: TimebaseInstant) -> Bool {
        handoverEndsAt.map { t >= $0 } ?? true
    }

    private func roundedUp(_ t: TimebaseInstant) -> TimebaseInstant {
        let ms = Int64.nanosPerMillisecond
        return TimebaseInstant(nanos: (t.nanos + ms - 1) / ms * ms)
    }

    /// Whether an agent's report shows other plans than it should hold (it
    /// is then sent the current and pending plans).
    public func needsPlans(plan: PlanIdentity, pending: PlanIdentity) -> Bool {
        let current = schedule.current?.identity ?? .none
        let announced = schedule.pending?.identity ?? .none
        if plan == current && pending == announced { return false }
        // An agent of an offset junction still in its handover.
        if plan == previous && pending == current { return false }
        return true
    }

    /// The plan fields of a tick sent at `t`.
    public func tickFields(at t: TimebaseInstant) -> (plan: PlanRef, pending: PlanRef, committed: Bool, positionNanos: Int64) {
        let current = schedule.current
        let position = current.map { floorMod(t - $0.anchor, $0.plan.cycleNanos) } ?? 0
        let pending = schedule.pending
        return (PlanRef(current), PlanRef(pending), pending != nil && schedule.pendingCommitted, position)
    }
}
