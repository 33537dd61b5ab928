import Coordinator
import JunctionCore
import Protocol

/// The events a coordinator can tell from its agents' reports and its own notes.
///
/// Why from reports: the coordinator keeps the junction's merged log without
/// any new message: each report carries the head's aspect, the agent's state
/// and whom it follows, so comparing an agent's report with its previous one
/// shows every change. The instant is the report's send time on the
/// timebase, at most one report interval (100 ms) after the change itself;
/// the agent's own `/events` has the exact instant. Pure.
enum ReportChanges {
    /// What changed between an agent's previous report (nil for its first)
    /// and this one. A first report records where the agent stands.
    static func events(before: Report?, after report: Report, plan: SignalPlan?) -> [JunctionEvent] {
        let time = report.timebaseAtSend?.nanos
        let ordinal = Int(report.ordinal)
        let headName = report.head.map { "\($0.junction)/\($0.group)" } ?? "-"
        let first = before == nil
        var out: [JunctionEvent] = []
        if let head = report.head, first || before?.head?.aspect != head.aspect || before?.head?.group != head.group {
            out.append(.aspect(head.aspect, timeNanos: time, head: headName, group: plan?.groupIndex(named: head.group), ordinal: ordinal,
                               note: first ? "\(head.aspect) (first report)" : ""))
        }
        if first || before?.state != report.state {
            let from = before.map { "\($0.state) -> " } ?? "first report: "
            out.append(JunctionEvent(timeNanos: time, head: headName, code: .stateChange, parameter: Int64(report.state.rawValue),
                                     ordinal: ordinal, note: "\(from)\(report.state)"))
        }
        if report.sourceCoordinatorID != 0,
           first || before?.sourceCoordinatorID != report.sourceCoordinatorID || before?.sourceTerm != report.sourceTerm {
            out.append(JunctionEvent(timeNanos: time, code: .sourceChange, parameter: Int64(clamping: report.sourceTerm), ordinal: ordinal,
                                     note: "following coordinator \(String(report.sourceCoordinatorID, radix: 16)) term \(report.sourceTerm)"))
        }
        return out
    }

    /// The event for one of the coordinator's own notes; `time` is its timebase now.
    static func event(for note: CoordinatorNote, time: Int64, coordinatorID: UInt64) -> JunctionEvent? {
        let me = String(coordinatorID, radix: 16)
        switch note {
        case let .adopted(offset, agents, term):
            return JunctionEvent(timeNanos: time, code: .coordinatorServing, parameter: Int64(clamping: term),
                                 note: "coordinator \(me) serving term \(term): adopted the timebase of \(agents) agents (offset \(offset) ns)")
        case let .startedOwnTimebase(term):
            return JunctionEvent(timeNanos: time, code: .coordinatorServing, parameter: Int64(clamping: term),
                                 note: "coordinator \(me) serving term \(term) on its own clock (no locked agent heard)")
        case let .agentJoined(instance, ordinal):
            return JunctionEvent(timeNanos: time, code: .agentJoined, parameter: Int64(ordinal), ordinal: Int(ordinal),
                                 note: "agent \(ordinal) instance \(String(instance, radix: 16))")
        case let .agentForgotten(instance):
            return JunctionEvent(timeNanos: time, code: .agentForgotten, note: "agent instance \(String(instance, radix: 16)) silent: forgotten")
        case let .planScheduled(id, name, activation):
            return JunctionEvent(timeNanos: activation.nanos, code: .planChange, parameter: Int64(id & 0xFFFF_FFFF),
                                 note: "plan \(String(id, radix: 16)) \"\(name)\"")
        case let .planRefused(reason):
            return JunctionEvent(timeNanos: time, code: .planRefused, note: reason)
        case let .plan(event):
            return JunctionEvent(timeNanos: time, code: .planChange, note: "\(event)")
        case let .planLearned(id, name):
            return JunctionEvent(timeNanos: time, code: .planChange, note: "plan \(String(id, radix: 16)) \"\(name)\" learned from the agents")
        case let .silentHead(text):
            return JunctionEvent(timeNanos: time, code: .flashCommanded, parameter: 2, note: text)
        case let .conflict(text):
            return JunctionEvent(timeNanos: time, code: .flashCommanded, parameter: 1, note: text)
        case .goodbyeSent:
            return JunctionEvent(timeNanos: time, code: .coordinatorStopped, note: "coordinator \(me) said goodbye")
        }
    }
}
