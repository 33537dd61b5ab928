import JunctionCore
import Protocol

/// When a fresh agent may start following a coordinator (rule 10), and how
/// it answers solicits.
///
/// Why: an agent with no timebase trusts the first timebase it follows
/// completely; its inbox cannot check a tick's freshness against an
/// estimate it does not have. Authentication proves a coordinator sent the
/// tick, not that the coordinator is alive and serving now. A tick that
/// echoes one of this agent's own recent reports (sent in the last 5 s,
/// addressed to that coordinator) does: only a live coordinator that heard
/// this very process can have made it. Until then the agent reports to the
/// candidate (so the echo comes) but does not follow it.
///
/// The same type answers solicits: at once, to the address the solicit came
/// from, at most once per coordinator per 25 ms: half the fastest solicit
/// round, so jitter never makes an agent skip a round, and a replayed
/// solicit costs a report, no more.
public struct FollowGate: Sendable {
    public static var recentNanos: Int64 { 5 * .nanosPerSecond }
    public static var answerSpacingNanos: Int64 { 25 * .nanosPerMillisecond }
    /// Bound on remembered reports and coordinators.
    static let maximumReports = 256
    static let maximumCoordinators = SourceSelector.maximumSources

    /// Addressed reports sent lately: to whom and their t1, oldest first.
    private var sent: [(coordinator: UInt64, t1: LocalInstant)] = []
    /// Coordinators heard but not yet followed, and when last heard.
    public private(set) var candidates: [UInt64: LocalInstant] = [:]
    private var lastAnswer: [UInt64: LocalInstant] = [:]

    public init() {}

    /// Notes a report sent to `coordinator` (not to "any").
    public mutating func sent(reportAt t1: LocalInstant, to coordinator: UInt64) {
        guard coordinator != Wire.anyRecipient else { return }
        sent.removeAll { t1 - $0.t1 > Self.recentNanos }
        if sent.count >= Self.maximumReports { sent.removeFirst(sent.count - Self.maximumReports + 1) }
        sent.append((coordinator, t1))
    }

    /// Whether `echo` answers a report this agent sent to `coordinator` in
    /// the last 5 s.
    public func echoes(_ echo: Echo?, from coordinator: UInt64, now: LocalInstant) -> Bool {
        guard let echo, now - echo.reportSentAt <= Self.recentNanos, echo.reportSentAt <= now else { return false }
        return sent.contains { $0.coordinator == coordinator && $0.t1 == echo.reportSentAt }
    }

    /// A coordinator heard but not followed yet: report to it until it echoes.
    public mutating func candidate(_ coordinator: UInt64, now: LocalInstant) {
        candidates[coordinator] = now
        if candidates.count > Self.maximumCoordinators, let oldest = candidates.min(by: { $0.value < $1.value }) {
            candidates[oldest.key] = nil
        }
    }

    /// Candidates heard within `timeoutNanos`, in id order (deterministic).
    public mutating func liveCandidates(now: LocalInstant, timeoutNanos: Int64) -> [UInt64] {
        candidates = candidates.filter { now - $0.value <= timeoutNanos }
        return candidates.keys.sorted()
    }

    /// Forgets the candidates (the agent follows someone).
    public mutating func followed() { candidates.removeAll() }

    /// Whether to answer a solicit from `coordinator` now (and notes it).
    public mutating func mayAnswer(_ coordinator: UInt64, now: LocalInstant) -> Bool {
        if let last = lastAnswer[coordinator], now - last < Self.answerSpacingNanos { return false }
        lastAnswer[coordinator] = now
        if lastAnswer.count > Self.maximumCoordinators, let oldest = lastAnswer.min(by: { $0.value < $1.value }) {
            lastAnswer[oldest.key] = nil
        }
        return true
    }
}
