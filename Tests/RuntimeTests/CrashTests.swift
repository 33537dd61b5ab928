#if canImport(Glibc)
import Glibc
#endif
import JunctionCore
import Posix
import Testing

/// A crashing agent leaves its head in the shutdown aspect (the crash guard's
/// prebuilt write runs in the signal handler), and ends promptly; a SIGKILLed
/// agent's retained green is cleared through amber by its successor.
@Suite(.serialized)
struct CrashTests {
    @Test func crashesWhileGreenEndOnTheShutdownAspect() throws {
        let p = try JunctionProcesses(name: "crash")
        defer { p.cleanUp() }
        let coordinator = try p.startCoordinator(agents: [0, 2, 3], plan: try p.writeShortPlan())
        // 0: sent SIGSEGV while green. 2: traps itself (a Swift trap) at its
        // first green. 3: SIGKILLed while green, restarted on the same
        // recording (which stands in for the lamp the kernel keeps lit).
        let segv = try p.startAgent(0, driftPPM: 0, recording: "segv.jsonl")
        let trap = try p.startAgent(2, driftPPM: 0, recording: "trap.jsonl", extra: ["--testing-trap-after-seconds", "0"])
        var killed = try p.startAgent(3, driftPPM: 0, recording: "kill.jsonl")
        defer { segv.stop(); trap.stop(); killed.stop(); _ = coordinator.stop() }
        try #require(waitUntil(seconds: 60) { p.recording("segv.jsonl").last?.aspect == .green }, "the head never showed green")

        let signalled = MonotonicClock().nowNanos()
        let signalledOnRecordings = recordingNowNanos()
        #expect(segv.send(SIGSEGV))
        #expect(killed.send(ChildProcess.kill))
        let segvExit = segv.wait(untilMonotonicNanos: signalled + 2_000_000_000)
        let ended = MonotonicClock().nowNanos()
        #expect(segvExit == .signalled(SIGSEGV), "\(String(describing: segvExit))")
        let segvRecords = p.recording("segv.jsonl")
        #expect(segvRecords.suffix(2).map(\.aspect) == [.green, .red], "\(segvRecords.suffix(3))")
        let latency = (segvRecords.last?.monotonicNanos ?? 0) - signalledOnRecordings
        #expect(latency >= 0 && latency <= 50_000_000, "shutdown aspect \(latency / 1000) µs after SIGSEGV")
        print("crash: shutdown aspect in the recording \(Double(latency) / 1e6) ms after SIGSEGV; process gone after \(Double(ended - signalled) / 1e6) ms")

        // The self-trapping agent: dead by its trap, its recording ends on red.
        let trapExit = trap.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 10_000_000_000)
        #expect(trapExit == .signalled(SIGILL) || trapExit == .signalled(SIGTRAP), "\(String(describing: trapExit))")
        #expect(p.recording("trap.jsonl").suffix(2).map(\.aspect) == [.green, .red], "\(p.recording("trap.jsonl").suffix(3))")

        // SIGKILL runs no code: the "lamp" stays green until a successor
        // starts, which clears it through a full amber before its red (or
        // flashing red: the coordinator stops the junction while its heads
        // are silent, and the successor may lock and hear that first).
        _ = killed.wait(untilMonotonicNanos: .max)
        #expect(p.recording("kill.jsonl").last?.aspect == .green)
        killed = try p.startAgent(3, driftPPM: 0, recording: "kill.jsonl")
        let stopped: Set<Aspect> = [.red, .flashingRed]
        try #require(waitUntil(seconds: 10) { p.recording("kill.jsonl").suffix(2).first?.aspect == .amber && stopped.contains(p.recording("kill.jsonl").last!.aspect) },
                     "\(p.recording("kill.jsonl").suffix(4))")
        let tail = Array(p.recording("kill.jsonl").suffix(3))
        #expect(tail.prefix(2).map(\.aspect) == [.green, .amber])
        let amber = tail[2].monotonicNanos - tail[1].monotonicNanos
        // A full amber on the lamp: the core counts it from the instant the
        // write was done (the recording stamps just before writing), not
        // from its decision before a cold first run and write (which left
        // 2,999.75–2,999.93 ms, and less on a loaded machine).
        #expect(amber >= 3_000_000_000, "retained green cleared with \(Double(amber) / 1e6) ms of amber")
        print("crash: restarted agent cleared the retained green with \(Double(amber) / 1e6) ms of amber")
    }

    /// `--watchdog`: petted while running; a clean stop ends with the magic
    /// 'V'; a SIGKILL leaves it without (so the hardware would reset).
    @Test func theWatchdogIsPettedAndClosedCleanlyOnlyOnACleanStop() throws {
        let p = try JunctionProcesses(name: "watchdog")
        defer { p.cleanUp() }
        for (name, signal) in [("clean", ChildProcess.terminate), ("killed", ChildProcess.kill)] {
            let path = p.directory + "/\(name).watchdog"
            try FileIO.write([], to: path)
            let agent = try p.startAgent(0, driftPPM: 0, recording: "\(name).jsonl", extra: ["--watchdog", path])
            #expect(waitUntil(seconds: 10) { ((try? FileIO.read(path))?.count ?? 0) >= 3 }, "no pets")
            #expect(agent.send(signal))
            _ = agent.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 5_000_000_000)
            let bytes = try FileIO.read(path)
            #expect(bytes.dropLast().allSatisfy { $0 == UInt8(ascii: "p") })
            #expect((bytes.last == UInt8(ascii: "V")) == (name == "clean"), "\(name): ends with \(bytes.last.map { Character(Unicode.Scalar($0)) } ?? "-")")
        }
    }
}
