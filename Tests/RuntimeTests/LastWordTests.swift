import GPIO
import JunctionCore
import Posix
import Testing

/// A graceful stop of one agent (a rolling update, `kubectl delete pod`)
/// does not stop its junction: the agent reports through its amber and then
/// says `stopped` on steady red, so the coordinator does not take its
/// silence for a head frozen on green. The other heads keep running the plan.
@Suite(.serialized)
struct LastWordTests {
    /// Coordinator and agents 0, 1, 2 (short plan: 0 and 2 show group "a",
    /// 1 group "b"). Agent 0 is SIGTERMed while green (its 3 s amber is
    /// longer than the coordinator's 1.5 s silence threshold). A stopped
    /// junction would flash within 2 s of the silence; we watch for 14 s
    /// after agent 0 exits, long enough for both others to make their next
    /// plan changes (2: amber then red; 1: red-amber then green): no
    /// flashing red, and every change as the plan says.
    @Test func sigtermOfOneAgentLeavesTheJunctionRunning() throws {
        let p = try JunctionProcesses(name: "lastword")
        defer { p.cleanUp() }
        let shortPlan = try p.writeShortPlan()
        let plan = try SignalPlan.load(try FileIO.read(shortPlan), source: "short")
        let coordinator = try p.startCoordinator(agents: [0, 1, 2], plan: shortPlan)
        let agents = try (0..<3).map { try p.startAgent($0, driftPPM: 0, recording: "agent-\($0).jsonl", shutdown: "red") }
        defer { for agent in agents { agent.stop() }; _ = coordinator.stop() }
        try #require(waitUntil(seconds: 30) { (0..<3).allSatisfy { httpStatus(port: p.agentHTTPPort($0), path: "/readyz") == 200 } },
                     "agents did not lock")
        // Green after lock (a fresh green, so the stop clears a full amber).
        try #require(waitUntil(seconds: 60) {
            p.recording("agent-0.jsonl").suffix(2).map(\.aspect) == [.redAmber, .green]
        }, "agent 0 never showed green")

        let signalled = MonotonicClock().nowNanos()
        let signalledOnRecordings = recordingNowNanos()
        agents[0].send(ChildProcess.terminate)
        let exit = agents[0].wait(untilMonotonicNanos: signalled + 6_000_000_000)
        let exited = MonotonicClock().nowNanos()
        #expect(exit == .exited(0))
        #expect(p.recording("agent-0.jsonl").suffix(3).map(\.aspect) == [.green, .amber, .red])
        #expect(p.log("agent-0.jsonl.log").contains("last word sent"), "\(p.log("agent-0.jsonl.log").suffix(800))")
        sleep(untilMonotonic: exited + 14_000_000_000)
        let watchedUntil = recordingNowNanos()

        let metrics = httpBody(port: p.coordinatorHTTPPort, path: "/metrics") ?? ""
        #expect(metricSum(metrics, "junction_silent_head_stops_total") == 0, "the coordinator stopped the junction")
        #expect(!p.log("coordinator.log").contains("silent head"), "\(p.log("coordinator.log").suffix(1200))")
        for ordinal in 1...2 {
            let name = "agent-\(ordinal).jsonl"
            let records = p.recording(name).filter { $0.monotonicNanos < watchedUntil }
            let after = records.filter { $0.monotonicNanos >= signalledOnRecordings }
            #expect(!after.contains { $0.aspect == .flashingRed }, "\(name) after the stop: \(after)")
            #expect(httpStatus(port: p.agentHTTPPort(ordinal), path: "/readyz") == 200, "\(name) left the plan")
            let check = PlanTimeline(plan: plan, ordinal: ordinal).check(records, toleranceNanos: 20_000_000)
            #expect(check.failures.isEmpty, "\(name): \(check.failures)")
            // A plan change after the stop; or, for a head whose first green
            // came after it (its join, which the check cannot place on the
            // plan's instants without a later change), that green.
            #expect(check.matches.contains { $0.monotonicNanos >= signalledOnRecordings } || after.contains { $0.aspect == .green },
                    "\(name) made no plan change after the stop: \(after)")
        }
        print("last word: agent 0 exited \(Double(exited - signalled) / 1e6) ms after SIGTERM; agents 1 and 2 ran the plan on for 14 s after")
    }
}
