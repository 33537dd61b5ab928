import Testing
@testable import JunctionCore

/// Fail-closed conflicts: two groups never green together in any phase
/// conflict unless the plan says they are compatible, as a cabinet's
/// compatibility card does.
@Suite("Compatibility matrix: conflicts by default")
struct CompatibilityTests {
    let s = Int64.nanosPerSecond

    func overlappingGreens(_ plan: SignalPlan) -> [MonitorViolation] {
        let a = HeadTrace(head: "a", group: 0, changes: [.init(atNanos: 0, aspect: .red), .init(atNanos: 2 * s, aspect: .redAmber),
                                                         .init(atNanos: 4 * s, aspect: .green)])
        let b = HeadTrace(head: "b", group: 1, changes: [.init(atNanos: 0, aspect: .red), .init(atNanos: 3 * s, aspect: .redAmber),
                                                         .init(atNanos: 5 * s, aspect: .green)])
        return ConflictMonitor(plan: plan).check(junction: 0, traces: [a, b], window: 0..<(20 * s))
            .filter { $0.kind == .conflictingGreens }
    }

    /// The defect: a plan with no `conflicts` had no conflicts at all, so the
    /// monitor let north-south and east-west be green together.
    @Test func noConflictsListIsFailClosed() throws {
        let plan = try PlanFixture().with("conflicts", nil).load()
        #expect(overlappingGreens(plan).count == 1)
        #expect(plan.conflicts.count == 3, "every pair never green together conflicts")
        #expect(plan.conflicts.allSatisfy { $0.intergreenNanos == 4 * s }, "minimum amber plus all-red")
    }

    /// Groups green together in a phase are compatible; so are pairs the
    /// plan names in `compatible`.
    @Test func compatiblePairs() throws {
        let together = try PlanFixture().with("conflicts", nil).with("phases",
            #"[{"green": ["north-south", "east-west"], "seconds": 20}, {"green": ["walk"], "seconds": 8}]"#).load()
        #expect(overlappingGreens(together).isEmpty)
        #expect(together.conflicts.count == 2)
        let stated = try PlanFixture().with("conflicts", nil).with("compatible", #"[["north-south", "east-west"]]"#).load()
        #expect(overlappingGreens(stated).isEmpty)
        #expect(stated.conflicts.count == 2)
    }

    /// An explicit conflict keeps its intergreen; the default adds the rest.
    @Test func explicitConflictKeepsItsIntergreen() throws {
        let plan = try PlanFixture().with("conflicts", #"[{"groups": ["north-south", "east-west"], "intergreen": 6}]"#).load()
        #expect(plan.conflicts.count == 3)
        #expect(plan.conflicts.first { Set([$0.first, $0.second]) == [0, 1] }?.intergreenNanos == 6 * s)
    }

    @Test func compatibleAndConflictingIsRefused() {
        let error = PlanFixture().with("compatible", #"[["east-west", "north-south"]]"#).error()
        #expect(error?.rule == .compatibility)
        #expect(error?.field == "compatible[0]")
        #expect(error?.description.contains("fixture.json: compatible[0]:") == true)
    }

    @Test func compatibleNamesRealGroups() {
        #expect(PlanFixture().with("compatible", #"[["north-south", "bus"]]"#).error()?.field == "compatible[0][1]")
        #expect(PlanFixture().with("compatible", #"[["walk", "walk"]]"#).error()?.rule == .badValue)
        #expect(PlanFixture().with("conflicts", nil).with("compatible", #"[["walk", "north-south"], ["north-south", "walk"]]"#)
            .error()?.rule == .duplicateName)
    }
}
