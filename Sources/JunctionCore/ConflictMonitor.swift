/// An independent safety check of what heads show over time.
///
/// It knows nothing of how timelines are built: it reads sequences of aspect
/// changes (from a plan's timelines, or from what simulated or real agents
/// actually showed, in true time) and checks the rules a driver relies on.
/// Validation runs it over every plan, and the cluster tests run it over the
/// recorded output of every agent.
public struct ConflictMonitor: Sendable {
    public let plan: SignalPlan

    public init(plan: SignalPlan) { self.plan = plan }

    /// Checks one junction's heads over `window`. Spans cut by the window's
    /// edges are not held to minimum durations. `toleranceNanos` loosens only
    /// the duration rules (intergreen, amber, minimum green), for heads on
    /// different boards whose clocks agree to within that much; overlapping
    /// conflicting greens are never tolerated.
    public func check(junction: Int, traces: [HeadTrace], window: Range<Int64>,
                      toleranceNanos: Int64 = 0) -> [MonitorViolation] {
        var violations: [MonitorViolation] = []
        for trace in traces {
            violations += checkSequence(junction: junction, trace: trace, window: window, toleranceNanos: toleranceNanos)
        }
        violations += checkConflicts(junction: junction, traces: traces, window: window, toleranceNanos: toleranceNanos)
        return violations
    }

    /// Checks the plan's own timelines over three cycles of one junction (all
    /// junctions share the timelines and differ only by offset).
    public func checkPlanTimelines() -> [MonitorViolation] {
        let cycle = plan.cycleNanos
        let traces = plan.timelines.enumerated().map { g, timeline in
            var changes: [HeadTrace.Change] = []
            for k in 0..<3 {
                for segment in timeline.segments {
                    let at = Int64(k) * cycle + segment.startNanos
                    if changes.last?.aspect != segment.aspect { changes.append(.init(atNanos: at, aspect: segment.aspect)) }
                }
            }
            return HeadTrace(head: plan.groups[g], group: g, changes: changes)
        }
        return check(junction: 0, traces: traces, window: 0..<(3 * cycle))
    }

    private func checkSequence(junction: Int, trace: HeadTrace, window: Range<Int64>,
                               toleranceNanos: Int64) -> [MonitorViolation] {
        var out: [MonitorViolation] = []
        let changes = trace.changes.filter { $0.atNanos <= (trace.endNanos ?? .max) }
        for (i, change) in changes.enumerated() where i > 0 {
            let previous = changes[i - 1]
            let previousStartsInWindow = previous.atNanos > window.lowerBound
            if previous.aspect == .green && change.aspect != .amber {
                out.append(.init(kind: .greenWithoutAmber, junction: junction, head: trace.head, atNanos: change.atNanos,
                                 detail: "green went to \(change.aspect) without amber"))
            }
            if change.aspect == .green {
                let proper: Aspect = plan.sequence == .uk ? .redAmber : .red
                if previous.aspect != proper {
                    out.append(.init(kind: .improperGreenEntry, junction: junction, head: trace.head, atNanos: change.atNanos,
                                     detail: "entered green from \(previous.aspect), not \(proper)"))
                }
            }
            let length = change.atNanos - previous.atNanos
            if previous.aspect == .amber && previousStartsInWindow && length < plan.minimums.amberNanos - toleranceNanos {
                out.append(.init(kind: .shortAmber, junction: junction, head: trace.head, atNanos: change.atNanos,
                                 detail: "amber lasted \(formatSeconds(length)), minimum \(formatSeconds(plan.minimums.amberNanos))"))
            }
            // A green its agent cut short on being stopped (SIGTERM) is the
            // stop's: the head leaves service through a full amber.
            let cutByStop = trace.stoppedAtNanos == change.atNanos && change.aspect == .amber
            if previous.aspect == .green && previousStartsInWindow && !cutByStop
                && length < plan.minimums.minGreenNanos - toleranceNanos {
                out.append(.init(kind: .shortGreen, junction: junction, head: trace.head, atNanos: change.atNanos,
                                 detail: "green lasted \(formatSeconds(length)), minimum \(formatSeconds(plan.minimums.minGreenNanos))"))
            }
        }
        return out
    }

    /// Green intervals of a trace, clipped to the window; `closed` when the
    /// green ended by a change the head made (not by the window or the trace
    /// ending), which is when an intergreen after it was really observed.
    private func greenIntervals(_ trace: HeadTrace, window: Range<Int64>) -> [(range: Range<Int64>, closed: Bool)] {
        var intervals: [(Range<Int64>, Bool)] = []
        let traceEnd = min(trace.endNanos ?? window.upperBound, window.upperBound)
        for (i, change) in trace.changes.enumerated() where change.aspect == .green {
            let next = i + 1 < trace.changes.count ? trace.changes[i + 1].atNanos : nil
            let end = min(next ?? traceEnd, traceEnd)
            let start = max(change.atNanos, window.lowerBound)
            if start < end { intervals.append((start..<end, next.map { $0 <= traceEnd } ?? false)) }
        }
        return intervals
    }

    private func checkConflicts(junction: Int, traces: [HeadTrace], window: Range<Int64>,
                                toleranceNanos: Int64) -> [MonitorViolation] {
        var out: [MonitorViolation] = []
        let greens = traces.map { greenIntervals($0, window: window) }
        for conflict in plan.conflicts {
            let a = traces.indices.filter { traces[$0].group == conflict.first }
            let b = traces.indices.filter { traces[$0].group == conflict.second }
            for i in a {
                for j in b {
                    out += checkPair(junction, traces[i], greens[i], traces[j], greens[j], conflict, window, toleranceNanos)
                }
            }
        }
        return out
    }

    private func checkPair(_ junction: Int, _ ta: HeadTrace, _ ga: [(range: Range<Int64>, closed: Bool)],
                           _ tb: HeadTrace, _ gb: [(range: Range<Int64>, closed: Bool)],
                           _ conflict: Conflict, _ window: Range<Int64>, _ toleranceNanos: Int64) -> [MonitorViolation] {
        var out: [MonitorViolation] = []
        for (x, xClosed) in ga {
            for (y, yClosed) in gb {
                if x.overlaps(y) {
                    out.append(.init(kind: .conflictingGreens, junction: junction, head: "\(ta.head)+\(tb.head)",
                                     atNanos: max(x.lowerBound, y.lowerBound),
                                     detail: "\(plan.groups[conflict.first]) and \(plan.groups[conflict.second]) green together"))
                    continue
                }
                let (earlier, later, earlierClosed) = x.upperBound <= y.lowerBound ? (x, y, xClosed) : (y, x, yClosed)
                // Only a green that ended by a change and one that started
                // inside the window bound an intergreen we actually observed.
                guard earlierClosed, later.lowerBound > window.lowerBound else { continue }
                let gap = later.lowerBound - earlier.upperBound
                if gap < conflict.intergreenNanos - toleranceNanos {
                    out.append(.init(kind: .shortIntergreen, junction: junction, head: "\(ta.head)+\(tb.head)",
                                     atNanos: later.lowerBound,
                                     detail: "intergreen \(formatSeconds(gap)) between \(plan.groups[conflict.first]) and \(plan.groups[conflict.second]), required \(formatSeconds(conflict.intergreenNanos))"))
                }
            }
        }
        return out
    }
}

/// What one head showed: its changes in time order, each held until the next.
public struct HeadTrace: Sendable {
    public struct Change: Sendable, Hashable {
        public var atNanos: Int64
        public var aspect: Aspect
        public init(atNanos: Int64, aspect: Aspect) {
            self.atNanos = atNanos
            self.aspect = aspect
        }
    }

    /// A name for messages (a board, an agent ordinal, or a group name).
    public var head: String
    public var group: Int
    public var changes: [Change]
    /// When the head stopped being observed (its agent was killed); nil
    /// means it was observed to the end of the window.
    public var endNanos: Int64?
    /// When its agent was told to stop (SIGTERM): a green cut by an amber
    /// at that instant is not held to the minimum green (the amber is
    /// still held to its minimum).
    public var stoppedAtNanos: Int64?

    public init(head: String, group: Int, changes: [Change], endNanos: Int64? = nil, stoppedAtNanos: Int64? = nil) {
        self.head = head
        self.group = group
        self.changes = changes
        self.endNanos = endNanos
        self.stoppedAtNanos = stoppedAtNanos
    }
}

/// One broken rule, with where and when.
public struct MonitorViolation: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case conflictingGreens = "conflicting-greens"
        case shortIntergreen = "short-intergreen"
        case greenWithoutAmber = "green-without-amber"
        case improperGreenEntry = "improper-green-entry"
        case shortAmber = "short-amber"
        case shortGreen = "short-green"
    }

    public var kind: Kind
    public var junction: Int
    public var head: String
    public var atNanos: Int64
    public var detail: String

    public var description: String { "\(kind.rawValue) at junction \(junction), head \(head), t=\(atNanos) ns: \(detail)" }
}
