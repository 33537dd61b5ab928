import JunctionCore
import Protocol

/// An agent's last word: what it tells the coordinators as it stops.
///
/// Why: a head that falls silent stops its junction (flashing red), because
/// a dead agent's lamp may be frozen on green. A graceful stop (SIGTERM, a
/// rolling update) falls silent too, but its lamp is known: so the agent
/// keeps reporting while it clears a green through amber, and once its lamp
/// shows the shutdown aspect it says so (`Report.stopped`). A coordinator
/// then lets the rest of the junction run beside a steady red.
extension AgentCore {
    /// Copies of the last word, sent back to back like a coordinator's
    /// goodbye: one lost datagram must not stop the junction.
    public static var finalReportRepeats: Int { 3 }

    /// A report while the shutdown clears a green (the head shows amber), to
    /// the followed coordinator and to every coordinator address, so that
    /// the amber, longer than the silence a coordinator tolerates, is not
    /// taken for a death. Send one every `reportIntervalNanos`.
    public mutating func clearingReports(now: LocalInstant) -> [AgentSend<Address>] {
        reportEverywhere(report(now: now))
    }

    /// The last word, once the lamp shows `aspect` (the shutdown aspect)
    /// for good: `finalReportRepeats` reports saying `stopped` with that
    /// aspect as the head's, each to the followed coordinator and to every
    /// coordinator address, each sealed on its own (a repeated sequence
    /// number would be refused as a replay).
    public mutating func finalReports(now: LocalInstant, aspect: Aspect) -> [AgentSend<Address>] {
        var last = report(now: now)
        last.head?.aspect = aspect
        last.stopped = true
        // Out of the plan by its own decision means flashing red; a stopped
        // head shows what `stopped` says instead.
        last.outOfPlan = false
        return (0..<Self.finalReportRepeats).flatMap { _ in reportEverywhere(last) }
    }

    /// `report` sealed for the followed coordinator (at the address its
    /// ticks come from), and for any coordinator, to every address.
    private mutating func reportEverywhere(_ report: Report) -> [AgentSend<Address>] {
        var sends: [AgentSend<Address>] = []
        if let current = sources.current, let address = sourceAddresses[current.id] {
            sends.append(seal(.report(report), to: current.id, at: .peer(address)))
        }
        sends.append(seal(.report(report), to: Wire.anyRecipient, at: .allCoordinators))
        return sends
    }
}
