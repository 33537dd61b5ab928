import Testing
@testable import JunctionCore

@Suite("Timelines: exact aspects and next changes")
struct TimelineTests {
    let s = Int64.nanosPerSecond
    let origin = TimebaseInstant(nanos: 0)

    /// Fixture phase 1 (uk): all-red 0–2 s, red+amber 2–4 s, green 4–24 s, amber 24–27 s.
    @Test func ukBoundariesToTheNanosecond() throws {
        let plan = try PlanFixture().load()
        let ns = try #require(plan.head(board: "pi-a", ordinal: 9))
        func at(_ n: Int64) -> Aspect { plan.aspect(of: ns, at: TimebaseInstant(nanos: n), anchor: origin) }
        #expect(at(0) == .red)
        #expect(at(2 * s - 1) == .red)
        #expect(at(2 * s) == .redAmber)
        #expect(at(2 * s + 1) == .redAmber)
        #expect(at(4 * s - 1) == .redAmber)
        #expect(at(4 * s) == .green)
        #expect(at(24 * s - 1) == .green)
        #expect(at(24 * s) == .amber)
        #expect(at(27 * s - 1) == .amber)
        #expect(at(27 * s) == .red)
        #expect(at(plan.cycleNanos - 1) == .red)
        #expect(at(plan.cycleNanos + 4 * s) == .green)
        // Before the anchor the cycle runs backwards consistently.
        #expect(at(-plan.cycleNanos + 4 * s) == .green)
        #expect(at(-1) == .red)
    }

    @Test func nextChangeAroundABoundary() throws {
        let plan = try PlanFixture().load()
        let ns = plan.assignment(junction: 0, group: 0)
        let before = try #require(plan.nextChange(of: ns, after: TimebaseInstant(nanos: 4 * s - 1), anchor: origin))
        #expect(before.at.nanos == 4 * s)
        #expect(before.aspect == .green)
        let at = try #require(plan.nextChange(of: ns, after: TimebaseInstant(nanos: 4 * s), anchor: origin))
        #expect(at.at.nanos == 24 * s)
        #expect(at.aspect == .amber)
        // From the last red of the cycle, the next change wraps into the next cycle.
        let wrap = try #require(plan.nextChange(of: ns, after: TimebaseInstant(nanos: 30 * s), anchor: origin))
        #expect(wrap.at.nanos == plan.cycleNanos + 2 * s)
        #expect(wrap.aspect == .redAmber)
    }

    @Test func usSequenceHasNoRedAmber() throws {
        let plan = try PlanFixture().with("sequence", #""us""#).with("timing", #"{"amber": 4, "allRed": 1.5, "minGreen": 7}"#).load()
        let ew = plan.assignment(junction: 0, group: 1)
        #expect(plan.timelines.allSatisfy { $0.segments.allSatisfy { $0.aspect != .redAmber } })
        // Phase 1: all-red 0–1.5, green 1.5–21.5, amber 21.5–25.5; phase 2 starts at 25.5.
        let start2 = 25_500 * Int64.nanosPerMillisecond + 1_500 * .nanosPerMillisecond
        #expect(plan.aspect(of: ew, at: TimebaseInstant(nanos: start2 - 1), anchor: origin) == .red)
        #expect(plan.aspect(of: ew, at: TimebaseInstant(nanos: start2), anchor: origin) == .green)
        let interstage: Int64 = 4 * s + 1_500 * .nanosPerMillisecond
        #expect(plan.cycleNanos == 43 * s + 3 * interstage)
    }

    @Test func exactAfterYearsOfCycles() throws {
        let plan = try PlanFixture().load()
        let head = plan.assignment(junction: 0, group: 2)
        let anchor = TimebaseInstant(nanos: 1_700_000_000 * s)
        let cycles: Int64 = 10_000_000 // about 20 years of 64 s cycles
        for probe: Int64 in [0, 1, 37 * s - 1, 37 * s, 51 * s + 123] {
            let early = plan.aspect(of: head, at: anchor + probe, anchor: anchor)
            let late = plan.aspect(of: head, at: anchor + probe + cycles * plan.cycleNanos, anchor: anchor)
            #expect(early == late)
        }
    }

    @Test func greenWaveOffsetsFromSpacingAndSpeed() throws {
        let plan = try SignalPlan.load(Array(ExamplePlans.corridor.utf8), source: "corridor.json")
        // 300 m at 50 km/h is 21.6 s per junction, reduced modulo the 56 s cycle.
        #expect(plan.cycleNanos == 56 * s)
        let ms = Int64.nanosPerMillisecond
        let expected: [Int64] = [0, 21_600 * ms, 43_200 * ms, 8_800 * ms]
        #expect(plan.junctions.map(\.offsetNanos) == expected)
        // The main-road green of junction k starts exactly k × 21.6 s after junction 0's.
        let j0 = try #require(plan.head(board: nil, ordinal: 0))
        let green0 = try #require(plan.nextChange(of: j0, after: TimebaseInstant(nanos: 3 * s), anchor: origin))
        #expect(green0.aspect == .green)
        for k in 1..<4 {
            let head = try #require(plan.head(board: nil, ordinal: k))
            #expect(head.junction == k)
            let t = green0.at + Int64(k) * 21_600 * .nanosPerMillisecond
            #expect(plan.aspect(of: head, at: t - 1, anchor: origin) == .redAmber)
            #expect(plan.aspect(of: head, at: t, anchor: origin) == .green)
        }
    }

    @Test func scalingRules() throws {
        let corridor = try SignalPlan.load(Array(ExamplePlans.corridor.utf8), source: "corridor.json")
        let extra = try #require(corridor.head(board: nil, ordinal: 5))
        #expect(extra.junctionName == "j5")
        #expect(extra.offsetNanos == (5 * 21_600 * .nanosPerMillisecond) % (56 * s))
        let fixture = try PlanFixture().load()
        #expect(fixture.head(board: "pi-a", ordinal: 7)?.groupName == "north-south")
        // Boardless heads are the ordinal slots: east-west, walk, then mirrored.
        #expect(fixture.head(board: "pi-unknown", ordinal: 0)?.groupName == "east-west")
        #expect(fixture.head(board: nil, ordinal: 1)?.groupName == "walk")
        #expect(fixture.head(board: nil, ordinal: 2)?.groupName == "east-west")
        let none = try PlanFixture().with("scaling", #""none""#).load()
        #expect(none.head(board: nil, ordinal: 2) == nil)
    }

    @Test func cycleStartIsAllRedForEveryJunction() throws {
        let plan = try SignalPlan.load(Array(ExamplePlans.corridor.utf8), source: "corridor.json")
        for j in 0..<6 {
            let start = plan.cycleStart(junction: j, atOrAfter: TimebaseInstant(nanos: 1_000 * s + 7), anchor: origin)
            #expect(start.nanos >= 1_000 * s + 7)
            for g in plan.groups.indices {
                #expect(plan.aspect(of: plan.assignment(junction: j, group: g), at: start, anchor: origin) == .red)
            }
        }
    }
}
