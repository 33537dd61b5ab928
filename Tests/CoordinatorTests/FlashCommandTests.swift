import Testing
import JunctionCore
import Protocol
@testable import Coordinator

@Suite("Coordinator commands flash on conflicting greens")
struct CoordinatorFlashCommandTests {
    let planBytes = Array(ExamplePlans.crossroads.utf8)
    let key = try! AuthKey(bytes: [UInt8](repeating: 7, count: 32))
    let second = Int64.nanosPerSecond

    func report(_ ordinal: UInt32, group: String, aspect: Aspect, at t: TimebaseInstant, following id: UInt64) -> Report {
        Report(ordinal: ordinal, instance: 100 + UInt64(ordinal), board: "",
               plan: PlanRef(id: PlanID(planBytes: planBytes), anchor: TimebaseInstant(nanos: 0)), state: .locked,
               offsetNanos: 0, errorBoundNanos: 50_000, head: HeadReport(junction: "main", group: group, aspect: aspect),
               sentAt: LocalInstant(nanos: t.nanos), timebaseAtSend: t, sourceCoordinatorID: id, sourceTerm: 1)
    }

    func ticks(in output: CoordinatorOutput<Int>, codec: DatagramCodec) -> [(to: Int, tick: Tick)] {
        output.sends.compactMap { send in
            guard case let .success(envelope) = codec.open(send.bytes), case let .tick(tick) = envelope.message else { return nil }
            return (send.to, tick)
        }
    }

    @Test func conflictingGreensAtOneJunctionMakeItsTicksCommandFlash() throws {
        let plan = try SignalPlan.load(planBytes, source: "crossroads")
        var config = CoordinatorConfiguration(id: 42, key: key)
        config.adoptionWindowNanos = 1 * second
        var core = CoordinatorCore<Int>(configuration: config, plan: plan, planBytes: planBytes, now: LocalInstant(nanos: 0))
        let codec = DatagramCodec(key: key)
        var now = LocalInstant(nanos: 0)
        // No agent in DNS: it starts alone after its 1 s window, and the
        // agents make themselves known by their reports.
        _ = core.handle(.discovered([]), now: now)
        now = now + 2 * second
        _ = core.handle(.timer, now: now)
        #expect(core.phase == .serving)

        // Consistent reports: no command.
        var sequence: UInt64 = 0
        func deliver(_ r: Report, from address: Int) -> CoordinatorOutput<Int> {
            sequence += 1
            let bytes = try! codec.seal(.report(r), sender: r.instance, sequence: sequence, recipient: 42)
            return core.handle(.datagram(bytes, from: address), now: now)
        }
        let t = core.timebase(at: now)
        _ = deliver(report(0, group: "north-south", aspect: .green, at: t, following: 42), from: 1)
        _ = deliver(report(1, group: "east-west", aspect: .red, at: t, following: 42), from: 2)
        now = now + 200_000_000
        var out = core.handle(.timer, now: now)
        #expect(ticks(in: out, codec: codec).count == 2)
        #expect(ticks(in: out, codec: codec).allSatisfy { $0.tick.command == .run })
        #expect(core.counters.conflictsSeen == 0)

        // Conflicting greens reported 10 ms apart at the same junction.
        let t2 = core.timebase(at: now)
        _ = deliver(report(0, group: "north-south", aspect: .green, at: t2, following: 42), from: 1)
        out = deliver(report(1, group: "east-west", aspect: .green, at: t2 + 10_000_000, following: 42), from: 2)
        #expect(out.notes.contains { if case .conflict = $0 { true } else { false } })
        #expect(core.counters.conflictsSeen == 1)
        #expect(core.counters.flashCommands == 1)
        now = now + 200_000_000
        out = core.handle(.timer, now: now)
        let commanded = ticks(in: out, codec: codec)
        #expect(commanded.count == 2)
        #expect(commanded.allSatisfy { $0.tick.command == .flash })

        // The command lapses 30 s after the last conflict (the agents kept
        // reporting: a silent head would stop the junction instead).
        now = now + 31 * second
        let t3 = core.timebase(at: now)
        _ = deliver(report(0, group: "north-south", aspect: .green, at: t3, following: 42), from: 1)
        _ = deliver(report(1, group: "east-west", aspect: .red, at: t3, following: 42), from: 2)
        out = core.handle(.timer, now: now)
        #expect(ticks(in: out, codec: codec).allSatisfy { $0.tick.command == .run })
    }
}

@Suite("Coordinator ticks at phase changes")
struct PhaseChangeTickTests {
    @Test func aTickRoundComesAtEachPhaseChange() throws {
        let planBytes = Array(ExamplePlans.crossroads.utf8)
        let plan = try SignalPlan.load(planBytes, source: "crossroads")
        var config = CoordinatorConfiguration(id: 1, key: nil)
        config.adoptionWindowNanos = 0
        let start = LocalInstant(nanos: 1_000 * plan.cycleNanos)
        var core = CoordinatorCore<Int>(configuration: config, plan: plan, planBytes: planBytes, now: start)
        _ = core.handle(.discovered([]), now: start)  // alone: serving at once
        _ = core.handle(.timer, now: start)
        #expect(core.phase == .serving)
        // No agents to adopt from: the plan starts 5 s ahead (own timebase =
        // own clock). 1.95 s after its cycle start the first change
        // (red+amber of north-south at 2 s) is 50 ms away, sooner than the
        // 100 ms tick interval.
        let anchor = try #require(core.schedule.current?.anchor)
        #expect(anchor == TimebaseInstant(nanos: start.nanos + 5 * .nanosPerSecond))
        let near = LocalInstant(nanos: anchor.nanos + 1_950_000_000)
        let out = core.handle(.timer, now: near)
        #expect(out.wakeAt == near + 50_000_000)
        // Away from any change the interval rules.
        let quiet = near + 3 * .nanosPerSecond
        #expect(core.handle(.timer, now: quiet).wakeAt == quiet + 100_000_000)
    }
}
