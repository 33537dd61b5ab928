import JunctionCore
import Testing

/// With real lamps, a light shows only the head wired to its board: the
/// ordinal (where the scheduler put the pod) must not pick one.
@Suite struct BoardHeadsTests {
    static func boardPlan() throws -> SignalPlan {
        try SignalPlan.load(Array(try readRepositoryFile("k8s/base/plan.json").utf8), source: "k8s/base/plan.json")
    }

    @Test func aNamedBoardGetsItsHeadWhateverItsOrdinal() throws {
        let plan = try Self.boardPlan()
        for ordinal in 0..<5 {
            #expect(plan.head(board: "pi-east", ordinal: ordinal, ordinalHeads: false)?.groupName == "east-west")
            #expect(plan.head(board: "pi-walk", ordinal: ordinal, ordinalHeads: false)?.groupName == "walk")
        }
    }

    @Test func aBoardThePlanDoesNotNameGetsNoHeadUnlessOrdinalHeadsAreAllowed() throws {
        let plan = try Self.boardPlan()
        #expect(plan.head(board: "pi-elsewhere", ordinal: 1, ordinalHeads: false) == nil)
        #expect(plan.head(board: nil, ordinal: 1, ordinalHeads: false) == nil)
        // Opted in (demos): the ordinal picks among all heads, as before.
        #expect(plan.head(board: "pi-elsewhere", ordinal: 1, ordinalHeads: true) == plan.head(board: "pi-elsewhere", ordinal: 1))
        #expect(plan.head(board: "pi-elsewhere", ordinal: 1, ordinalHeads: true)?.groupName == "east-west")
    }

    @Test func theDeployedPlanNamesABoardForEveryHead() throws {
        let plan = try Self.boardPlan()
        #expect(plan.boards.count == plan.heads.count, "k8s/base/plan.json: every head needs a \"board\" (the node its light is wired to)")
        #expect(Set(plan.boards).count == plan.boards.count)
    }

    @Test func theDeployedPlanShowsTheSameCycleAsCrossroads() throws {
        let deployed = try Self.boardPlan()
        let crossroads = try SignalPlan.load(Array(try readRepositoryFile("plans/crossroads.json").utf8), source: "crossroads")
        #expect(deployed.cycleNanos == crossroads.cycleNanos)
        #expect(deployed.groups == crossroads.groups)
    }
}
