import JunctionCore
import NodeAgent
import Coordinator
import Protocol

/// Runs a `Scenario`: the real agent and coordinator cores, exchanging real
/// encoded datagrams over a simulated network, in virtual time.
///
/// Addresses are integers: agent i is `i`, coordinator k is
/// `coordinatorBase + k`. True time starts at `epochNanos` (a realistic Unix
/// time, so timebase arithmetic sees realistic magnitudes).
public struct ClusterSimulation {
    public static let coordinatorBase = 1_000_000
    public static let epochNanos: Int64 = 1_764_000_000 * .nanosPerSecond

    enum Event {
        case agentWake(Int, generation: UInt64)
        case coordinatorWake(Int, generation: UInt64)
        case toAgent(Int, bytes: [UInt8], from: Int)
        case toCoordinator(Int, bytes: [UInt8], from: Int)
        case dnsRefresh
        /// Agent i's runtime resolves the coordinator Service (every 5 s while it runs).
        case agentResolve(Int, incarnation: Int)
        case coordinatorWallClockStep(Int64)
        case killAgent(Int, downNanos: Int64)
        case stallAgent(Int, durationNanos: Int64)
        case startAgent(Int)
        case removeAgent(Int)
        /// A step of an agent's graceful stop (SIGTERM): a clearing report,
        /// or once its lamp may show the shutdown aspect, its last word.
        case agentStopStep(Int, incarnation: Int)
        case addAgent
        case coordinatorOutage(Scenario.Outage)
        /// `replacing`: the coordinator whose replica slot (its ReplicaSet's
        /// pod) the new one takes after an outage. `rollout`: the rolling
        /// update's new pod (the new ReplicaSet's).
        case startCoordinator(clockOffsetNanos: Int64, replacing: Int? = nil, rollout: Bool = false)
        case stopCoordinatorGracefully(Int)
        case stopCoordinator(Int)
        case planChange([UInt8])
    }

    struct SimAgent {
        var core: AgentCore<Int>?
        var oscillator: Oscillator
        var generation: UInt64 = 0
        var aspect: Aspect = .off
        var incarnation = 0
        var removed = false
        var createdAt: Int64
        var removedAt: Int64?
        var firstTickAt: Int64?
        var lockedSince: Int64?
        /// The last true time it was seen locked.
        var lastLockedAt: Int64?
        var everLocked = false
        /// True time (since the run's start) it first locked.
        var firstLockedAt: Int64?
        var lastStateChangeAt: Int64
        var followed: UInt64 = 0
        /// True time it last moved a held timebase to another coordinator.
        var switchedAt: Int64?
        var traceKey: TraceKey?
        var planID: UInt64 = 0
        var joinMeasured = false
        /// Its node's DNS cache and the coordinator addresses it resolved.
        var resolver = AgentResolver()
        /// True time until which the agent's process is stalled.
        var stalledUntil: Int64 = 0
        /// Stopping gracefully (SIGTERM): the true time from which its lamp
        /// may show the shutdown aspect. It handles nothing meanwhile.
        var stoppingUntil: Int64?
        /// Its last word reached a live coordinator (false: lost, or none
        /// was sent because it was never stopped gracefully).
        var lastWordHeard = false
        /// The head its board's lamp shows by the scenario's wiring (fixed).
        let wiring: (junction: Int, group: Int)?

        /// The agent's core handles `event` at true time `now`, in place:
        /// its local time, its state before, what it decided, and what the
        /// checker reads of it after.
        mutating func handle(_ event: AgentEvent<Int>, at now: Int64)
            -> (local: LocalInstant, before: SyncState, output: AgentOutput<Int>, view: AgentView)? {
            guard core != nil else { return nil }
            let before = core!.state
            let local = LocalInstant(nanos: oscillator.local(at: now))
            let output = core!.handle(event, now: local)
            if case .datagram = event, firstTickAt == nil, core!.counters.ticksReceived > 0 { firstTickAt = now }
            return (local, before, output, AgentView(&core!, local: local))
        }
    }

    struct SimCoordinator {
        /// The timebase it serves at true time `now` (after it dies, the
        /// one it served goes on).
        mutating func servedTimebase(at now: Int64) -> Int64 {
            if let offset = core?.offsetNanos { offsetNanos = offset }
            return oscillator.local(at: now) + offsetNanos
        }

        /// The coordinator's core handles `event` at true time `now`, in place.
        mutating func handle(_ event: CoordinatorEvent<Int>, at now: Int64) -> (local: LocalInstant, output: CoordinatorOutput<Int>)? {
            guard core != nil else { return nil }
            let local = LocalInstant(nanos: oscillator.local(at: now))
            return (local, core!.handle(event, now: local))
        }

        var core: CoordinatorCore<Int>?
        var oscillator: Oscillator
        var generation: UInt64 = 0
        let id: UInt64
        /// The timebase offset it last served: after it dies, its timebase
        /// goes on as the ground truth the agents hold in holdover.
        var offsetNanos: Int64 = 0
    }

    struct TraceKey: Hashable {
        var agent: Int
        var incarnation: Int
        var junction: Int
        var group: Int
    }

    public let scenario: Scenario
    let plan: SignalPlan
    var queue = EventQueue<Event>()
    var agents: [SimAgent] = []
    var coordinators: [SimCoordinator] = []
    /// Coordinator k's replica slot went to this coordinator after an outage.
    var replacedBy: [Int: Int] = [:]
    /// The rolling update's new pod (or its replacement), if one started.
    var rolloutPod: Int?
    var random: SimulationRandom
    var networkRandom: SimulationRandom
    var key: AuthKey?
    var now: Int64 = epochNanos
    var report: SimulationReport
    var traces: [TraceKey: HeadTrace] = [:]
    var traceEnds: [TraceKey: Int64] = [:]
    /// Each head's changes on its coordinator's timebase, and whether the
    /// head was following the plan then: compared with the plan's timeline.
    var timebaseTraces: [TraceKey: [(timebase: Int64, aspect: Aspect, following: Bool, trueNanos: Int64)]] = [:]
    /// Per rounded timebase change instant: (min, max) reference error of
    /// the locked agents that made it, and how many.
    var pendingSkews: [Int64: (low: Int64, high: Int64, count: Int)] = [:]
    var dnsList: [Int] = []
    /// Heads whose agent was killed (its lamp frozen), for the checker.
    var frozenHeads: [FrozenHead] = []
    /// The plan file as the coordinators' ConfigMap holds it now: a
    /// replacement starts on the latest valid edit.
    var planFile: (plan: SignalPlan, bytes: [UInt8])
    /// The (plan, anchor) the coordinators put in force: the checker's truth.
    var history = PlanHistory()
    /// Coordinators some agent followed at some time.
    var followedCoordinators: Set<UInt64> = []
    /// The coordinator Service's endpoints over time.
    var coordinatorEndpoints = CoordinatorEndpoints()
    /// The coordinators' node wall clock minus where it started: moved by
    /// steps; read by a coordinator only when it starts.
    var coordinatorWallClockStepNanos: Int64 = 0
    /// Events processed, for the benchmark and for spotting livelocks.
    public private(set) var eventCount: UInt64 = 0
    public var debugTrace: ((String) -> Void)?

    public init(scenario: Scenario) throws {
        self.scenario = scenario
        plan = try SignalPlan.load(scenario.planBytes, source: "scenario plan")
        planFile = (plan, scenario.planBytes)
        random = SimulationRandom(seed: scenario.seed, stream: 1)
        networkRandom = SimulationRandom(seed: scenario.seed, stream: 2)
        report = SimulationReport(scenario: scenario)
        if scenario.authenticated {
            var keyRandom = SimulationRandom(seed: scenario.seed, stream: 3)
            key = try AuthKey(bytes: (0..<32).map { _ in UInt8(truncatingIfNeeded: keyRandom.next()) })
        }
    }

    // MARK: Running

    /// Runs the whole scenario and returns what it measured.
    public mutating func run() -> SimulationReport {
        setUp()
        let end = Self.epochNanos + scenario.durationNanos
        while let (at, event) = queue.pop(), at <= end {
            now = at
            process(event)
            eventCount += 1
            if eventCount % 20_000 == 0 { debugTrace?("t=\(now - Self.epochNanos) events=\(eventCount) queue=\(queue.count) \(event)") }
        }
        now = end
        finish()
        return report
    }

    private mutating func setUp() {
        startCoordinator(clockOffsetNanos: random.upTo(2 * scenario.coordinatorClockOffsetNanos) - scenario.coordinatorClockOffsetNanos)
        for _ in 0..<scenario.agentCount { addAgent(startAt: now + random.upTo(scenario.startupSpreadNanos)) }
        queue.push(.dnsRefresh, at: now)
        let base = Self.epochNanos
        for o in scenario.coordinatorOutages { queue.push(.coordinatorOutage(o), at: base + o.atNanos) }
        if let s = scenario.secondCoordinatorAtNanos {
            queue.push(.startCoordinator(clockOffsetNanos: random.upTo(2 * scenario.coordinatorClockOffsetNanos) - scenario.coordinatorClockOffsetNanos,
                                         rollout: true), at: base + s)
        }
        for stop in scenario.coordinatorStops {
            queue.push(stop.graceful ? .stopCoordinatorGracefully(stop.index) : .stopCoordinator(stop.index), at: base + stop.atNanos)
        }
        for k in scenario.agentKills { queue.push(.killAgent(k.agent, downNanos: k.downNanos), at: base + k.atNanos) }
        for stall in scenario.agentStalls { queue.push(.stallAgent(stall.agent, durationNanos: stall.durationNanos), at: base + stall.atNanos) }
        for j in scenario.agentJoins { queue.push(.addAgent, at: base + j) }
        for r in scenario.agentRemovals { queue.push(.removeAgent(r.agent), at: base + r.atNanos) }
        for p in scenario.planChanges { queue.push(.planChange(p.bytes), at: base + p.atNanos) }
        for step in scenario.coordinatorWallClockSteps { queue.push(.coordinatorWallClockStep(step.stepNanos), at: base + step.atNanos) }
    }

    private mutating func process(_ event: Event) {
        switch event {
        case let .agentWake(i, generation):
            guard agents[i].generation == generation else { return }
            // A stalled process wakes when it runs again: late.
            if now < agents[i].stalledUntil { queue.push(event, at: agents[i].stalledUntil); return }
            handleAgent(i, .timer)
        case let .coordinatorWake(k, generation):
            guard coordinators[k].generation == generation else { return }
            handleCoordinator(k, .timer)
        case let .toAgent(i, bytes, from):
            // Queued by the kernel meanwhile; received (and stamped, which
            // only makes it look late) when the process runs again.
            if now < agents[i].stalledUntil { queue.push(event, at: agents[i].stalledUntil); return }
            handleAgent(i, .datagram(bytes, from: from))
        case let .toCoordinator(k, bytes, from):
            handleCoordinator(k, .datagram(bytes, from: from))
        case .dnsRefresh:
            refreshDNS()
        case let .agentResolve(i, incarnation):
            guard agents[i].core != nil, agents[i].incarnation == incarnation else { return }
            agents[i].resolver.resolve(at: now, endpoints: coordinatorEndpoints, model: scenario.coordinatorDNS)
            queue.push(.agentResolve(i, incarnation: incarnation), at: now + scenario.coordinatorDNS.resolveIntervalNanos)
        case let .coordinatorWallClockStep(step):
            // Running coordinators keep their clocks (monotonic since their
            // start); the next one to start reads the stepped wall clock.
            coordinatorWallClockStepNanos += step
            report.note("coordinators' node wall clock stepped by \(formatSeconds(step))", atNanos: now - Self.epochNanos)
        case let .killAgent(i, down):
            killAgent(i)
            queue.push(.startAgent(i), at: now + down)
        case let .startAgent(i):
            startAgent(i)
        case let .stallAgent(i, duration):
            agents[i].stalledUntil = max(agents[i].stalledUntil, now + duration)
        case let .removeAgent(i):
            agents[i].removed = true
            agents[i].removedAt = now
            report.note("agent \(i) removed (scale down)", atNanos: now - Self.epochNanos)
            // Scale-down deletes the pod: a running agent gets SIGTERM and
            // stops as the runtime does (`beginGracefulStop`). One already
            // down (killed, its lamp frozen) is simply never started again.
            beginGracefulStop(i)
        case let .agentStopStep(i, incarnation):
            guard agents[i].incarnation == incarnation else { return }
            stopStep(i)
        case .addAgent:
            addAgent(startAt: now)
            report.note("agent \(agents.count - 1) added (scale up)", atNanos: now - Self.epochNanos)
        case let .coordinatorOutage(outage):
            let killed = coordinators.indices.filter { coordinators[$0].core != nil }
            for k in killed { killCoordinator(k) }
            // Nothing left to kill: the earlier outage's replacement is on
            // its way, and a Deployment of one replica makes no second one.
            // (Each outage started its own replacement: two coordinators
            // then served to the end, which the junction does not support,
            // and their drifting timebases failed sweep seed 7808.)
            guard !killed.isEmpty else { return }
            // One replacement: mid-rollout, of the new ReplicaSet's pod if it
            // was killed (the old one's stop then finds nothing to stop), else
            // of the newest pod killed.
            let slot = rolloutPod.flatMap { killed.contains($0) ? $0 : nil } ?? killed.last
            queue.push(.startCoordinator(clockOffsetNanos: outage.replacementClockOffsetNanos, replacing: slot), at: now + outage.downNanos)
        case let .startCoordinator(offset, replacing, rollout):
            if let replacing {
                replacedBy[replacing] = coordinators.count
                if replacing == rolloutPod { rolloutPod = coordinators.count }
            }
            if rollout { rolloutPod = coordinators.count }
            startCoordinator(clockOffsetNanos: offset)
        case let .stopCoordinatorGracefully(k):
            guard let k = livePod(of: k) else { return }
            handleCoordinator(k, .shutdown)
            killCoordinator(k)
        case let .stopCoordinator(k):
            guard let k = livePod(of: k) else { return }
            killCoordinator(k)
        case let .planChange(bytes):
            if let edited = try? SignalPlan.load(bytes, source: "plan change") { planFile = (edited, bytes) }
            for k in coordinators.indices where coordinators[k].core != nil { handleCoordinator(k, .planFile(bytes, source: "plan change")) }
        }
    }

    // MARK: Nodes

    private mutating func addAgent(startAt: Int64) {
        let index = agents.count
        var settings = Oscillator.Settings(offsetNanos: random.upTo(1_000 * .nanosPerSecond),
                                           driftPPM: random.uniform(-scenario.maxDriftPPM...scenario.maxDriftPPM))
        settings.wanderPPMPerSegment = scenario.wanderPPMPerSegment
        settings.stepChance = scenario.frequencyStepChance
        settings.stepPPM = scenario.frequencyStepPPM
        if scenario.agentsDisciplineMonotonic {
            // Only the clock the agent disciplines matters; the runtime's
            // agent disciplines CLOCK_MONOTONIC_RAW, which no slew bends
            // (its sleeps on the slewed CLOCK_MONOTONIC end within 9 µs of
            // the raw deadline: AgentClock, tested in ClockPairTests).
            settings.slews = scenario.agentSlews.filter { $0.agent == index }
                .map { (Self.epochNanos + $0.atNanos, Self.epochNanos + $0.atNanos + $0.durationNanos, $0.ppm) }
        }
        let oscillator = Oscillator(settings: settings, random: SimulationRandom(seed: scenario.seed, stream: 100 + UInt64(index)), trueNow: now)
        let head = wiring(agents.count)
        agents.append(SimAgent(core: nil, oscillator: oscillator, createdAt: now, lastStateChangeAt: now,
                               wiring: head.map { (junction: $0.junction, group: $0.group) }))
        queue.push(.startAgent(index), at: startAt)
    }

    private mutating func startAgent(_ i: Int) {
        guard agents[i].core == nil, !agents[i].removed else { return }
        let local = LocalInstant(nanos: agents[i].oscillator.local(at: now))
        let config = AgentConfiguration(ordinal: i, board: nil, instance: random.next() | 1, key: key)
        // A killed agent's lamp stayed lit: its successor starts from it.
        let frozen = thawHead(i)
        agents[i].core = AgentCore(configuration: config, now: local, retained: frozen?.aspect)
        agents[i].incarnation += 1
        if let frozen { traceRestart(i, frozen) }
        agents[i].firstTickAt = nil
        agents[i].lastStateChangeAt = now
        agents[i].followed = 0
        // The runtime resolves the coordinator Service at start, then every 5 s.
        agents[i].resolver.resolve(at: now, endpoints: coordinatorEndpoints, model: scenario.coordinatorDNS)
        queue.push(.agentResolve(i, incarnation: agents[i].incarnation), at: now + scenario.coordinatorDNS.resolveIntervalNanos)
        handleAgent(i, .timer)
    }

    private mutating func killAgent(_ i: Int) {
        guard let core = agents[i].core else { return }
        accountState(i, core.state)
        agents[i].core = nil
        agents[i].stoppingUntil = nil
        agents[i].generation += 1
        agents[i].lockedSince = nil
        agents[i].lastLockedAt = nil
        report.monitorTrips += core.monitor.tripCount
        // SIGKILL runs no code and the kernel keeps driving the lines: the
        // head keeps its last aspect (its trace goes on) until a restart.
        freezeHead(i, core: core)
        report.note("agent \(i) killed (head frozen on \(agents[i].aspect))", atNanos: now - Self.epochNanos)
    }

    /// The lamp a stopped agent leaves (`JUNCTION_SHUTDOWN_ASPECT` in the
    /// manifests).
    static let shutdownAspect = Aspect.red

    /// SIGTERM, as `AgentRuntime.stop` handles it: a green shows its full
    /// amber first, the agent reporting meanwhile (so the amber, longer than
    /// the coordinator's silence threshold, is not taken for a death); then
    /// the shutdown aspect and the last word (`Report.stopped`, repeated),
    /// and the process exits, its lamp left on that aspect.
    private mutating func beginGracefulStop(_ i: Int) {
        guard agents[i].core != nil, agents[i].stoppingUntil == nil else { return }
        let local = LocalInstant(nanos: agents[i].oscillator.local(at: now))
        let (aspect, finalAt) = agents[i].core!.beginShutdown(now: local, finally: Self.shutdownAspect)
        if let key = agents[i].traceKey { traces[key]?.stoppedAtNanos = now - Self.epochNanos }
        showWhileStopping(i, aspect)
        agents[i].stoppingUntil = max(agents[i].oscillator.trueTime(whenLocalReads: finalAt.nanos, notBefore: now), now)
        agents[i].generation += 1
        stopStep(i)
    }

    private mutating func stopStep(_ i: Int) {
        guard agents[i].core != nil, let until = agents[i].stoppingUntil else { return }
        let local = LocalInstant(nanos: agents[i].oscillator.local(at: now))
        if now < until {
            route(agents[i].core!.clearingReports(now: local), fromAgent: i)
            let next = min(until, now + agents[i].core!.configuration.reportIntervalNanos)
            queue.push(.agentStopStep(i, incarnation: agents[i].incarnation), at: next)
            return
        }
        showWhileStopping(i, Self.shutdownAspect)
        agents[i].lastWordHeard = route(agents[i].core!.finalReports(now: local, aspect: Self.shutdownAspect), fromAgent: i)
        let core = agents[i].core!
        accountState(i, core.state)
        report.monitorTrips += core.monitor.tripCount
        agents[i].core = nil
        agents[i].stoppingUntil = nil
        agents[i].generation += 1
        agents[i].lockedSince = nil
        agents[i].lastLockedAt = nil
        if let key = agents[i].traceKey { traceEnds[key] = now - Self.epochNanos }
        agents[i].traceKey = nil
        report.note("agent \(i) stopped gracefully (its lamp on \(Self.shutdownAspect))", atNanos: now - Self.epochNanos)
    }

    /// A lamp change the shutdown makes (not the plan's): traced, so its
    /// amber is held to the plan's amber like any other.
    private mutating func showWhileStopping(_ i: Int, _ aspect: Aspect) {
        guard aspect != agents[i].aspect else { return }
        agents[i].aspect = aspect
        report.transitions += 1
        if let key = agents[i].traceKey { traces[key]?.changes.append(.init(atNanos: now - Self.epochNanos, aspect: aspect)) }
    }

    private mutating func startCoordinator(clockOffsetNanos: Int64) {
        let k = coordinators.count
        // Its own clock: CLOCK_MONOTONIC_RAW plus the wall clock read now.
        var settings = Oscillator.Settings(offsetNanos: clockOffsetNanos + coordinatorWallClockStepNanos,
                                           driftPPM: random.uniform(-scenario.coordinatorDriftPPM...scenario.coordinatorDriftPPM))
        if scenario.coordinatorsTickMonotonic {
            // Only before the fix: the raw clock no slew bends (its sleeps
            // on the slewed CLOCK_MONOTONIC end within 9 µs of the raw
            // deadline, as the agent's: RawClockSleep, in ClockPairTests).
            settings.slews = scenario.coordinatorSlews
                .map { (Self.epochNanos + $0.atNanos, Self.epochNanos + $0.atNanos + $0.durationNanos, $0.ppm) }
        }
        var oscillator = Oscillator(settings: settings, random: SimulationRandom(seed: scenario.seed, stream: 10_000 + UInt64(k)), trueNow: now)
        let local = LocalInstant(nanos: oscillator.local(at: now))
        let config = CoordinatorConfiguration(id: random.next() | 1, key: key)
        let core = CoordinatorCore<Int>(configuration: config, plan: planFile.plan, planBytes: planFile.bytes, now: local)
        coordinators.append(SimCoordinator(core: core, oscillator: oscillator, id: config.id))
        // The first coordinator's record predates the run (the cluster was
        // deployed before); every later one is new to DNS.
        coordinatorEndpoints.add(k, at: k == 0 ? now - 3600 * .nanosPerSecond : now)
        report.note("coordinator \(k) started (clock off by \(formatSeconds(clockOffsetNanos)))", atNanos: now - Self.epochNanos)
        // A new pod's first lookup of the agents' Service is answered fresh
        // (the endpoints as of a second ago): no cache of its own yet. Later
        // refreshes see the lagged list (`dnsLagNanos`).
        handleCoordinator(k, .discovered(agentsListed(asOf: now - scenario.coordinatorDNS.endpointLagNanos)))
    }

    /// The live coordinator in coordinator `k`'s replica slot: `k` itself, or
    /// the replacement an outage started for it (a Deployment's old
    /// ReplicaSet recreates a pod that dies mid-rollout, and the rollout then
    /// stops that pod, not the dead one).
    private func livePod(of k: Int) -> Int? {
        var k = k
        while k < coordinators.count {
            if coordinators[k].core != nil { return k }
            guard let next = replacedBy[k] else { return nil }
            k = next
        }
        return nil
    }

    private mutating func killCoordinator(_ k: Int) {
        guard let core = coordinators[k].core else { return }
        coordinators[k].offsetNanos = core.offsetNanos
        coordinators[k].core = nil
        coordinators[k].generation += 1
        coordinatorEndpoints.remove(k, at: now)
        report.note("coordinator \(k) stopped", atNanos: now - Self.epochNanos)
    }

    private mutating func refreshDNS() {
        // The Service's records as DNS shows them, `dnsLagNanos` late.
        dnsList = agentsListed(asOf: now - scenario.dnsLagNanos)
        for k in coordinators.indices where coordinators[k].core != nil { handleCoordinator(k, .discovered(dnsList)) }
        queue.push(.dnsRefresh, at: now + 5 * .nanosPerSecond)
    }

    /// The agents' Service records at true time `t`.
    private func agentsListed(asOf t: Int64) -> [Int] {
        // The scenario's first agents were deployed before the run began
        // (their records are old, as the first coordinator's is): however
        // far back the lag looks, they are listed. Agents added later are
        // new to DNS.
        agents.indices.filter { (($0 < scenario.agentCount) || agents[$0].createdAt <= t) && (agents[$0].removedAt.map { $0 > t } ?? true) }
    }

    /// A coordinator's timebase at the current true time (also after it died).
    mutating func timebase(ofCoordinatorWithID id: UInt64) -> Int64? {
        guard let k = coordinators.firstIndex(where: { $0.id == id }) else { return nil }
        return coordinators[k].servedTimebase(at: now)
    }

    // MARK: Handling

    private mutating func handleAgent(_ i: Int, _ event: AgentEvent<Int>) {
        // A stopping agent's threads are winding down: it only reports.
        guard agents[i].stoppingUntil == nil else { return }
        // Mutated in place: copying an agent out of the array costs more than handling.
        guard let (local, before, output, view) = agents[i].handle(event, at: now) else { return }
        observeAgent(i, local: local, stateBefore: before, output: output, view: view)
        route(output.sends, fromAgent: i)
        agents[i].generation += 1
        let wake = max(agents[i].oscillator.trueTime(whenLocalReads: output.wakeAt.nanos, notBefore: now), now + 1)
        queue.push(.agentWake(i, generation: agents[i].generation), at: wake)
    }

    /// Sends what an agent's core sealed; true if a copy of any reached a
    /// live coordinator.
    @discardableResult
    private mutating func route(_ sends: [AgentSend<Int>], fromAgent i: Int) -> Bool {
        var heard = false
        for outgoing in sends {
            let bytes = outgoing.bytes
            guard !bytes.isEmpty else { continue }
            switch outgoing.to {
            case let .peer(address): heard = send(bytes, fromAgent: i, toCoordinator: address - Self.coordinatorBase) || heard
            case .allCoordinators:
                // Only the addresses this agent resolved: a new coordinator
                // is reached through DNS, late, as on Kubernetes.
                let resolved = agents[i].resolver.resolved
                for k in resolved { heard = send(bytes, fromAgent: i, toCoordinator: k) || heard }
            }
        }
        return heard
    }

    private mutating func handleCoordinator(_ k: Int, _ event: CoordinatorEvent<Int>) {
        guard let (local, output) = coordinators[k].handle(event, at: now) else { return }
        for note in output.notes where !Self.isRoutine(note) { report.note("coordinator \(k): \(note)", atNanos: now - Self.epochNanos) }
        for note in output.notes { if case .planRefused = note { report.plansRefused += 1 } }
        recordPlanDecisions(k, output.notes)
        // The datagrams leave one after another, each sealed (a tick stamped)
        // as it leaves, as the runtime does; a large round on two threads at
        // once (`SendSplit`), each sending its run in order.
        for run in SendSplit.runs(count: output.sends.count) {
            var leaving: Int64 = 0
            for datagram in output.sends[run] where datagram.to < Self.coordinatorBase {
                let address = datagram.to
                if let removedAt = agents[address].removedAt,
                   now > removedAt + scenario.dnsLagNanos + core(k).configuration.forgetAgentAfterNanos + 10 * .nanosPerSecond {
                    report.ticksToRemovedAgents += 1
                }
                leaving += scenario.coordinatorSendNanos
                let bytes = datagram.bytes(leavingAt: local + leaving)
                send(bytes, fromCoordinator: k, toAgent: address, after: leaving)
            }
        }
        coordinators[k].generation += 1
        let wake = max(coordinators[k].oscillator.trueTime(whenLocalReads: output.wakeAt.nanos, notBefore: now), now + 1)
        queue.push(.coordinatorWake(k, generation: coordinators[k].generation), at: wake)
    }

    private func core(_ k: Int) -> CoordinatorCore<Int> { coordinators[k].core! }

    /// The plan history from the coordinators' own decisions: a plan started
    /// or committed by a coordinator that agents follow (or, for a start, by
    /// the only coordinator serving).
    private mutating func recordPlanDecisions(_ k: Int, _ notes: [CoordinatorNote]) {
        // Most events decide nothing about plans: no copy of the core for them.
        guard notes.contains(where: { if case .plan = $0 { true } else { false } }) else { return }
        let core = core(k)
        for note in notes {
            guard case let .plan(event) = note else { continue }
            switch event {
            case .started:
                guard let current = core.schedule.current else { continue }
                history.record(current, fresh: true, coordinatorID: core.configuration.id, atNanos: now - Self.epochNanos)
            case let .committed(identity):
                guard let pending = core.schedule.pending, pending.identity == identity else { continue }
                history.record(pending, fresh: false, coordinatorID: core.configuration.id, atNanos: now - Self.epochNanos)
            case let .adopted(_, identity, _):
                // A pending plan adopted past its commit point is honoured as
                // committed (its predecessor may have committed it): the
                // agents switch to it, so the history has it.
                guard core.schedule.pendingCommitted, let pending = core.schedule.pending, pending.identity == identity else { continue }
                history.record(pending, fresh: false, coordinatorID: core.configuration.id, atNanos: now - Self.epochNanos)
            default:
                continue
            }
        }
    }

    private static func isRoutine(_ note: CoordinatorNote) -> Bool {
        switch note {
        case .agentJoined, .agentForgotten: true
        default: false
        }
    }

    /// True if a copy is on its way to a live coordinator.
    @discardableResult
    private mutating func send(_ bytes: [UInt8], fromAgent i: Int, toCoordinator k: Int) -> Bool {
        guard k >= 0, k < coordinators.count, !scenario.network.isPartitioned(agent: i, at: now - Self.epochNanos) else {
            report.datagramsLost += 1
            return false
        }
        let delays = scenario.network.deliveries(toAgent: false, agent: i, at: now - Self.epochNanos, random: &networkRandom)
        if delays.isEmpty { report.datagramsLost += 1 }
        for d in delays { queue.push(.toCoordinator(k, bytes: bytes, from: i), at: now + d) }
        report.datagramsDelivered += UInt64(delays.count)
        return !delays.isEmpty && coordinators[k].core != nil
    }

    private mutating func send(_ bytes: [UInt8], fromCoordinator k: Int, toAgent i: Int, after leaving: Int64) {
        guard i >= 0, i < agents.count, agents[i].core != nil, !scenario.network.isPartitioned(agent: i, at: now - Self.epochNanos) else {
            report.datagramsLost += 1
            return
        }
        let delays = scenario.network.deliveries(toAgent: true, agent: i, at: now + leaving - Self.epochNanos, random: &networkRandom)
        if delays.isEmpty { report.datagramsLost += 1 }
        for d in delays { queue.push(.toAgent(i, bytes: bytes, from: Self.coordinatorBase + k), at: now + leaving + d) }
        report.datagramsDelivered += UInt64(delays.count)
    }
}
