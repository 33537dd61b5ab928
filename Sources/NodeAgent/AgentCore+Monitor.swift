import JunctionCore
import Protocol

/// How the agent composes its `SignalMonitor`: every aspect the sequencer
/// wants goes through it, and a trip makes the head leave the plan.
///
/// Why the leave: the monitor's safe path ends on flashing red, latched. The
/// agent then holds its sequencer on flashing red too, and once both show it,
/// lets the sequencer rejoin by its own join rules; the monitor is re-armed
/// only when the sequencer has joined (following or preparing), so the latch
/// lasts at least until a safe join instant of the plan.
extension AgentCore {
    /// The clearance of a retained green (`init(configuration:now:retained:)`)
    /// reached the lamps at `lit`: the sequencer and the monitor both count
    /// its amber from there, so the street sees all of it however long the
    /// first write took. The shell calls it right after that write.
    public mutating func retainedClearanceLit(at lit: LocalInstant) {
        sequencer.clearanceLit(at: lit)
        if monitor.shown == .amber { monitor.lampLit(at: lit) }
    }

    /// The goal the synchronisation state asks of the head.
    var stateGoal: HeadSequencer.Goal {
        mutating get {
            switch state {
            case .unsynced, .locking: .hold(configuration.startupAspect)
            case .locked, .holdover: commandedAspect.map { .hold($0) } ?? .followPlan
            // Flash is a junction decision: the plan's flash aspect only when
            // the whole junction is commanded into it (`noteCommand`); an agent
            // that leaves the plan on its own shows flashing red, because its
            // neighbours may still be running the plan.
            case .flash: .hold(commandedAspect ?? .flashingRed)
            }
        }
    }

    /// A tick's command from the followed coordinator: `.stop` (a head of
    /// this junction is silent, perhaps frozen on green) is flashing red;
    /// `.flash` is the plan's flash aspect.
    mutating func noteCommand(_ command: TickCommand) {
        switch command {
        case .run: break
        case .stop: commandedAspect = .flashingRed
        case .flash: commandedAspect = commandedAspect == .flashingRed ? .flashingRed : schedule.current?.plan.flashAspect ?? .flashingRed
        }
    }

    /// After a commanded flash or stop the junction re-enters the plan at
    /// its cycle start (all-red), every head at the same instant; until
    /// then the head keeps its flashing aspect.
    mutating func rejoinAfterCommand(now: LocalInstant) {
        guard let aspect = commandedAspect else { return }
        switch state {
        case .flash:
            rejoinAt = nil
            // A `.stop` arriving during a `.flash`: flashing red at once.
            if sequencer.goal != .hold(aspect) { setHeadGoal(.hold(aspect), now: now) }
        case .locked, .holdover:
            let at = rejoinAt ?? junctionCycleStart(atOrAfter: now)
            rejoinAt = at
            guard now >= at else { return }
            commandedAspect = nil
            rejoinAt = nil
            setHeadGoal(.followPlan, now: now)
        case .unsynced, .locking:
            rejoinAt = nil
        }
    }

    /// The next cycle start of this head's junction on the local clock, 1 ms
    /// late so that rounding between the scales lands inside the all-red.
    private mutating func junctionCycleStart(atOrAfter now: LocalInstant) -> LocalInstant {
        guard let current = schedule.current, let head = currentHead, let t = clock.timebase(at: now),
              let local = clock.local(at: current.plan.cycleStart(junction: head.junction, atOrAfter: t, anchor: current.anchor))
        else { return now }
        return local + 1 * .nanosPerMillisecond
    }

    /// Sets the sequencer's goal, unless the head is leaving the plan after
    /// a monitor trip (then it stays on flashing red until the leave is done).
    mutating func setHeadGoal(_ goal: HeadSequencer.Goal, now: LocalInstant) {
        guard !monitorLeaving else { return }
        sequencer.setGoal(goal, now: now, plan: planView())
    }

    /// Offers the sequencer's aspect to the monitor and carries out a trip,
    /// the end of the leave and the re-arm at the join.
    mutating func applyMonitor(now: LocalInstant, plan view: PlanView?, into output: inout AgentOutput<Address>) {
        if let view { monitor.rules = SignalMonitor.Rules(sequence: view.sequence, timing: view.timing) }
        // Each pass can change the sequencer's goal and so its aspect; three
        // passes reach a fixed point (trip, end of leave, re-arm).
        for _ in 0..<3 {
            let before = (monitor.isTripped, monitorLeaving, sequencer.shown)
            let wasTripped = monitor.isTripped
            let wanted = sequencer.shown
            heldUntil = LateChangeHold.until(offering: wanted, to: monitor, at: now, allRedNanos: view?.timing.allRedNanos ?? 0)
            if let heldUntil {
                if heldAspect != wanted {
                    heldAspect = wanted
                    counters.lateChangesHeld += 1
                    output.notes.append(.lateChangeHeld(from: monitor.shown, to: wanted, nanos: heldUntil - now))
                }
            } else {
                heldAspect = nil
                _ = monitor.offer(wanted, at: now)
            }
            if let trip = monitor.trip, !wasTripped {
                output.notes.append(.monitorTripped(trip))
                monitorLeaving = true
                sequencer.setGoal(.hold(.flashingRed), now: now, plan: view)
            }
            if monitorLeaving, monitor.shown == .flashingRed, sequencer.shown == .flashingRed {
                monitorLeaving = false
                sequencer.setGoal(stateGoal, now: now, plan: view)
            }
            if monitor.isTripped, !monitorLeaving, sequencer.hasJoinedPlan {
                monitor.rearm(at: now)
            }
            if before == (monitor.isTripped, monitorLeaving, sequencer.shown) { break }
        }
    }

    /// The core's wake-up, brought forward to the monitor's own next change.
    mutating func monitorWake(_ wake: LocalInstant, now: LocalInstant) -> LocalInstant {
        var wake = wake
        if let change = monitor.nextChange { wake = min(wake, max(change, now + 1)) }
        if let rejoinAt { wake = min(wake, max(rejoinAt, now + 1)) }
        if let heldUntil { wake = min(wake, max(heldUntil, now + 1)) }
        return wake
    }

    /// Starts a shutdown (SIGTERM): a green shows its full amber, then
    /// `final`; anything else takes `final` at once. Returns the aspect to
    /// show now and the instant from which `final` may be shown.
    public mutating func beginShutdown(now: LocalInstant, finally final: Aspect) -> (aspect: Aspect, finalAt: LocalInstant) {
        let finalAt = monitor.stop(at: now, finally: final)
        return (monitor.shown, finalAt)
    }
}

extension HeadSequencer {
    /// True once the sequencer has joined the plan (it follows it, or shows
    /// the red+amber before a joined green).
    var hasJoinedPlan: Bool {
        switch program {
        case .following, .preparing: true
        default: false
        }
    }
}
