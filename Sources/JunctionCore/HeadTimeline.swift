/// What one head shows over time under a `PlanSchedule`: its spans (a plan,
/// a held red, or nothing), worked out once.
///
/// An agent asks what it shows and what comes next several times for every
/// datagram and wake-up; working the spans out again for each question was
/// most of the simulator's time. The spans depend only on the schedule and
/// the head, so one timeline answers every question until either changes.
public struct HeadTimeline: Sendable {
    /// One span of what the head shows: a plan, a held red, or nothing.
    enum Source: Sendable {
        case nothing
        case red
        case plan(PlanHead)
    }

    /// A plan and the head in it, shared by reference: a span is read for
    /// every question asked, and copying a plan retains all of its parts.
    final class PlanHead: Sendable {
        let anchored: AnchoredPlan
        let head: HeadAssignment

        init(_ anchored: AnchoredPlan, _ head: HeadAssignment) {
            self.anchored = anchored
            self.head = head
        }
    }

    /// A span lasts from `from` until the next span's `from`.
    struct Span: Sendable {
        var from: TimebaseInstant
        var source: Source
    }

    let spans: [Span]
    /// The stops (nanoseconds on the timebase) that cut the schedule's spans
    /// into these same spans; nil when no stop cut them.
    let stopsAlike: ClosedRange<Int64>?

    init(spans: [Span], stopsAlike: ClosedRange<Int64>? = nil) {
        self.spans = spans
        self.stopsAlike = stopsAlike
    }

    /// The index of the span in force at `t`, if any.
    private func spanIndex(at t: TimebaseInstant) -> Int? {
        spans.lastIndex(where: { $0.from <= t })
    }

    /// What the head shows at `t`, or nil when it must not follow a plan then
    /// (before the anchor, past an uncommitted handover or the stop, or no
    /// head in the plan): the caller leaves the plan for flashing red.
    public func aspect(at t: TimebaseInstant) -> Aspect? {
        guard let index = spanIndex(at: t) else { return nil }
        switch spans[index].source {
        case .nothing: return nil
        case .red: return .red
        case let .plan(p): return p.anchored.plan.aspect(of: p.head, at: t, anchor: p.anchored.anchor)
        }
    }

    /// The first change of what the head shows strictly after `t`: a new
    /// aspect, or `.flashingRed` where the plan stops being shown (the
    /// instant the caller must leave it).
    public func nextChange(after t: TimebaseInstant) -> (at: TimebaseInstant, aspect: Aspect)? {
        let shown = aspect(at: t)
        var from = t
        var index = spanIndex(at: t) ?? -1
        while true {
            let spanEnd = index + 1 < spans.count ? spans[index + 1].from : nil
            if index >= 0, case let .plan(p) = spans[index].source,
               let next = p.anchored.plan.nextChange(of: p.head, after: from, anchor: p.anchored.anchor),
               spanEnd.map({ next.at < $0 }) ?? true, next.aspect != shown {
                return next
            }
            guard let spanEnd else { return nil }
            index += 1
            let next = aspect(at: spanEnd)
            if next != shown { return (spanEnd, next ?? .flashingRed) }
            from = spanEnd
        }
    }
}
