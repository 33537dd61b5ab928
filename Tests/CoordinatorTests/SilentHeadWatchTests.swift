import Testing
import JunctionCore
import Protocol
@testable import Coordinator

/// A head whose agent went silent may be frozen on green: the coordinator
/// stops every other head of its junction until it reports again.
@Suite("SilentHeadWatch: a silent head stops its junction")
struct SilentHeadWatchTests {
    let planBytes = Array(ExamplePlans.crossroads.utf8)
    let key = try! AuthKey(bytes: [UInt8](repeating: 7, count: 32))
    let ms = Int64.nanosPerMillisecond

    func report(_ ordinal: UInt32, group: String, junction: String = "main", at t: TimebaseInstant) -> Report {
        Report(ordinal: ordinal, instance: 100 + UInt64(ordinal), board: "",
               plan: PlanRef(id: PlanID(planBytes: planBytes), anchor: TimebaseInstant(nanos: 0)), state: .locked,
               offsetNanos: 0, errorBoundNanos: 50_000, head: HeadReport(junction: junction, group: group, aspect: .red),
               sentAt: LocalInstant(nanos: t.nanos), timebaseAtSend: t, sourceCoordinatorID: 42, sourceTerm: 1)
    }

    @Test func theWatchItself() {
        var watch = SilentHeadWatch()
        let t0 = LocalInstant(nanos: 0)
        let r = report(0, group: "north-south", at: TimebaseInstant(nanos: 0))
        watch.reported(r, at: t0)
        // The rest of "main" keeps reporting; the head of "other" does too.
        for k in 1...15 { watch.reported(report(2, group: "east-west", at: TimebaseInstant(nanos: 0)), at: t0 + Int64(k) * 100 * ms) }
        watch.reported(report(1, group: "east-west", junction: "other", at: TimebaseInstant(nanos: 0)), at: t0 + 1_400 * ms)
        #expect(watch.refresh(at: t0 + 1_500 * ms).isEmpty, "1.5 s is not yet over the threshold")
        #expect(watch.command(forJunction: "main") == .run)
        let silent = watch.refresh(at: t0 + 1_501 * ms)
        #expect(silent.map(\.junction) == ["main"])
        #expect(watch.command(forJunction: "main") == .stop)
        #expect(watch.command(forJunction: "other") == .run, "only the silent head's junction")
        #expect(watch.refresh(at: t0 + 1_600 * ms).isEmpty, "reported once, not every round")
        watch.reported(r, at: t0 + 2_000 * ms)
        #expect(watch.command(forJunction: "main") == .run, "it reported again: the junction runs")
        // A head without a head assignment any more is off the watch.
        var gone = r
        gone.head = nil
        watch.reported(gone, at: t0 + 2_000 * ms)
        watch.refresh(at: t0 + 10_000 * ms)
        #expect(watch.command(forJunction: "main") == .run)
    }

    /// A head silent long enough for its agent to be forgotten (gone from
    /// DNS: the pod deleted, or the StatefulSet scaled down, after a crash
    /// that left its lamp lit) is no less presumed green: its junction stays
    /// stopped until a head of that board or ordinal reports again. Before,
    /// forgetting the agent forgot the head and the junction ran on beside
    /// a lamp frozen on green (sweep seeds 83, 246, 753, 758 once scale-down
    /// was drawn). A head forgotten without having stopped anything is gone.
    @Test func forgettingASilentHeadsAgentDoesNotEndTheStop() {
        var watch = SilentHeadWatch()
        let t0 = LocalInstant(nanos: 0)
        watch.reported(report(0, group: "north-south", at: TimebaseInstant(nanos: 0)), at: t0)
        watch.reported(report(3, group: "walk", at: TimebaseInstant(nanos: 0)), at: t0)
        for k in 1...20 { watch.reported(report(2, group: "east-west", at: TimebaseInstant(nanos: 0)), at: t0 + Int64(k) * 100 * ms) }
        watch.refresh(at: t0 + 1_600 * ms)
        #expect(watch.command(forJunction: "main") == .stop)
        watch.forget(board: "", ordinal: 0)
        watch.forget(board: "", ordinal: 3)
        watch.refresh(at: t0 + 20_000 * ms)
        #expect(watch.command(forJunction: "main") == .stop, "the forgotten head may still be lit green")
        #expect(watch.stoppedJunctions["main"]?.count == 2, "both silent heads still stop it")
        // The board comes back (scaled up again, or repaired) on red.
        var back = report(0, group: "north-south", at: TimebaseInstant(nanos: 0))
        back.instance = 999
        watch.reported(back, at: t0 + 30_000 * ms)
        watch.reported(report(3, group: "walk", at: TimebaseInstant(nanos: 0)), at: t0 + 30_000 * ms)
        watch.refresh(at: t0 + 30_100 * ms)
        #expect(watch.command(forJunction: "main") == .run)
        // A head that stopped nothing is simply forgotten: silent from now
        // on while the others report, it stops nothing.
        watch.forget(board: "", ordinal: 2)
        for k in 1...20 {
            watch.reported(report(0, group: "north-south", at: TimebaseInstant(nanos: 0)), at: t0 + 30_000 * ms + Int64(k) * 100 * ms)
            watch.reported(report(3, group: "walk", at: TimebaseInstant(nanos: 0)), at: t0 + 30_000 * ms + Int64(k) * 100 * ms)
        }
        #expect(watch.refresh(at: t0 + 32_000 * ms).isEmpty)
        #expect(watch.command(forJunction: "main") == .run)
    }

    /// A new coordinator hears the heads first in answers to its solicits,
    /// while it adopts; the agents can report to it only once its ticks
    /// come. Judged from those answers, a head whose first reports to it
    /// were lost stopped its junction half a second after the coordinator
    /// began to serve (sweep seed 2487): silence counts from the start of
    /// serving, the full 1.5 s.
    @Test func silenceCountsFromTheStartOfServing() {
        var watch = SilentHeadWatch()
        let t0 = LocalInstant(nanos: 0)
        watch.reported(report(0, group: "north-south", at: TimebaseInstant(nanos: 0)), at: t0)
        watch.reported(report(2, group: "east-west", at: TimebaseInstant(nanos: 0)), at: t0)
        let serving = t0 + 1_000 * ms
        watch.startWatching(at: serving)
        // The other head reports from the first ticks on; head 0's reports are lost.
        for k in 1...15 { watch.reported(report(2, group: "east-west", at: TimebaseInstant(nanos: 0)), at: serving + Int64(k) * 100 * ms) }
        #expect(watch.refresh(at: t0 + 1_600 * ms).isEmpty, "1.6 s after its answer, 0.6 s after the first ticks: not silent")
        #expect(watch.refresh(at: serving + 1_500 * ms).isEmpty)
        #expect(watch.refresh(at: serving + 1_501 * ms).map(\.junction) == ["main"], "silent 1.5 s after the first ticks: stopped")
    }

    /// A whole junction going quiet together (a partition) is not a silent
    /// head: the heads coming back must not be stopped one by one.
    @Test func aJunctionGoingQuietTogetherIsNotStopped() {
        var watch = SilentHeadWatch()
        let t0 = LocalInstant(nanos: 0)
        watch.reported(report(0, group: "north-south", at: TimebaseInstant(nanos: 0)), at: t0)
        watch.reported(report(1, group: "east-west", at: TimebaseInstant(nanos: 0)), at: t0 + 150 * ms)
        #expect(watch.refresh(at: t0 + 5_000 * ms).isEmpty)
        // The partition heals: one reports, the other 60 ms later.
        watch.reported(report(0, group: "north-south", at: TimebaseInstant(nanos: 0)), at: t0 + 60_000 * ms)
        watch.refresh(at: t0 + 60_010 * ms)
        #expect(watch.command(forJunction: "main") == .run)
    }

    /// A restarted agent (another instance) ends the stop only once its lamp
    /// shows no green or amber (it clears a retained green first).
    @Test func aRestartedHeadEndsTheStopOnceItsLampIsSafe() {
        var watch = SilentHeadWatch()
        let t0 = LocalInstant(nanos: 0)
        watch.reported(report(0, group: "north-south", at: TimebaseInstant(nanos: 0)), at: t0)
        for k in 1...20 { watch.reported(report(1, group: "east-west", at: TimebaseInstant(nanos: 0)), at: t0 + Int64(k) * 100 * ms) }
        watch.refresh(at: t0 + 2_000 * ms)
        #expect(watch.command(forJunction: "main") == .stop)
        var restarted = report(0, group: "north-south", at: TimebaseInstant(nanos: 0))
        restarted.instance = 0x5EC0
        restarted.head = nil
        watch.reported(restarted, at: t0 + 3_000 * ms)
        watch.refresh(at: t0 + 3_000 * ms)
        #expect(watch.command(forJunction: "main") == .stop, "no head known yet: its lamp may still be lit")
        restarted.head = HeadReport(junction: "main", group: "north-south", aspect: .amber)
        watch.reported(restarted, at: t0 + 3_100 * ms)
        watch.refresh(at: t0 + 3_100 * ms)
        #expect(watch.command(forJunction: "main") == .stop, "still clearing its retained green")
        restarted.head = HeadReport(junction: "main", group: "north-south", aspect: .red)
        watch.reported(restarted, at: t0 + 6_000 * ms)
        #expect(watch.command(forJunction: "main") == .run)
    }

    /// Head 0 falls silent at t0 after `last` while head 1 keeps reporting
    /// for 3 s; returns the command for "main" then.
    func commandAfterSilence(last: Report, watch: inout SilentHeadWatch) -> TickCommand {
        let t0 = LocalInstant(nanos: 0)
        watch.reported(last, at: t0)
        for k in 1...30 { watch.reported(report(1, group: "east-west", at: TimebaseInstant(nanos: 0)), at: t0 + Int64(k) * 100 * ms) }
        watch.refresh(at: t0 + 3_000 * ms)
        return watch.command(forJunction: "main")
    }

    /// A graceful stop on steady red (the agent's last word) is safe: its
    /// silence stops nothing. Stopped dark, or with `stopped` on another
    /// aspect, or without the flag, it still stops the junction.
    @Test func aHeadStoppedOnRedDoesNotStopItsJunction() {
        var onRed = report(0, group: "north-south", at: TimebaseInstant(nanos: 0))
        onRed.stopped = true
        var watch = SilentHeadWatch()
        #expect(commandAfterSilence(last: onRed, watch: &watch) == .run)
        #expect(watch.refresh(at: LocalInstant(nanos: 60_000 * ms)).isEmpty, "not later either")
        #expect(watch.command(forJunction: "main") == .run)

        var dark = onRed
        dark.head?.aspect = .off
        var darkWatch = SilentHeadWatch()
        #expect(commandAfterSilence(last: dark, watch: &darkWatch) == .stop, "a dark approach beside running greens")
        var flashing = onRed
        flashing.head?.aspect = .flashingRed
        var flashingWatch = SilentHeadWatch()
        #expect(commandAfterSilence(last: flashing, watch: &flashingWatch) == .stop)
        var withoutFlag = onRed
        withoutFlag.stopped = false
        var plainWatch = SilentHeadWatch()
        #expect(commandAfterSilence(last: withoutFlag, watch: &plainWatch) == .stop, "red but maybe died there")
    }

    /// A successor's reports put the head back under the usual rules: when
    /// it then dies silently, the junction stops.
    @Test func aSuccessorOfAStoppedHeadIsWatchedAgain() {
        var onRed = report(0, group: "north-south", at: TimebaseInstant(nanos: 0))
        onRed.stopped = true
        var watch = SilentHeadWatch()
        #expect(commandAfterSilence(last: onRed, watch: &watch) == .run)
        var successor = report(0, group: "north-south", at: TimebaseInstant(nanos: 0))
        successor.instance = 0x5EC0
        let t = LocalInstant(nanos: 3_100 * ms)
        watch.reported(successor, at: t)
        for k in 1...20 { watch.reported(report(1, group: "east-west", at: TimebaseInstant(nanos: 0)), at: t + Int64(k) * 100 * ms) }
        #expect(watch.refresh(at: t + 2_000 * ms).map(\.junction) == ["main"])
        #expect(watch.command(forJunction: "main") == .stop)
    }

    /// The last word ends a stop already under way (the agent's reports
    /// were lost while it cleared a green), and a report of the same agent
    /// arriving after it (reordered) does not undo it.
    @Test func theLastWordEndsAStopAndOutranksOlderReports() {
        var watch = SilentHeadWatch()
        let t0 = LocalInstant(nanos: 0)
        let alive = report(0, group: "north-south", at: TimebaseInstant(nanos: 0))
        #expect(commandAfterSilence(last: alive, watch: &watch) == .stop)
        var lastWord = alive
        lastWord.stopped = true
        watch.reported(lastWord, at: t0 + 3_050 * ms)
        #expect(watch.command(forJunction: "main") == .run)
        watch.reported(alive, at: t0 + 3_060 * ms)  // an older report, late
        for k in 1...30 { watch.reported(report(1, group: "east-west", at: TimebaseInstant(nanos: 0)), at: t0 + 3_060 * ms + Int64(k) * 100 * ms) }
        watch.refresh(at: t0 + 6_100 * ms)
        #expect(watch.command(forJunction: "main") == .run)
    }

    @Test func ticksToTheOtherHeadsOfTheJunctionCarryStopUntilItReportsAgain() throws {
        let plan = try SignalPlan.load(planBytes, source: "crossroads")
        var config = CoordinatorConfiguration(id: 42, key: key)
        config.adoptionWindowNanos = 1 * .nanosPerSecond
        var core = CoordinatorCore<Int>(configuration: config, plan: plan, planBytes: planBytes, now: LocalInstant(nanos: 0))
        let codec = DatagramCodec(key: key)
        var now = LocalInstant(nanos: 0)
        // Not listed in DNS: a listed agent that never answers a solicit
        // would keep the coordinator adopting. The agents make themselves
        // known by their reports.
        _ = core.handle(.discovered([]), now: now)
        now = now + 3 * .nanosPerSecond
        _ = core.handle(.timer, now: now)
        #expect(core.phase == .serving)
        var sequence: UInt64 = 0
        func deliver(_ r: Report, from address: Int) {
            sequence += 1
            let bytes = try! codec.seal(.report(r), sender: r.instance, sequence: sequence, recipient: 42)
            _ = core.handle(.datagram(bytes, from: address), now: now)
        }
        func commands() -> [Int: TickCommand] {
            now = now + 100 * ms  // the next tick round
            let out = core.handle(.timer, now: now)
            var result: [Int: TickCommand] = [:]
            for send in out.sends {
                if case let .success(envelope) = codec.open(send.bytes), case let .tick(tick) = envelope.message { result[send.to] = tick.command }
            }
            return result
        }
        func reportAll(except silent: Int? = nil) {
            let t = core.timebase(at: now)
            if silent != 1 { deliver(report(0, group: "north-south", at: t), from: 1) }
            if silent != 2 { deliver(report(1, group: "east-west", at: t), from: 2) }
            if silent != 3 { deliver(report(2, group: "walk", at: t), from: 3) }
        }
        reportAll()
        #expect(commands() == [1: .run, 2: .run, 3: .run])
        // Agent 1 goes silent; the others keep reporting every 100 ms.
        for _ in 0..<15 {
            now = now + 100 * ms
            reportAll(except: 1)
        }
        let stopped = commands()
        #expect(stopped[2] == .stop && stopped[3] == .stop, "\(stopped)")
        #expect(core.counters.silentHeadStops == 1)
        // It reports again (a restarted agent of the same head): the junction runs.
        now = now + 100 * ms
        reportAll()
        #expect(commands() == [1: .run, 2: .run, 3: .run])
    }
}
