import Testing
@testable import JunctionCore

@Suite("Conflict monitor on observed traces")
struct ConflictMonitorTests {
    let s = Int64.nanosPerSecond

    func trace(_ head: String, _ group: Int, _ changes: [(Int64, Aspect)]) -> HeadTrace {
        HeadTrace(head: head, group: group, changes: changes.map { .init(atNanos: $0.0 * s, aspect: $0.1) })
    }

    @Test func overlappingConflictingGreensAreCaughtWithoutTolerance() throws {
        let plan = try PlanFixture().load()
        let a = trace("a", 0, [(0, .red), (2, .redAmber), (4, .green), (24, .amber), (27, .red)])
        let b = trace("b", 1, [(0, .red), (22, .redAmber), (23, .green)])
        let violations = ConflictMonitor(plan: plan).check(junction: 0, traces: [a, b], window: 0..<(40 * s), toleranceNanos: 10 * s)
        #expect(violations.contains { $0.kind == .conflictingGreens })
    }

    @Test func shortIntergreenAmberAndImproperEntries() throws {
        let plan = try PlanFixture().load()
        let a = trace("a", 0, [(0, .red), (2, .redAmber), (4, .green), (20, .amber), (21, .red)])
        let b = trace("b", 1, [(0, .red), (24, .green)])
        let c = trace("c", 2, [(0, .red), (2, .redAmber), (4, .green), (6, .red)])
        let kinds = Set(ConflictMonitor(plan: plan).check(junction: 0, traces: [a, b, c], window: 0..<(40 * s)).map(\.kind))
        #expect(kinds.contains(.shortAmber))        // a: amber 1 s
        #expect(kinds.contains(.improperGreenEntry)) // b: red straight to green in a uk plan
        #expect(kinds.contains(.greenWithoutAmber))  // c: green straight to red
        #expect(kinds.contains(.shortGreen))         // c: 2 s of green
        #expect(kinds.contains(.conflictingGreens))  // a and c overlap (conflicting)
    }

    /// A stop (SIGTERM) ends a green through a full amber at once, however
    /// young the green: the monitor lets that green be short, only at the
    /// stop's instant, and still holds the stop's amber to its minimum.
    @Test func aGreenCutByAStopIsNotShortButItsAmberMayNotBe() throws {
        let plan = try PlanFixture().load()
        let stopped = HeadTrace(head: "a", group: 0, changes: [.init(atNanos: 2 * s, aspect: .redAmber), .init(atNanos: 4 * s, aspect: .green),
                                                                 .init(atNanos: 5 * s, aspect: .amber), .init(atNanos: 8 * s, aspect: .red)],
                                stoppedAtNanos: 5 * s)
        #expect(ConflictMonitor(plan: plan).check(junction: 0, traces: [stopped], window: 0..<(40 * s)).isEmpty)
        var elsewhen = stopped
        elsewhen.stoppedAtNanos = 5 * s + 1
        #expect(ConflictMonitor(plan: plan).check(junction: 0, traces: [elsewhen], window: 0..<(40 * s)).map(\.kind) == [.shortGreen],
                "a green cut at any other instant is short")
        var hurried = stopped
        hurried.changes[3].atNanos = 7 * s
        #expect(ConflictMonitor(plan: plan).check(junction: 0, traces: [hurried], window: 0..<(40 * s)).map(\.kind) == [.shortAmber])
    }

    @Test func intergreenBoundaryIsExact() throws {
        let plan = try PlanFixture().with("conflicts", #"[{"groups": ["north-south", "east-west"], "intergreen": 6}]"#).load()
        func check(gapNanos: Int64) -> [MonitorViolation] {
            let a = HeadTrace(head: "a", group: 0, changes: [.init(atNanos: s, aspect: .green), .init(atNanos: 11 * s, aspect: .amber), .init(atNanos: 14 * s, aspect: .red)])
            let start = 11 * s + gapNanos
            let b = HeadTrace(head: "b", group: 1, changes: [.init(atNanos: 0, aspect: .red), .init(atNanos: start - 2 * s, aspect: .redAmber), .init(atNanos: start, aspect: .green)])
            return ConflictMonitor(plan: plan).check(junction: 0, traces: [a, b], window: 0..<(60 * s)).filter { $0.kind == .shortIntergreen }
        }
        #expect(check(gapNanos: 6 * s).isEmpty)
        #expect(check(gapNanos: 6 * s - 1).count == 1)
    }
}
