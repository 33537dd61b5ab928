import JunctionCore
import Protocol

extension PlanRef {
    /// The same pair as the schedule's identity type.
    var planIdentity: PlanIdentity { PlanIdentity(id: id.rawValue, anchor: anchor) }
}

/// The coordinator's logic, with no sockets or clocks: it conducts the
/// junction by sending ticks that carry time and plan identity.
///
/// It is disposable by design. On start it listens to the agents first and
/// adopts the timebase they are running, so a replacement (after a pod is
/// deleted, or during a rolling update) continues the cycle without a step
/// even when its own clock is seconds off. While other coordinators lead, it
/// keeps re-adopting, so that if it takes over, the switch costs nothing.
///
/// The helpers `handle` calls on every event are `mutating` though some only
/// read: calling a non-mutating method from a mutating one copies the whole
/// core (1.8 KB, its arrays and dictionaries retained), as `AgentCore` says.
public struct CoordinatorCore<Address: Hashable & Sendable>: Sendable {
    public enum Phase: Sendable, Hashable {
        /// Soliciting the agents to adopt their timebase, since then
        /// (`Discovery` says when it may end).
        case adopting(since: LocalInstant)
        case serving
        case stopped
    }

    public let configuration: CoordinatorConfiguration
    public private(set) var phase: Phase
    /// timebase = own clock + offset.
    public private(set) var offsetNanos: Int64 = 0
    public private(set) var term: UInt64 = 1
    /// Which (plan, anchor) the junction runs and the closed-loop activation
    /// of the next one (adopted from the agents, never re-anchored).
    public private(set) var plans: PlanActivation
    /// The plans in force and announced.
    public var schedule: PlanSchedule { plans.schedule }
    public private(set) var agents: [Address: AgentRecord] = [:]
    /// The agents' addresses in the order they became known: every loop that
    /// sends goes through it, so a run replays exactly (Dictionary order is
    /// seeded per process).
    public private(set) var agentOrder: [Address] = []
    public private(set) var inbox: Inbox
    public private(set) var counters = CoordinatorCounters()
    /// Solicit rounds and when adoption may end.
    public private(set) var discovery: Discovery<Address>
    /// The plan whose content adoption lacks (asked of a few agents each
    /// solicit round), and since when; `.none` when nothing is missing.
    public private(set) var wantedPlan: (id: PlanID, since: LocalInstant?) = (.none, nil)
    /// How long adoption waits for a wanted plan's content before it gives
    /// up and starts the file's plan afresh (the plan is then unknowable:
    /// no agent that holds it answers).
    public static var planFetchNanos: Int64 { 3 * .nanosPerSecond }
    /// How many agents each solicit round asks for a wanted plan.
    public static var plansAskedPerRound: Int { 3 }
    private var solicitRounds = 0
    /// Per agent instance: its least-delayed recent sample of (its timebase −
    /// our clock), and when it was taken.
    private var adoptionSamples: [UInt64: (value: Int64, at: LocalInstant)] = [:]
    /// A sample is replaced by a newer one once it is this old, so clocks that
    /// drift apart over hours are followed.
    static var adoptionSampleLifetimeNanos: Int64 { 10 * .nanosPerSecond }
    private var highestTermHeard: UInt64 = 0
    private var sequence: UInt64 = 0
    private var nextTickAt: LocalInstant
    private var nextPendingBroadcastAt: LocalInstant
    /// Plan activation is looked at once per tick interval, not per datagram.
    private var nextPlanUpdateAt: LocalInstant
    private var nextHousekeepingAt: LocalInstant
    /// An agent that says it is locked with an error bound near the flash
    /// threshold is logged and counted (it will flash itself if it grows).
    private mutating func checkBounds(_ report: Report, into output: inout CoordinatorOutput<Address>) {
        guard report.state == .locked, report.errorBoundNanos > 10 * .nanosPerMillisecond else { return }
        counters.agentsOutOfBounds += 1
    }

    /// Whether most reporting agents follow this coordinator (recounted each second).
    public private(set) var leading = false
    /// Agents whose last report says they follow this coordinator.
    public private(set) var followers = 0
    /// Serving, followed by no agent, while agents that hold a timebase
    /// report following another coordinator or none: a standby, which keeps
    /// re-adopting their timebase (recounted each second).
    public private(set) var standby = false
    private struct GreenKey: Hashable { var junction: String; var group: Int }
    /// Junctions commanded to flash, until when (own clock).
    public private(set) var flashingJunctions: [String: LocalInstant] = [:]
    /// How long a junction flashes after the last conflict seen there.
    public static var commandedFlashNanos: Int64 { 30 * .nanosPerSecond }
    private var latestGreen: [GreenKey: (at: TimebaseInstant, ordinal: UInt32)] = [:]
    /// Heads gone silent stop their junction (issue 10).
    public private(set) var silentHeads = SilentHeadWatch()

    /// Starts with a validated plan; `now` is the coordinator's own clock.
    public init(configuration: CoordinatorConfiguration, plan: SignalPlan, planBytes: [UInt8], now: LocalInstant) {
        self.configuration = configuration
        phase = .adopting(since: now)
        discovery = Discovery(now: now, aloneNanos: configuration.adoptionWindowNanos, seed: configuration.id)
        inbox = Inbox(codec: DatagramCodec(key: configuration.key), localID: configuration.id)
        // No anchor yet: the plan is adopted from the agents, or anchored
        // ahead when there are none (`PlanActivation`).
        plans = PlanActivation(plan: plan, bytes: planBytes)
        nextTickAt = now
        nextPendingBroadcastAt = now
        nextPlanUpdateAt = now
        nextHousekeepingAt = now
    }

    /// The timebase at own-clock instant `local`.
    public func timebase(at local: LocalInstant) -> TimebaseInstant { TimebaseInstant(nanos: local.nanos + offsetNanos) }

    public mutating func handle(_ event: CoordinatorEvent<Address>, now: LocalInstant) -> CoordinatorOutput<Address> {
        var output = CoordinatorOutput<Address>(wakeAt: now + configuration.tickIntervalNanos)
        switch (phase, event) {
        case (.stopped, _):
            return output
        case let (_, .datagram(bytes, source)):
            receive(bytes, from: source, now: now, into: &output)
        case let (_, .discovered(addresses)):
            discovered(addresses, now: now)
        case let (_, .planFile(bytes, source)):
            loadPlan(bytes, source: source, now: now, into: &output)
        case (_, .shutdown):
            sayGoodbye(now: now, into: &output)
            return output
        case (_, .timer):
            break
        }
        solicit(now: now, into: &output)
        if now >= nextHousekeepingAt {
            nextHousekeepingAt = now + 1 * .nanosPerSecond
            forgetSilentAgents(now: now, into: &output)
            let reports = agents.values.compactMap(\.lastReport)
            followers = reports.filter { $0.sourceCoordinatorID == configuration.id }.count
            leading = followers * 2 > reports.count
            standby = followers == 0
                && reports.contains { $0.timebaseAtSend != nil && $0.sourceCoordinatorID != configuration.id }
            if phase == .serving && standby { adoptPlans(now: now, into: &output) }
        }
        if phase == .serving, now >= nextPlanUpdateAt {
            nextPlanUpdateAt = now + configuration.tickIntervalNanos
            updatePlans(now: now, into: &output)
        }
        if phase == .serving {
            if now >= nextTickAt { sendTicks(now: now, into: &output) }
            if now >= nextPendingBroadcastAt { broadcastPendingPlan(now: now, into: &output) }
        }
        output.wakeAt = nextWake(after: now)
        return output
    }

    // MARK: Receiving

    private mutating func receive(_ bytes: [UInt8], from source: Address, now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        let estimate = phase == .serving ? timebase(at: now) : nil
        guard case let .success(envelope) = inbox.receive(bytes, timebaseEstimate: estimate) else { return }
        switch envelope.message {
        case let .hello(hello):
            let record = touchAgent(source, instance: hello.instance, ordinal: hello.ordinal, board: hello.board, now: now, into: &output)
            if phase == .serving, record.lastPlanSent == nil {
                sendPlans(to: source, instance: record.instance, now: now, into: &output)
            }
        case let .report(report):
            receiveReport(report, from: source, recipient: envelope.recipientID, now: now, into: &output)
        case let .plan(chunk):
            receiveLentPlan(chunk, now: now, into: &output)
        case .tick, .goodbye, .solicit:
            inbox.record(.unknownType)
        }
    }

    /// A chunk of a plan an agent lent because a solicit asked for it. Only
    /// the wanted plan is taken (the library ignores copies of known ones).
    private mutating func receiveLentPlan(_ chunk: PlanChunk, now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        guard chunk.planID == wantedPlan.id else { return }
        switch plans.receive(chunk) {
        case .pending:
            return
        case let .learned(id, name):
            counters.plansLearned += 1
            output.notes.append(.planLearned(id: id, name: name))
        case let .refused(id, reason):
            counters.plansRefused += 1
            output.notes.append(.planRefused("plan \(String(id, radix: 16)) lent by an agent: \(reason)"))
        }
        updateWantedPlan(now: now)
        // A standby takes the plan the agents run as soon as it can.
        if phase == .serving && standby { adoptPlans(now: now, into: &output) }
    }

    /// What adoption still lacks, from the trusted agents' reports.
    private mutating func updateWantedPlan(now: LocalInstant) {
        let wanted = plans.wantedContent(trustedAgentPlans(now: now))
        if wanted != wantedPlan.id { wantedPlan = (wanted, wanted == .none ? nil : now) }
    }

    /// Adoption waits for the content of the plan the agents run, for at
    /// most `planFetchNanos`.
    private func awaitingPlanContent(now: LocalInstant) -> Bool {
        guard wantedPlan.id != .none, let since = wantedPlan.since else { return false }
        return now - since < Self.planFetchNanos
    }

    @discardableResult
    private mutating func touchAgent(_ source: Address, instance: UInt64, ordinal: UInt32, board: String, now: LocalInstant,
                                     into output: inout CoordinatorOutput<Address>) -> AgentRecord {
        if var record = agents[source], record.instance == instance {
            record.lastHeard = now
            agents[source] = record
            return record
        }
        if agents[source] == nil && agents.count >= configuration.maximumAgents {
            inbox.record(.oversize)
            return AgentRecord(instance: instance, ordinal: ordinal, board: board, lastHeard: now, inDNS: false)
        }
        let inDNS = agents[source]?.inDNS ?? false
        let record = AgentRecord(instance: instance, ordinal: ordinal, board: board, lastHeard: now, inDNS: inDNS)
        store(record, at: source)
        output.notes.append(.agentJoined(instance: instance, ordinal: ordinal))
        return record
    }

    private mutating func receiveReport(_ report: Report, from source: Address, recipient: UInt64, now: LocalInstant,
                                        into output: inout CoordinatorOutput<Address>) {
        touchAgent(source, instance: report.instance, ordinal: report.ordinal, board: report.board, now: now, into: &output)
        // An answer to one of our fresh solicits, addressed to us: made by a
        // live agent after we asked. Only these are adoption samples (a
        // report to another coordinator, replayed here, is not one).
        let answer = recipient == configuration.id && discovery.isFresh(report.solicitNonce, now: now)
        if answer { discovery.answered(from: source, now: now) }
        guard var record = agents[source], record.instance == report.instance else { return }
        counters.reportsReceived += 1
        record.lastReport = report
        silentHeads.reported(report, at: now)
        highestTermHeard = max(highestTermHeard, report.sourceTerm)
        let followsMe = report.sourceCoordinatorID == configuration.id
        // Once an agent follows it, its timebase is the one that agent locks
        // to: a standby's re-adoption must not move it under the agent
        // (housekeeping recounts the followers only once a second).
        if followsMe && standby { standby = false }
        // Echo every report, not only followers': the first tick an agent
        // takes from this coordinator then already measures the difference.
        if phase == .serving {
            record.pendingEcho = PendingEcho(reportSentAt: report.sentAt, receivedAt: now)
        }
        agents[source] = record
        // A burst from an agent that is locking, or from a fresh one that
        // follows no coordinator yet: answer at once. The fresh one follows
        // only a tick echoing its report (rule 10), which would otherwise
        // wait for the next round, up to 100 ms (more under loss).
        let followsNone = report.sourceCoordinatorID == 0 && report.state == .unsynced
        if (followsMe || followsNone) && phase == .serving && (report.state == .unsynced || report.state == .locking) {
            sendTick(to: source, now: now, into: &output)
        }
        checkConflicts(report, from: source, now: now, into: &output)
        checkBounds(report, into: &output)
        let trusted = report.state != .unsynced
            && report.errorBoundNanos >= 0 && report.errorBoundNanos <= Self.adoptableBoundNanos
        if let theirs = report.timebaseAtSend, trusted, !followsMe, answer {
            // theirs − ours = our offset minus the one-way delay: the largest
            // value seen is the least delayed.
            let sample = theirs.nanos - now.nanos
            if let kept = adoptionSamples[report.instance], kept.value >= sample,
               now - kept.at < Self.adoptionSampleLifetimeNanos {
                // The kept sample is less delayed and still fresh.
            } else {
                adoptionSamples[report.instance] = (sample, now)
            }
            // Re-adopt only as a standby (no agent follows this coordinator,
            // agents holding a timebase follow another or none): once some
            // follow it, its timebase is the cluster's.
            if phase == .serving && standby {
                trackStandby()
                // And on the plan they run, before its ticks make them leave it.
                if report.plan.planIdentity != plans.schedule.current?.identity { adoptPlans(now: now, into: &output) }
            }
        }
        if phase == .serving, plans.needsPlans(plan: report.plan.planIdentity, pending: report.pending.planIdentity),
           record.lastPlanSent.map({ now - $0 >= configuration.planResendIntervalNanos }) ?? true {
            sendPlans(to: source, instance: record.instance, now: now, into: &output)
        }
    }

    /// Adds or replaces an agent's record, keeping `agentOrder`.
    private mutating func store(_ record: AgentRecord, at address: Address) {
        if agents.updateValue(record, forKey: address) == nil { agentOrder.append(address) }
    }

    /// Agents whose error bound is above this are not trusted for adoption.
    public static var adoptableBoundNanos: Int64 { 50 * .nanosPerMillisecond }

    /// The cluster-level conflict monitor: two agents of one junction that
    /// report conflicting greens at nearly the same timebase instant.
    private mutating func checkConflicts(_ report: Report, from source: Address, now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        guard let head = report.head, head.aspect == .green, let t = report.timebaseAtSend,
              let plan = schedule.current?.plan, let mine = plan.groupIndex(named: head.group) else { return }
        // The latest green seen per (junction, group): O(conflicts) per report.
        latestGreen[GreenKey(junction: head.junction, group: mine)] = (t, report.ordinal)
        if latestGreen.count > 4 * configuration.maximumAgents { latestGreen.removeAll() }
        for conflict in plan.conflicts where conflict.first == mine || conflict.second == mine {
            let other = conflict.first == mine ? conflict.second : conflict.first
            guard let seen = latestGreen[GreenKey(junction: head.junction, group: other)],
                  abs(seen.at - t) < 50 * .nanosPerMillisecond else { continue }
            counters.conflictsSeen += 1
            // Safety is at stake: every head of that junction is told to flash.
            if flashingJunctions[head.junction] == nil { counters.flashCommands += 1 }
            flashingJunctions[head.junction] = now + Self.commandedFlashNanos
            output.notes.append(.conflict("agents \(report.ordinal) and \(seen.ordinal) report \(head.group) and \(plan.groups[other]) green at junction \(head.junction): junction commanded to flash"))
        }
    }


    /// While another coordinator leads, stay on the timebase the agents run.
    private mutating func trackStandby() {
        guard let adopted = adoptedOffset() else { return }
        offsetNanos = adopted
        if adoptionSamples.count > configuration.maximumAgents { adoptionSamples.removeAll() }
    }

    /// The offset that puts this coordinator on the agents' timebase.
    ///
    /// Each sample is an agent's timebase minus our clock at receipt: the
    /// true offset less a one-way delay, plus that agent's own small error.
    /// Per agent the largest sample is the least delayed (rounds every 50 ms
    /// give each agent some ten in the second adoption lasts); across agents
    /// the median, so no single agent's error drags the timebase.
    func adoptedOffset() -> Int64? {
        let values = adoptionSamples.values.map(\.value).sorted()
        guard !values.isEmpty else { return nil }
        return values[values.count / 2]
    }

    /// Solicit rounds while adopting (every 50–200 ms, by the number of
    /// agents asked) and while a standby (four times slower, to stay on the
    /// agents' timebase); ends adoption when `Discovery` says so.
    private mutating func solicit(now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        let adopting: Bool
        switch phase {
        case .adopting: adopting = true
        case .serving: adopting = false
        case .stopped: return
        }
        guard adopting || standby else { return }
        if let nonce = discovery.round(now: now, standby: !adopting, asking: agentOrder.count) {
            updateWantedPlan(now: now)
            let solicit = Solicit(coordinatorID: configuration.id, term: adopting ? 0 : term, nonce: nonce)
            let lenders = planLenders()
            for address in agentOrder {
                var message = solicit
                if lenders.contains(address) { message.wantedPlan = wantedPlan.id }
                // Recipient 0 for an agent known from DNS only: its instance
                // is what the answer tells us.
                output.sends.append(send(.solicit(message), to: agents[address]?.instance ?? 0, at: address))
            }
            counters.solicitsSent += 1
            solicitRounds += 1
        }
        if adopting, discovery.decision(now: now, hasSample: !adoptionSamples.isEmpty) == .finish, !awaitingPlanContent(now: now) {
            finishAdoption(now: now, into: &output)
        }
    }

    /// The agents this round asks for the wanted plan: a few of those whose
    /// last report holds it, taking turns round by round (a lost answer, or
    /// an agent gone, is made up for by the next ones).
    private mutating func planLenders() -> Set<Address> {
        guard wantedPlan.id != .none else { return [] }
        let id = wantedPlan.id.rawValue
        let holders = agentOrder.filter { address in
            guard let report = agents[address]?.lastReport else { return false }
            return report.plan.id.rawValue == id || report.pending.id.rawValue == id
        }
        guard !holders.isEmpty else { return [] }
        let first = solicitRounds * Self.plansAskedPerRound
        return Set((0..<min(Self.plansAskedPerRound, holders.count)).map { holders[(first + $0) % holders.count] })
    }

    private mutating func finishAdoption(now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        term = highestTermHeard + 1
        if let adopted = adoptedOffset() {
            offsetNanos = adopted
            output.notes.append(.adopted(offsetNanos: offsetNanos, fromAgents: adoptionSamples.count, term: term))
        } else {
            output.notes.append(.startedOwnTimebase(term: term))
        }
        phase = .serving
        silentHeads.startWatching(at: now)
        nextTickAt = now
        adoptPlans(now: now, into: &output)
    }

    /// Takes the plans the trusted agents run (at the end of adoption, and
    /// again while no agent follows this coordinator).
    private mutating func adoptPlans(now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        if let event = plans.adopt(trustedAgentPlans(now: now), at: timebase(at: now)) { output.notes.append(.plan(event)) }
    }

    /// The plans of the agents whose clocks are trusted for adoption (locked,
    /// in holdover or flashing on a command, with a bound within
    /// `adoptableBoundNanos`).
    private mutating func trustedAgentPlans(now: LocalInstant) -> [PlanActivation.AgentPlans] {
        agentOrder.compactMap { address -> PlanActivation.AgentPlans? in
            // Flashing on a command (a silent head, conflicting greens) keeps
            // the timebase and the plans: such a report is adopted as the
            // timebase is (random scenario 5496: a replacement that heard only
            // flashing agents started its file's plan afresh beside theirs).
            guard let record = agents[address], let report = record.lastReport,
                  report.state == .locked || report.state == .holdover || report.state == .flash,
                  report.errorBoundNanos >= 0, report.errorBoundNanos <= Self.adoptableBoundNanos else { return nil }
            return PlanActivation.AgentPlans(plan: report.plan.planIdentity, pending: report.pending.planIdentity,
                                             running: true, silentNanos: now - record.lastHeard)
        }
    }

    private mutating func discovered(_ addresses: [Address], now: LocalInstant) {
        let listed = Set(addresses)
        for address in agents.keys { agents[address]?.inDNS = listed.contains(address) }
        for address in addresses where agents[address] == nil && agents.count < configuration.maximumAgents {
            // Known from DNS only: not ticked (ticks must name the agent's
            // instance) until its hello or report says who runs there.
            store(AgentRecord(instance: 0, ordinal: 0, board: "", lastHeard: now, inDNS: true), at: address)
        }
        discovery.setListed(listed.filter { agents[$0] != nil })
    }

    private mutating func forgetSilentAgents(now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        var forgotten = false
        for address in agentOrder {
            guard let record = agents[address], !record.inDNS, now - record.lastHeard > configuration.forgetAgentAfterNanos else { continue }
            agents[address] = nil
            forgotten = true
            adoptionSamples[record.instance] = nil
            silentHeads.forget(board: record.board, ordinal: record.ordinal)
            output.notes.append(.agentForgotten(instance: record.instance))
        }
        if forgotten { agentOrder.removeAll { agents[$0] == nil } }
    }

    // MARK: Plans

    private mutating func loadPlan(_ bytes: [UInt8], source: String, now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        if PlanID(planBytes: bytes).rawValue == plans.file.id { return }
        let plan: SignalPlan
        do {
            plan = try SignalPlan.load(bytes, source: source)
        } catch {
            counters.plansRefused += 1
            output.notes.append(.planRefused(error.description))
            return
        }
        // The file says what the junction should run; `updatePlans` announces
        // it (closed loop) unless the agents already run it.
        plans.fileChanged(plan: plan, bytes: bytes)
        if phase == .serving { updatePlans(now: now, into: &output) }
    }

    /// The agents' plans as the activation weighs them.
    private mutating func agentPlans(now: LocalInstant) -> [PlanActivation.AgentPlans] {
        agentOrder.compactMap { address in
            guard let record = agents[address], let report = record.lastReport else { return nil }
            return PlanActivation.AgentPlans(plan: report.plan.planIdentity, pending: report.pending.planIdentity,
                                             running: report.state == .locked || report.state == .holdover,
                                             silentNanos: now - record.lastHeard)
        }
    }

    private mutating func updatePlans(now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        // Only a coordinator that agents follow (or, when none is followed,
        // any) decides about plans; a standby keeps adopting theirs.
        let othersLead = agents.values.contains { record in
            record.lastReport.map { $0.sourceCoordinatorID != 0 && $0.sourceCoordinatorID != configuration.id } ?? false
        }
        let deciding = followers > 0 || !othersLead
        for event in plans.update(at: timebase(at: now), agents: agentPlans(now: now), deciding: deciding) {
            output.notes.append(.plan(event))
            switch event {
            case .announced, .reannounced:
                nextPendingBroadcastAt = now
                if let pending = plans.schedule.pending {
                    output.notes.append(.planScheduled(id: pending.id, name: pending.plan.name, activation: pending.anchor))
                }
            case .started: nextPendingBroadcastAt = now
            default: break
            }
        }
    }

    /// Sends the current and pending plans to one agent process.
    private mutating func sendPlans(to address: Address, instance: UInt64, now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        // An agent holding no plan right after an activation waits until
        // every junction has handed over (random scenario 1774: a board that
        // joined then ran the new plan from its anchor at a green-wave
        // junction that still ran the old one). Asked again by its reports.
        if agents[address]?.lastReport.map({ $0.plan.isNone }) ?? true, !plans.mayGiveCurrentAlone(at: timebase(at: now)) { return }
        for plan in [schedule.current, schedule.pending].compactMap({ $0 }) {
            guard let chunks = try? PlanChunk.split(planBytes: plan.bytes, id: PlanID(rawValue: plan.id), activation: plan.anchor) else { continue }
            for chunk in chunks { output.sends.append(send(.plan(chunk), to: instance, at: address)) }
        }
        agents[address]?.lastPlanSent = now
        counters.plansSent += 1
    }

    private mutating func broadcastPendingPlan(now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        nextPendingBroadcastAt = now + 1 * .nanosPerSecond
        guard let pending = schedule.pending,
              let chunks = try? PlanChunk.split(planBytes: pending.bytes, id: PlanID(rawValue: pending.id), activation: pending.anchor) else { return }
        for address in agentOrder {
            guard let instance = addressedInstance(at: address) else { continue }
            for chunk in chunks { output.sends.append(send(.plan(chunk), to: instance, at: address)) }
        }
    }

    // MARK: Ticks

    private mutating func sendTicks(now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        // The next round comes at the tick rate, or at the next phase change
        // of any head if that is sooner: agents hear from the coordinator
        // right when the lights change (they switch on their own clocks).
        nextTickAt = min(now + configuration.tickIntervalNanos, nextPhaseChange(after: now) ?? .init(nanos: .max))
        for (head, junction) in silentHeads.refresh(at: now) {
            counters.silentHeadStops += 1
            output.notes.append(.silentHead("\(head) of junction \(junction) silent for over \(silentHeads.silentHeadNanos / 1_000_000) ms: its junction is stopped (flashing red) until it reports again"))
        }
        for address in agentOrder { sendTick(to: address, now: now, into: &output) }
    }

    /// The first change of any group of any listed junction after `now`, on
    /// this coordinator's clock.
    private mutating func nextPhaseChange(after now: LocalInstant) -> LocalInstant? {
        guard let current = schedule.current else { return nil }
        let t = timebase(at: now)
        var best: TimebaseInstant?
        for junction in current.plan.junctions.indices {
            for group in current.plan.groups.indices {
                let head = current.plan.assignment(junction: junction, group: group)
                if let next = current.plan.nextChange(of: head, after: t, anchor: current.anchor)?.at, next < best ?? next + 1 {
                    best = next
                }
            }
        }
        return best.map { LocalInstant(nanos: $0.nanos - offsetNanos) }
    }

    /// One tick for the agent process at `address`, personalised with the
    /// echo of its last report. None for an agent known from DNS only.
    private mutating func sendTick(to address: Address, now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        guard let instance = addressedInstance(at: address) else { return }
        let t = timebase(at: now)
        let fields = plans.tickFields(at: t)
        let junction = agents[address]?.lastReport?.head?.junction
        let flashing = junction.map { flashingJunctions[$0].map { now < $0 } ?? false } ?? false
        let stopped = junction.map { silentHeads.command(forJunction: $0) == .stop } ?? false
        let tick = Tick(coordinatorID: configuration.id, term: term, sentAt: t,
                        plan: fields.plan, pending: fields.pending, pendingCommitted: fields.committed,
                        cyclePositionNanos: fields.positionNanos, command: stopped ? .stop : flashing ? .flash : .run,
                        echo: agents[address]?.pendingEcho.map { Echo(reportSentAt: $0.reportSentAt, reportReceivedAt: timebase(at: $0.receivedAt)) })
        output.sends.append(send(.tick(tick), to: instance, at: address))
        agents[address]?.pendingEcho = nil
        counters.ticksSent += 1
    }

    private mutating func sayGoodbye(now: LocalInstant, into output: inout CoordinatorOutput<Address>) {
        if phase == .serving {
            let goodbye = Goodbye(coordinatorID: configuration.id, term: term, sentAt: timebase(at: now))
            for _ in 0..<configuration.goodbyeRepeats {
                for address in agentOrder {
                    guard let instance = addressedInstance(at: address) else { continue }
                    output.sends.append(send(.goodbye(goodbye), to: instance, at: address))
                }
            }
            output.notes.append(.goodbyeSent)
        }
        phase = .stopped
    }

    /// A datagram for one agent process (its `instance`; the agent's inbox
    /// refuses ticks, plans and goodbyes addressed to anyone else) at
    /// `address`: numbered now, sealed when the shell sends it.
    private mutating func send(_ message: Message, to instance: UInt64, at address: Address) -> CoordinatorSend<Address> {
        sequence += 1
        return CoordinatorSend(to: address, message: message, sender: configuration.id, sequence: sequence, recipient: instance,
                               codec: inbox.codec, offsetNanos: offsetNanos, cycleNanos: schedule.current?.plan.cycleNanos ?? 0)
    }

    /// The instance of the agent at `address`, or nil while it is known from
    /// DNS only (instance 0): nothing can be addressed to it until it speaks.
    private func addressedInstance(at address: Address) -> UInt64? {
        guard let instance = agents[address]?.instance, instance != Wire.anyRecipient else { return nil }
        return instance
    }

    private func nextWake(after now: LocalInstant) -> LocalInstant {
        switch phase {
        case .adopting:
            return discovery.nextDeadline(after: now)
        case .serving:
            var wake = nextTickAt
            if schedule.pending != nil { wake = min(wake, nextPendingBroadcastAt) }
            return max(wake, now + 1)
        case .stopped:
            return now + 3600 * .nanosPerSecond
        }
    }
}

/// Counts kept by a coordinator, for metrics.
public struct CoordinatorCounters: Sendable, Hashable {
    public var ticksSent: UInt64 = 0
    public var reportsReceived: UInt64 = 0
    public var plansSent: UInt64 = 0
    public var plansRefused: UInt64 = 0
    public var conflictsSeen: UInt64 = 0
    /// Junctions commanded to flash.
    public var flashCommands: UInt64 = 0
    /// Reports of locked agents with an error bound over 10 ms.
    public var agentsOutOfBounds: UInt64 = 0
    /// Heads found silent (each stopped its junction).
    public var silentHeadStops: UInt64 = 0
    /// Solicit rounds (each to every known agent address).
    public var solicitsSent: UInt64 = 0
    /// Plans whose content the agents lent (see `PlanLibrary`).
    public var plansLearned: UInt64 = 0
}
