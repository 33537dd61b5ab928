import GPIO
import JunctionCore
import Posix
import Testing

/// The recordings' checker itself: a join is not a step, a late change is.
@Suite("Plan timeline checker")
struct PlanTimelineTests {
    static let ms: Int64 = 1_000_000
    static let s: Int64 = 1_000_000_000

    /// crossroads.json, ordinal 0 (north-south): red+amber at 0 s, green at
    /// 2 s, amber at 14 s, red at 17 s; the cycle is 52 s.
    static func timeline() throws -> PlanTimeline {
        let plan = try SignalPlan.load(try FileIO.read(JunctionProcesses.root() + "/plans/crossroads.json"), source: "crossroads")
        return PlanTimeline(plan: plan, ordinal: 0)
    }

    static func records(_ changes: [(Int64, Aspect)]) -> [RecordedAspect] {
        changes.map { RecordedAspect(monotonicNanos: 1_000 * s + $0.0, head: "h", aspect: $0.1) }
    }

    @Test func aJoinIntoTheRedAmberIsNeitherAStepNorAMissedChange() throws {
        // Locked 120 ms into the plan's red+amber: a full red+amber from
        // there, a green 120 ms short, then the plan's own instants.
        let joined = Self.records([(0, .red), (5 * Self.s + 120 * Self.ms, .redAmber), (7 * Self.s + 120 * Self.ms, .green),
                                   (19 * Self.s, .amber), (22 * Self.s, .red), (57 * Self.s, .redAmber), (59 * Self.s, .green),
                                   (71 * Self.s, .amber)])
        let check = try Self.timeline().check(joined, toleranceNanos: 20 * Self.ms)
        #expect(check.failures.isEmpty, "\(check.failures)")
        let origins = Set(check.matches.map { floorMod($0.originNanos, 52 * Self.s) })
        #expect(origins.count == 1, "one cycle origin, the plan's: \(origins)")
        #expect(!check.matches.contains { $0.aspect == .redAmber && $0.monotonicNanos == 1_005_120 * Self.ms })
    }

    @Test func aLateChangeAfterTheJoinIsAFailure() throws {
        let late = Self.records([(0, .red), (5 * Self.s, .redAmber), (7 * Self.s, .green), (19 * Self.s, .amber),
                                 (22 * Self.s, .red), (57 * Self.s + 120 * Self.ms, .redAmber), (59 * Self.s, .green),
                                 (71 * Self.s, .amber), (74 * Self.s, .red)])
        let check = try Self.timeline().check(late, toleranceNanos: 20 * Self.ms)
        #expect(check.failures.count == 2, "the long red and the short red+amber: \(check.failures)")
    }

    @Test func aJoinAtRedKeepsItsPlanAlignedChanges() throws {
        let atRed = Self.records([(0, .red), (5 * Self.s, .redAmber), (7 * Self.s, .green), (19 * Self.s, .amber), (22 * Self.s, .red)])
        let check = try Self.timeline().check(atRed, toleranceNanos: 20 * Self.ms)
        #expect(check.failures.isEmpty)
        #expect(check.matches.map(\.aspect) == [.redAmber, .green, .amber])
        #expect(check.skipped == 1)
    }
}
