import JunctionCore
import Protocol

/// The agent's side of plan identity: every tick from the followed
/// coordinator is compared with the plans the agent holds.
///
/// Two anchors must never drive one junction. So the agent holds exactly the
/// (id, anchor) pairs the coordinator names; a governing plan or cycle
/// position that differs makes it drop what it holds (the head then leaves
/// the plan: a green gets its full amber, then flashing red), fetch the right
/// plans (the coordinator resends to any agent whose report differs) and
/// rejoin through the sequencer's join rules. A pending plan is shown only
/// once the coordinator committed exactly that identity; an announced plan
/// the agent does not hold, and a silence longer than `PlanRules.horizonNanos`,
/// end the old plan at the junction's cycle start (`PlanSchedule.stop`).
public struct PlanFollower: Sendable {
    /// What the last followed tick said about plans.
    public private(set) var lastTick: (sentAt: TimebaseInstant, plan: PlanIdentity, pending: PlanIdentity, committed: Bool)?
    /// Ticks whose governing plan or position disagreed with the agent's.
    public private(set) var mismatches: UInt64 = 0
    /// The clearance times of the last plan run, so a head that lost its plan
    /// still gives a green its full amber.
    public private(set) var lastTiming: (timing: ClearanceTiming, sequence: AspectSequence)?
    /// The agent dropped its plan for the coordinator's and waits for it:
    /// out of the plan (flashing red) by its own decision, not for want of a
    /// head or of time, so its clock state stays as it is.
    public private(set) var awaitingPlan = false
    /// After a mismatch the head rejoins at the first cycle start after this:
    /// late enough that every head of the junction has left the plan it
    /// dropped (a green's minimum, its amber and an all-red), so all rejoin
    /// together and no old green meets a new one.
    public private(set) var resumeAt: TimebaseInstant?

    public init() {}

    /// The outcome of comparing one tick.
    public enum Verdict: Sendable, Equatable {
        case agrees
        /// The agent dropped what it held (the reason, for the log).
        case mismatch(String)
    }

    /// Compares a tick from the followed coordinator with `schedule` and
    /// brings the schedule in line with it.
    public mutating func check(_ tick: Tick, schedule: inout PlanSchedule) -> Verdict {
        let plan = tick.plan.identity, pending = tick.pending.identity
        // Only a head that was showing a plan has one to leave (a plan not
        // begun yet shows nothing), so only it waits for the others to leave.
        let heldPlan = schedule.current.map { $0.anchor <= tick.sentAt } ?? false
        lastTick = (tick.sentAt, plan, pending, tick.pendingCommitted)
        if let current = schedule.current { lastTiming = (current.plan.timing, current.plan.sequence) }
        var verdict = Verdict.agrees
        // A coordinator activates a pending plan at its anchor, never before:
        // one that governs our pending plan before its anchor started it
        // fresh, and the plan we run is not the junction's (handing over
        // from it would run it on, green against the rest of the junction).
        let startedFresh = plan == schedule.pending?.identity && schedule.current != nil && tick.sentAt < plan.anchor
        if let current = schedule.current, plan == schedule.handedOverFrom, pending == current.identity, tick.pendingCommitted,
           tick.sentAt < current.anchor + PlanRules.activationGraceNanos {
            // The coordinator committed the plan this agent now runs and has
            // not activated it yet: a tick in flight across the anchor, or
            // decided just before it, while this agent (its clock a little
            // ahead, or its handover at its own instant) already switched.
            // It agrees; a coordinator that never activates is caught after
            // the grace.
        } else if plan.isNone {
            if schedule.current != nil { verdict = .mismatch("the coordinator runs no plan") }
            schedule.clear()
        } else if startedFresh {
            verdict = .mismatch("the coordinator runs plan \(plan) from its anchor, not after this agent's \(schedule.current!.identity)")
            schedule.retain([plan])
        } else if plan == schedule.current?.identity || plan == schedule.pending?.identity {
            let held = plan == schedule.current?.identity ? schedule.current! : schedule.pending!
            let mine = floorMod(tick.sentAt - held.anchor, held.plan.cycleNanos)
            let apart = abs(mine - tick.cyclePositionNanos)
            if min(apart, held.plan.cycleNanos - apart) > PlanRules.positionToleranceNanos {
                verdict = .mismatch("cycle position \(tick.cyclePositionNanos) ns, ours \(mine) ns")
                schedule.clear()
            } else if plan == schedule.pending?.identity {
                // The coordinator already runs it: it was committed.
                schedule.commit(plan)
            } else if schedule.pending?.identity != pending {
                schedule.dropPending()
            } else if tick.pendingCommitted {
                schedule.commit(pending)
            }
        } else {
            verdict = .mismatch("the coordinator runs plan \(plan), this agent \(schedule.current.map { "\($0.identity)" } ?? "none")")
            schedule.retain([plan, pending])
        }
        if case .mismatch = verdict {
            mismatches += 1
        }
        if case .mismatch = verdict, heldPlan {
            let timing = lastTiming?.timing ?? .defaults
            resumeAt = tick.sentAt + timing.minGreenNanos + timing.amberNanos + timing.allRedNanos
        }
        awaitingPlan = schedule.current == nil && (awaitingPlan || verdict != .agrees)
        updateStop(&schedule)
        return verdict
    }

    /// Whether a completed plan may be taken: before any tick anything is
    /// (the ticks sort it out); after, only what the last tick names, so a
    /// stale or another coordinator's plan never enters the schedule.
    public func admits(_ identity: PlanIdentity) -> Bool {
        guard let lastTick else { return true }
        return identity == lastTick.plan || identity == lastTick.pending
    }

    /// After a plan was accepted: apply what the last tick said about it.
    public mutating func accepted(_ identity: PlanIdentity, schedule: inout PlanSchedule) {
        if schedule.current != nil { awaitingPlan = false }
        guard let lastTick else { return }
        if identity == schedule.pending?.identity,
           identity == lastTick.plan || (identity == lastTick.pending && lastTick.committed) {
            schedule.commit(identity)
        }
        updateStop(&schedule)
    }

    /// Where the plan the agent holds must stop being shown: after the
    /// horizon of silence, and at the old plan's end when the coordinator
    /// announced a plan the agent does not hold.
    private func updateStop(_ schedule: inout PlanSchedule) {
        guard let lastTick else { return }
        var stop = lastTick.sentAt + PlanRules.horizonNanos
        if !lastTick.pending.isNone, schedule.pending?.identity != lastTick.pending,
           let current = schedule.current, current.identity == lastTick.plan {
            stop = min(stop, PlanRules.lastBoundary(of: current, atOrBefore: lastTick.pending.anchor))
        }
        schedule.setStop(stop)
        schedule.setResume(resumeAt)
    }
}

extension PlanRef {
    /// The same pair as the schedule's identity type.
    var identity: PlanIdentity { PlanIdentity(id: id.rawValue, anchor: anchor) }
}
