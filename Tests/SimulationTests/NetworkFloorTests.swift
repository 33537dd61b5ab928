import Testing
import JunctionCore
@testable import Simulation

/// The delay floor wanders (`NetworkModel.FloorWander`), as it does on real
/// paths, and the checker sees what that costs.
@Suite("A wandering delay floor")
struct NetworkFloorTests {
    @Test func theFloorRisesAndFallsOutOfPhaseEachWay() {
        let wander = NetworkModel.FloorWander(peakToPeakNanos: 100_000, periodNanos: 100 * second)
        #expect(wander.riseNanos(at: 0, agent: 0, toAgent: true) == 0)
        #expect(wander.riseNanos(at: 25 * second, agent: 0, toAgent: true) == 50_000)
        #expect(wander.riseNanos(at: 50 * second, agent: 0, toAgent: true) == 100_000)
        #expect(wander.riseNanos(at: 150 * second, agent: 0, toAgent: true) == 100_000, "periodic")
        #expect(wander.riseNanos(at: 0, agent: 0, toAgent: false) == 100_000, "the way back half a period behind")
        #expect(wander.riseNanos(at: -25 * second, agent: 0, toAgent: true) == 50_000, "before the start too")
        // Agents' paths at their own phases, all within the range.
        let rises = (0..<16).map { wander.riseNanos(at: 10 * second, agent: $0, toAgent: true) }
        #expect(Set(rises).count == 16)
        #expect(rises.allSatisfy { (0...100_000).contains($0) })
        #expect(NetworkModel.FloorWander.none.riseNanos(at: 7 * second, agent: 3, toAgent: false) == 0)
    }

    /// The agents can only take the middle of the two floors as the offset,
    /// so their timebases wander apart by up to half the difference: on
    /// real processes through the bench's relay (whose floor wanders by
    /// about 30 µs) the agents' timebases spread by p50 30–70 µs. With a
    /// constant floor the simulator showed none of that.
    @Test func aWanderingFloorMovesTheAgentsTimebasesApart() throws {
        var constant = steadyScenario(seed: 21, agents: 8, duration: 20 * minute)
        constant.network.floorWander = .none
        var wandering = constant
        wandering.network.floorWander = .init(peakToPeakNanos: 100_000, periodNanos: 150 * second)
        let still = try run(constant)
        let moving = try run(wandering)
        #expect(still.violationCount == 0 && moving.violationCount == 0, "\(explain(moving))")
        #expect(moving.clockError.quantile(0.5) >= still.clockError.quantile(0.5) + 8_000,
                "clock error p50 \(still.clockError.quantile(0.5)) ns on a constant floor, \(moving.clockError.quantile(0.5)) ns on a wandering one")
        #expect(moving.changeSkew.quantile(0.5) > still.changeSkew.quantile(0.5),
                "skew p50 \(still.changeSkew.quantile(0.5)) ns on a constant floor, \(moving.changeSkew.quantile(0.5)) ns on a wandering one")
        #expect(moving.changeSkew.maxNanos <= 1_000_000, "still within the millisecond: \(explain(moving))")
    }
}
