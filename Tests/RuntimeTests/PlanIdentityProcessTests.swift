import GPIO
import JunctionCore
import Posix
import Protocol
import Testing

/// Issue 9's sequence with real processes on loopback: coordinator and four
/// agents on the crossroads; the plan file is edited (north-south 17 s,
/// east-west 9 s) and every agent runs the edit; the coordinator is SIGKILLed
/// and replaced on the same file; agent 3 is restarted. The replacement must
/// continue the agents' plan at its anchor (it re-anchored at 0 before, so
/// agent 3 ran 2 s behind agent 0, which shows the same group), and no two
/// conflicting groups may be green or amber at once.
@Suite(.serialized)
struct PlanIdentityProcessTests {
    @Test func editReplaceCoordinatorRestartAgentKeepsMirroredHeadsTogether() throws {
        let p = try JunctionProcesses(name: "plan-identity")
        defer { if FileIO.environment("JUNCTION_KEEP_TEST_DIRECTORY") == nil { p.cleanUp() } else { print("kept \(p.directory)") } }
        let clock = MonotonicClock()
        let planPath = p.directory + "/plan.json"
        try FileIO.write(Array(ExamplePlans.crossroads.utf8), to: planPath)
        let drifts: [Double] = [80, -80, 40, -40]
        var coordinator = try p.startCoordinator(agents: [0, 1, 2, 3], plan: planPath)
        var agents = try drifts.indices.map { try p.startAgent($0, driftPPM: drifts[$0], recording: "agent-\($0).jsonl") }
        var ends: [String: Int64] = [:]
        defer {
            for agent in agents { agent.stop() }
            coordinator.stop()
        }
        let ready = waitUntil(seconds: 30) { (0..<4).allSatisfy { httpStatus(port: p.agentHTTPPort($0), path: "/readyz") == 200 } }
        try #require(ready, "agents did not lock")
        // The junction runs the plan (its anchor is a few seconds ahead of
        // the first coordinator's start) before the edit.
        let running = waitUntil(seconds: 70) { (0..<4).allSatisfy { i in p.recording("agent-\(i).jsonl").contains { $0.aspect == .green } } }
        try #require(running, "the junction did not run the plan")

        // The edit, and every agent running it.
        let edited = ExamplePlans.crossroads
            .replacing(#"{ "name": "north-south", "green": ["north-south"], "seconds": 12 }"#,
                       with: #"{ "name": "north-south", "green": ["north-south"], "seconds": 17 }"#)
            .replacing(#"{ "name": "east-west", "green": ["east-west"], "seconds": 12 }"#,
                       with: #"{ "name": "east-west", "green": ["east-west"], "seconds": 9 }"#)
        let editedPlan = try SignalPlan.load(Array(edited.utf8), source: "edited")
        let editedID = String(PlanID(planBytes: Array(edited.utf8)).rawValue, radix: 16)
        try FileIO.write(Array(edited.utf8), to: planPath)
        coordinator.send(ChildProcess.hangup)
        let everyAgentRunsIt = waitUntil(seconds: 90) {
            (0..<4).allSatisfy { httpBody(port: p.agentHTTPPort($0), path: "/status")?.contains("\"plan\":\"\(editedID)\"") ?? false }
        }
        try #require(everyAgentRunsIt, "not every agent reported the edited plan \(editedID)")

        // SIGKILL the coordinator; a new one on the same file.
        coordinator.send(ChildProcess.kill)
        _ = coordinator.wait(untilMonotonicNanos: .max)
        coordinator = try p.startCoordinator(agents: [0, 1, 2, 3], log: "coordinator-2.log", plan: planPath)
        #expect(waitUntil(seconds: 15) { httpStatus(port: p.coordinatorHTTPPort, path: "/readyz") == 200 },
                "the replacement coordinator is not ready: \(p.log("coordinator-2.log").suffix(3_000))")

        // Restart agent 3.
        agents[3].send(ChildProcess.kill)
        _ = agents[3].wait(untilMonotonicNanos: .max)
        ends["agent-3.jsonl"] = recordingNowNanos()
        agents[3] = try p.startAgent(3, driftPPM: drifts[3], recording: "agent-3b.jsonl")
        #expect(waitUntil(seconds: 15) { httpStatus(port: p.agentHTTPPort(3), path: "/readyz") == 200 },
                "the restarted agent 3 did not lock: \(p.log("agent-3b.jsonl.log").suffix(3_000))")
        let rejoined = clock.nowNanos()
        let log = p.log("coordinator-2.log")
        #expect(log.contains("adopted("), "the replacement adopted no plan: \(log)")
        #expect(!log.contains("started("), "the replacement re-anchored the plan: \(log)")

        // Two cycles of the edited plan with the restarted agent.
        sleep(untilMonotonic: rejoined + 2 * editedPlan.cycleNanos + 5 * .nanosPerSecond)
        let stoppedAt = recordingNowNanos()
        for (ordinal, agent) in agents.enumerated() {
            let exit = agent.stop()
            #expect(exit == .exited(0), "agent \(ordinal) ended \(exit)")
        }
        let exit = coordinator.stop()
        #expect(exit == .exited(0), "the replacement coordinator ended \(exit): \(p.log("coordinator-2.log").suffix(3_000))")

        // Mirrored heads (ordinals 0 and 3 show north-south) change together
        // once agent 3 runs again: the defect put them 2,000 ms apart. Each
        // change within 25 ms (a loaded machine wakes a timing thread late
        // now and then: 5.7 ms was seen in a CI-style run), and half of them
        // within 1 ms, the lockstep goal.
        let a = p.recording("agent-0.jsonl"), b = p.recording("agent-3b.jsonl")
        let following = b.first { $0.aspect == .green }?.monotonicNanos ?? .max
        let compared = a.filter { $0.monotonicNanos > following && $0.monotonicNanos < stoppedAt - 1_000_000_000 }
        #expect(compared.count >= 4, "only \(compared.count) changes of agent 0 to compare")
        var worst: Int64 = 0
        var gaps: [Int64] = []
        for change in compared {
            let twin = b.min { abs($0.monotonicNanos - change.monotonicNanos) < abs($1.monotonicNanos - change.monotonicNanos) }
            let apart = abs((twin?.monotonicNanos ?? 0) - change.monotonicNanos)
            worst = max(worst, apart)
            gaps.append(apart)
            #expect(twin?.aspect == change.aspect && apart <= 25_000_000,
                    "agent 0 \(change) vs agent 3 \(String(describing: twin)): \(apart) ns apart")
        }
        let median = gaps.isEmpty ? 0 : gaps.sorted()[gaps.count / 2]
        print("plan identity: mirrored heads 0 and 3 changed at most \(Double(worst) / 1e3) µs apart (median \(Double(median) / 1e3) µs) over \(compared.count) changes")
        #expect(median <= 1_000_000, "mirrored heads: median \(median) ns apart")

        // No conflicting green or amber overlap in any recording pair
        // (ordinals 0 and 3 show north-south, 1 east-west, 2 walk).
        let wiring = ["agent-0.jsonl": 0, "agent-1.jsonl": 1, "agent-2.jsonl": 2, "agent-3.jsonl": 0, "agent-3b.jsonl": 0]
        var spans: [(group: Int, range: Range<Int64>, name: String)] = []
        for (name, group) in wiring {
            let records = p.recording(name)
            for (i, r) in records.enumerated() where r.aspect == .green || r.aspect == .amber {
                let end = i + 1 < records.count ? records[i + 1].monotonicNanos : (ends[name] ?? stoppedAt)
                if r.monotonicNanos < end { spans.append((group, r.monotonicNanos..<end, name)) }
            }
        }
        let conflicts = Set(editedPlan.conflicts.map { Set([$0.first, $0.second]) })
        var overlaps: [String] = []
        for x in spans {
            for y in spans where x.name < y.name && conflicts.contains([x.group, y.group]) && x.range.overlaps(y.range) {
                overlaps.append("\(x.name) and \(y.name) at \(max(x.range.lowerBound, y.range.lowerBound))")
            }
        }
        #expect(overlaps.isEmpty, "conflicting green/amber overlap: \(overlaps.prefix(5))")
    }

    /// Protocol 3's plan lending with real processes: the coordinator is
    /// SIGKILLed, the plan file is edited while none runs (an operator
    /// editing the ConfigMap and restarting the Deployment), and a
    /// replacement starts on the edited file. It must learn the running plan
    /// from the agents, continue it and hand over to the edit; before, it
    /// started the edit afresh 25 s ahead and every head flashed red meanwhile.
    @Test func aReplacementOnAnEditedFileLearnsTheRunningPlanAndNoHeadFlashes() throws {
        let p = try JunctionProcesses(name: "plan-lending")
        defer { if FileIO.environment("JUNCTION_KEEP_TEST_DIRECTORY") == nil { p.cleanUp() } else { print("kept \(p.directory)") } }
        let planPath = p.directory + "/plan.json"
        try FileIO.write(Array(ExamplePlans.crossroads.utf8), to: planPath)
        var coordinator = try p.startCoordinator(agents: [0, 1, 2], plan: planPath)
        let agents = try (0..<3).map { try p.startAgent($0, driftPPM: Double($0 * 60 - 60), recording: "agent-\($0).jsonl") }
        defer {
            for agent in agents { agent.stop() }
            coordinator.stop()
        }
        let running = waitUntil(seconds: 70) { (0..<3).allSatisfy { i in p.recording("agent-\(i).jsonl").contains { $0.aspect == .green } } }
        try #require(running, "the junction did not run the plan")

        coordinator.send(ChildProcess.kill)
        _ = coordinator.wait(untilMonotonicNanos: .max)
        let killedAt = recordingNowNanos()
        let edited = ExamplePlans.crossroads.replacing(#""seconds": 12 }"#, with: #""seconds": 15 }"#)
        let editedID = String(PlanID(planBytes: Array(edited.utf8)).rawValue, radix: 16)
        try FileIO.write(Array(edited.utf8), to: planPath)
        coordinator = try p.startCoordinator(agents: [0, 1, 2], log: "coordinator-2.log", plan: planPath)
        let handedOver = waitUntil(seconds: 90) {
            (0..<3).allSatisfy { httpBody(port: p.agentHTTPPort($0), path: "/status")?.contains("\"plan\":\"\(editedID)\"") ?? false }
        }
        let log = p.log("coordinator-2.log")
        #expect(handedOver, "not every agent runs the edit \(editedID): \(log.suffix(3_000))")
        #expect(log.contains("plan learned from agents"), "the replacement learned no plan: \(log.suffix(3_000))")
        #expect(log.contains("adopted("), "the replacement adopted no plan: \(log.suffix(3_000))")
        #expect(!log.contains("started("), "the replacement started the file's plan afresh: \(log.suffix(3_000))")
        // Ground truth: what each lamp showed after the kill.
        for i in 0..<3 {
            let flashes = p.recording("agent-\(i).jsonl").filter { $0.monotonicNanos > killedAt && $0.aspect.isFlashing }
            #expect(flashes.isEmpty, "agent \(i) flashed after the replacement: \(flashes.prefix(3))")
        }
        for (ordinal, agent) in agents.enumerated() {
            let exit = agent.stop()
            #expect(exit == .exited(0), "agent \(ordinal) ended \(exit)")
        }
        let exit = coordinator.stop()
        #expect(exit == .exited(0), "the replacement coordinator ended \(exit): \(p.log("coordinator-2.log").suffix(3_000))")
    }
}
