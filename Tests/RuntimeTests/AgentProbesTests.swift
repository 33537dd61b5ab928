import JunctionCore
import Testing
@testable import Runtime

@Suite struct AgentProbesTests {
    @Test func healthFailsOnlyAfterTwoSecondsWithoutATimingLoop() {
        let last = LocalInstant(nanos: 10 * .nanosPerSecond)
        #expect(AgentProbes.timingStalledNanos(lastLoopAt: last, now: last + 2 * .nanosPerSecond) == nil)
        #expect(AgentProbes.timingStalledNanos(lastLoopAt: last, now: last + 2 * .nanosPerSecond + 1) == 2 * .nanosPerSecond + 1)
    }

    @Test func readyWhileRunningThePlanWithOrWithoutTheCoordinator() {
        #expect(AgentProbes.isReady(.locked))
        #expect(AgentProbes.isReady(.holdover), "a coordinator outage must not stall a rolling update of agents")
        for state in [SyncState.unsynced, .locking, .flash] { #expect(!AgentProbes.isReady(state)) }
    }
}
