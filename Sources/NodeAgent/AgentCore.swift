import JunctionCore
import Protocol

/// One NodeAgent's logic, with no sockets, clocks or GPIO.
///
/// The shell (the real runtime, or the simulator) feeds it datagrams and
/// timer wake-ups with the board's monotonic time, and carries out what it
/// returns: datagrams to send, the aspect to show, and when to call again.
/// Lights change on time, not on packets: the aspect comes from the plan and
/// the disciplined clock, and a lost tick costs nothing.
public struct AgentCore<Address: Hashable & Sendable>: Sendable {
    public let configuration: AgentConfiguration
    public private(set) var state: SyncState = .unsynced
    public private(set) var clock: ClockDiscipline
    public private(set) var schedule = PlanSchedule()
    public private(set) var sequencer: HeadSequencer
    public private(set) var sources: SourceSelector
    public private(set) var inbox: Inbox
    private var assembler = PlanAssembler()
    /// This agent's head in each known plan, resolved once per plan.
    private var headCache: [UInt64: HeadAssignment?] = [:]
    private var sourceAddresses: [UInt64: Address] = [:]
    private var sequence: UInt64 = 0
    private var lastAcceptedSampleAt: LocalInstant?
    /// Samples accepted since the followed coordinator changed (nil: never changed).
    private var samplesSinceSourceChange: Int?
    /// A coordinator's ticks disagree with the timebase held: since when, and lately.
    private var disagreement: (coordinatorID: UInt64, since: LocalInstant, last: LocalInstant)?
    /// Coordinators whose timebase lost to the followed one's: never followed.
    private var ignoredSources: Set<UInt64> = []
    /// The coordinator commands flash (conflicting greens seen at this
    /// junction) until this instant; renewed by every tick that says so.
    private var commandedFlashUntil: LocalInstant?
    /// The tightest bound on |estimate − new coordinator's timebase| measured
    /// since the source changed, and when.
    private var sourceDifference: (bound: Int64, at: LocalInstant)?
    private var lastTickAt: LocalInstant?
    private var nextReportAt: LocalInstant
    private var nextBroadcastAt: LocalInstant
    /// Counters for metrics.
    public private(set) var counters = AgentCounters()

    public init(configuration: AgentConfiguration, now: LocalInstant) {
        self.configuration = configuration
        clock = ClockDiscipline(configuration: configuration.clock)
        sequencer = HeadSequencer(initial: configuration.startupAspect, at: now)
        sources = SourceSelector(timeoutNanos: configuration.sourceTimeoutNanos)
        inbox = Inbox(codec: DatagramCodec(key: configuration.key), localID: configuration.instance)
        nextReportAt = now
        nextBroadcastAt = now
    }

    /// Handles one event at local time `now` and says what to do.
    public mutating func handle(_ event: AgentEvent<Address>, now: LocalInstant) -> AgentOutput<Address> {
        var output = AgentOutput<Address>(aspect: sequencer.shown, wakeAt: now)
        switch event {
        case let .datagram(bytes, source):
            receive(bytes, from: source, now: now, into: &output)
        case .timer:
            break
        }
        promotePlans(now: now)
        if sources.reselect(atNanos: now.nanos), let current = sources.current {
            output.notes.append(.sourceChanged(coordinatorID: current.id, term: current.term))
            switchSource()
        }
        evaluateState(now: now, into: &output)
        // One view of the plan per event: building it copies the clock and
        // the schedule into closures.
        let view = planView()
        sequencer.advance(to: now, plan: view)
        sendPeriodic(now: now, into: &output)
        output.aspect = sequencer.shown
        output.wakeAt = nextWake(after: now, plan: view)
        return output
    }

    // MARK: Receiving

    private mutating func receive(_ bytes: [UInt8], from source: Address, now: LocalInstant, into output: inout AgentOutput<Address>) {
        let estimate = clock.isLocked(at: now) ? clock.timebase(at: now) : nil
        guard case let .success(envelope) = inbox.receive(bytes, timebaseEstimate: estimate) else { return }
        switch envelope.message {
        case let .tick(tick):
            receiveTick(tick, from: source, now: now, into: &output)
        case let .plan(chunk):
            receivePlanChunk(chunk, into: &output)
        case let .goodbye(goodbye):
            if sources.goodbye(id: goodbye.coordinatorID, atNanos: now.nanos), let current = sources.current {
                output.notes.append(.sourceChanged(coordinatorID: current.id, term: current.term))
                switchSource()
            }
        case .solicit:
            // Answering solicits (a report at once to the source) is the
            // discovery work's; until then a solicit is authentic and ignored.
            break
        case .report, .hello:
            inbox.record(.unknownType)
        }
    }

    private mutating func receiveTick(_ tick: Tick, from source: Address, now: LocalInstant, into output: inout AgentOutput<Address>) {
        counters.ticksReceived += 1
        // The cluster remembers the time: a coordinator whose timebase is far
        // from the one this agent holds (one that started on its own clock
        // while it could not hear the agents) is not followed. Followed by
        // no one, it re-adopts the agents' timebase from their reports, and
        // its ticks are then accepted.
        if ignoredSources.contains(tick.coordinatorID) {
            counters.ticksDisagreeing += 1
            return
        }
        if state == .locked || state == .holdover || disagreement != nil, let estimate = clock.timebase(at: now) {
            let bound = errorBoundNanos(at: now)
            let limit = max(configuration.sourceDisagreementNanos, bound > Int64.max / 8 ? .max : 4 * bound)
            if abs(tick.sentAt - estimate) > limit {
                counters.ticksDisagreeing += 1
                let since = disagreement?.coordinatorID == tick.coordinatorID ? disagreement!.since : now
                guard now - since >= configuration.disagreementGraceNanos else {
                    // Two timebases in the cluster: flash (safe) while the
                    // coordinator gets the chance to adopt ours.
                    disagreement = (tick.coordinatorID, since, now)
                    return
                }
                disagreement = nil
                // It persisted. Every agent settles on the same side by the
                // follow rule: the lower (term, id) wins.
                if let current = sources.current, current.id != tick.coordinatorID,
                   (current.term, current.id) < (tick.term, tick.coordinatorID) {
                    ignoredSources.insert(tick.coordinatorID)
                    if ignoredSources.count > SourceSelector.maximumSources { ignoredSources.removeFirst() }
                    return
                }
                clock.reset()
                lastAcceptedSampleAt = nil
                sources.follow(id: tick.coordinatorID, term: tick.term, atNanos: now.nanos)
                transition(to: .unsynced, reason: "coordinator timebase differs by \(tick.sentAt - estimate) ns", now: now, into: &output)
            } else if tick.coordinatorID == disagreement?.coordinatorID {
                disagreement = nil
            }
        }
        sourceAddresses[tick.coordinatorID] = source
        if sourceAddresses.count > SourceSelector.maximumSources { sourceAddresses = [tick.coordinatorID: source] }
        if sources.heard(id: tick.coordinatorID, term: tick.term, atNanos: now.nanos), let current = sources.current {
            output.notes.append(.sourceChanged(coordinatorID: current.id, term: current.term))
            switchSource()
        }
        guard sources.isCurrent(tick.coordinatorID) else { return }
        lastTickAt = now
        if tick.command != .run { commandedFlashUntil = now + 2 * .nanosPerSecond }
        // The inbox took the tick only because it names this process's
        // instance, so its echo answers one of this run's reports.
        guard let echo = tick.echo else { return }
        let sample = ClockSample(t1: echo.reportSentAt, t2: echo.reportReceivedAt, t3: tick.sentAt, t4: now)
        measureSourceDifference(sample)
        switch clock.add(sample) {
        case .accepted:
            counters.samplesAccepted += 1
            lastAcceptedSampleAt = now
            samplesSinceSourceChange = samplesSinceSourceChange.map { $0 + 1 }
        case let .stepped(byNanos):
            counters.samplesAccepted += 1
            lastAcceptedSampleAt = now
            if state == .locked || state == .holdover {
                // Before lock the clock converges by steps; only a step after
                // lock is news (and a reason to start over).
                output.notes.append(.clockStepped(byNanos: byNanos))
                // A large correction after lock: the lights cannot follow it
                // safely, so start over from the safe aspect.
                transition(to: .unsynced, reason: "clock stepped by \(byNanos) ns", now: now, into: &output)
            }
        case .rejected:
            counters.samplesRejected += 1
        }
    }

    private mutating func receivePlanChunk(_ chunk: PlanChunk, into output: inout AgentOutput<Address>) {
        let known = [schedule.current?.id, schedule.pending?.id].contains(chunk.planID.rawValue)
        if known { return }
        let assembled: AssembledPlan
        switch assembler.accept(chunk) {
        case let .complete(plan): assembled = plan
        case let .dropped(reason): inbox.record(reason); return
        case .incomplete, .duplicate: return
        }
        let id = assembled.planID.rawValue
        do {
            let plan = try SignalPlan.load(assembled.bytes, source: "plan \(assembled.planID)")
            let anchored = AnchoredPlan(plan: plan, id: id, anchor: assembled.activation, bytes: assembled.bytes)
            if schedule.accept(anchored) {
                headCache[id] = plan.head(board: configuration.board, ordinal: configuration.ordinal)
                let known = Set([schedule.current?.id, schedule.pending?.id].compactMap { $0 })
                headCache = headCache.filter { known.contains($0.key) }
                output.notes.append(.planAccepted(id: id, name: plan.name, activation: assembled.activation))
            }
        } catch {
            counters.plansRefused += 1
            output.notes.append(.planRefused(id: id, reason: error.description))
        }
    }

    private mutating func switchSource() {
        // The first coordinator ever followed is no change of source.
        if clock.timebase(at: LocalInstant(nanos: 0)) != nil {
            samplesSinceSourceChange = 0
            sourceDifference = nil
        }
        clock.switchSource()
    }

    /// While settling on a new coordinator, each of its samples bounds how
    /// far our estimate is from its timebase, as NTP bounds an offset: the
    /// tick left at t3 and arrived within the round trip δ, so the timebase
    /// at t4 lies in [t3, t3 + δ]. The tightest such bound, carried forward
    /// with the drift allowance, covers the change of source honestly.
    private mutating func measureSourceDifference(_ sample: ClockSample) {
        guard let settled = samplesSinceSourceChange, settled < configuration.sourceSettleSamples,
              let estimate = clock.timebase(at: sample.t4) else { return }
        let delay = (sample.t4 - sample.t1) - (sample.t3 - sample.t2)
        guard delay >= 0 else { return }
        let low = sample.t3.nanos, high = sample.t3.nanos + delay
        let bound = max(estimate.nanos - low, high - estimate.nanos, 0)
        if let current = sourceDifference, current.bound + growth(since: current.at, to: sample.t4) <= bound { return }
        sourceDifference = (bound, sample.t4)
    }

    /// Drift of an estimate over a span: 20 ppm of allowance plus the slew
    /// the clock may apply meanwhile (500 ppm).
    private func growth(since: LocalInstant, to now: LocalInstant) -> Int64 {
        max(now - since, 0) * 520 / 1_000_000
    }

    // MARK: State

    private func headResolver() -> PlanSchedule.HeadResolver {
        let board = configuration.board
        let ordinal = configuration.ordinal
        let cache = headCache
        return { plan in
            if let cached = cache[plan.id] { return cached }
            return plan.plan.head(board: board, ordinal: ordinal)
        }
    }

    /// The head this agent shows under the plan in force.
    public var currentHead: HeadAssignment? {
        guard let current = schedule.current else { return nil }
        return headCache[current.id] ?? current.plan.head(board: configuration.board, ordinal: configuration.ordinal)
    }

    private mutating func promotePlans(now: LocalInstant) {
        guard let t = clock.timebase(at: now) else { return }
        schedule.promote(at: t, resolve: headResolver())
    }

    /// The error bound above which the head must flash.
    private var flashBoundNanos: Int64 {
        let allRed = schedule.current?.plan.timing.allRedNanos ?? ClearanceTiming.defaultMinimums.allRedNanos
        return Int64(Double(allRed) * configuration.flashFractionOfAllRed)
    }

    /// The agent state machine: one switch over the state, with the inputs
    /// (clock quality, sample freshness, plan) as conditions.
    private mutating func evaluateState(now: LocalInstant, into output: inout AgentOutput<Address>) {
        let bound = errorBoundNanos(at: now)
        let fresh = lastAcceptedSampleAt.map { now - $0 <= configuration.holdoverAfterNanos } ?? false
        let hasHead = currentHead != nil
        let canShowPlan = clock.isLocked(at: now) && bound <= configuration.lockBoundNanos
            && clock.frequencyUncertaintyPPM <= configuration.lockFrequencyUncertaintyPPM && hasHead
        switch state {
        case .unsynced:
            if lastAcceptedSampleAt != nil { transition(to: .locking, reason: "first clock sample", now: now, into: &output) }
        case .locking:
            if canShowPlan && fresh {
                transition(to: .locked, reason: "error bound \(bound) ns", now: now, into: &output)
            } else {
                // Start following at the tight bound; once following, stop
                // only where a locked agent would (hysteresis, so a head does
                // not flicker between the plan and red while locking).
                let following = sequencer.goal == .followPlan
                let follow = hasHead && (following ? bound <= flashBoundNanos : fresh && bound <= configuration.followBoundNanos)
                let goal: HeadSequencer.Goal = follow ? .followPlan : .hold(configuration.startupAspect)
                if sequencer.goal != goal { sequencer.setGoal(goal, now: now, plan: planView()) }
            }
        case .locked where disagreeing(now), .holdover where disagreeing(now):
            transition(to: .flash, reason: "a coordinator's timebase disagrees with the one held", now: now, into: &output)
        case .locked where flashCommanded(now), .holdover where flashCommanded(now):
            transition(to: .flash, reason: "the coordinator commands flash at this junction", now: now, into: &output)
        case .locked:
            if !hasHead {
                transition(to: .flash, reason: "no head in the plan", now: now, into: &output)
            } else if bound > flashBoundNanos {
                transition(to: .flash, reason: "error bound \(bound) ns over \(flashBoundNanos) ns", now: now, into: &output)
            } else if !fresh {
                transition(to: .holdover, reason: "no clock sample for \(configuration.holdoverAfterNanos / .nanosPerMillisecond) ms", now: now, into: &output)
            }
        case .holdover:
            if !hasHead || bound > flashBoundNanos {
                transition(to: .flash, reason: "holdover error bound \(bound) ns over \(flashBoundNanos) ns", now: now, into: &output)
            } else if fresh {
                transition(to: .locked, reason: "clock samples again", now: now, into: &output)
            }
        case .flash:
            if canShowPlan && fresh && !disagreeing(now) && !flashCommanded(now) {
                transition(to: .locked, reason: "error bound \(bound) ns", now: now, into: &output)
            }
        }
    }

    /// Whether a coordinator disagreed with the held timebase in the last 2 s.
    private func disagreeing(_ now: LocalInstant) -> Bool {
        disagreement.map { now - $0.last <= 2 * .nanosPerSecond } ?? false
    }

    private func flashCommanded(_ now: LocalInstant) -> Bool {
        commandedFlashUntil.map { now < $0 } ?? false
    }

    private mutating func transition(to next: SyncState, reason: String, now: LocalInstant, into output: inout AgentOutput<Address>) {
        guard next != state else { return }
        output.notes.append(.stateChanged(from: state, to: next, reason: reason))
        state = next
        counters.stateChanges += 1
        let goal: HeadSequencer.Goal
        switch next {
        case .unsynced, .locking: goal = .hold(configuration.startupAspect)
        case .locked, .holdover: goal = .followPlan
        case .flash: goal = .hold(schedule.current?.plan.flashAspect ?? .flashingRed)
        }
        sequencer.setGoal(goal, now: now, plan: planView())
    }

    /// The plan as this head sees it on the local clock, or nil without a
    /// clock estimate or a plan.
    func planView() -> PlanView? {
        guard clock.timebase(at: LocalInstant(nanos: 0)) != nil, let governing = schedule.current else { return nil }
        let clock = self.clock
        let schedule = self.schedule
        let resolve = headResolver()
        return PlanView(
            aspectAt: { local in clock.timebase(at: local).flatMap { schedule.aspect(at: $0, resolve: resolve) } },
            nextChangeAfter: { local in
                guard let t = clock.timebase(at: local), let next = schedule.nextChange(after: t, resolve: resolve),
                      let at = clock.local(at: next.at) else { return nil }
                // Rounding between the two scales must never schedule a change
                // at or before the instant asked about.
                return (max(at, local + 1), next.aspect)
            },
            timing: governing.plan.timing, sequence: governing.plan.sequence)
    }

    // MARK: Sending

    private mutating func sendPeriodic(now: LocalInstant, into output: inout AgentOutput<Address>) {
        if now >= nextReportAt {
            let bursting = state == .unsynced || state == .locking
            nextReportAt = now + (bursting ? configuration.burstReportIntervalNanos : configuration.reportIntervalNanos)
            if let current = sources.current, let address = sourceAddresses[current.id] {
                if let bytes = seal(.report(report(now: now)), to: current.id) { output.sends.append((bytes, .peer(address))) }
            }
        }
        if now >= nextBroadcastAt {
            let heardTicks = lastTickAt != nil
            // While no coordinator is heard, report often: a replacement
            // adopts the timebase from these within its short listening window.
            let orphaned = state == .holdover || (heardTicks && sources.current == nil)
            nextBroadcastAt = now + (orphaned ? configuration.orphanReportIntervalNanos
                : heardTicks ? configuration.broadcastReportIntervalNanos : configuration.helloIntervalNanos)
            let message: Message = heardTicks
                ? .report(report(now: now))
                : .hello(Hello(ordinal: UInt32(clamping: configuration.ordinal), instance: configuration.instance, board: configuration.board ?? ""))
            // To every coordinator address at once: it names none of them.
            if let bytes = seal(message, to: Wire.anyRecipient) { output.sends.append((bytes, .allCoordinators)) }
        }
    }

    /// Seals a datagram for one coordinator (its id), or for any (0).
    private mutating func seal(_ message: Message, to recipient: UInt64) -> [UInt8]? {
        sequence += 1
        counters.datagramsSent += 1
        return try? inbox.codec.seal(message, sender: configuration.instance, sequence: sequence, recipient: recipient)
    }

    /// This agent's report: state, clock quality, what it shows, its view of
    /// the timebase (so a new coordinator can adopt it) and its drop counters.
    public func report(now: LocalInstant) -> Report {
        let timebase = clock.timebase(at: now)
        let head = currentHead
        let bound = errorBoundNanos(at: now)
        return Report(
            ordinal: UInt32(clamping: configuration.ordinal), instance: configuration.instance,
            board: configuration.board ?? "", plan: PlanRef(schedule.current), pending: PlanRef(schedule.pending), state: state,
            offsetNanos: timebase.map { $0.nanos - now.nanos } ?? 0,
            errorBoundNanos: bound == .max ? -1 : bound,
            head: head.map { HeadReport(junction: $0.junctionName, group: $0.groupName, aspect: sequencer.shown) },
            sentAt: now, timebaseAtSend: state == .locked || state == .holdover ? timebase : nil,
            sourceCoordinatorID: sources.current?.id ?? 0, sourceTerm: sources.current?.term ?? sources.lastTerm,
            drops: inbox.drops.counts)
    }

    private func nextWake(after now: LocalInstant, plan view: PlanView?) -> LocalInstant {
        var wake = min(nextReportAt, nextBroadcastAt)
        if let change = sequencer.nextChange(after: now, plan: view) { wake = min(wake, change.at) }
        if let last = lastAcceptedSampleAt, state == .locked {
            wake = min(wake, last + configuration.holdoverAfterNanos + 1)
        }
        return max(wake, now + 1)
    }

    /// The error bound now, for reports and metrics (`Int64.max` before any
    /// sample): the clock's, plus the allowance for a recent change of source.
    public func errorBoundNanos(at now: LocalInstant) -> Int64 {
        let bound = clock.errorBoundNanos(at: now)
        guard bound != .max, let settled = samplesSinceSourceChange, settled < configuration.sourceSettleSamples else { return bound }
        let difference = sourceDifference.map { $0.bound + growth(since: $0.at, to: now) } ?? configuration.sourceChangeAllowanceNanos
        return bound + difference
    }
}

/// Counts kept by an agent, for metrics.
public struct AgentCounters: Sendable, Hashable {
    public var ticksReceived: UInt64 = 0
    public var samplesAccepted: UInt64 = 0
    public var samplesRejected: UInt64 = 0
    public var plansRefused: UInt64 = 0
    public var stateChanges: UInt64 = 0
    public var datagramsSent: UInt64 = 0
    /// Ticks ignored because their timebase was far from the one held.
    public var ticksDisagreeing: UInt64 = 0
}
