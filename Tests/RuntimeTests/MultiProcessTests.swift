import GPIO
import JunctionCore
import Posix
import Testing

/// A coordinator and four agents as separate processes on loopback, each
/// agent with injected drift up to ±200 ppm, recording its light. Mid-run the
/// coordinator is SIGKILLed and restarted, then one agent. The recordings
/// must show the plan's changes with no missed or extra one, all heads on one
/// cycle within 20 ms, and the restarted agent locked within 2 s.
///
/// `JUNCTION_MULTIPROCESS_SECONDS` sets the length (default 150 s).
@Suite(.serialized)
struct MultiProcessTests {
    static var durationSeconds: Double {
        FileIO.environment("JUNCTION_MULTIPROCESS_SECONDS").flatMap(Double.init) ?? 150
    }

    @Test func fourAgentsStayInLockstepThroughKills() throws {
        let p = try JunctionProcesses(name: "multi")
        defer { p.cleanUp() }
        let clock = MonotonicClock()
        let drifts: [Double] = [200, -200, 120, -75]
        let plan = try SignalPlan.load(try FileIO.read(p.planPath), source: "crossroads")
        var coordinator = try p.startCoordinator(agents: [0, 1, 2, 3])
        var agents = try drifts.indices.map { try p.startAgent($0, driftPPM: drifts[$0], recording: "agent-\($0).jsonl") }
        var recordings = drifts.indices.map { ["agent-\($0).jsonl"] }
        let start = clock.nowNanos()
        defer {
            for agent in agents { agent.stop() }
            coordinator.stop()
        }
        let allLocked = waitUntil(seconds: 20) { (0..<4).allSatisfy { httpStatus(port: p.agentHTTPPort($0), path: "/readyz") == 200 } }
        try #require(allLocked, "agents did not lock")
        print("multi-process: all 4 agents locked \(Double(clock.nowNanos() - start) / 1e9) s after start")
        let duration = Int64(Self.durationSeconds * 1e9)

        // Coordinator SIGKILL and restart (it must adopt the running timebase).
        sleep(untilMonotonic: start + duration * 35 / 100)
        coordinator.send(ChildProcess.kill)
        _ = coordinator.wait(untilMonotonicNanos: .max)
        sleep(untilMonotonic: clock.nowNanos() + 3_000_000_000)
        coordinator = try p.startCoordinator(agents: [0, 1, 2, 3], log: "coordinator-2.log")
        #expect(waitUntil(seconds: 10) { httpStatus(port: p.coordinatorHTTPPort, path: "/readyz") == 200 })
        let coordinatorLog = p.log("coordinator-2.log")
        #expect(coordinatorLog.contains("adopted timebase"), "restarted coordinator did not adopt: \(coordinatorLog)")

        // Agent SIGKILL and restart: back in phase quickly.
        sleep(untilMonotonic: start + duration * 60 / 100)
        agents[2].send(ChildProcess.kill)
        _ = agents[2].wait(untilMonotonicNanos: .max)
        let restarted = clock.nowNanos()
        agents[2] = try p.startAgent(2, driftPPM: drifts[2], recording: "agent-2b.jsonl")
        recordings[2].append("agent-2b.jsonl")
        #expect(waitUntil(seconds: 10) { httpStatus(port: p.agentHTTPPort(2), path: "/readyz") == 200 })
        let relock = clock.nowNanos() - restarted
        print("multi-process: restarted agent locked \(Double(relock) / 1e6) ms after spawn")
        #expect(relock <= 2_500_000_000, "restarted agent took \(relock / 1_000_000) ms to lock (2 s from its first tick)")

        sleep(untilMonotonic: start + duration)
        var lateness: [Double] = []
        for ordinal in 0..<4 {
            let metrics = httpBody(port: p.agentHTTPPort(ordinal), path: "/metrics") ?? ""
            lateness.append(metricSum(metrics, "junction_transition_lateness_seconds", label: "stat=\"max\""))
        }
        // All at once: a green head clears through its amber before exiting
        // (that clearance is GracefulStopTests' subject; the plan checks
        // below end at the signal).
        let stoppedAt = recordingNowNanos()
        for agent in agents { agent.send(ChildProcess.terminate) }
        for agent in agents { #expect(agent.stop() == .exited(0)) }
        #expect(coordinator.stop() == .exited(0))

        // Every recording follows the plan; all heads share one cycle.
        var runs: [[PlanTimeline.Match]] = []
        for ordinal in 0..<4 {
            let timeline = PlanTimeline(plan: plan, ordinal: ordinal)
            for name in recordings[ordinal] {
                let records = p.recording(name).filter { $0.monotonicNanos < stoppedAt }
                let check = timeline.check(records, toleranceNanos: 20_000_000)
                #expect(check.failures.isEmpty, "\(name): \(check.failures)")
                #expect(check.skipped <= 4, "\(name): \(check.skipped) changes before following the plan")
                #expect(check.matches.count >= 2 || name == "agent-2b.jsonl" && Self.durationSeconds < 120, "\(name): only \(check.matches.count) plan changes")
                runs.append(check.matches)
                print("multi-process: \(name) \(records.count) changes, \(check.matches.count) matched the plan")
            }
        }
        let (skew, pairs) = maximumSkewNanos(runs, cycleNanos: plan.cycleNanos)
        print("multi-process: largest skew between heads \(Double(skew) / 1e6) ms over \(pairs) change pairs; max wake lateness per agent \(lateness.map { $0 * 1e6 }) µs")
        #expect(pairs > 0)
        #expect(skew <= 20_000_000)

        // Heads of the same group (ordinals 0 and 3) change together.
        let a = p.recording("agent-0.jsonl").filter { $0.monotonicNanos < stoppedAt }
        let b = p.recording("agent-3.jsonl").filter { $0.monotonicNanos < stoppedAt }
        let common = max(a.first?.monotonicNanos ?? 0, b.first?.monotonicNanos ?? 0) + 10_000_000_000
        for change in a where change.monotonicNanos >= common {
            let twin = b.min { abs($0.monotonicNanos - change.monotonicNanos) < abs($1.monotonicNanos - change.monotonicNanos) }
            #expect(twin?.aspect == change.aspect && abs((twin?.monotonicNanos ?? 0) - change.monotonicNanos) <= 20_000_000,
                    "agent 0 \(change) vs agent 3 \(String(describing: twin))")
        }
    }
}
