import JunctionCore
import Posix
import Testing

/// SIGTERM: a green head clears through the plan's full amber before its
/// shutdown aspect (green → red is an illegal change on a street); a head
/// that is not green takes the shutdown aspect at once. Exit 0.
@Suite(.serialized)
struct GracefulStopTests {
    /// Not green (start-up red, no coordinator): the shutdown aspect at once.
    @Test(arguments: ["off", "red"])
    func sigtermWhileNotGreenShowsTheShutdownAspectAtOnce(shutdown: String) throws {
        let p = try JunctionProcesses(name: "stop")
        defer { p.cleanUp() }
        let agent = try p.startAgent(0, driftPPM: 0, recording: "agent.jsonl", shutdown: shutdown)
        #expect(waitUntil(seconds: 10) { !p.recording("agent.jsonl").isEmpty && httpStatus(port: p.agentHTTPPort(0), path: "/healthz") == 200 })
        let signalled = MonotonicClock().nowNanos()
        let signalledOnRecordings = recordingNowNanos()
        agent.send(ChildProcess.terminate)
        let exit = agent.wait(untilMonotonicNanos: signalled + 2_000_000_000)
        let exited = MonotonicClock().nowNanos()
        #expect(exit == .exited(0))
        let records = p.recording("agent.jsonl")
        let last = try #require(records.last)
        #expect(last.aspect == (shutdown == "off" ? Aspect.off : .red))
        #expect(!records.contains { $0.aspect == .amber }, "no amber: the head was not green")
        if shutdown == "off" {
            let latency = last.monotonicNanos - signalledOnRecordings
            #expect(latency >= 0 && latency <= 100_000_000, "shutdown aspect \(latency / 1000) µs after SIGTERM")
            print("graceful stop (red head): shutdown aspect \(Double(latency) / 1e6) ms after SIGTERM, exit after \(Double(exited - signalled) / 1e6) ms")
        }
        #expect(exited - signalled < 1_000_000_000)
    }

    /// Green at SIGTERM: green → amber (≥ the plan's 3 s) → red, then exit 0.
    @Test func sigtermDuringGreenClearsThroughTheFullAmber() throws {
        let p = try JunctionProcesses(name: "stopgreen")
        defer { p.cleanUp() }
        let coordinator = try p.startCoordinator(agents: [0], plan: try p.writeShortPlan())
        let agent = try p.startAgent(0, driftPPM: 0, recording: "agent.jsonl", shutdown: "red")
        defer { agent.stop(); _ = coordinator.stop() }
        try #require(waitUntil(seconds: 60) { p.recording("agent.jsonl").last?.aspect == .green }, "the head never showed green")
        let signalled = MonotonicClock().nowNanos()
        let signalledOnRecordings = recordingNowNanos()
        agent.send(ChildProcess.terminate)
        let exit = agent.wait(untilMonotonicNanos: signalled + 6_000_000_000)
        #expect(exit == .exited(0))
        let tail = Array(p.recording("agent.jsonl").suffix(3))
        try #require(tail.count == 3)
        #expect(tail.map(\.aspect) == [.green, .amber, .red], "\(tail)")
        let amber = tail[2].monotonicNanos - tail[1].monotonicNanos
        #expect(amber >= 3_000_000_000, "amber lasted \(amber / 1_000_000) ms, the plan's is 3 s")
        #expect(tail[1].monotonicNanos - signalledOnRecordings <= 100_000_000, "amber \( (tail[1].monotonicNanos - signalledOnRecordings) / 1_000_000) ms after SIGTERM")
        print("graceful stop (green head): amber \(Double(tail[1].monotonicNanos - signalledOnRecordings) / 1e6) ms after SIGTERM, red after \(Double(amber) / 1e6) ms of amber")
    }
}
