import JunctionCore
import NodeAgent
import Coordinator

/// A killed agent's lamp, and the checker that nothing conflicting runs
/// against it.
///
/// Why: on a Raspberry Pi a SIGKILLed (or OOM-killed) agent leaves its lines
/// driven, so the head keeps its last aspect until a successor starts. The
/// trace therefore goes on through the kill (it does not go dark), and if
/// the head froze on green, the coordinator must stop its junction: from
/// `silentHeadNanos` + `frozenGreenMarginNanos` after the kill until the
/// restart, no head that conflicts with it may show green or amber.
struct FrozenHead {
    var agent: Int
    var traceKey: ClusterSimulation.TraceKey
    var junction: Int
    var group: Int
    var aspect: Aspect
    var fromNanos: Int64
    var untilNanos: Int64?
}

extension ClusterSimulation {
    /// What the checker allows after the coordinator's silence threshold
    /// (1.5 s from the last report it received, which is at most one report
    /// interval before the kill, so the stop is decided ≤ 1.5 s after it):
    /// the tick round that carries `.stop` (≤ 100 ms), delivery (≤ 6 ms of
    /// delay and jitter here), and up to 8 consecutive rounds lost at the
    /// sweep's worst 30 % loss (0.3^8 ≈ 7·10⁻⁵ per agent). 1 s covers that.
    /// Conflicting heads are red while the frozen head is green, and the
    /// plan gives them green no sooner than amber + all-red after it (≥ 4 s
    /// with the hard floors), so a stop inside this margin keeps them red.
    static let frozenGreenMarginNanos: Int64 = 1 * .nanosPerSecond

    mutating func freezeHead(_ i: Int, core: AgentCore<Int>) {
        guard let key = agents[i].traceKey else { return }
        frozenHeads.append(FrozenHead(agent: i, traceKey: key, junction: key.junction, group: key.group, aspect: agents[i].aspect,
                                      fromNanos: now - Self.epochNanos))
    }

    /// The lamp a restarting agent finds lit; ends its freeze.
    mutating func thawHead(_ i: Int) -> FrozenHead? {
        guard let k = frozenHeads.lastIndex(where: { $0.agent == i && $0.untilNanos == nil }) else { return nil }
        frozenHeads[k].untilNanos = now - Self.epochNanos
        return frozenHeads[k]
    }

    /// The successor drives the same lamp: the frozen trace ends and the
    /// successor's begins now (its clearance is checked as its own; the
    /// frozen green's length is the fault's, not a plan change).
    mutating func traceRestart(_ i: Int, _ frozen: FrozenHead) {
        let key = TraceKey(agent: i, incarnation: agents[i].incarnation, junction: frozen.junction, group: frozen.group)
        traceEnds[frozen.traceKey] = now - Self.epochNanos
        let shown = agents[i].core?.sequencer.shown ?? frozen.aspect  // what its first output shows
        agents[i].traceKey = key
        agents[i].aspect = shown
        traces[key] = HeadTrace(head: "agent\(i)#\(key.incarnation)", group: key.group,
                                changes: [.init(atNanos: now - Self.epochNanos, aspect: shown)])
    }

    /// Frozen heads in the double fault (README): their lamps are not
    /// judged against the rest of the junction after the kill.
    func doubleFaultTraceEnds() -> [(TraceKey, Int64)] {
        frozenHeads.compactMap { frozen in
            let until = frozen.untilNanos ?? scenario.durationNanos
            return coordinatorFaultOverlaps((frozen.fromNanos - 2 * .nanosPerSecond)..<until) ? (frozen.traceKey, frozen.fromNanos) : nil
        }
    }

    /// The frozen-head invariant, over every head frozen on green.
    mutating func checkFrozenHeads(byJunction: [Int: [HeadTrace]]) {
        let silent = SilentHeadWatch().silentHeadNanos
        for frozen in frozenHeads where frozen.aspect == .green {
            let from = frozen.fromNanos + silent + Self.frozenGreenMarginNanos
            let until = frozen.untilNanos ?? scenario.durationNanos
            guard from < until, !coordinatorFaultOverlaps(frozen.fromNanos - 2 * .nanosPerSecond..<until) else { continue }
            report.frozenGreenHeadsChecked += 1
            for trace in byJunction[frozen.junction] ?? [] where !trace.head.hasPrefix("agent\(frozen.agent)#") {
                guard conflicts(frozen.group, trace.group), let shown = permissive(trace, in: from..<until) else { continue }
                report.violate("frozen-green", "\(trace.head) (\(plan.groups[trace.group])) showed \(shown.aspect) at \(formatSeconds(shown.atNanos)) while agent \(frozen.agent)'s head (\(plan.groups[frozen.group])) was frozen on green since \(formatSeconds(frozen.fromNanos))", atNanos: shown.atNanos)
            }
        }
    }

    private func conflicts(_ a: Int, _ b: Int) -> Bool {
        plan.conflicts.contains { ($0.first == a && $0.second == b) || ($0.first == b && $0.second == a) }
    }

    /// The first green or amber a trace shows within `window`, if any.
    private func permissive(_ trace: HeadTrace, in window: Range<Int64>) -> HeadTrace.Change? {
        let traceEnd = trace.endNanos ?? .max
        for (k, change) in trace.changes.enumerated() where change.aspect == .green || change.aspect == .amber {
            let next = k + 1 < trace.changes.count ? trace.changes[k + 1].atNanos : traceEnd
            let shown = change.atNanos..<min(next, traceEnd)
            if !shown.isEmpty && shown.overlaps(window) {
                return HeadTrace.Change(atNanos: max(change.atNanos, window.lowerBound), aspect: change.aspect)
            }
        }
        return nil
    }

    /// The double fault the design does not cover (README): the coordinator
    /// that heard the agent gone too (an outage, a stop, a handover to a
    /// second coordinator) or the other agents cut off from it (a partition).
    private func coordinatorFaultOverlaps(_ span: Range<Int64>) -> Bool {
        let settle: Int64 = 10 * .nanosPerSecond
        var faults: [Range<Int64>] = []
        for o in scenario.coordinatorOutages { faults.append(o.atNanos..<(o.atNanos + o.downNanos + settle)) }
        for stop in scenario.coordinatorStops { faults.append(stop.atNanos..<(stop.atNanos + settle)) }
        if let s = scenario.secondCoordinatorAtNanos { faults.append(s..<(s + settle)) }
        for p in scenario.network.partitions { faults.append(p.startNanos..<(p.endNanos + settle)) }
        return faults.contains { $0.overlaps(span) }
    }
}
