import GPIO
import JunctionCore
import Posix
import Protocol
import Testing

/// A burst of ~10,000 garbage datagrams at one agent: its lights change
/// exactly like an unflooded agent showing the same group, and its drop
/// counters account for the garbage.
@Suite(.serialized)
struct FloodTests {
    @Test func garbageDoesNotDisturbTheLights() throws {
        let p = try JunctionProcesses(name: "flood")
        defer { p.cleanUp() }
        // Ordinals 0 and 3 both show north-south in plans/crossroads.json.
        let coordinator = try p.startCoordinator(agents: [0, 3])
        let flooded = try p.startAgent(0, driftPPM: 150, recording: "flooded.jsonl")
        let quiet = try p.startAgent(3, driftPPM: -120, recording: "quiet.jsonl")
        defer { for child in [flooded, quiet, coordinator] { child.stop() } }
        let locked = waitUntil(seconds: 20) {
            httpStatus(port: p.agentHTTPPort(0), path: "/readyz") == 200 && httpStatus(port: p.agentHTTPPort(3), path: "/readyz") == 200
        }
        try #require(locked, "agents did not lock: \(p.log("flooded.jsonl.log"))")
        let before = httpBody(port: p.agentHTTPPort(0), path: "/metrics") ?? ""

        let sent = try flood(port: p.agentPort(0), keyPath: p.keyPath)
        let floodEnded = MonotonicClock().nowNanos()
        let floodEndedOnRecordings = recordingNowNanos()
        // Lights keep running: watch 60 s, so that with the 5 s before the
        // flood the window holds a whole 52 s crossroads cycle (4 changes of
        // the north-south head) wherever in the cycle it starts.
        sleep(untilMonotonic: floodEnded + 60_000_000_000)
        let after = httpBody(port: p.agentHTTPPort(0), path: "/metrics") ?? ""
        // Both at once, and compare only up to the signal: a green clears
        // through its amber, and one agent stopping before the other would
        // be a silent head that stops the other's junction.
        let stoppedAt = recordingNowNanos()
        _ = flooded.send(ChildProcess.terminate)
        _ = quiet.send(ChildProcess.terminate)
        _ = flooded.stop()
        _ = quiet.stop()

        let dropped = metricSum(after, "junction_datagrams_dropped_total") - metricSum(before, "junction_datagrams_dropped_total")
        let overflow = metricSum(after, "junction_socket_overflow_drops_total") - metricSum(before, "junction_socket_overflow_drops_total")
        print("flood: sent \(sent) garbage datagrams, agent counted \(Int(dropped)) drops, kernel overflow \(Int(overflow))")
        #expect(dropped + overflow >= Double(sent), "every garbage datagram is either counted or dropped by the kernel")
        #expect(dropped <= Double(sent) + 50, "drops beyond the garbage: \(dropped) for \(sent)")
        #expect(dropped >= Double(sent) / 2, "most of the burst reached the agent: \(dropped) of \(sent)")

        let a = p.recording("flooded.jsonl").filter { $0.monotonicNanos < stoppedAt }
        let b = p.recording("quiet.jsonl").filter { $0.monotonicNanos < stoppedAt }
        let window = (a.first { $0.monotonicNanos >= floodEndedOnRecordings - 5_000_000_000 }?.monotonicNanos ?? 0)
        let changesA = a.filter { $0.monotonicNanos >= window }
        let changesB = b.filter { $0.monotonicNanos >= window - 50_000_000 }
        #expect(changesA.count >= 3, "too few changes to compare: \(changesA.count)")
        var worst: Int64 = 0
        for change in changesA {
            let twin = changesB.min { abs($0.monotonicNanos - change.monotonicNanos) < abs($1.monotonicNanos - change.monotonicNanos) }
            #expect(twin?.aspect == change.aspect, "flooded agent showed \(change.aspect) with no twin")
            if let twin { worst = max(worst, abs(twin.monotonicNanos - change.monotonicNanos)) }
        }
        print("flood: \(changesA.count) changes compared, largest difference \(Double(worst) / 1e6) ms")
        #expect(worst <= 20_000_000)
        let timeline = PlanTimeline(plan: try SignalPlan.load(try FileIO.read(p.planPath), source: "crossroads"), ordinal: 0)
        let check = timeline.check(a, toleranceNanos: 20_000_000)
        #expect(check.failures.isEmpty, "\(check.failures)")
    }

    /// ~10,000 datagrams in one burst: random bytes, and sealed ticks that
    /// are truncated or have one bit flipped.
    func flood(port: UInt16, keyPath: String) throws -> Int {
        let socket = try UDPSocket(binding: .loopbackIPv4(port: 0))
        let target = SocketAddress.loopbackIPv4(port: port)
        let codec = DatagramCodec(key: try AuthKey(bytes: try FileIO.read(keyPath)))
        var count = 0
        for i in 0..<10_000 {
            var bytes: [UInt8]
            switch i % 3 {
            case 0:
                bytes = (0..<Int.random(in: 1...1200)).map { _ in UInt8.random(in: 0...255) }
            default:
                let tick = Tick(coordinatorID: 7, term: 1, sentAt: TimebaseInstant(nanos: Int64(i)),
                                plan: PlanRef(id: PlanID(rawValue: 1), anchor: TimebaseInstant(nanos: 0)), cyclePositionNanos: 0)
                bytes = try codec.seal(.tick(tick), sender: 7, sequence: UInt64(i + 1))
                if i % 3 == 1 {
                    bytes.removeLast(Int.random(in: 1..<bytes.count))
                } else {
                    bytes[Int.random(in: 0..<bytes.count)] ^= 1 << UInt8.random(in: 0...7)
                }
            }
            do {
                try socket.send(bytes, to: target)
                count += 1
            } catch {}
        }
        return count
    }
}
