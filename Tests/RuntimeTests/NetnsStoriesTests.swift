import GPIO
import JunctionCore
import Posix
import Testing

/// The agents' side of the deployment, rehearsed by `scripts/netns-stories`
/// in network namespaces with the manifests' environment: deploy three
/// agents, scale the StatefulSet to five (new DNS records), delete agents-4
/// and let it come back with its name. The script compares each joiner with
/// the agent showing the same head; this test checks every recording against
/// the plan itself: no flash, no missed or extra change once following, and
/// one timebase for all (the spread of the cycle origins).
@Suite(.serialized)
struct NetnsStoriesTests {
    static var isRoot: Bool { NetnsClusterTests.isRoot }
    static var hasDnsmasq: Bool { NetnsClusterTests.hasDnsmasq }

    // needs root (network namespaces); CI runs as root
    @Test(.enabled(if: isRoot, "needs root (network namespaces); CI runs as root"),
          .enabled(if: hasDnsmasq, "needs dnsmasq (apt-get install dnsmasq-base) to serve the Services' DNS"))
    func scaleToFiveAndDeleteAnAgentKeepEveryHeadInPhase() throws {
        let directory = try FileIO.makeTemporaryDirectory(prefix: "junction-stories")
        let logs = directory + "/logs"
        defer { _ = try? ChildProcess.spawn("/bin/rm", arguments: ["-rf", directory], outputPath: "/dev/null").wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 5_000_000_000) }
        let seconds = 95
        let arguments = ["--seconds", "\(seconds)", "--scale-at", "12", "--delete-at", "34",
                         "--binary", JunctionProcesses.binary(), "--keep-logs", logs]
        let script = try ChildProcess.spawn(JunctionProcesses.root() + "/scripts/netns-stories", arguments: arguments,
                                            outputPath: directory + "/output.log")
        let exit = script.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + Int64(seconds + 60) * 1_000_000_000) ?? script.stop()
        let output = (try? FileIO.read(directory + "/output.log")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        print(output)
        if exit == .exited(77) { print("netns-stories skipped: network namespaces are not usable here"); return }
        #expect(exit == .exited(0), "scripts/netns-stories: \(exit)\n\(output)")

        let plan = try SignalPlan.load(try FileIO.read(JunctionProcesses.root() + "/plans/crossroads.json"), source: "crossroads")
        var runs: [[PlanTimeline.Match]] = []
        for (name, ordinal) in [("agent0", 0), ("agent1", 1), ("agent2", 2), ("agent3", 3), ("agent4", 4), ("agent4-back", 4)] {
            let text = (try? FileIO.read(logs + "/\(name).jsonl")).map { String(decoding: $0, as: UTF8.self) } ?? ""
            var records = text.split(separator: "\n").compactMap { RecordedAspect(jsonLine: String($0)) }
            // A graceful stop (the end of the run, or agents-4's deletion
            // mid-cycle) clears a green through its full amber, then shows
            // the shutdown aspect: those last changes are the stop's, not
            // the plan's.
            if records.count >= 2, records[records.count - 2].aspect == .amber { records.removeLast(2) }
            #expect(!records.contains { $0.aspect.isFlashing }, "\(name) flashed")
            // agents-4 before its deletion may have seen no change of its
            // head (east-west changes late in the cycle): nothing to check.
            if name == "agent4" && records.count < 3 { continue }
            // A joiner's first changes are its join: start-up red, then at
            // most red+amber and a green shortened to the plan's end of
            // green (joining at a long-enough green goes through red+amber).
            // From the first record where the rest follows the plan, every
            // change must be the plan's.
            let timeline = PlanTimeline(plan: plan, ordinal: ordinal)
            let joinRecords = (0...min(3, records.count)).first { k in
                timeline.check(Array(records.dropFirst(k)), toleranceNanos: 5_000_000).failures.isEmpty
            }
            #expect(joinRecords != nil, "\(name) never followed the plan: \(timeline.check(records, toleranceNanos: 5_000_000).failures)")
            let check = timeline.check(Array(records.dropFirst(joinRecords ?? 0)), toleranceNanos: 5_000_000)
            #expect(check.skipped <= 3, "\(name): \(check.skipped) changes before following the plan")
            print("netns-stories \(name): joined in \(joinRecords ?? -1) record(s), then \(check.matches.count) changes as the plan says, \(check.failures.count) missed or extra")
            runs.append(check.matches)
        }
        let (skew, pairs) = maximumSkewNanos(runs, cycleNanos: plan.cycleNanos)
        print("netns-stories: cycle-origin skew over all heads, joiners included: \(Double(skew) / 1e6) ms over \(pairs) pairs")
        #expect(pairs > 0)
        // A joiner in the wrong phase is seconds off; 5 ms leaves room for a
        // debug build among parallel tests on two cores (the lockstep goal
        // itself, about 1 ms, is measured by the multi-process tests).
        #expect(skew <= 5_000_000, "heads out of phase by \(Double(skew) / 1e6) ms")
    }
}
