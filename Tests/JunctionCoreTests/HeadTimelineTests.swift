import Testing
@testable import JunctionCore

/// An agent keeps one `HeadTimeline` while `PlanSchedule.key` is unchanged.
/// So every change to a schedule that changes what a head shows must change
/// the key; a key that left out a field would keep a stale timeline.
@Suite("HeadTimeline: cached by the schedule's key")
struct HeadTimelineTests {
    let s = Int64.nanosPerSecond
    let plans: [AnchoredPlan]

    init() throws {
        let crossroads = try SignalPlan.load(Array(ExamplePlans.crossroads.utf8), source: "crossroads")
        let corridor = try SignalPlan.load(Array(ExamplePlans.corridor.utf8), source: "corridor")
        plans = [
            AnchoredPlan(plan: crossroads, id: 1, anchor: TimebaseInstant(nanos: 0), bytes: []),
            AnchoredPlan(plan: corridor, id: 2, anchor: TimebaseInstant(nanos: 60 * s), bytes: []),
            AnchoredPlan(plan: crossroads, id: 1, anchor: TimebaseInstant(nanos: 130 * s), bytes: []),
            AnchoredPlan(plan: corridor, id: 2, anchor: TimebaseInstant(nanos: 20 * s), bytes: []),
        ]
    }

    /// What the head shows over the first 400 s, and its next changes.
    func answers(_ timeline: HeadTimeline) -> [String] {
        (0..<800).map { (halfSeconds: Int) -> String in
            let t = TimebaseInstant(nanos: Int64(halfSeconds) * s / 2)
            let next = timeline.nextChange(after: t).map { "\($0.at.nanos) \($0.aspect)" } ?? "none"
            return "\(timeline.aspect(at: t).map { "\($0)" } ?? "nil") \(next)"
        }
    }

    @Test(arguments: 0..<40)
    func equalKeysGiveEqualTimelines(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let resolve: PlanSchedule.HeadResolver = { $0.plan.assignment(junction: 0, group: $0.id == 1 ? 2 : 0) }
        var schedule = PlanSchedule()
        var seen: [PlanSchedule.Key: [String]] = [:]
        for step in 0..<30 {
            switch Int.random(in: 0..<8, using: &random) {
            case 0, 1: _ = schedule.accept(plans.randomElement(using: &random)!)
            case 2: if let pending = schedule.pending { schedule.commit(pending.identity) }
            case 3: schedule.dropPending()
            case 4: schedule.setStop(Bool.random(using: &random) ? nil : TimebaseInstant(nanos: Int64.random(in: 0..<300, using: &random) * s))
            case 5: schedule.setResume(Bool.random(using: &random) ? nil : TimebaseInstant(nanos: Int64.random(in: 0..<300, using: &random) * s))
            case 6: schedule.promote(at: TimebaseInstant(nanos: Int64.random(in: 0..<300, using: &random) * s), resolve: resolve)
            default: if Int.random(in: 0..<4, using: &random) == 0 { schedule.clear() }
            }
            let now = answers(schedule.timeline(resolve: resolve))
            if let earlier = seen[schedule.key] {
                #expect(earlier == now, "seed \(seed) step \(step): the same key gave another timeline")
            } else {
                seen[schedule.key] = now
            }
        }
        #expect(seen.count > 1, "seed \(seed): the schedule never changed")
    }

    /// An agent's stop moves with every tick; its timeline is kept while
    /// `sharesTimeline` says the moved stop cuts it alike. Wherever it says
    /// so, the timeline worked out afresh must answer the same.
    @Test(arguments: 0..<40)
    func aMovedStopKeepsTheTimelineOnlyWhereItCutsAlike(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let resolve: PlanSchedule.HeadResolver = { $0.plan.assignment(junction: 0, group: $0.id == 1 ? 2 : 0) }
        var kept = 0, refused = 0
        for _ in 0..<30 {
            var schedule = PlanSchedule()
            _ = schedule.accept(plans.randomElement(using: &random)!)
            if Bool.random(using: &random) { _ = schedule.accept(plans.randomElement(using: &random)!) }
            if Bool.random(using: &random), let pending = schedule.pending { schedule.commit(pending.identity) }
            if Int.random(in: 0..<4, using: &random) == 0 {
                schedule.setResume(TimebaseInstant(nanos: Int64.random(in: 0..<300, using: &random) * s))
            }
            schedule.setStop(TimebaseInstant(nanos: Int64.random(in: 0..<300_000, using: &random) * s / 1_000))
            let key = schedule.key
            let timeline = schedule.timeline(resolve: resolve)
            let before = answers(timeline)
            for _ in 0..<10 {
                // Moves of a tick or so, now and then a large one, a few
                // nanoseconds, or none.
                let move = switch Int.random(in: 0..<6, using: &random) {
                case 0: Int64.random(in: -100_000...100_000, using: &random) * s / 1_000
                case 1: Int64.random(in: -10...10, using: &random)
                default: Int64.random(in: -300...300, using: &random) * s / 1_000
                }
                var moved = schedule
                moved.setStop(Bool.random(using: &random) ? nil : TimebaseInstant(nanos: schedule.stop!.nanos + move))
                guard moved.sharesTimeline(timeline, workedOutUnder: key) else {
                    refused += 1
                    continue
                }
                kept += 1
                #expect(answers(moved.timeline(resolve: resolve)) == before,
                        "seed \(seed): stop moved by \(move) ns kept a timeline it does not cut alike")
            }
        }
        // Both outcomes occur, so both are tested.
        #expect(kept > 0 && refused > 0, "seed \(seed): kept \(kept), refused \(refused)")
    }
}
