import JunctionCore

/// Decides what one head shows so that every change a driver sees is legal,
/// whatever the agent's state does.
///
/// The agent only says what it wants (`Goal`): follow the plan, or hold a
/// steady aspect (the start-up red, the fail-safe flash). The sequencer gets
/// there through safe instants only: a green is always cleared through a full
/// amber; a head joins the plan only where the plan is red or red+amber, or
/// green with at least a minimum green left (through red+amber in the UK
/// sequence); otherwise it holds until the plan comes round to red.
public struct HeadSequencer: Sendable {
    public enum Goal: Sendable, Equatable {
        case followPlan
        case hold(Aspect)
    }

    /// What the sequencer is doing now.
    public enum Program: Sendable, Equatable {
        /// Showing a fixed aspect (start-up red, flash).
        case steady(Aspect)
        /// Green until the instant (the minimum green, never past the plan's
        /// own green), then amber, then the steady aspect.
        case finishingGreen(until: LocalInstant, then: Aspect)
        /// Amber until the instant, then the steady aspect.
        case clearing(until: LocalInstant, then: Aspect)
        /// Red until the instant, then the steady aspect: the all-red before
        /// a junction flash (flashing amber), so that every approach has
        /// stopped and the junction has cleared before any is shown the
        /// flash (which lets traffic proceed with caution).
        case allRed(until: LocalInstant, then: Aspect)
        /// UK red+amber until the instant, then following the plan.
        case preparing(until: LocalInstant)
        /// Showing what the plan shows.
        case following
        /// Holding an aspect until the plan reaches a safe join instant.
        case waitingToJoin(hold: Aspect)
    }

    public private(set) var program: Program
    public private(set) var goal: Goal
    /// What the head shows, and since when.
    public private(set) var shown: Aspect
    public private(set) var shownSince: LocalInstant

    public init(initial: Aspect, at now: LocalInstant) {
        program = .steady(initial)
        goal = .hold(initial)
        shown = initial
        shownSince = now
    }

    /// A head whose lamps already show `retained` (a crashed predecessor's
    /// lamp, still driven by the kernel): a green or an amber is cleared
    /// through a full amber (the default amber: no plan is known yet), then
    /// `startup` is held; anything else takes `startup` at once.
    public init(retained: Aspect, startup: Aspect, at now: LocalInstant) {
        self.init(initial: retained, at: now)
        goal = .hold(startup)
        switch retained {
        case .green, .amber:
            program = .clearing(until: now + ClearanceTiming.defaults.amberNanos, then: startup)
            shown = .amber
        default:
            program = .steady(startup)
            shown = startup
        }
    }

    /// The clearance's amber reached the lamps at `lit`, later than the
    /// instant it was decided at: it runs its full time from there. Only an
    /// amber clearance still running moves; anything else stays as it is.
    /// Why: a retained green is cleared by the first write after a start,
    /// which pays for cold caches, page faults and a loaded node (0.14–0.22 ms
    /// on the development VM) between the decision and the lamp, and each
    /// microsecond of it was one less of amber on the street.
    public mutating func clearanceLit(at lit: LocalInstant) {
        guard case let .clearing(until, then) = program, shown == .amber, lit > shownSince else { return }
        program = .clearing(until: until + (lit - shownSince), then: then)
        shownSince = lit
    }

    /// Changes the goal; the program moves towards it at safe instants.
    public mutating func setGoal(_ newGoal: Goal, now: LocalInstant, plan: PlanView?) {
        goal = newGoal
        advance(to: now, plan: plan)
    }

    /// Brings the program up to `now`: finishes clearances, joins the plan,
    /// and records what is shown. Call it at every change instant.
    public mutating func advance(to now: LocalInstant, plan: PlanView?) {
        // A bounded loop: each step either settles or moves to a later state.
        for _ in 0..<8 {
            guard step(now: now, plan: plan) else { break }
        }
        let aspect = aspectNow(now: now, plan: plan)
        if aspect != shown {
            shown = aspect
            shownSince = now
        }
    }

    /// One transition if one is due; false when the program is settled.
    private mutating func step(now: LocalInstant, plan: PlanView?) -> Bool {
        switch (program, goal) {
        case let (.finishingGreen(until, then), _):
            guard now >= until else { return false }
            let amber = plan?.timing.amberNanos ?? ClearanceTiming.defaults.amberNanos
            program = .clearing(until: now + amber, then: then)
            return true
        case let (.clearing(until, then), _):
            guard now >= clearingEnd(until, plan: plan) else { return false }
            program = Self.needsAllRed(before: then) ? .allRed(until: now + Self.allRed(plan), then: then) : .steady(then)
            return true
        case let (.allRed(until, then), _):
            guard now >= until else { return false }
            program = .steady(then)
            return true
        case let (.preparing(until), .followPlan):
            guard now >= until else { return false }
            program = .following
            return true
        case (.preparing, .hold(let target)):
            // Red+amber is not green: the goal can be taken at once.
            program = .steady(target)
            return true
        case (.following, .followPlan):
            if plan == nil || plan?.aspectAt(now) == nil {
                return leave(towards: .flashingRed, now: now, plan: plan)
            }
            return false
        case let (.following, .hold(target)):
            return leave(towards: target, now: now, plan: plan)
        case let (.steady(current), .hold(target)):
            if current == target { return false }
            if (current == .red || current == .redAmber) && Self.needsAllRed(before: target) {
                program = .allRed(until: now + Self.conflictingClearance(plan), then: target)
            } else {
                program = .steady(target)
            }
            return true
        case let (.steady(current), .followPlan):
            program = .waitingToJoin(hold: current)
            return true
        case let (.waitingToJoin(hold), .hold(target)):
            if (hold == .red || hold == .redAmber) && Self.needsAllRed(before: target) {
                program = .allRed(until: now + Self.conflictingClearance(plan), then: target)
            } else {
                program = .steady(target == hold ? hold : target)
            }
            return true
        case (.waitingToJoin, .followPlan):
            return tryJoin(now: now, plan: plan)
        }
    }

    /// Leaves the plan for a steady aspect: a green or an amber in progress is
    /// first given its full amber.
    private mutating func leave(towards target: Aspect, now: LocalInstant, plan: PlanView?) -> Bool {
        let amber = plan?.timing.amberNanos ?? ClearanceTiming.defaults.amberNanos
        switch shown {
        case .green:
            // A green just begun still gets its minimum, but never beyond the
            // plan's own green: conflicting heads start after that.
            let minimumEnd = shownSince + (plan?.timing.minGreenNanos ?? ClearanceTiming.defaults.minGreenNanos)
            var greenEnd = minimumEnd
            if let plan, plan.aspectAt(now) == .green, let planEnd = plan.nextChangeAfter(now)?.at {
                greenEnd = min(greenEnd, planEnd)
            } else {
                greenEnd = now
            }
            program = greenEnd > now ? .finishingGreen(until: greenEnd, then: target) : .clearing(until: now + amber, then: target)
        case .amber:
            program = .clearing(until: max(now, shownSince + amber), then: target)
        case .red, .redAmber:
            program = Self.needsAllRed(before: target) ? .allRed(until: now + Self.conflictingClearance(plan), then: target) : .steady(target)
        default:
            program = .steady(target)
        }
        return true
    }

    /// Entry into a junction flash goes through all-red: flashing amber lets
    /// traffic proceed, so it follows the plan's full all-red. Flashing red
    /// (stop) and dark need none beyond the amber.
    static func needsAllRed(before target: Aspect) -> Bool { target == .flashingAmber }

    static func allRed(_ plan: PlanView?) -> Int64 {
        plan?.timing.allRedNanos ?? ClearanceTiming.defaults.allRedNanos
    }

    /// How long a head that is red when the junction is commanded into
    /// flash holds red: the longest a conflicting green, leaving at the same
    /// command, can take to clear (its minimum green, its amber) plus the
    /// all-red. The head does not know which heads of its junction are
    /// green, so it waits out the worst case.
    static func conflictingClearance(_ plan: PlanView?) -> Int64 {
        let timing = plan?.timing ?? ClearanceTiming.defaults
        return timing.minGreenNanos + timing.amberNanos + timing.allRedNanos
    }

    private mutating func tryJoin(now: LocalInstant, plan: PlanView?) -> Bool {
        guard let plan, let wanted = plan.aspectAt(now) else { return false }
        // From flashing amber or dark (traffic may be moving) a head starts
        // only through the plan's red, never straight into red+amber/green.
        let stopped = shown == .red || shown == .flashingRed || shown == .redAmber
        guard stopped || wanted == .red else { return false }
        switch wanted {
        case .red:
            program = .following
            return true
        case .redAmber:
            // A full red+amber from now, as a join at green gets: joining the
            // plan's red+amber for what is left of it (perhaps milliseconds)
            // would be red→green on the street. Then the plan's green, if a
            // minimum green is left of it; else wait for the next red.
            guard let greenStart = plan.nextChangeAfter(now), greenStart.aspect == .green,
                  let greenEnd = plan.nextChangeAfter(greenStart.at) else { return false }
            let prepareEnd = max(now + plan.timing.redAmberNanos, greenStart.at)
            guard greenEnd.at - prepareEnd >= plan.timing.minGreenNanos else { return false }
            program = .preparing(until: prepareEnd)
            return true
        case .green:
            let remaining = (plan.nextChangeAfter(now)?.at).map { $0 - now } ?? Int64.max
            let prepare = plan.sequence == .uk ? plan.timing.redAmberNanos : 0
            guard remaining >= prepare + plan.timing.minGreenNanos else { return false }
            // US: green only from a steady red (from flashing red, wait for
            // the plan's red and show it first).
            if prepare == 0 && shown != .red { return false }
            if prepare > 0 && shown != .redAmber {
                program = .preparing(until: now + prepare)
            } else {
                program = .following
            }
            return true
        default:
            return false
        }
    }

    /// When a clearance ends: never before the plan's full amber, also for an
    /// amber begun before the plan was known (a retained green at start-up is
    /// cleared with the default amber until the plan says more).
    private func clearingEnd(_ until: LocalInstant, plan: PlanView?) -> LocalInstant {
        guard shown == .amber, let amber = plan?.timing.amberNanos else { return until }
        return max(until, shownSince + amber)
    }

    /// The aspect the current program shows at `now`.
    func aspectNow(now: LocalInstant, plan: PlanView?) -> Aspect {
        switch program {
        case let .steady(aspect): aspect
        case .finishingGreen: .green
        case .clearing: .amber
        case .allRed: .red
        case .preparing: .redAmber
        case .following: plan?.aspectAt(now) ?? shown
        case let .waitingToJoin(hold): hold
        }
    }

    /// The next instant at which the shown aspect changes, and to what, as
    /// far as the program knows now. Also the instants at which the waiting
    /// program must look again (`aspect` equal to the shown one then).
    public func nextChange(after now: LocalInstant, plan: PlanView?) -> (at: LocalInstant, aspect: Aspect)? {
        switch program {
        case .steady:
            return nil
        case let .finishingGreen(until, _):
            return (until, .amber)
        case let .clearing(until, then):
            return (clearingEnd(until, plan: plan), Self.needsAllRed(before: then) ? .red : then)
        case let .allRed(until, then):
            return (until, then)
        case let .preparing(until):
            return (until, plan?.aspectAt(until) ?? .green)
        case .following:
            return plan?.nextChangeAfter(now)
        case let .waitingToJoin(hold):
            // Re-examine at the plan's next change; the shown aspect may stay.
            guard let next = plan?.nextChangeAfter(now) else { return nil }
            return (next.at, next.aspect == .red || next.aspect == .redAmber ? next.aspect : hold)
        }
    }
}
