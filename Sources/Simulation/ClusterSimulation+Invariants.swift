import JunctionCore
import NodeAgent
import Coordinator

/// The outside view: what each head showed in true time, how far each
/// agent's clock was from its coordinator's, and the invariants over both.
extension ClusterSimulation {
    mutating func observeAgent(_ i: Int, local: LocalInstant, stateBefore: SyncState, output: AgentOutput<Int>, view core: AgentView) {
        let t = now - Self.epochNanos
        for note in output.notes {
            switch note {
            case .stateChanged, .planMismatch: report.note("agent \(i): \(note)", atNanos: t)
            case let .monitorTripped(trip):
                report.monitorTripLog.append((i, t, trip.violation.rawValue))
                report.note("agent \(i): \(note)", atNanos: t)
            default: break
            }
        }
        if core.state != stateBefore { accountState(i, stateBefore) }
        if core.state == .locked, agents[i].lockedSince == nil {
            agents[i].lockedSince = now
            if !agents[i].everLocked, let first = agents[i].firstTickAt { report.lockDelaysNanos.append(now - first) }
            if !agents[i].everLocked { agents[i].firstLockedAt = now - Self.epochNanos }
            agents[i].everLocked = true
        }
        if core.state != .locked { agents[i].lockedSince = nil } else { agents[i].lastLockedAt = now }
        if core.state == .flash && stateBefore != .flash { report.flashEntries += 1 }
        if stateBefore == .flash && core.state != .flash { report.flashExits += 1 }
        if let first = agents[i].firstTickAt {
            let onPlan = core.program == .following
            let waitingSafely = core.goal == .followPlan && core.program == .waitingToJoin(hold: .red)
            if report.joinDelaysNanos[i] == nil, onPlan || waitingSafely { report.joinDelaysNanos[i] = now - first }
            if !agents[i].joinMeasured, onPlan {
                agents[i].joinMeasured = true
                report.followDelaysNanos[i] = now - first
            }
        }
        if let followed = core.sourceID { followedCoordinators.insert(followed) }
        let source = core.sourceID ?? agents[i].followed
        let reference = source == 0 ? nil : timebase(ofCoordinatorWithID: source)
        checkClock(i, core: core, local: local, reference: reference, source: source, stateBefore: stateBefore)
        recordAspect(i, core: core, aspect: output.aspect, reference: reference)
    }

    /// Clock error, bound honesty, and the flash-before-unsafe invariant.
    private mutating func checkClock(_ i: Int, core: AgentView, local: LocalInstant, reference: Int64?, source: UInt64, stateBefore: SyncState) {
        guard let reference, let estimate = core.estimate else { return }
        if agents[i].followed != source {
            // Only a timebase the agent held (locked, or in holdover) can be
            // stepped: a locking agent has none yet, and one that hears two
            // coordinators of different timebases (the agents' memory died
            // with them) may take either.
            let held = stateBefore == .locked || stateBefore == .holdover
            if held, agents[i].followed != 0, let old = timebase(ofCoordinatorWithID: agents[i].followed) {
                report.largestSourceStepNanos = max(report.largestSourceStepNanos, abs(reference - old))
                if report.sourceSteps[source] == nil { report.sourceSteps[source] = reference - old }
                agents[i].switchedAt = now - Self.epochNanos
            }
            agents[i].followed = source
        }
        let error = abs(estimate.nanos - reference)
        let bound = core.errorBoundNanos
        // A locking agent that shows the plan acts on its bound too.
        let following = core.state == .locked || core.state == .holdover
            || (core.state == .locking && core.goal == .followPlan)
        if core.state == .locked {
            if error > report.clockError.maxNanos { report.clockErrorMaxAt = (now - Self.epochNanos, i) }
            report.clockError.record(error)
            if let switched = agents[i].switchedAt, now - Self.epochNanos - switched < SimulationReport.afterSwitchNanos {
                report.clockErrorAfterSwitch.record(error)
            }
        }
        if core.state == .holdover { report.holdoverError.record(error) }
        if let current = core.plan, current.id != agents[i].planID {
            agents[i].planID = current.id
            report.planSwitches[current.id, default: [:]][i] = current.anchor.nanos
        }
        if following && error > bound {
            report.violate("dishonest-bound", "agent \(i) error \(error) ns over its bound \(bound) ns", atNanos: now - Self.epochNanos)
        }
        let allRed = plan.timing.allRedNanos
        if following && error * 4 > allRed {
            report.violate("unsafe-following", "agent \(i) follows the plan with error \(error) ns, over a quarter of all-red", atNanos: now - Self.epochNanos)
        }
    }

    /// Records a change of aspect at true time, for the conflict monitor and
    /// the lockstep skew.
    private mutating func recordAspect(_ i: Int, core: AgentView, aspect: Aspect, reference: Int64?) {
        // Traces are keyed by the scenario's wiring (the head board i shows),
        // not by what the agent believes it shows.
        let key = agents[i].wiring.map { TraceKey(agent: i, incarnation: agents[i].incarnation, junction: $0.junction, group: $0.group) }
        if key != agents[i].traceKey {
            var since = now - Self.epochNanos
            if let old = agents[i].traceKey {
                traceEnds[old] = now - Self.epochNanos
                // The same lamp, now known to its restarted agent: the aspect
                // it shows began under the old trace.
                if let key, old.junction == key.junction, old.group == key.group,
                   let last = traces[old]?.changes.last, last.aspect == aspect { since = last.atNanos }
            }
            agents[i].traceKey = key
            if let key {
                traces[key] = HeadTrace(head: "agent\(i)#\(key.incarnation)", group: key.group,
                                        changes: [.init(atNanos: since, aspect: aspect)])
                agents[i].aspect = aspect
                return
            }
        }
        guard aspect != agents[i].aspect else { return }
        agents[i].aspect = aspect
        report.transitions += 1
        if let key { traces[key]?.changes.append(.init(atNanos: now - Self.epochNanos, aspect: aspect)) }
        if let key, let reference {
            let following = core.program == .following && core.state != .unsynced && core.state != .flash
            timebaseTraces[key, default: []].append((reference, aspect, following, now - Self.epochNanos))
        }
        // Lockstep: a plan change made by a locked agent, keyed by the
        // millisecond of the timebase it belongs to.
        guard core.state == .locked, core.program == .following, let reference else { return }
        let grid = (reference + 500_000) / 1_000_000 * 1_000_000
        let error = reference - grid
        var entry = pendingSkews[grid] ?? (error, error, 0)
        entry = (min(entry.low, error), max(entry.high, error), entry.count + 1)
        pendingSkews[grid] = entry
        flushSkews(olderThan: reference - 10 * .nanosPerSecond)
    }

    private mutating func flushSkews(olderThan limit: Int64) {
        for (grid, entry) in pendingSkews where grid < limit {
            pendingSkews[grid] = nil
            guard entry.count >= 2 else { continue }
            let skew = entry.high - entry.low
            report.changeSkew.record(skew)
            if skew > scenario.targetSkewNanos {
                report.violate("lockstep", "\(entry.count) agents made the change at timebase \(grid) within \(skew) ns, over the \(scenario.targetSkewNanos) ns target", atNanos: now - Self.epochNanos)
            }
        }
    }

    mutating func accountState(_ i: Int, _ previous: SyncState) {
        let span = now - agents[i].lastStateChangeAt
        report.aliveNanos += span
        if previous == .locked { report.lockedNanos += span }
        agents[i].lastStateChangeAt = now
    }

    /// End of run: close accounting, run the conflict monitor over every
    /// junction, and check liveness (everyone locked again after the faults).
    mutating func finish() {
        flushSkews(olderThan: .max)
        for i in agents.indices { if let core = agents[i].core { accountState(i, core.state) } }
        let end = scenario.durationNanos
        for (key, end) in doubleFaultTraceEnds() { traceEnds[key] = min(traceEnds[key] ?? .max, end) }
        var byJunction: [Int: [HeadTrace]] = [:]
        for (key, var trace) in traces {
            trace.endNanos = traceEnds[key]
            byJunction[key.junction, default: []].append(trace)
        }
        let monitor = ConflictMonitor(plan: plan)
        for (junction, list) in byJunction.sorted(by: { $0.key < $1.key }) {
            for v in monitor.check(junction: junction, traces: list, window: 0..<end, toleranceNanos: 5 * .nanosPerMillisecond) {
                report.violate("monitor", v.description, atNanos: v.atNanos)
            }
        }
        history.settle(followed: followedCoordinators)
        checkTransitionsAgainstPlan()
        checkFrozenHeads(byJunction: byJunction)
        checkNoBlip()
        for i in agents.indices { report.monitorTrips += agents[i].core?.monitor.tripCount ?? 0 }
        if end - scenario.lastFaultEndNanos >= scenario.recoveryNanos {
            // Under steady loss an agent can miss every sample for a second
            // and pass through holdover (its lights run on): recovered means
            // locked at the end, or in holdover with lock in the last 5 s.
            let grace = 5 * Int64.nanosPerSecond
            // A head that left service with its state unknown to the
            // coordinators (frozen by a kill and never started again, its
            // pod deleted meanwhile; or stopped with its last word lost, as
            // across a partition) is presumed green for good: its junction
            // flashing red to the end is the safe answer.
            var heldStopped = Set(frozenHeads.filter { $0.untilNanos == nil }.map(\.junction))
            for agent in agents where agent.removed && !agent.lastWordHeard { if let head = agent.wiring { heldStopped.insert(head.junction) } }
            for i in agents.indices where agents[i].core != nil && agents[i].core?.state != .locked {
                if agents[i].core?.state == .holdover, let last = agents[i].lastLockedAt, now - last <= grace { continue }
                if agents[i].core?.state == .flash, let junction = agents[i].wiring?.junction, heldStopped.contains(junction) { continue }
                report.violate("no-recovery", "agent \(i) is \(agents[i].core!.state), not locked \(formatSeconds(scenario.recoveryNanos)) after the last fault", atNanos: end)
            }
        }
    }

    /// The faults the junction promises to ride through without a blip: a
    /// coordinator killed, replaced or rolled (at a new address, its node's
    /// wall clock stepped or its CLOCK_MONOTONIC slewed), plan edits at any
    /// moment, agents added, loss, delay and drift. With none of the others
    /// (a partition, an agent killed, stalled, slewed or removed), no head
    /// that has locked may flash: judged from the lamps, in true time.
    var promisesNoBlip: Bool {
        scenario.network.partitions.isEmpty && scenario.agentKills.isEmpty && scenario.agentStalls.isEmpty
            && scenario.agentSlews.isEmpty && scenario.agentRemovals.isEmpty
            && !scenario.coordinatorsTickMonotonic && !scenario.agentsDisciplineMonotonic
    }

    mutating func checkNoBlip() {
        guard promisesNoBlip else { return }
        for (key, trace) in traces.sorted(by: { ($0.key.agent, $0.key.incarnation) < ($1.key.agent, $1.key.incarnation) }) {
            guard let locked = agents[key.agent].firstLockedAt,
                  let flash = trace.changes.first(where: { $0.aspect.isFlashing && $0.atNanos > locked }) else { continue }
            report.violate("blip", "agent \(key.agent) showed \(flash.aspect) at \(formatSeconds(flash.atNanos)), locked since \(formatSeconds(locked)), with no fault that excuses it",
                           atNanos: flash.atNanos)
        }
    }

    /// The head board (agent) i is wired to, in the plan `anchored` (the
    /// scenario's plans keep their heads, so the scenario's first plan's
    /// wiring holds for all of them).
    func wiring(_ i: Int, in anchored: SignalPlan? = nil) -> HeadAssignment? {
        (anchored ?? plan).head(board: nil, ordinal: i)
    }

    /// No missed and no extra transitions: while a head follows the plan, its
    /// changes on the timebase are exactly those of the plan in force by the
    /// scenario's own plan history (across plan changes too), each within 5 ms.
    private mutating func checkTransitionsAgainstPlan() {
        let tolerance = 5 * Int64.nanosPerMillisecond
        for (key, changes) in timebaseTraces.sorted(by: { ($0.key.agent, $0.key.incarnation) < ($1.key.agent, $1.key.incarnation) }) {
            let agent = key.agent
            let resolve: PlanSchedule.HeadResolver = { $0.plan.head(board: nil, ordinal: agent) }
            var run: [(timebase: Int64, aspect: Aspect, following: Bool, trueNanos: Int64)] = []
            for change in changes + [(timebase: Int64.max, aspect: Aspect.off, following: false, trueNanos: Int64.max)] {
                if change.following { run.append(change); continue }
                if run.count >= 2 { compare(run, resolve: resolve, tolerance: tolerance, agent: key.agent) }
                run.removeAll()
            }
        }
    }

    private mutating func compare(_ run: [(timebase: Int64, aspect: Aspect, following: Bool, trueNanos: Int64)],
                                  resolve: PlanSchedule.HeadResolver, tolerance: Int64, agent: Int) {
        // The plans in force since a fresh start: that of the last one before
        // the run, or of an earlier one (a head partitioned through a fresh
        // start on another timebase keeps its own epoch); the one that
        // explains the run best is held to it.
        let observed = Array(run.dropFirst())
        var best: (mismatch: Int, ideal: [(Int64, Aspect)])?
        for epoch in history.epochs(before: run[run.count - 1].trueNanos) {
            let ideal = idealChanges(run, epoch: epoch, resolve: resolve, tolerance: tolerance)
            let mismatch = firstMismatch(observed, ideal, tolerance: tolerance)
            if mismatch == nil { return }
            if best == nil || mismatch! > best!.mismatch { best = (mismatch!, ideal) }
        }
        let ideal = best?.ideal ?? []
        let k = best?.mismatch ?? 0
        let seen = k < observed.count ? observed[k] : nil
        let expected = k < ideal.count ? ideal[k] : nil
        let seenText = seen.map { "\($0.aspect) at \(formatSeconds($0.timebase - Self.epochNanos))" } ?? "nothing"
        let expectedText = expected.map { "\($0.1) at \(formatSeconds($0.0 - Self.epochNanos))" } ?? "nothing"
        report.violate(seen == nil ? "missed-transition" : (expected == nil ? "extra-transition" : "wrong-transition"),
                       "agent \(agent) showed \(seenText) where the plan has \(expectedText) (change \(k + 1) of \(ideal.count))",
                       atNanos: now - Self.epochNanos)
    }

    private func idealChanges(_ run: [(timebase: Int64, aspect: Aspect, following: Bool, trueNanos: Int64)],
                              epoch: [PlanHistory.Entry], resolve: PlanSchedule.HeadResolver, tolerance: Int64) -> [(Int64, Aspect)] {
        var ideal: [(Int64, Aspect)] = []
        let join = run[0]
        var t = TimebaseInstant(nanos: join.timebase - tolerance)
        let last = run[run.count - 1].timebase
        while let next = history.nextChange(after: t, in: epoch, resolve: resolve), next.at.nanos <= last + tolerance {
            ideal.append((next.at.nanos, next.aspect))
            t = next.at
        }
        // A change within the tolerance of the join that shows what the
        // head joined on is the join itself, not one expected after it. One
        // that shows something else is expected: a head that joined on red
        // 1 ms before the plan's red-amber must show that red-amber (the
        // window once started 5 ms after the join and skipped it, judging
        // the head wrong for showing it: sweep seed 3659).
        while let first = ideal.first, abs(first.0 - join.timebase) <= tolerance, first.1 == join.aspect { ideal.removeFirst() }
        return ideal
    }

    /// The index of the first change that differs, or nil when all match.
    private func firstMismatch(_ observed: [(timebase: Int64, aspect: Aspect, following: Bool, trueNanos: Int64)],
                               _ ideal: [(Int64, Aspect)], tolerance: Int64) -> Int? {
        for k in 0..<max(observed.count, ideal.count) {
            guard k < observed.count, k < ideal.count, observed[k].aspect == ideal[k].1,
                  abs(observed[k].timebase - ideal[k].0) <= tolerance else { return k }
        }
        return nil
    }
}

/// What the checker reads of an agent after each event, read once: copying
/// a whole `AgentCore` out of the array for it cost more than the event.
struct AgentView {
    var state: SyncState
    var program: HeadSequencer.Program
    var goal: HeadSequencer.Goal
    var sourceID: UInt64?
    var estimate: TimebaseInstant?
    var errorBoundNanos: Int64
    var plan: PlanIdentity?

    /// Read through `inout`: the core's readers are `mutating` (see
    /// `AgentCore.errorBoundNanos(at:)`), so that reading it copies nothing.
    init(_ core: inout AgentCore<Int>, local: LocalInstant) {
        state = core.state
        program = core.sequencer.program
        goal = core.sequencer.goal
        sourceID = core.sources.current?.id
        estimate = core.clock.timebase(at: local)
        errorBoundNanos = core.errorBoundNanos(at: local)
        plan = core.schedule.current?.identity
    }
}
