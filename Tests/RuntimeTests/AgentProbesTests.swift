import JunctionCore
import NodeAgent
import Posix
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

/// The probes on a real runtime: `/healthz` watches the timing thread's
/// loop (a runtime whose timing thread never runs turns unhealthy after
/// 2 s; a running one stays healthy), `/status` and `/metrics` show the
/// signal monitor.
@Suite(.serialized) struct AgentRuntimeProbeTests {
    func makeRuntime() throws -> AgentRuntime {
        var settings = AgentSettings()
        settings.listenHost = "127.0.0.1"
        settings.port = 0
        settings.httpPort = nil
        settings.coordinatorService = nil
        return try AgentRuntime(configuration: AgentConfiguration(ordinal: 0, board: nil, instance: 0xABC, key: nil), settings: settings,
                                output: DiscardingOutput(head: "h"), clock: AgentClock(), logger: Logger(fd: 2, minimumLevel: .error))
    }

    @Test func healthzFailsWhenTheTimingThreadDoesNotLoop() throws {
        let wedged = try makeRuntime()  // never started: no timing loop
        #expect(wedged.route("/healthz")?.status == 200)
        #expect(waitUntil(seconds: 4) { wedged.route("/healthz")?.status == 503 }, "a stalled timing thread must fail /healthz")
        let running = try makeRuntime()
        try running.start()
        defer { running.stop() }
        let clock = MonotonicClock()
        let until = clock.nowNanos() + 2_500_000_000
        var healthy = true
        while clock.nowNanos() < until {
            healthy = healthy && running.route("/healthz")?.status == 200
            clock.sleep(untilNanos: clock.nowNanos() + 100_000_000)
        }
        #expect(healthy, "a looping timing thread keeps /healthz ok")
    }

    @Test func statusAndMetricsShowTheMonitor() throws {
        let runtime = try makeRuntime()
        let status = String(decoding: runtime.route("/status")?.body ?? [], as: UTF8.self)
        #expect(status.contains("\"monitorTrips\":0"), "\(status)")
        let metrics = String(decoding: runtime.route("/metrics")?.body ?? [], as: UTF8.self)
        #expect(metrics.contains("junction_signal_monitor_trips_total 0"))
        #expect(metrics.contains("junction_signal_monitor_tripped 0"))
        #expect(runtime.route("/readyz")?.status == 503, "unsynced is not ready")
    }
}
