import JunctionCore
import Protocol
import Testing
@testable import Coordinator

private let s = Int64.nanosPerSecond
private let ms = Int64.nanosPerMillisecond
private let key = try! AuthKey(bytes: Array(repeating: 0x5a, count: 32))
private let codec = DatagramCodec(key: key)
private let crossroads = Array(ExamplePlans.crossroads.utf8)
private let corridor = Array(ExamplePlans.corridor.utf8)
private let coordinatorID: UInt64 = 0xC0

private func local(_ nanos: Int64) -> LocalInstant { LocalInstant(nanos: nanos) }

/// A coordinator on the crossroads plan, started at own-clock 1000 s.
private func makeCoordinator(configure: (inout CoordinatorConfiguration) -> Void = { _ in }) throws -> CoordinatorCore<Int> {
    var configuration = CoordinatorConfiguration(id: coordinatorID, key: key)
    configure(&configuration)
    let plan = try SignalPlan.load(crossroads, source: "crossroads")
    return CoordinatorCore(configuration: configuration, plan: plan, planBytes: crossroads, now: start)
}
private let start = LocalInstant(nanos: 1_000 * s)

/// The messages of an output, opened, with their destinations.
private func opened(_ output: CoordinatorOutput<Int>) -> [(message: Message, to: Int)] {
    output.sends.compactMap { send in
        guard case let .success(envelope) = codec.open(send.bytes) else { return nil }
        return (envelope.message, send.to)
    }
}

/// As `opened`, with the recipient each datagram names.
private func addressed(_ output: CoordinatorOutput<Int>) -> [(message: Message, recipient: UInt64, to: Int)] {
    output.sends.compactMap { send in
        guard case let .success(envelope) = codec.open(send.bytes) else { return nil }
        return (envelope.message, envelope.recipientID, send.to)
    }
}

private func ticks(_ output: CoordinatorOutput<Int>) -> [(tick: Tick, to: Int)] {
    opened(output).compactMap { if case let .tick(tick) = $0.message { (tick, $0.to) } else { nil } }
}

private func chunks(_ output: CoordinatorOutput<Int>) -> [(chunk: PlanChunk, to: Int)] {
    opened(output).compactMap { if case let .plan(chunk) = $0.message { (chunk, $0.to) } else { nil } }
}

/// Seals messages as one agent would, with its own sequence numbers.
private struct FakeAgent {
    var instance: UInt64
    var ordinal: UInt32
    var sequence: UInt64 = 0

    mutating func seal(_ message: Message, to recipient: UInt64 = 0) -> [UInt8] {
        sequence += 1
        return try! codec.seal(message, sender: instance, sequence: sequence, recipient: recipient)
    }

    mutating func hello() -> [UInt8] { seal(.hello(Hello(ordinal: ordinal, instance: instance, board: ""))) }

    mutating func report(state: SyncState = .locked, sentAt: LocalInstant = LocalInstant(nanos: 0), timebase: TimebaseInstant?,
                         source: UInt64 = 0xAA, term: UInt64 = 1, planID: PlanID = PlanID(planBytes: crossroads),
                         to recipient: UInt64 = 0) -> [UInt8] {
        seal(.report(Report(ordinal: ordinal, instance: instance, board: "",
                            plan: PlanRef(id: planID, anchor: TimebaseInstant(nanos: 0)), state: state,
                            offsetNanos: 0, errorBoundNanos: 100_000, head: nil, sentAt: sentAt,
                            timebaseAtSend: timebase, sourceCoordinatorID: source, sourceTerm: term)), to: recipient)
    }
}

/// The instance of the agent process at `address` in these tests.
private func instance(at address: Int) -> UInt64 { 0xA6E7_0000 + UInt64(address) }

/// Runs a coordinator through its adoption window with no reports; the
/// DNS-listed agents say hello meanwhile (so ticks can name them).
private func serving(_ coordinator: inout CoordinatorCore<Int>, agents: [Int] = [1, 2]) -> CoordinatorOutput<Int> {
    _ = coordinator.handle(.discovered(agents), now: start)
    for address in agents {
        var agent = FakeAgent(instance: instance(at: address), ordinal: UInt32(address))
        _ = coordinator.handle(.datagram(agent.hello(), from: address), now: start + 100 * ms)
    }
    return coordinator.handle(.timer, now: start + coordinator.configuration.adoptionWindowNanos)
}

@Suite("CoordinatorCore: adoption, ticks, plans, lifecycle")
struct CoordinatorCoreTests {
    @Test func adoptingSendsNoTicks() throws {
        var coordinator = try makeCoordinator()
        var output = coordinator.handle(.discovered([1, 2]), now: start)
        #expect(output.sends.isEmpty)
        #expect(output.wakeAt == start + 2 * s, "sleeps until the adoption window ends")
        var agent = FakeAgent(instance: 11, ordinal: 0)
        output = coordinator.handle(.datagram(agent.hello(), from: 1), now: start + 500 * ms)
        #expect(output.sends.isEmpty, "no plan either while adopting")
        for k in Int64(1)..<20 {
            output = coordinator.handle(.timer, now: start + k * 100 * ms)
            #expect(output.sends.isEmpty)
        }
        #expect(coordinator.phase == .adopting(until: start + 2 * s))
    }

    @Test func withNoReportsItStartsOnItsOwnClock() throws {
        var coordinator = try makeCoordinator()
        _ = coordinator.handle(.discovered([1, 2]), now: start)
        for address in [1, 2] {
            var agent = FakeAgent(instance: instance(at: address), ordinal: UInt32(address))
            _ = coordinator.handle(.datagram(agent.hello(), from: address), now: start + 100 * ms)
        }
        let before = coordinator.handle(.timer, now: start + 2 * s - 1)
        #expect(before.sends.isEmpty)
        let output = coordinator.handle(.timer, now: start + 2 * s)
        #expect(output.notes.contains(.startedOwnTimebase(term: 1)))
        #expect(coordinator.phase == .serving)
        #expect(coordinator.offsetNanos == 0)
        #expect(coordinator.term == 1)
        let sent = ticks(output)
        #expect(sent.map(\.to) == [1, 2])
        #expect(sent.allSatisfy { $0.tick.sentAt == TimebaseInstant(nanos: (start + 2 * s).nanos) && $0.tick.term == 1 })
        #expect(sent.allSatisfy { $0.tick.plan == PlanRef(id: PlanID(planBytes: crossroads), anchor: TimebaseInstant(nanos: 0)) })
        #expect(sent.allSatisfy { $0.tick.pending == .none && !$0.tick.pendingCommitted && $0.tick.command == .run })
        #expect(sent.allSatisfy { $0.tick.coordinatorID == coordinatorID })
    }

    /// Three locked agents report their timebase; truth: timebase = own clock + offset.
    @Test func adoptsTheMedianOfPerAgentLeastDelayedSamples() throws {
        var coordinator = try makeCoordinator()
        let trueOffset: Int64 = 123_456_789_012
        // Per agent: its own error, and the one-way delays of its reports.
        let agents: [(address: Int, error: Int64, delays: [Int64], term: UInt64)] = [
            (1, 0, [3 * ms, 500_000, 2 * ms], 4),
            (2, 200_000, [1 * ms, 300_000, 4 * ms], 7),
            (3, 40 * ms, [800_000, 5 * ms, 2 * ms], 2),  // a badly wrong agent: the median ignores it
        ]
        for (k, entry) in agents.enumerated() {
            var agent = FakeAgent(instance: UInt64(100 + k), ordinal: UInt32(k))
            for (i, delay) in entry.delays.enumerated() {
                let receivedAt = start + Int64(i + 1) * 300 * ms + Int64(k) * ms
                let sentAt = receivedAt - delay
                let theirs = TimebaseInstant(nanos: sentAt.nanos + trueOffset + entry.error)
                let output = coordinator.handle(.datagram(agent.report(timebase: theirs, term: entry.term), from: entry.address), now: receivedAt)
                #expect(output.sends.isEmpty)
            }
        }
        let output = coordinator.handle(.timer, now: start + 2 * s)
        // Least-delayed samples: −0.5 ms, +0.2 − 0.3 = −0.1 ms, +40 − 0.8 ms; the median is −0.1 ms.
        #expect(coordinator.offsetNanos == trueOffset - 100_000)
        #expect(coordinator.offsetNanos <= trueOffset + 200_000 && coordinator.offsetNanos >= trueOffset - 5 * ms)
        #expect(coordinator.term == 8, "one more than the highest term reported")
        #expect(output.notes.contains(.adopted(offsetNanos: trueOffset - 100_000, fromAgents: 3, term: 8)))
        let sent = ticks(output)
        #expect(sent.map(\.to) == [1, 2, 3])
        #expect(sent.allSatisfy { $0.tick.sentAt.nanos == (start + 2 * s).nanos + trueOffset - 100_000 })
    }

    @Test func unsyncedOrUntrustedReportsAreNotAdopted() throws {
        var coordinator = try makeCoordinator()
        var agent = FakeAgent(instance: 5, ordinal: 0)
        let far = TimebaseInstant(nanos: 9_000 * s)
        _ = coordinator.handle(.datagram(agent.report(state: .locking, timebase: far, term: 3), from: 1), now: start + 100 * ms)
        _ = coordinator.handle(.datagram(agent.report(state: .flash, timebase: far, term: 3), from: 1), now: start + 200 * ms)
        let output = coordinator.handle(.timer, now: start + 2 * s)
        #expect(coordinator.offsetNanos == 0)
        #expect(output.notes.contains(.startedOwnTimebase(term: 4)), "terms are still counted")
    }

    @Test func ticksGoToEveryAgentEachIntervalAndEchoTheLastReportOnce() throws {
        var coordinator = try makeCoordinator()
        _ = serving(&coordinator, agents: [1, 2])
        var agent = FakeAgent(instance: 30, ordinal: 2)
        let t0 = start + 2 * s
        // A third agent known only by its Hello.
        var output = coordinator.handle(.datagram(agent.hello(), from: 3), now: t0 + 10 * ms)
        #expect(ticks(output).isEmpty)
        #expect(chunks(output).allSatisfy { $0.to == 3 })
        #expect(!chunks(output).isEmpty)
        // A report from agent 3 (locked, following us): echoed in the next tick only.
        let reportSentAt = LocalInstant(nanos: 77 * s)
        output = coordinator.handle(.datagram(agent.report(sentAt: reportSentAt, timebase: nil, source: coordinatorID), from: 3), now: t0 + 40 * ms)
        #expect(ticks(output).isEmpty, "a locked follower is not answered at once")
        output = coordinator.handle(.timer, now: t0 + 99 * ms)
        #expect(ticks(output).isEmpty, "no tick before the interval")
        #expect(output.wakeAt == t0 + 100 * ms)
        output = coordinator.handle(.timer, now: t0 + 100 * ms)
        let first = ticks(output)
        #expect(first.map(\.to) == [1, 2, 3])
        let echo = try #require(first.first { $0.to == 3 }?.tick.echo)
        #expect(echo == Echo(reportSentAt: reportSentAt, reportReceivedAt: coordinator.timebase(at: t0 + 40 * ms)))
        #expect(first.filter { $0.to != 3 }.allSatisfy { $0.tick.echo == nil })
        output = coordinator.handle(.timer, now: t0 + 200 * ms)
        #expect(ticks(output).count == 3)
        #expect(ticks(output).allSatisfy { $0.tick.echo == nil }, "an echo is sent once")
    }

    @Test func aLockingFollowerIsAnsweredAtOnce() throws {
        var coordinator = try makeCoordinator()
        _ = serving(&coordinator, agents: [1])
        var agent = FakeAgent(instance: 30, ordinal: 0)
        let output = coordinator.handle(.datagram(agent.report(state: .locking, timebase: nil, source: coordinatorID), from: 1),
                                        now: start + 2 * s + 30 * ms)
        let sent = addressed(output)
        #expect(sent.count == 1)
        #expect(sent.first?.recipient == 30, "the echo is for the instance the tick is addressed to")
        guard case let .tick(tick)? = sent.first?.message else {
            Issue.record("a locking follower is answered with a tick")
            return
        }
        #expect(tick.echo != nil)
    }

    @Test func helloTriggersThePlanChunks() throws {
        var coordinator = try makeCoordinator()
        _ = serving(&coordinator, agents: [])
        var agent = FakeAgent(instance: 9, ordinal: 0)
        let output = coordinator.handle(.datagram(agent.hello(), from: 4), now: start + 2 * s + 10 * ms)
        #expect(output.notes.contains(.agentJoined(instance: 9, ordinal: 0)))
        let sent = chunks(output)
        #expect(sent.count == PlanChunk.chunkCount(totalLength: crossroads.count))
        #expect(sent.allSatisfy { $0.to == 4 && $0.chunk.planID == PlanID(planBytes: crossroads) })
        #expect(sent.allSatisfy { $0.chunk.activation == TimebaseInstant(nanos: 0) })
        #expect(sent.sorted { $0.chunk.index < $1.chunk.index }.flatMap(\.chunk.bytes) == crossroads)
    }

    @Test func aBadPlanFileIsRefusedAndTheRunningPlanStays() throws {
        var coordinator = try makeCoordinator()
        _ = serving(&coordinator)
        let bad = ExamplePlans.crossroads.replacing(#""green": ["walk"]"#, with: #""green": ["walk", "north-south"]"#)
        #expect(bad != ExamplePlans.crossroads)
        let output = coordinator.handle(.planFile(Array(bad.utf8), source: "bad.json"), now: start + 3 * s)
        let refusal = output.notes.compactMap { if case let .planRefused(reason) = $0 { reason } else { nil } }
        #expect(refusal.count == 1)
        #expect(refusal.first?.contains("bad.json") == true)
        #expect(refusal.first?.contains("conflicting-greens") == true)
        #expect(coordinator.schedule.current?.id == PlanID(planBytes: crossroads).rawValue)
        #expect(coordinator.schedule.pending == nil)
        #expect(coordinator.counters.plansRefused == 1)
        #expect(chunks(output).isEmpty)
        // Malformed JSON, too.
        let junk = coordinator.handle(.planFile(Array("{".utf8), source: "junk.json"), now: start + 4 * s)
        #expect(junk.notes.contains { if case .planRefused = $0 { true } else { false } })
        #expect(coordinator.schedule.current?.id == PlanID(planBytes: crossroads).rawValue)
    }

    @Test func aGoodPlanIsScheduledAtACycleStartOfJunctionZero() throws {
        var coordinator = try makeCoordinator()
        _ = serving(&coordinator, agents: [1, 2])
        let now = start + 7 * s + 123 * ms
        let output = coordinator.handle(.planFile(corridor, source: "corridor.json"), now: now)
        let id = PlanID(planBytes: corridor).rawValue
        let scheduled = output.notes.compactMap { if case let .planScheduled(i, name, at) = $0 { (i, name, at) } else { nil } }
        let note = try #require(scheduled.first)
        #expect(note.0 == id && note.1 == "corridor")
        let activation = note.2
        let current = try #require(coordinator.schedule.current)
        let earliest = coordinator.timebase(at: now) + coordinator.configuration.planLeadNanos
        #expect(activation >= earliest)
        #expect(activation - earliest < current.plan.cycleNanos, "the first such cycle start")
        #expect(floorMod(activation - current.anchor - current.plan.offsetNanos(junction: 0), current.plan.cycleNanos) == 0)
        #expect(coordinator.schedule.pending?.id == id)
        #expect(coordinator.schedule.pending?.anchor == activation)
        // It is announced to every agent at once, and the ticks name it as pending.
        let announced = chunks(output).filter { $0.chunk.planID.rawValue == id }
        #expect(Set(announced.map(\.to)) == [1, 2])
        #expect(announced.allSatisfy { $0.chunk.activation == activation })
        let next = coordinator.handle(.timer, now: now + 100 * ms)
        #expect(ticks(next).allSatisfy { $0.tick.pending == PlanRef(id: PlanID(rawValue: id), anchor: activation) })
        #expect(ticks(next).allSatisfy { !$0.tick.pendingCommitted && $0.tick.plan.id == PlanID(planBytes: crossroads) })
        // The same file again changes nothing.
        let again = coordinator.handle(.planFile(corridor, source: "corridor.json"), now: now + 200 * ms)
        #expect(again.notes.isEmpty)
    }

    @Test func silentAgentsNotInDNSAreForgotten() throws {
        var coordinator = try makeCoordinator()
        _ = serving(&coordinator, agents: [1])
        var agent = FakeAgent(instance: 44, ordinal: 3)
        let heardAt = start + 2 * s + 500 * ms
        _ = coordinator.handle(.datagram(agent.hello(), from: 9), now: heardAt)
        #expect(coordinator.agents[9] != nil)
        var forgottenAt: LocalInstant?
        var now = heardAt
        while now < heardAt + 20 * s {
            now = now + 100 * ms
            let output = coordinator.handle(.timer, now: now)
            if output.notes.contains(.agentForgotten(instance: 44)) { forgottenAt = now }
            if forgottenAt == nil { #expect(ticks(output).isEmpty || ticks(output).contains { $0.to == 9 }) }
        }
        let at = try #require(forgottenAt)
        #expect(at - heardAt > coordinator.configuration.forgetAgentAfterNanos)
        #expect(at - heardAt <= coordinator.configuration.forgetAgentAfterNanos + 1 * s + 100 * ms, "within one housekeeping round")
        #expect(coordinator.agents[9] == nil)
        #expect(coordinator.agentOrder == [1], "the DNS-listed agent is kept though it never spoke")
        #expect(ticks(coordinator.handle(.timer, now: now + 100 * ms)).map(\.to) == [1])
    }

    @Test func shutdownSaysGoodbyeAndThenIgnoresEverything() throws {
        var coordinator = try makeCoordinator()
        _ = serving(&coordinator, agents: [1, 2])
        let now = start + 3 * s
        let output = coordinator.handle(.shutdown, now: now)
        let goodbyes = opened(output).compactMap { if case let .goodbye(g) = $0.message { (g, $0.to) } else { nil } }
        #expect(goodbyes.count == output.sends.count)
        #expect(goodbyes.filter { $0.1 == 1 }.count == coordinator.configuration.goodbyeRepeats)
        #expect(goodbyes.filter { $0.1 == 2 }.count == coordinator.configuration.goodbyeRepeats)
        #expect(goodbyes.allSatisfy { $0.0 == Goodbye(coordinatorID: coordinatorID, term: 1, sentAt: coordinator.timebase(at: now)) })
        #expect(output.notes == [.goodbyeSent])
        #expect(coordinator.phase == .stopped)
        var agent = FakeAgent(instance: 3, ordinal: 0)
        for event in [CoordinatorEvent<Int>.timer, .datagram(agent.hello(), from: 5), .planFile(corridor, source: "c"), .discovered([7]), .shutdown] {
            let after = coordinator.handle(event, now: now + 1 * s)
            #expect(after.sends.isEmpty && after.notes.isEmpty)
        }
        #expect(coordinator.agents[5] == nil)
    }

    /// An agent known from DNS only has no instance yet, so nothing can be
    /// addressed to it: it gets no ticks, plans or goodbyes until it speaks,
    /// and from then on every one names its instance.
    @Test func agentsKnownFromDNSOnlyWaitForTheirHello() throws {
        var coordinator = try makeCoordinator()
        _ = coordinator.handle(.discovered([1, 2]), now: start)
        var agent = FakeAgent(instance: instance(at: 2), ordinal: 2)
        _ = coordinator.handle(.datagram(agent.hello(), from: 2), now: start + 100 * ms)
        let first = addressed(coordinator.handle(.timer, now: start + 2 * s))
        #expect(coordinator.phase == .serving)
        #expect(first.map(\.to) == [2], "address 1 has not spoken")
        #expect(first.allSatisfy { $0.recipient == instance(at: 2) })
        #expect(coordinator.agentOrder == [1, 2], "address 1 stays listed")

        var silent = FakeAgent(instance: instance(at: 1), ordinal: 1)
        let joined = addressed(coordinator.handle(.datagram(silent.hello(), from: 1), now: start + 2 * s + 50 * ms))
        #expect(!joined.isEmpty && joined.allSatisfy { $0.to == 1 && $0.recipient == instance(at: 1) }, "its plan, addressed")
        let next = addressed(coordinator.handle(.timer, now: start + 2 * s + 100 * ms))
        #expect(next.map(\.to) == [1, 2])
        #expect(next.allSatisfy { $0.recipient == instance(at: $0.to) })

        _ = coordinator.handle(.discovered([1, 2, 3]), now: start + 3 * s)
        let goodbyes = addressed(coordinator.handle(.shutdown, now: start + 3 * s))
        #expect(Set(goodbyes.map(\.to)) == [1, 2], "none to the DNS-only address 3")
        #expect(goodbyes.allSatisfy { $0.recipient == instance(at: $0.to) })
    }

    /// A report addressed to another coordinator is refused by the inbox
    /// (counted as misaddressed) and teaches this one nothing.
    @Test func reportsForAnotherCoordinatorAreIgnored() throws {
        var coordinator = try makeCoordinator()
        _ = serving(&coordinator, agents: [])
        var agent = FakeAgent(instance: 77, ordinal: 0)
        let now = start + 2 * s + 10 * ms
        let output = coordinator.handle(.datagram(agent.report(timebase: nil, to: coordinatorID + 1), from: 7), now: now)
        #expect(output.sends.isEmpty && output.notes.isEmpty)
        #expect(coordinator.agents[7] == nil)
        #expect(coordinator.inbox.drops[.misaddressed] == 1)
        let mine = coordinator.handle(.datagram(agent.report(timebase: nil, to: coordinatorID), from: 7), now: now + 1 * ms)
        #expect(mine.notes.contains(.agentJoined(instance: 77, ordinal: 0)))
    }
}

