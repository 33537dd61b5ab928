import JunctionCore

/// How the agent composes its `SignalMonitor`: every aspect the sequencer
/// wants goes through it, and a trip makes the head leave the plan.
///
/// Why the leave: the monitor's safe path ends on flashing red, latched. The
/// agent then holds its sequencer on flashing red too, and once both show it,
/// lets the sequencer rejoin by its own join rules; the monitor is re-armed
/// only when the sequencer has joined (following or preparing), so the latch
/// lasts at least until a safe join instant of the plan.
extension AgentCore {
    /// The goal the synchronisation state asks of the head.
    var stateGoal: HeadSequencer.Goal {
        switch state {
        case .unsynced, .locking: .hold(configuration.startupAspect)
        case .locked, .holdover: .followPlan
        case .flash: .hold(schedule.current?.plan.flashAspect ?? .flashingRed)
        }
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
            _ = monitor.offer(sequencer.shown, at: now)
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
    func monitorWake(_ wake: LocalInstant, now: LocalInstant) -> LocalInstant {
        guard let change = monitor.nextChange else { return wake }
        return min(wake, max(change, now + 1))
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
