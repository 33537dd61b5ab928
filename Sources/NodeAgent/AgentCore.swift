import JunctionCore
import Protocol

/// One NodeAgent's logic, with no sockets, clocks or GPIO.
///
/// The shell (the real runtime, or the simulator) feeds it datagrams and
/// timer wake-ups with the board's monotonic time, and carries out what it
/// returns: datagrams to send, the aspect to show, and when to call again.
/// Lights change on time, not on packets: the aspect comes from the plan and
/// the disciplined clock, and a lost tick costs nothing.
///
/// Its readers that `handle` calls (`errorBoundNanos(at:)`, `report(now:)`,
/// `currentHead` and the private ones) are `mutating` though they change
/// nothing: Swift copies the whole core (2.7 KB, every array in it retained
/// and released) to call a non-mutating method from a mutating one, about
/// ten times an event: most of the 19% of the simulator's time in memmove.
public struct AgentCore<Address: Hashable & Sendable>: Sendable {
    public let configuration: AgentConfiguration
    public private(set) var state: SyncState = .unsynced
    public private(set) var clock: ClockDiscipline
    public private(set) var schedule = PlanSchedule()
    public internal(set) var sequencer: HeadSequencer
    /// Compares the followed coordinator's ticks with the plans held.
    public private(set) var planFollower = PlanFollower()
    /// The independent monitor every output aspect goes through (issue 10).
    public internal(set) var monitor: SignalMonitor
    /// The monitor tripped and the head is leaving the plan for flashing red.
    var monitorLeaving = false
    /// The aspect a coordinator's command (`.flash`, `.stop`) put the head
    /// in; kept until the junction re-enters the plan at `rejoinAt`.
    var commandedAspect: Aspect?
    var rejoinAt: LocalInstant?
    /// A change waiting for the shown aspect's minimum (`LateChangeHold`):
    /// until when, and the aspect waiting (so each hold is counted once).
    var heldUntil: LocalInstant?
    var heldAspect: Aspect?
    public private(set) var sources: SourceSelector
    public private(set) var inbox: Inbox
    /// A fresh agent follows a coordinator only once it echoes our report;
    /// solicits are answered at once.
    public private(set) var gate = FollowGate()
    private var assembler = PlanAssembler()
    /// This agent's head in each known plan, resolved once per plan.
    private var headCache: [UInt64: HeadAssignment?] = [:]
    /// The head's timeline and the schedule it was worked out for.
    private var timelineCache: (key: PlanSchedule.Key, timeline: HeadTimeline)?
    private(set) var sourceAddresses: [UInt64: Address] = [:]
    private var sequence: UInt64 = 0
    private var lastAcceptedSampleAt: LocalInstant?
    /// Per coordinator not followed: whether its last tick was far from the
    /// estimate held (a locking agent's, which no tick vets otherwise).
    private var disagreesWithEstimate: [UInt64: Bool] = [:]
    /// Samples accepted since the followed coordinator changed (nil: never changed).
    private var samplesSinceSourceChange: Int?
    /// A coordinator's ticks disagree with the timebase held: since when, and lately.
    /// (`count`: disagreeing ticks in a row from it, with no agreeing one between.)
    private var disagreement: (coordinatorID: UInt64, since: LocalInstant, last: LocalInstant, count: Int)?
    /// Disagreeing ticks in a row before the agent flashes: one tick can be
    /// late (a descheduled sender on a loaded node) and look like another
    /// timebase; a coordinator on another timebase sends them all.
    static var disagreeingTicksToFlash: Int { 3 }
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
    public internal(set) var counters = AgentCounters()

    /// - Parameter retained: what the lamps already show at start (a
    ///   crashed predecessor's lamp), if known: a green is cleared through a
    ///   full amber before the start-up aspect.
    public init(configuration: AgentConfiguration, now: LocalInstant, retained: Aspect? = nil) {
        self.configuration = configuration
        clock = ClockDiscipline(configuration: configuration.clock)
        sequencer = HeadSequencer(retained: retained ?? configuration.startupAspect, startup: configuration.startupAspect, at: now)
        monitor = SignalMonitor(showing: retained ?? configuration.startupAspect, at: now, retained: retained != nil)
        sources = SourceSelector(timeoutNanos: configuration.sourceTimeoutNanos)
        inbox = Inbox(codec: DatagramCodec(key: configuration.key), localID: configuration.instance)
        nextReportAt = now
        nextBroadcastAt = now
    }

    /// Handles one event at local time `now` and says what to do.
    public mutating func handle(_ event: AgentEvent<Address>, now: LocalInstant) -> AgentOutput<Address> {
        var output = AgentOutput<Address>(aspect: monitor.shown, wakeAt: now)
        switch event {
        case let .datagram(bytes, source):
            receive(inbox.codec.open(bytes), from: source, now: now, into: &output)
        case let .opened(opened, source):
            receive(opened, from: source, now: now, into: &output)
        case .timer:
            break
        }
        promotePlans(now: now)
        if sources.reselect(atNanos: now.nanos), let current = sources.current {
            output.notes.append(.sourceChanged(coordinatorID: current.id, term: current.term))
            switchSource()
        }
        evaluateState(now: now, into: &output)
        rejoinAfterCommand(now: now)
        // One view of the plan per event: building it copies the clock and
        // the schedule into closures.
        let view = planView()
        sequencer.advance(to: now, plan: view)
        applyMonitor(now: now, plan: view, into: &output)
        sendPeriodic(now: now, into: &output)
        output.aspect = monitor.shown
        output.wakeAt = monitorWake(nextWake(after: now, plan: view), now: now)
        return output
    }

    // MARK: Receiving

    private mutating func receive(_ opened: Result<Envelope, DropReason>, from source: Address, now: LocalInstant, into output: inout AgentOutput<Address>) {
        let estimate = clock.isLocked(at: now) ? clock.timebase(at: now) : nil
        guard case let .success(envelope) = inbox.admit(opened, timebaseEstimate: estimate) else { return }
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
        case let .solicit(solicit):
            answer(solicit, from: source, now: now, into: &output)
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
        // its ticks are then accepted again.
        if ignoredSources.contains(tick.coordinatorID) {
            let agrees = clock.timebase(at: now).map { abs(tick.sentAt - $0) <= configuration.sourceDisagreementNanos } ?? false
            guard agrees else {
                counters.ticksDisagreeing += 1
                return
            }
            ignoredSources.remove(tick.coordinatorID)
        }
        if state == .locked || state == .holdover || disagreement != nil, let estimate = clock.timebase(at: now) {
            let bound = errorBoundNanos(at: now)
            let limit = max(configuration.sourceDisagreementNanos, bound > Int64.max / 8 ? .max : 4 * bound)
            if abs(tick.sentAt - estimate) > limit {
                counters.ticksDisagreeing += 1
                let same = disagreement?.coordinatorID == tick.coordinatorID
                let since = same ? disagreement!.since : now
                let count = same ? disagreement!.count + 1 : 1
                guard now - since >= configuration.disagreementGraceNanos else {
                    // Two timebases in the cluster: flash (safe) while the
                    // coordinator gets the chance to adopt ours.
                    disagreement = (tick.coordinatorID, since, now, count)
                    return
                }
                disagreement = nil
                // It persisted. The timebase the agents hold wins while a
                // live coordinator serves it, whatever the newcomer's term
                // (no inversion: a fresh term-1 coordinator cannot pull the
                // cluster over). Only with no live coordinator on the held
                // timebase does the agent give it up.
                if let current = sources.current, current.id != tick.coordinatorID, sources.isLive(current.id, atNanos: now.nanos) {
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
        if !sources.isCurrent(tick.coordinatorID), let estimate = clock.timebase(at: now) {
            if disagreesWithEstimate.count >= SourceSelector.maximumSources { disagreesWithEstimate.removeAll() }
            disagreesWithEstimate[tick.coordinatorID] = abs(tick.sentAt - estimate) > configuration.sourceDisagreementNanos
        }
        // Rule 10: with no timebase, follow a coordinator only once a tick
        // of its echoes one of our recent reports to it; report to it meanwhile.
        if clock.timebase(at: now) == nil, !sources.isCurrent(tick.coordinatorID),
           !gate.echoes(tick.echo, from: tick.coordinatorID, now: now) {
            gate.candidate(tick.coordinatorID, now: now)
            return
        }
        if sources.heard(id: tick.coordinatorID, term: tick.term, atNanos: now.nanos), let current = sources.current {
            output.notes.append(.sourceChanged(coordinatorID: current.id, term: current.term))
            switchSource()
        }
        guard sources.isCurrent(tick.coordinatorID) else { return }
        lastTickAt = now
        followPlans(tick, now: now, into: &output)
        if tick.command != .run { commandedFlashUntil = now + 2 * .nanosPerSecond }
        noteCommand(tick.command)
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
        let identity = PlanIdentity(id: chunk.planID.rawValue, anchor: chunk.activation)
        if identity == schedule.current?.identity || identity == schedule.pending?.identity { return }
        let assembled: AssembledPlan
        switch assembler.accept(chunk) {
        case let .complete(plan): assembled = plan
        case let .dropped(reason): inbox.record(reason); return
        case .incomplete, .duplicate: return
        }
        let id = assembled.planID.rawValue
        guard planFollower.admits(identity) else {
            // Not a plan the followed coordinator names: forget it, so it can
            // be assembled again if it is named later.
            assembler.forgetCompleted(planID: assembled.planID)
            return
        }
        do {
            let plan = try SignalPlan.load(assembled.bytes, source: "plan \(assembled.planID)")
            let anchored = AnchoredPlan(plan: plan, id: id, anchor: assembled.activation, bytes: assembled.bytes)
            if schedule.accept(anchored) {
                planFollower.accepted(identity, schedule: &schedule)
                headCache[id] = plan.head(board: configuration.board, ordinal: configuration.ordinal, ordinalHeads: configuration.ordinalHeads)
                let known = Set([schedule.current?.id, schedule.pending?.id].compactMap { $0 })
                headCache = headCache.filter { known.contains($0.key) }
                output.notes.append(.planAccepted(id: id, name: plan.name, activation: assembled.activation))
            } else {
                assembler.forgetCompleted(planID: assembled.planID)
            }
        } catch {
            counters.plansRefused += 1
            output.notes.append(.planRefused(id: id, reason: error.description))
        }
    }

    /// Plan identity: the tick's governing and pending plans against ours.
    private mutating func followPlans(_ tick: Tick, now: LocalInstant, into output: inout AgentOutput<Address>) {
        let held = [schedule.current, schedule.pending].compactMap { $0 }
        let before = planView()
        if case let .mismatch(reason) = planFollower.check(tick, schedule: &schedule) {
            // An agent with no plan yet is waiting for one, not leaving one:
            // only a plan held and found wrong is news.
            if !held.isEmpty { output.notes.append(.planMismatch(reason)) }
            // Leave by the plan that was shown: a green keeps its minimum
            // (never past that plan's own green), then its full amber. (The
            // state machine then flashes for want of a head, and rejoins
            // once the right plan is fetched.)
            if schedule.current == nil, sequencer.goal == .followPlan {
                sequencer.setGoal(.hold(.flashingRed), now: now, plan: before)
                sequencer.setGoal(.followPlan, now: now, plan: planView())
            }
        }
        // Plans dropped may be sent again: let them be assembled again.
        for plan in held where plan.identity != schedule.current?.identity && plan.identity != schedule.pending?.identity {
            assembler.forgetCompleted(planID: PlanID(rawValue: plan.id))
        }
    }

    private mutating func switchSource() {
        gate.followed()
        // A locking agent's estimate is the old source's, and a held
        // timebase's check of every tick does not cover it: a new source
        // whose last tick was seconds away (two coordinators that each
        // started a timebase of their own while cut off from the agents)
        // means starting over, not claiming the allowance of a change of
        // source between agreeing coordinators (random scenario 3981: 5 s
        // off, bound 10 ms). An agreeing one keeps the estimate: resetting on
        // every change cut greens short (a locking agent may show the plan).
        if state == .locking || state == .unsynced, let id = sources.current?.id, disagreesWithEstimate[id] == true {
            clock.reset()
            lastAcceptedSampleAt = nil
        }
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
        if let current = sourceDifference, current.bound + Self.growth(since: current.at, to: sample.t4) <= bound { return }
        sourceDifference = (bound, sample.t4)
    }

    /// Drift of an estimate over a span: 20 ppm of allowance plus the slew
    /// the clock may apply meanwhile (500 ppm).
    private static func growth(since: LocalInstant, to now: LocalInstant) -> Int64 {
        max(now - since, 0) * 520 / 1_000_000
    }

    // MARK: State

    private mutating func headResolver() -> PlanSchedule.HeadResolver {
        let board = configuration.board
        let ordinal = configuration.ordinal
        let ordinalHeads = configuration.ordinalHeads
        let cache = headCache
        return { plan in
            if let cached = cache[plan.id] { return cached }
            return plan.plan.head(board: board, ordinal: ordinal, ordinalHeads: ordinalHeads)
        }
    }

    /// The head this agent shows under the plan in force.
    public var currentHead: HeadAssignment? {
        mutating get {
            guard let current = schedule.current else { return nil }
            return headCache[current.id] ?? current.plan.head(board: configuration.board, ordinal: configuration.ordinal, ordinalHeads: configuration.ordinalHeads)
        }
    }

    private mutating func promotePlans(now: LocalInstant) {
        guard let t = clock.timebase(at: now) else { return }
        schedule.promote(at: t, resolve: headResolver())
    }

    /// The error bound above which the head must flash.
    private var flashBoundNanos: Int64 {
        mutating get {
            let allRed = schedule.current?.plan.timing.allRedNanos ?? ClearanceTiming.defaultMinimums.allRedNanos
            return Int64(Double(allRed) * configuration.flashFractionOfAllRed)
        }
    }

    /// The agent state machine: one switch over the state, with the inputs
    /// (clock quality, sample freshness, plan) as conditions.
    private mutating func evaluateState(now: LocalInstant, into output: inout AgentOutput<Address>) {
        let bound = errorBoundNanos(at: now)
        let fresh = lastAcceptedSampleAt.map { now - $0 <= configuration.holdoverAfterNanos } ?? false
        // Waiting for the coordinator's plan after a mismatch is not "no
        // head": the head is out of the plan (flashing red), the state stays.
        let hasHead = currentHead != nil || planFollower.awaitingPlan
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
                if sequencer.goal != goal { setHeadGoal(goal, now: now) }
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
            // After a commanded flash (not a clock reason), the clock that
            // kept the plan running before it is still good enough: the same
            // bound a locked agent keeps running with.
            let resumable = canShowPlan
                || (commandedAspect != nil && hasHead && clock.isLocked(at: now) && bound <= flashBoundNanos)
            if resumable && fresh && !disagreeing(now) && !flashCommanded(now) {
                transition(to: .locked, reason: "error bound \(bound) ns", now: now, into: &output)
            }
        }
    }

    /// Whether a coordinator disagreed with the held timebase in the last 2 s.
    private mutating func disagreeing(_ now: LocalInstant) -> Bool {
        disagreement.map { $0.count >= Self.disagreeingTicksToFlash && now - $0.last <= 2 * .nanosPerSecond } ?? false
    }

    private mutating func flashCommanded(_ now: LocalInstant) -> Bool {
        commandedFlashUntil.map { now < $0 } ?? false
    }

    private mutating func transition(to next: SyncState, reason: String, now: LocalInstant, into output: inout AgentOutput<Address>) {
        guard next != state else { return }
        output.notes.append(.stateChanged(from: state, to: next, reason: reason))
        state = next
        counters.stateChanges += 1
        setHeadGoal(stateGoal, now: now)
    }

    /// The head's timeline under the schedule held: the cached one while the
    /// schedule gives the same one (working it out was most of an event's cost).
    mutating func headTimeline() -> HeadTimeline {
        if let cached = timelineCache, schedule.sharesTimeline(cached.timeline, workedOutUnder: cached.key) { return cached.timeline }
        return schedule.timeline(resolve: headResolver())
    }

    /// The plan as this head sees it on the local clock, or nil without a
    /// clock estimate or a plan.
    mutating func planView() -> PlanView? {
        // The mapping alone, not the whole discipline (whose sample windows
        // a closure would copy for every event).
        guard let mapping = clock.mapping else { return nil }
        guard let governing = schedule.current else {
            // The plan was dropped (it was not the coordinator's): nothing to
            // show (flashing red), but a green still gets its amber.
            guard let last = planFollower.lastTiming else { return nil }
            return PlanView(aspectAt: { _ in nil }, nextChangeAfter: { _ in nil }, timing: last.timing, sequence: last.sequence)
        }
        let timeline = headTimeline()
        timelineCache = (schedule.key, timeline)
        return PlanView(
            aspectAt: { local in timeline.aspect(at: TimebaseInstant(nanos: mapping.timebaseNanos(atLocal: local.nanos))) },
            nextChangeAfter: { local in
                let t = TimebaseInstant(nanos: mapping.timebaseNanos(atLocal: local.nanos))
                guard let next = timeline.nextChange(after: t) else { return nil }
                let at = LocalInstant(nanos: mapping.localNanos(atTimebase: next.at.nanos))
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
                let report = report(now: now)
                output.sends.append(seal(.report(report), to: current.id, at: .peer(address)))
                gate.sent(reportAt: now, to: current.id)
                // Every other coordinator it hears (a rolling update's new one,
                // standing by) gets the report too: a coordinator's silent-head
                // watch must hear every head at the report rate. Heard only by
                // the once-a-second broadcast, a lost one or two read as
                // silence, and the junction was stopped on live heads.
                for id in sources.othersLive(atNanos: now.nanos) {
                    guard let other = sourceAddresses[id] else { continue }
                    output.sends.append(seal(.report(report), to: id, at: .peer(other)))
                }
            } else if sources.current == nil {
                // Coordinators heard but not followed yet: a report each, so
                // their next tick can echo it (rule 10).
                for id in gate.liveCandidates(now: now, timeoutNanos: configuration.sourceTimeoutNanos) {
                    guard let address = sourceAddresses[id] else { continue }
                    output.sends.append(seal(.report(report(now: now)), to: id, at: .peer(address)))
                    gate.sent(reportAt: now, to: id)
                }
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
            output.sends.append(seal(message, to: Wire.anyRecipient, at: .allCoordinators))
        }
    }

    /// Answers a solicit at once, to the address it came from, with a
    /// report addressed to the soliciting coordinator carrying its nonce.
    private mutating func answer(_ solicit: Solicit, from source: Address, now: LocalInstant, into output: inout AgentOutput<Address>) {
        guard gate.mayAnswer(solicit.coordinatorID, now: now) else { return }
        var answer = report(now: now)
        answer.solicitNonce = solicit.nonce
        output.sends.append(seal(.report(answer), to: solicit.coordinatorID, at: .peer(source)))
        gate.sent(reportAt: now, to: solicit.coordinatorID)
        counters.solicitsAnswered += 1
        lend(solicit.wantedPlan, to: solicit.coordinatorID, at: source, into: &output)
    }

    /// Sends a coordinator that lacks it the content of a plan this agent
    /// holds (a replacement whose file differs from what the junction runs):
    /// the chunks as the coordinator sent them, its anchor as their activation.
    private mutating func lend(_ wanted: PlanID, to coordinatorID: UInt64, at source: Address, into output: inout AgentOutput<Address>) {
        guard wanted != .none, let plan = [schedule.current, schedule.pending].compactMap({ $0 }).first(where: { $0.id == wanted.rawValue }),
              let chunks = try? PlanChunk.split(planBytes: plan.bytes, id: wanted, activation: plan.anchor) else { return }
        for chunk in chunks { output.sends.append(seal(.plan(chunk), to: coordinatorID, at: .peer(source))) }
        counters.plansLent += 1
    }

    /// A datagram for one coordinator (its id), or for any (0), to send to
    /// `destination`: numbered now, sealed when the shell reads its bytes.
    mutating func seal(_ message: Message, to recipient: UInt64, at destination: AgentDestination<Address>) -> AgentSend<Address> {
        sequence += 1
        counters.datagramsSent += 1
        return AgentSend(to: destination, message: message, sender: configuration.instance, sequence: sequence,
                         recipient: recipient, codec: inbox.codec)
    }

    /// This agent's report: state, clock quality, what it shows, its view of
    /// the timebase (so a new coordinator can adopt it) and its drop counters.
    public mutating func report(now: LocalInstant) -> Report {
        let timebase = clock.timebase(at: now)
        let head = currentHead
        let bound = errorBoundNanos(at: now)
        return Report(
            ordinal: UInt32(clamping: configuration.ordinal), instance: configuration.instance,
            board: configuration.board ?? "", plan: PlanRef(schedule.current), pending: PlanRef(schedule.pending), state: state,
            offsetNanos: timebase.map { $0.nanos - now.nanos } ?? 0,
            errorBoundNanos: bound == .max ? -1 : bound,
            head: head.map { HeadReport(junction: $0.junctionName, group: $0.groupName, aspect: monitor.shown) },
            // Whenever it holds an estimate: locking, locked, in holdover, or
            // flashing on a bound grown in a long outage, it holds the
            // cluster's timebase better than any replacement's wall clock;
            // its bound says how well (a coordinator adopts within 50 ms).
            sentAt: now, timebaseAtSend: state == .unsynced ? nil : timebase,
            sourceCoordinatorID: sources.current?.id ?? 0, sourceTerm: sources.current?.term ?? sources.lastTerm,
            monitorTripped: monitor.isTripped,
            outOfPlan: (state == .locked || state == .holdover)
                && timebase.map { headTimeline().aspect(at: $0) == nil } ?? false,
            drops: inbox.drops.counts)
    }

    private mutating func nextWake(after now: LocalInstant, plan view: PlanView?) -> LocalInstant {
        var wake = min(nextReportAt, nextBroadcastAt)
        if let change = sequencer.nextChange(after: now, plan: view) { wake = min(wake, change.at) }
        if let last = lastAcceptedSampleAt, state == .locked {
            wake = min(wake, last + configuration.holdoverAfterNanos + 1)
        }
        return max(wake, now + 1)
    }

    /// The error bound now, for reports and metrics (`Int64.max` before any
    /// sample): the clock's, plus the allowance for a recent change of source.
    public mutating func errorBoundNanos(at now: LocalInstant) -> Int64 {
        let bound = clock.errorBoundNanos(at: now)
        guard bound != .max, let settled = samplesSinceSourceChange, settled < configuration.sourceSettleSamples else { return bound }
        let difference = sourceDifference.map { $0.bound + Self.growth(since: $0.at, to: now) } ?? configuration.sourceChangeAllowanceNanos
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
    /// Solicits answered with a report.
    public var solicitsAnswered: UInt64 = 0
    /// Plans sent to a coordinator that asked for their content.
    public var plansLent: UInt64 = 0
    /// Changes that waited for a late aspect's minimum (`LateChangeHold`).
    public var lateChangesHeld: UInt64 = 0
}
