import JunctionCore

/// Holds an aspect that began late for its full minimum, instead of letting
/// the next change, on time, trip the signal monitor.
///
/// Why: the timing thread can run late. A stalled process or VM (11.2 ms
/// was seen in the namespace rehearsal) makes a change reach the lamp late,
/// so the aspect it began is short of its minimum when the next change
/// comes on time, and the monitor rightly refuses that: the head flashed
/// red for a scheduling hiccup. Waiting is legal, and within limits safe:
/// - a green that starts late (a red+amber held) endangers no one, so that
///   hold has no limit;
/// - an amber held past its instant makes this head's red late, which eats
///   into the all-red before a conflicting green (the intergreen, from the
///   end of this green, is kept). At most a quarter of the all-red is spent
///   on it (the budget the agents' clock error has too); beyond that the
///   monitor decides, as before;
/// - a green is never held: that would shorten the intergreen itself. A
///   green that began late and would end short of its minimum (a plan whose
///   green is its minimum) trips the monitor, as before: intergreen first.
///
/// The monitor is unchanged and still trusts nothing: the hold only delays
/// an offer until the monitor says it would accept it.
public enum LateChangeHold {
    /// Until when to keep showing what the monitor shows rather than offer
    /// `wanted` now; nil to offer it now.
    public static func until(
        offering wanted: Aspect, to monitor: SignalMonitor, at now: LocalInstant, allRedNanos: Int64
    ) -> LocalInstant? {
        guard monitor.shown != .green, let from = monitor.acceptsFrom(wanted, at: now), from > now else { return nil }
        let budget = wanted == .green ? Int64.max : max(0, allRedNanos) / 4
        return from - now <= budget ? from : nil
    }
}
