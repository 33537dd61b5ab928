import Coordinator
import JunctionCore
import Protocol
import Testing
@testable import NodeAgent

private let s = Int64.nanosPerSecond
private let ms = Int64.nanosPerMillisecond
private let key = try! AuthKey(bytes: Array(repeating: 0x33, count: 32))
private let codec = DatagramCodec(key: key)
private let crossroads = Array(ExamplePlans.crossroads.utf8)
private let crossroadsID = PlanID(planBytes: crossroads)
private let coordinatorID: UInt64 = 0xC0
private let agentInstance: UInt64 = 0xA6E7

private func makeAgent(at now: LocalInstant) -> AgentCore<Int> {
    AgentCore(configuration: AgentConfiguration(ordinal: 0, board: nil, instance: agentInstance, key: key), now: now)
}

/// The crossroads plan with a long description, so it travels in several chunks.
private func longPlan(_ text: String = ExamplePlans.crossroads) -> [UInt8] {
    let padding = String(repeating: "a long description ", count: 120)
    return Array(text.replacing(#""description": ""#, with: #""description": ""# + padding).utf8)
}

private enum CaughtFailure: Error { case unopenable }

/// Plan chunks sealed as a coordinator sends them.
private func sealedChunks(_ bytes: [UInt8], activation: TimebaseInstant, firstSequence: UInt64) throws -> [[UInt8]] {
    let chunks = try PlanChunk.split(planBytes: bytes, id: PlanID(planBytes: bytes), activation: activation)
    return try chunks.enumerated().map { i, chunk in
        try codec.seal(.plan(chunk), sender: coordinatorID, sequence: firstSequence + UInt64(i), recipient: agentInstance)
    }
}

/// One agent (address 1) and one coordinator (address 100) in virtual time:
/// every datagram takes 200 µs; each side runs on its own clock, offset from
/// true time; time steps to the earliest wake-up or delivery.
private struct Pair {
    static let agentAddress = 1
    static let coordinatorAddress = 100
    static let rogueAddress = 200
    static let delayNanos: Int64 = 200 * .nanosPerMicrosecond

    var agent: AgentCore<Int>
    var coordinator: CoordinatorCore<Int>
    /// Agent's clock = true time + this; the coordinator's likewise.
    let agentOffsetNanos: Int64 = 7_000 * s
    let coordinatorOffsetNanos: Int64 = 1_700_000_000 * s
    var now: Int64 = 0
    var agentWake: Int64 = 0
    var coordinatorWake: Int64 = 0
    var coordinatorRunning = true
    private var inFlight: [(at: Int64, toAgent: Bool, from: Int, bytes: [UInt8])] = []
    /// A coordinator whose timebase is off by `offsetNanos`, ticking every 100 ms.
    var rogue: (next: Int64, offsetNanos: Int64, sequence: UInt64)?
    /// Every agent output: true time, aspect, state after it, notes.
    private(set) var log: [(at: Int64, aspect: Aspect, state: SyncState, notes: [AgentNote])] = []

    init() throws {
        agent = AgentCore(configuration: AgentConfiguration(ordinal: 0, board: nil, instance: agentInstance, key: key),
                          now: LocalInstant(nanos: agentOffsetNanos))
        let plan = try SignalPlan.load(crossroads, source: "crossroads")
        coordinator = CoordinatorCore(configuration: CoordinatorConfiguration(id: coordinatorID, key: key), plan: plan,
                                      planBytes: crossroads, now: LocalInstant(nanos: coordinatorOffsetNanos))
        handleCoordinator(.discovered([Self.agentAddress]))
    }

    /// The coordinator's timebase at true time `t`.
    func timebase(at t: Int64) -> TimebaseInstant { coordinator.timebase(at: LocalInstant(nanos: t + coordinatorOffsetNanos)) }

    /// What the plan shows the agent's head at true time `t`, on the coordinator's timebase.
    func planAspect(at t: Int64) -> Aspect {
        let current = coordinator.schedule.current!
        let head = current.plan.head(board: nil, ordinal: 0)!
        return current.plan.aspect(of: head, at: timebase(at: t), anchor: current.anchor)
    }

    /// Whether the plan changes the head's aspect within `margin` of true time `t`.
    func nearPlanChange(_ t: Int64, margin: Int64) -> Bool {
        let current = coordinator.schedule.current!
        let head = current.plan.head(board: nil, ordinal: 0)!
        guard let next = current.plan.nextChange(of: head, after: timebase(at: t - margin), anchor: current.anchor) else { return false }
        return next.at <= timebase(at: t + margin)
    }

    mutating func silenceCoordinator() {
        coordinatorRunning = false
        inFlight.removeAll { !$0.toAgent || $0.from == Self.coordinatorAddress }
    }

    /// Runs until true time `end`, calling `observe` after every agent output.
    mutating func run(until end: Int64, observe: (inout Pair, AgentOutput<Int>) -> Void = { _, _ in }) {
        while true {
            var next = agentWake
            if coordinatorRunning { next = min(next, coordinatorWake) }
            if let delivery = inFlight.map(\.at).min() { next = min(next, delivery) }
            if let rogue { next = min(next, rogue.next) }
            guard next <= end else { break }
            now = next
            let due = inFlight.filter { $0.at <= now }
            inFlight.removeAll { $0.at <= now }
            for datagram in due {
                if datagram.toAgent {
                    observe(&self, handleAgent(.datagram(datagram.bytes, from: datagram.from)))
                } else if coordinatorRunning {
                    handleCoordinator(.datagram(datagram.bytes, from: Self.agentAddress))
                }
            }
            if var rogue, rogue.next <= now {
                rogue.sequence += 1
                let tick = Tick(coordinatorID: 1, term: 1, sentAt: timebase(at: now) + rogue.offsetNanos,
                                plan: PlanRef(id: crossroadsID, anchor: TimebaseInstant(nanos: 0)), cyclePositionNanos: 0)
                let bytes = try! codec.seal(.tick(tick), sender: 1, sequence: rogue.sequence, recipient: agentInstance)
                inFlight.append((now + Self.delayNanos, true, Self.rogueAddress, bytes))
                rogue.next = now + 100 * ms
                self.rogue = rogue
            }
            if agentWake <= now { observe(&self, handleAgent(.timer)) }
            if coordinatorRunning && coordinatorWake <= now { handleCoordinator(.timer) }
        }
        now = end
    }

    private mutating func handleAgent(_ event: AgentEvent<Int>) -> AgentOutput<Int> {
        let output = agent.handle(event, now: LocalInstant(nanos: now + agentOffsetNanos))
        agentWake = output.wakeAt.nanos - agentOffsetNanos
        #expect(agentWake > now, "the agent asks to be woken in the future")
        if coordinatorRunning {
            for send in output.sends { inFlight.append((now + Self.delayNanos, false, Self.agentAddress, send.bytes)) }
        }
        log.append((now, output.aspect, agent.state, output.notes))
        return output
    }

    private mutating func handleCoordinator(_ event: CoordinatorEvent<Int>) {
        let output = coordinator.handle(event, now: LocalInstant(nanos: now + coordinatorOffsetNanos))
        coordinatorWake = output.wakeAt.nanos - coordinatorOffsetNanos
        for send in output.sends where send.to == Self.agentAddress {
            inFlight.append((now + Self.delayNanos, true, Self.coordinatorAddress, send.bytes))
        }
    }

    /// When the agent first entered `state`, in true time.
    func firstTime(in state: SyncState) -> Int64? { log.first { $0.state == state }?.at }

    /// The state changes the agent noted, with their true times.
    var stateChanges: [(at: Int64, from: SyncState, to: SyncState, reason: String)] {
        log.flatMap { entry in
            entry.notes.compactMap { note -> (at: Int64, from: SyncState, to: SyncState, reason: String)? in
                if case let .stateChanged(from, to, reason) = note { return (entry.at, from, to, reason) }
                return nil
            }
        }
    }
}

@Suite("AgentCore: from start-up to lockstep and back")
struct AgentCoreTests {
    @Test func startsUnsyncedShowingRedAndSaysHelloToEveryCoordinator() throws {
        let start = LocalInstant(nanos: 5 * s)
        var agent = makeAgent(at: start)
        let output = agent.handle(.timer, now: start)
        #expect(agent.state == .unsynced)
        #expect(output.aspect == .red)
        #expect(output.sends.count == 1)
        let send = try #require(output.sends.first)
        #expect(send.to == .allCoordinators)
        guard case let .success(envelope) = codec.open(send.bytes), case let .hello(hello) = envelope.message else {
            Issue.record("the first datagram is not a sealed Hello")
            return
        }
        #expect(hello.instance == agentInstance && hello.ordinal == 0)
        #expect(envelope.senderID == agentInstance)
        #expect(envelope.recipientID == 0, "sent to every coordinator address: it names none")
        // Another Hello a second later while no coordinator answers, still red.
        #expect(output.wakeAt <= start + 1 * s)
        #expect(agent.handle(.timer, now: start + 500 * ms).sends.isEmpty)
        let again = agent.handle(.timer, now: start + 1 * s)
        #expect(again.aspect == .red)
        #expect(again.sends.count == 1 && again.sends.first?.to == .allCoordinators)
    }

    @Test func garbageAndTamperedDatagramsAreDroppedAndCounted() throws {
        let start = LocalInstant(nanos: 5 * s)
        var agent = makeAgent(at: start)
        _ = agent.handle(.timer, now: start)
        let echo = Echo(reportSentAt: start, reportReceivedAt: TimebaseInstant(nanos: 9 * s))
        let tick = Tick(coordinatorID: coordinatorID, term: 1, sentAt: TimebaseInstant(nanos: 9 * s),
                        plan: PlanRef(id: crossroadsID, anchor: TimebaseInstant(nanos: 0)), cyclePositionNanos: 0, echo: echo)
        var tampered = try codec.seal(.tick(tick), sender: coordinatorID, sequence: 1, recipient: agentInstance)
        tampered[40] ^= 0x01
        let otherKey = try AuthKey(bytes: Array(repeating: 0x44, count: 32))
        let wrongKey = try DatagramCodec(key: otherKey).seal(.tick(tick), sender: coordinatorID, sequence: 2, recipient: agentInstance)
        let unsealed = try DatagramCodec(key: nil).seal(.tick(tick), sender: coordinatorID, sequence: 3, recipient: agentInstance)
        // Authentic, but for another process: a previous run of this agent, or
        // another agent; and one naming no agent at all.
        let previousRun = try codec.seal(.tick(tick), sender: coordinatorID, sequence: 5, recipient: agentInstance + 1)
        let unaddressed = try codec.seal(.tick(tick), sender: coordinatorID, sequence: 6, recipient: 0)
        let inputs: [([UInt8], DropReason)] = [([1, 2, 3], .tooShort), (Array(repeating: 0, count: 64), .badMagic),
                                               (tampered, .badTag), (wrongKey, .badTag), (unsealed, .untagged),
                                               (previousRun, .misaddressed), (unaddressed, .misaddressed)]
        for (k, (bytes, reason)) in inputs.enumerated() {
            let before = agent.inbox.drops[reason]
            let output = agent.handle(.datagram(bytes, from: 100), now: start + Int64(k + 1) * ms)
            #expect(agent.inbox.drops[reason] == before + 1, "\(reason)")
            #expect(output.aspect == .red)
            #expect(output.notes.isEmpty)
        }
        #expect(agent.inbox.drops.total == UInt64(inputs.count))
        #expect(agent.state == .unsynced)
        #expect(agent.counters.ticksReceived == 0)
        #expect(agent.sources.current == nil)
        // The untampered tick is taken (its coordinator becomes a candidate:
        // it echoes no report of ours, so it is not followed yet), and a
        // replay of it is dropped.
        let good = try codec.seal(.tick(tick), sender: coordinatorID, sequence: 4, recipient: agentInstance)
        let taken = agent.handle(.datagram(good, from: 100), now: start + 10 * ms)
        #expect(agent.counters.ticksReceived == 1)
        #expect(taken.notes.isEmpty)
        #expect(agent.gate.candidates[coordinatorID] != nil)
        _ = agent.handle(.datagram(good, from: 100), now: start + 11 * ms)
        #expect(agent.inbox.drops[.replayed] == 1)
        #expect(agent.counters.ticksReceived == 1)
    }

    /// Recipient binding on the agent's side: reports to the followed
    /// coordinator name its id (so another coordinator's inbox refuses them),
    /// reports to every coordinator address name none (0), and each report
    /// carries the agent's plan identities.
    @Test func reportsNameTheFollowedCoordinatorAndBroadcastsNameNone() throws {
        let start = LocalInstant(nanos: 5 * s)
        var agent = makeAgent(at: start)
        _ = agent.handle(.timer, now: start)
        let tick = Tick(coordinatorID: coordinatorID, term: 1, sentAt: TimebaseInstant(nanos: 9 * s),
                        plan: PlanRef(id: crossroadsID, anchor: TimebaseInstant(nanos: 0)), cyclePositionNanos: 0)
        let bytes = try codec.seal(.tick(tick), sender: coordinatorID, sequence: 1, recipient: agentInstance)
        _ = agent.handle(.datagram(bytes, from: 100), now: start + 10 * ms)
        // Rule 10: followed once a tick echoes one of our reports to it.
        let candidate = agent.handle(.timer, now: start + 30 * ms).sends.compactMap { send -> Report? in
            guard send.to == .peer(100), case let .success(envelope) = codec.open(send.bytes),
                  case let .report(report) = envelope.message else { return nil }
            return report
        }
        let first = try #require(candidate.first)
        var echoed = tick
        echoed.sentAt = TimebaseInstant(nanos: 9 * s + 31 * ms)
        echoed.echo = Echo(reportSentAt: first.sentAt, reportReceivedAt: TimebaseInstant(nanos: 9 * s + 30 * ms))
        let echoBytes = try codec.seal(.tick(echoed), sender: coordinatorID, sequence: 2, recipient: agentInstance)
        _ = agent.handle(.datagram(echoBytes, from: 100), now: start + 32 * ms)
        #expect(agent.sources.current?.id == coordinatorID)
        var toPeer: [Envelope] = [], toAll: [Envelope] = []
        var now = start + 32 * ms
        while now < start + 2 * s {
            now = now + 5 * ms
            for send in agent.handle(.timer, now: now).sends {
                guard case let .success(envelope) = codec.open(send.bytes) else { continue }
                if send.to == .allCoordinators { toAll.append(envelope) } else { toPeer.append(envelope) }
            }
        }
        #expect(!toPeer.isEmpty && toPeer.allSatisfy { $0.recipientID == coordinatorID })
        #expect(!toAll.isEmpty && toAll.allSatisfy { $0.recipientID == 0 })
        for envelope in toPeer + toAll {
            guard case let .report(report) = envelope.message else {
                Issue.record("after a tick the agent sends reports, not \(envelope.message)")
                continue
            }
            #expect(report.plan == .none && report.pending == .none, "no plan assembled yet")
            #expect(report.solicitNonce == 0 && !report.monitorTripped && !report.outOfPlan)
        }
        var otherCoordinator = Inbox(codec: codec, localID: coordinatorID + 1)
        let peerBytes = try codec.seal(toPeer[0].message, sender: agentInstance, sequence: toPeer[0].sequence, recipient: toPeer[0].recipientID)
        #expect(otherCoordinator.receive(peerBytes, timebaseEstimate: nil) == .failure(.misaddressed))
    }

    /// Each periodic report goes to the followed coordinator and to every
    /// other one whose ticks the agent hears, addressed to each: a standby's
    /// silent-head watch must hear every head at the report rate (heard only
    /// through the once-a-second broadcast, it took a lost one or two for a
    /// silent head and stopped the junction at a rolling update's goodbye).
    @Test func reportsAlsoGoToEveryOtherCoordinatorHeard() throws {
        var pair = try Pair()
        pair.run(until: 20 * s)
        #expect(pair.agent.state == .locked)
        let other = coordinatorID + 1
        let local = { (t: Int64) in LocalInstant(nanos: t + pair.agentOffsetNanos) }
        let standbyTick = Tick(coordinatorID: other, term: 2, sentAt: pair.timebase(at: pair.now), plan: .none, cyclePositionNanos: 0)
        _ = pair.agent.handle(.datagram(try codec.seal(.tick(standbyTick), sender: other, sequence: 1, recipient: agentInstance), from: 200),
                              now: local(pair.now))
        var to: [AgentDestination<Int>: [UInt64]] = [:]
        for k in 1...3 {
            for send in pair.agent.handle(.timer, now: local(pair.now + Int64(k) * 100 * ms)).sends {
                guard case let .success(envelope) = codec.open(send.bytes), case .report = envelope.message else { continue }
                to[send.to, default: []].append(envelope.recipientID)
            }
        }
        #expect(to[.peer(100)]?.allSatisfy { $0 == coordinatorID } == true)
        #expect(to[.peer(200)]?.allSatisfy { $0 == other } == true, "the other coordinator hears every report: \(to)")
        #expect(to[.peer(200)]?.count == to[.peer(100)]?.count)
        #expect(pair.agent.sources.current?.id == coordinatorID, "it still follows its coordinator")
    }

    /// Rule 10: a fresh agent follows a coordinator only once one of its
    /// ticks echoes a report this agent sent it in the last 5 s; until then
    /// it reports to the candidate, addressed.
    @Test func aFreshAgentFollowsOnlyAfterAnEchoOfItsOwnReport() throws {
        let start = LocalInstant(nanos: 5 * s)
        var agent = makeAgent(at: start)
        _ = agent.handle(.timer, now: start)
        var sequence: UInt64 = 0
        func tick(echo: Echo?, at sentAt: Int64) throws -> [UInt8] {
            sequence += 1
            let tick = Tick(coordinatorID: coordinatorID, term: 3, sentAt: TimebaseInstant(nanos: sentAt),
                            plan: PlanRef(id: crossroadsID, anchor: TimebaseInstant(nanos: 0)), cyclePositionNanos: 0, echo: echo)
            return try codec.seal(.tick(tick), sender: coordinatorID, sequence: sequence, recipient: agentInstance)
        }
        // No echo; then an echo of a report we never sent (a replay from an
        // earlier exchange would look like this).
        _ = agent.handle(.datagram(try tick(echo: nil, at: 9 * s), from: 100), now: start + 1 * ms)
        let forged = Echo(reportSentAt: start, reportReceivedAt: TimebaseInstant(nanos: 9 * s))
        let notYet = agent.handle(.datagram(try tick(echo: forged, at: 9 * s + 1 * ms), from: 100), now: start + 2 * ms)
        #expect(notYet.notes.isEmpty && agent.sources.current == nil)
        // The agent reports to the candidate, addressed to it.
        let out = agent.handle(.timer, now: start + 20 * ms)
        let reports = out.sends.compactMap { send -> (Report, UInt64)? in
            guard send.to == .peer(100), case let .success(envelope) = codec.open(send.bytes),
                  case let .report(report) = envelope.message else { return nil }
            return (report, envelope.recipientID)
        }
        let sent = try #require(reports.first)
        #expect(sent.1 == coordinatorID)
        // An echo of that report: followed.
        let echo = Echo(reportSentAt: sent.0.sentAt, reportReceivedAt: TimebaseInstant(nanos: 9 * s + 20 * ms))
        let followed = agent.handle(.datagram(try tick(echo: echo, at: 9 * s + 21 * ms), from: 100), now: start + 22 * ms)
        #expect(followed.notes.contains(.sourceChanged(coordinatorID: coordinatorID, term: 3)))
        #expect(agent.sources.current?.id == coordinatorID)
    }

    /// A solicit is answered at once, to the address it came from, with a
    /// report addressed to the soliciting coordinator carrying its nonce; at
    /// most once per coordinator per 25 ms.
    @Test func aSolicitIsAnsweredAtOnceToItsSource() throws {
        let start = LocalInstant(nanos: 5 * s)
        var agent = makeAgent(at: start)
        _ = agent.handle(.timer, now: start)
        let other: UInt64 = 0xC1
        func solicit(_ nonce: UInt64, sequence: UInt64, recipient: UInt64 = 0) throws -> [UInt8] {
            try codec.seal(.solicit(Solicit(coordinatorID: other, term: 0, nonce: nonce)), sender: other, sequence: sequence, recipient: recipient)
        }
        let out = agent.handle(.datagram(try solicit(77, sequence: 1), from: 300), now: start + 1 * ms)
        #expect(out.sends.count == 1)
        let send = try #require(out.sends.first)
        #expect(send.to == .peer(300))
        guard case let .success(envelope) = codec.open(send.bytes), case let .report(report) = envelope.message else {
            Issue.record("the answer is a report")
            return
        }
        #expect(envelope.recipientID == other)
        #expect(report.solicitNonce == 77 && report.instance == agentInstance && report.sentAt == start + 1 * ms)
        let soon = agent.handle(.datagram(try solicit(78, sequence: 2, recipient: agentInstance), from: 300), now: start + 25 * ms)
        #expect(soon.sends.isEmpty, "within 25 ms of the last answer")
        let later = agent.handle(.datagram(try solicit(79, sequence: 3, recipient: agentInstance), from: 300), now: start + 26 * ms)
        #expect(later.sends.count == 1)
        #expect(agent.counters.solicitsAnswered == 2)
    }

    /// Plan lending (protocol 3): a solicit that names a plan this agent
    /// holds gets the plan's chunks after the answer, addressed to the
    /// soliciting coordinator, to the solicit's source, anchored where the
    /// agent runs it; a plan it does not hold gets the answer alone.
    @Test func aSolicitWantingAHeldPlanIsLentItsChunks() throws {
        let start = LocalInstant(nanos: 5 * s)
        var agent = makeAgent(at: start)
        let plan = longPlan()
        let anchor = TimebaseInstant(nanos: 1_700_000_000 * s)
        for bytes in try sealedChunks(plan, activation: anchor, firstSequence: 1) {
            _ = agent.handle(.datagram(bytes, from: 100), now: start)
        }
        let id = PlanID(planBytes: plan)
        #expect(agent.schedule.current?.id == id.rawValue)
        let other: UInt64 = 0xC1
        func solicit(_ nonce: UInt64, wanting wanted: PlanID, sequence: UInt64) throws -> [UInt8] {
            try codec.seal(.solicit(Solicit(coordinatorID: other, term: 0, nonce: nonce, wantedPlan: wanted)),
                           sender: other, sequence: sequence, recipient: agentInstance)
        }
        let out = agent.handle(.datagram(try solicit(77, wanting: id, sequence: 1), from: 300), now: start + 1 * ms)
        let opened = try out.sends.map { send -> Envelope in
            #expect(send.to == .peer(300))
            guard case let .success(envelope) = codec.open(send.bytes) else { throw CaughtFailure.unopenable }
            #expect(envelope.recipientID == other)
            return envelope
        }
        guard case .report = opened.first?.message else {
            Issue.record("the answer comes first")
            return
        }
        var assembler = PlanAssembler()
        var lent: AssembledPlan?
        for case let .plan(chunk) in opened.map(\.message) { lent = assembler.add(chunk) ?? lent }
        #expect(opened.count == 1 + PlanChunk.chunkCount(totalLength: plan.count))
        #expect(lent == AssembledPlan(planID: id, activation: anchor, bytes: plan))
        #expect(agent.counters.plansLent == 1)
        let unknown = agent.handle(.datagram(try solicit(78, wanting: PlanID(rawValue: 99), sequence: 2), from: 300), now: start + 60 * ms)
        #expect(unknown.sends.count == 1, "a plan it does not hold: the answer alone")
    }

    @Test func aPlanInChunksIsAcceptedAndABadOneIsRefusedKeepingTheOld() throws {
        let start = LocalInstant(nanos: 5 * s)
        var agent = makeAgent(at: start)
        let good = longPlan()
        let goodChunks = try sealedChunks(good, activation: TimebaseInstant(nanos: 0), firstSequence: 1)
        #expect(goodChunks.count >= 3)
        var notes: [AgentNote] = []
        for (k, bytes) in goodChunks.reversed().enumerated() {
            #expect(agent.schedule.current == nil, "no plan before the last chunk")
            notes += agent.handle(.datagram(bytes, from: 100), now: start + Int64(k) * ms).notes
        }
        let goodID = PlanID(planBytes: good).rawValue
        #expect(notes == [.planAccepted(id: goodID, name: "crossroads", activation: TimebaseInstant(nanos: 0))])
        #expect(agent.schedule.current?.id == goodID)
        #expect(agent.currentHead?.groupName == "north-south")

        let badText = ExamplePlans.crossroads.replacing(#""green": ["walk"]"#, with: #""green": ["walk", "east-west"]"#)
        let bad = longPlan(badText)
        #expect(bad != good)
        let badChunks = try sealedChunks(bad, activation: TimebaseInstant(nanos: 60 * s), firstSequence: 100)
        notes = []
        for (k, bytes) in badChunks.enumerated() {
            notes += agent.handle(.datagram(bytes, from: 100), now: start + Int64(20 + k) * ms).notes
        }
        let badID = PlanID(planBytes: bad).rawValue
        #expect(notes.count == 1)
        guard case let .planRefused(id, reason)? = notes.first else {
            Issue.record("expected planRefused, got \(notes)")
            return
        }
        #expect(id == badID)
        #expect(reason.contains("conflicting-greens"), "\(reason)")
        #expect(agent.schedule.current?.id == goodID)
        #expect(agent.schedule.pending == nil)
        #expect(agent.counters.plansRefused == 1)
    }

    @Test func aCoordinatorAndAnAgentReachLockstep() throws {
        var pair = try Pair()
        var compared = 0
        var mismatches: [String] = []
        pair.run(until: 120 * s) { pair, output in
            guard pair.now >= 60 * s, !pair.nearPlanChange(pair.now, margin: 1 * ms) else { return }
            compared += 1
            let expected = pair.planAspect(at: pair.now)
            if output.aspect != expected { mismatches.append("t=\(pair.now): shows \(output.aspect), plan \(expected)") }
        }
        let locked = try #require(pair.firstTime(in: .locked), "never locked")
        #expect(locked < 6 * s, "locked \(Double(locked) / 1e9) s after start (2 s of it the coordinator's adoption)")
        #expect(pair.agent.state == .locked)
        #expect(pair.stateChanges.map(\.to) == [.locking, .locked], "\(pair.stateChanges)")
        // The coordinator heard the agent's reports (addressed to it) with
        // the plan identity it runs: the crossroads file at the coordinator's anchor.
        let heard = try #require(pair.coordinator.agents[Pair.agentAddress]?.lastReport)
        #expect(heard.plan == PlanRef(pair.coordinator.schedule.current) && heard.plan.id == crossroadsID && heard.pending == .none)
        #expect(pair.coordinator.inbox.drops.total == 0 && pair.agent.inbox.drops.total == 0)
        #expect(compared > 500)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        // The agent's timebase is the coordinator's to well under a millisecond.
        let estimate = try #require(pair.agent.clock.timebase(at: LocalInstant(nanos: pair.now + pair.agentOffsetNanos)))
        #expect(abs(estimate - pair.timebase(at: pair.now)) < 200 * .nanosPerMicrosecond)
        // Every change of the plan in the last minute was shown within a millisecond.
        let shownChanges = pair.log.filter { $0.at >= 60 * s }
        let greens = zip(shownChanges, shownChanges.dropFirst()).filter { $0.1.aspect == .green && $0.0.aspect != .green }
        #expect(!greens.isEmpty)
        for (_, change) in greens { #expect(pair.planAspect(at: change.at + 1 * ms) == .green) }
    }

    @Test func afterTheCoordinatorFallsSilentHoldoverAndNoFlashForAMinute() throws {
        var pair = try Pair()
        pair.run(until: 30 * s)
        #expect(pair.agent.state == .locked)
        let silentAt = pair.now
        pair.silenceCoordinator()
        var mismatches = 0
        pair.run(until: silentAt + 60 * s) { pair, output in
            if !pair.nearPlanChange(pair.now, margin: 2 * ms) && output.aspect != pair.planAspect(at: pair.now) { mismatches += 1 }
        }
        let changes = pair.stateChanges.filter { $0.at >= silentAt }
        #expect(changes.map(\.to) == [.holdover], "\(changes)")
        let holdoverAt = try #require(changes.first?.at)
        #expect(holdoverAt - silentAt > 800 * ms && holdoverAt - silentAt <= 1_100 * ms,
                "holdover \(Double(holdoverAt - silentAt) / 1e6) ms after the last tick")
        #expect(pair.agent.state == .holdover)
        #expect(!pair.log.contains { $0.at >= silentAt && ($0.state == .flash || $0.aspect.isFlashing) })
        #expect(mismatches == 0, "the head keeps following the plan in holdover")
    }

    @Test func aDisagreeingCoordinatorMakesALockedAgentFlashAndIsIgnoredUntilTheGracePasses() throws {
        var pair = try Pair()
        pair.run(until: 30 * s)
        #expect(pair.agent.state == .locked)
        // The real coordinator stops; a replacement that did not adopt the
        // cluster's time ticks 5 s ahead.
        let rogueAt = pair.now
        pair.silenceCoordinator()
        pair.rogue = (next: rogueAt, offsetNanos: 5 * s, sequence: 0)
        pair.run(until: rogueAt + 1 * s)
        #expect(pair.agent.state == .flash)
        let flashAt = try #require(pair.stateChanges.first { $0.to == .flash }?.at)
        // Ticks every 100 ms: the third in a row (one late tick is not
        // another timebase; a coordinator on another timebase sends them all).
        #expect(flashAt - rogueAt >= 200 * ms && flashAt - rogueAt < 201 * ms, "flash at the third disagreeing tick in a row")
        var followedRogue: Int64?
        pair.run(until: rogueAt + 20 * s) { pair, _ in
            if followedRogue == nil && pair.agent.sources.current?.id == 1 { followedRogue = pair.now }
        }
        #expect(pair.agent.counters.ticksDisagreeing >= 90)
        let reset = try #require(pair.stateChanges.first { $0.at > rogueAt && $0.to == .unsynced })
        #expect(reset.from == .flash)
        #expect(reset.reason.contains("timebase differs"), "\(reset.reason)")
        #expect(reset.at - rogueAt >= pair.agent.configuration.disagreementGraceNanos)
        #expect(reset.at - rogueAt < pair.agent.configuration.disagreementGraceNanos + 200 * ms)
        #expect(!pair.log.contains { $0.at > flashAt && $0.at < reset.at && $0.state != .flash }, "flash throughout the grace period")
        let followed = try #require(followedRogue)
        #expect(followed >= reset.at, "the disagreeing coordinator is not followed before the grace period ends")
    }

    /// A disagreeing coordinator ticking beside the followed one must keep the
    /// agent in flash (the 2 s disagreement window), not let it relock.
    /// (This caught a bug: agreeing ticks of the followed coordinator used to
    /// clear the other one's disagreement, so the agent flapped locked/flash.)
    @Test func disagreeingTicksWhileTheCoordinatorIsHeardKeepTheAgentInFlash() throws {
        var pair = try Pair()
        pair.run(until: 30 * s)
        let rogueAt = pair.now
        pair.rogue = (next: rogueAt + 50 * ms, offsetNanos: -3 * s, sequence: 0)
        pair.run(until: rogueAt + 3 * s)
        #expect(pair.agent.sources.current?.id == coordinatorID, "the agent keeps following its coordinator")
        let relocks = pair.stateChanges.filter { $0.at > rogueAt && $0.to == .locked }
        #expect(relocks.count == 0, "relocked \(relocks.count) times while disagreeing ticks kept coming")
        #expect(pair.agent.state == .flash)
        pair.rogue = nil
        let stoppedAt = pair.now
        pair.run(until: stoppedAt + 5 * s)
        #expect(pair.agent.state == .locked, "locked again once the disagreeing ticks stop")
    }
}

@Suite("AgentCore: a silent head of the junction stops it (issue 10)")
struct AgentStopCommandTests {
    /// Another head of the junction (east-west, ordinal 1) reports once and
    /// falls silent: the coordinator's ticks then carry `.stop`, and the
    /// agent leaves the plan for flashing red through its legal path; when
    /// the silent head reports again the agent rejoins at the junction's
    /// cycle start (all-red), not at the first red it finds.
    @Test func stopThenRejoinAtTheCycleStart() throws {
        var pair = try Pair()
        pair.run(until: 40 * s)
        #expect(pair.agent.state == .locked)
        var sequence: UInt64 = 0
        func reportFromTheOtherHead(_ pair: inout Pair) {
            sequence += 1
            let t = pair.timebase(at: pair.now)
            let report = Report(ordinal: 1, instance: 0xE57, board: "", plan: PlanRef(id: crossroadsID, anchor: TimebaseInstant(nanos: 0)),
                                state: .locked, offsetNanos: 0, errorBoundNanos: 50_000,
                                head: HeadReport(junction: "main", group: "east-west", aspect: .red),
                                sentAt: LocalInstant(nanos: t.nanos), timebaseAtSend: t, sourceCoordinatorID: coordinatorID, sourceTerm: 1)
            let bytes = try! codec.seal(.report(report), sender: 0xE57, sequence: sequence, recipient: coordinatorID)
            _ = pair.coordinator.handle(.datagram(bytes, from: 5), now: LocalInstant(nanos: pair.now + pair.coordinatorOffsetNanos))
        }
        reportFromTheOtherHead(&pair)
        let silentFrom = pair.now
        pair.run(until: 52 * s)  // before the coordinator forgets the silent agent (15 s)
        #expect(pair.coordinator.counters.silentHeadStops == 1)
        let flashing = try #require(pair.log.first { $0.at > silentFrom && $0.aspect == .flashingRed }, "never stopped")
        // Stopped within the threshold, a tick round, and at most a minimum
        // green plus an amber if it was green.
        #expect(flashing.at - silentFrom <= 1_500 * ms + 300 * ms + 10 * s)
        let shown = pair.log.filter { $0.at > silentFrom && $0.at <= flashing.at }.map(\.aspect)
        for (a, b) in zip(shown, shown.dropFirst()) where a != b && a == .green { #expect(b == .amber, "green went to \(b)") }
        #expect(pair.agent.state == .flash)

        // The silent head reports again, and keeps reporting.
        let back = pair.now
        for k in 0..<200 {
            pair.run(until: back + Int64(k) * 100 * ms)
            reportFromTheOtherHead(&pair)
        }
        let rejoin = try #require(pair.log.first { $0.at > back && $0.aspect != .flashingRed }, "never rejoined")
        let current = pair.coordinator.schedule.current!
        let position = floorMod(pair.timebase(at: rejoin.at) - current.anchor, current.plan.cycleNanos)
        #expect(position < 5 * ms, "rejoined \(position / ms) ms into the cycle, not at its start")
        #expect(rejoin.aspect == .red)
        #expect(pair.agent.state == .locked)
    }
}

@Suite("AgentCore: the last word of a graceful stop")
struct AgentLastWordTests {
    /// Another head of "main" (east-west, ordinal 1) reporting to the
    /// coordinator every 100 ms for `seconds`, the coordinator ticking;
    /// returns the command for "main" at the end.
    private func coordinatorAlone(_ pair: inout Pair, seconds: Int64, from sequence: UInt64) -> TickCommand {
        let start = pair.now
        for k in 1...(seconds * 10) {
            let now = LocalInstant(nanos: start + k * 100 * ms + pair.coordinatorOffsetNanos)
            let t = pair.coordinator.timebase(at: now)
            let report = Report(ordinal: 1, instance: 0xE57, board: "", plan: PlanRef(pair.coordinator.schedule.current),
                                state: .locked, offsetNanos: 0, errorBoundNanos: 50_000,
                                head: HeadReport(junction: "main", group: "east-west", aspect: .red),
                                sentAt: LocalInstant(nanos: t.nanos), timebaseAtSend: t, sourceCoordinatorID: coordinatorID, sourceTerm: 1)
            let bytes = try! codec.seal(.report(report), sender: 0xE57, sequence: sequence + UInt64(k), recipient: coordinatorID)
            _ = pair.coordinator.handle(.datagram(bytes, from: 5), now: now)
            _ = pair.coordinator.handle(.timer, now: now)
        }
        return pair.coordinator.silentHeads.command(forJunction: "main")
    }

    /// Stopped during a green: while the amber clears it the agent reports
    /// as usual (amber, not stopped); then three reports to the followed
    /// coordinator and three to every address, each sealed on its own, say
    /// `stopped` with the shutdown aspect. The coordinator takes all six and
    /// keeps the junction running while the head is silent; without them
    /// (the control) the same silence stops it.
    @Test func finalReportsSayStoppedWithTheShutdownAspect() throws {
        var pair = try Pair()
        pair.run(until: 40 * s)
        #expect(pair.agent.state == .locked)
        while pair.agent.monitor.shown != .green { pair.run(until: pair.now + 100 * ms) }
        let local = LocalInstant(nanos: pair.now + pair.agentOffsetNanos)
        let stop = pair.agent.beginShutdown(now: local, finally: .red)
        #expect(stop.aspect == .amber && stop.finalAt > local)

        let clearing = pair.agent.clearingReports(now: local)
        #expect(clearing.map(\.to) == [.peer(Pair.coordinatorAddress), .allCoordinators])
        for send in clearing {
            guard case let .success(envelope) = codec.open(send.bytes), case let .report(report) = envelope.message else {
                Issue.record("a clearing report did not open")
                continue
            }
            #expect(!report.stopped && report.head?.aspect == .amber)
        }

        let final = pair.agent.finalReports(now: stop.finalAt, aspect: .red)
        #expect(final.filter { $0.to == .peer(Pair.coordinatorAddress) }.count == AgentCore<Int>.finalReportRepeats)
        #expect(final.filter { $0.to == .allCoordinators }.count == AgentCore<Int>.finalReportRepeats)
        var sequences: Set<UInt64> = []
        for send in final {
            guard case let .success(envelope) = codec.open(send.bytes), case let .report(report) = envelope.message else {
                Issue.record("a final report did not open")
                continue
            }
            sequences.insert(envelope.sequence)
            #expect(envelope.recipientID == (send.to == .allCoordinators ? 0 : coordinatorID))
            #expect(report.stopped && report.instance == agentInstance && !report.outOfPlan)
            #expect(report.head == HeadReport(junction: "main", group: "north-south", aspect: .red))
            #expect(report.sentAt == stop.finalAt)
        }
        #expect(sequences.count == final.count, "each copy sealed with its own sequence number")

        // The last word reaches the coordinator when the amber ends (the
        // clearing reports meanwhile are the runtime's to send).
        pair.now = stop.finalAt.nanos - pair.agentOffsetNanos
        var control = pair
        let delivered = LocalInstant(nanos: pair.now + pair.coordinatorOffsetNanos)
        for send in final { _ = pair.coordinator.handle(.datagram(send.bytes, from: Pair.agentAddress), now: delivered) }
        #expect(pair.coordinator.inbox.drops.total == 0)
        #expect(pair.coordinator.agents[Pair.agentAddress]?.lastReport?.stopped == true)
        #expect(coordinatorAlone(&pair, seconds: 5, from: 0) == .run)
        #expect(pair.coordinator.counters.silentHeadStops == 0)
        #expect(coordinatorAlone(&control, seconds: 5, from: 0) == .stop, "the control: a silent head without its last word")
    }
}
