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
        func instant(_ name: String) -> Int64? {
            (try? FileIO.read(logs + "/\(name)-monotonic.log"))
                .flatMap { String(decoding: $0, as: UTF8.self).split(whereSeparator: \.isWhitespace).first.flatMap { Int64($0) } }
        }
        let stop = try #require(instant("stop"), "scripts/netns-stories did not record the stop instant")
        let deletion = try #require(instant("delete"), "scripts/netns-stories did not record agents-4's deletion")
        var runs: [[PlanTimeline.Match]] = []
        for (name, ordinal) in [("agent0", 0), ("agent1", 1), ("agent2", 2), ("agent3", 3), ("agent4", 4), ("agent4-back", 4)] {
            let text = (try? FileIO.read(logs + "/\(name).jsonl")).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let all = text.split(separator: "\n").compactMap { RecordedAspect(jsonLine: String($0)) }
            #expect(!all.contains { $0.aspect.isFlashing }, "\(name) flashed")
            // A graceful stop (the end of the run, or agents-4's deletion
            // mid-cycle) clears a green through its full amber, then shows
            // the shutdown aspect: from the stop on, the changes are the
            // stop's, not the plan's. (Guessing the stop from the last
            // records read a plan amber or a stopping red+amber wrongly.)
            let end = name == "agent4" ? deletion : stop
            let records = all.filter { $0.monotonicNanos < end }
            // agents-4 before its deletion may have seen no change of its
            // head (east-west changes late in the cycle): nothing to check.
            if name == "agent4" && records.count < 3 { continue }
            // 20 ms per segment, as the other process tests: a missed or
            // extra change is seconds off; a loaded machine can wake a
            // timing thread late (11.2 ms seen here), which is no phase error.
            let tolerance: Int64 = 20_000_000
            // A joiner's first changes are its join: start-up red, then at
            // most red+amber and a green shortened to the plan's end of
            // green (joining at a long-enough green goes through red+amber).
            // From the first record where the rest follows the plan, every
            // change must be the plan's.
            let timeline = PlanTimeline(plan: plan, ordinal: ordinal)
            let joinRecords = (0...min(3, records.count)).first { k in
                timeline.check(Array(records.dropFirst(k)), toleranceNanos: tolerance).failures.isEmpty
            }
            #expect(joinRecords != nil, "\(name) never followed the plan: \(timeline.check(records, toleranceNanos: tolerance).failures)")
            let check = timeline.check(Array(records.dropFirst(joinRecords ?? 0)), toleranceNanos: tolerance)
            #expect(check.skipped <= 3, "\(name): \(check.skipped) changes before following the plan")
            print("netns-stories \(name): joined in \(joinRecords ?? -1) record(s), then \(check.matches.count) changes as the plan says, \(check.failures.count) missed or extra")
            runs.append(check.matches)
        }
        let (skew, pairs) = maximumSkewNanos(runs, cycleNanos: plan.cycleNanos)
        let spread = medianOriginSpreadNanos(runs, cycleNanos: plan.cycleNanos)
        print("netns-stories: cycle-origin skew over all heads, joiners included: \(Double(skew) / 1e6) ms over \(pairs) pairs; spread of the heads' median origins \(Double(spread) / 1e6) ms")
        #expect(pairs > 0)
        // A joiner in the wrong phase is seconds off. One timebase for all:
        // the heads' median origins within 5 ms (the lockstep goal itself,
        // about 1 ms, is measured by the multi-process tests and
        // `scripts/bench lockstep`); and no single change more than 25 ms
        // off, which a late wake-up on a loaded machine stays within.
        #expect(spread <= 5_000_000, "heads out of phase: median origins \(Double(spread) / 1e6) ms apart")
        #expect(skew <= 25_000_000, "heads out of phase by \(Double(skew) / 1e6) ms")
    }
}
