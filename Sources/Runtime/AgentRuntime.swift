import GPIO
import JunctionCore
import NodeAgent
import Posix
import Protocol
import Synchronization

/// Runs an `AgentCore` on a real socket, clock and light.
///
/// Why three threads: lights must change on time whatever the network does.
/// A dedicated timing thread sleeps with `clock_nanosleep(TIMER_ABSTIME)`
/// until the core's next wake-up (the next light change), re-checking every
/// `recheckNanos` so a schedule the network thread moved is picked up, and
/// applies the aspect the moment it wakes. The network thread blocks in
/// `receive` and hands datagrams, stamped by the kernel, to the core. A
/// housekeeping thread resolves the coordinator Service (DNS can block for
/// seconds). The core sits behind one `Mutex`; the light is driven under it,
/// so two threads can never apply aspects out of order. Nothing slow is done
/// under it, so the timing thread never waits behind decoding,
/// authenticating, formatting or logging: the network thread opens each
/// datagram (HMAC included) before taking it, and what a run of the core
/// leaves (sealing and sending datagrams, log lines, events) is done after
/// it is released (`Aftermath`, `finish`). Log lines go to the logger's
/// writer thread; sends never block (`MSG_DONTWAIT`).
public final class AgentRuntime: Sendable {
    public let settings: AgentSettings
    let output: any LightOutput
    let socket: UDPSocket
    let clock: AgentClock
    let logger: Logger
    let shared: Mutex<Shared>
    /// Opens datagrams on the network thread, outside `shared`.
    let codec: DatagramCodec
    let events: EventRecorder
    private let threads = Mutex<[OSThread]>([])
    private let http = Mutex<HTTPServer?>(nil)
    /// Called once when the runtime wants the process to stop (parent gone).
    private let onStopRequest: @Sendable () -> Void
    /// The hardware watchdog, petted by the timing thread (`--watchdog`).
    let watchdog: Watchdog?
    /// When the testing trap arms (`settings.testingTrapAfterNanos`).
    private let testingTrapAt: LocalInstant?

    struct Shared {
        var core: AgentCore<SocketAddress>
        var shown: Aspect?
        var wakeAt: LocalInstant
        var flashAt: LocalInstant?
        var lastNow: LocalInstant
        var coordinators: [SocketAddress] = []
        var stopping = false
        /// While stopping: when the shutdown aspect may be shown (after a
        /// green's amber).
        var shutdownAt: LocalInstant?
        /// The timing thread's last completed loop, for `/healthz`.
        var lastLoopAt: LocalInstant
        /// The wake-up the core was last run ahead of (`warmUpNanos`).
        var warmedUpFor: LocalInstant?
        var stats = AgentRuntimeStatistics()
    }

    /// Binds the socket and prepares the core; `start()` starts the threads.
    public init(
        configuration: AgentConfiguration, settings: AgentSettings, output: any LightOutput,
        clock: AgentClock, logger: Logger, watchdog: Watchdog? = nil, onStopRequest: @escaping @Sendable () -> Void = {}
    ) throws(Errno) {
        self.settings = settings
        self.output = output
        self.clock = clock
        self.logger = logger
        self.watchdog = watchdog
        self.onStopRequest = onStopRequest
        socket = try RuntimeSocket.open(host: settings.listenHost, port: settings.port)
        events = try EventRecorder(capacity: Self.eventCapacity, path: settings.eventLogPath)
        codec = DatagramCodec(key: configuration.key)
        let now = clock.now()
        testingTrapAt = settings.testingTrapAfterNanos.map { now + $0 }
        // A crashed predecessor's lamp may still be lit: start from it.
        let retained = output.retainedAspect
        let core = AgentCore<SocketAddress>(configuration: configuration, now: now, retained: retained)
        shared = Mutex(Shared(core: core, shown: retained, wakeAt: now, lastNow: now, lastLoopAt: now))
        if let retained {
            // Show the clearance now, not after the first DNS lookup in
            // `start()`, and count its amber from the instant it is lit: the
            // first run of the core and the first write are cold (about
            // 0.1–0.2 ms here), and nothing may shorten the amber. The
            // timing thread's first wake-up comes early and finds it running.
            let after = shared.withLock { s in
                let after = handleLocked(&s, .timer, now: now)
                s.core.retainedClearanceLit(at: clock.now())
                return after
            }
            logger.info("lamps retained from before start", ["aspect": "\(retained)"])
            finish(after)
        }
    }

    /// The UDP port actually bound.
    public var port: UInt16 { (try? socket.localAddress().port) ?? settings.port }
    /// The HTTP port actually bound, if serving.
    public var httpPort: UInt16? { http.withLock { $0?.port } }

    /// Shows the start-up aspect, resolves coordinators once, and starts the
    /// HTTP server and the timing, network and housekeeping threads.
    public func start() throws {
        resolveCoordinators()
        finish(shared.withLock { s in handleLocked(&s, .timer, now: clock.now()) })
        if let httpPort = settings.httpPort {
            let server = try HTTPServer.serve(port: httpPort) { [weak self] request in self?.serve(request) }
            http.withLock { $0 = server }
        }
        let timing = try OSThread { [self] in runTiming() }
        let network = try OSThread { [self] in runNetwork() }
        let housekeeping = try OSThread { [self] in runHousekeeping() }
        threads.withLock { $0 = [timing, network, housekeeping] }
    }

    /// Puts the light into its shutdown state, then stops every thread and
    /// the HTTP server. A green first shows amber for the plan's full amber
    /// (green straight to red or dark is an illegal change on a street);
    /// any other aspect takes the shutdown aspect at once. Meanwhile the
    /// agent keeps reporting, and once the shutdown aspect is shown it sends
    /// its last word (`Report.stopped`), so the coordinator does not stop
    /// the junction for a head it knows is on steady red. Safe to call more
    /// than once: every caller returns after the shutdown aspect is shown.
    public func stop() {
        let (first, shutdownAt, outputError) = shared.withLock { s -> (Bool, LocalInstant, LightOutputError?) in
            if let at = s.shutdownAt { return (false, at, nil) }
            s.stopping = true
            let now = max(clock.now(), s.lastNow)
            let (aspect, finalAt) = s.core.beginShutdown(now: now, finally: output.shutdownAspect)
            var outputError: LightOutputError?
            if aspect != s.shown {
                s.shown = aspect
                outputError = show(aspect, now: now, in: &s)
            }
            s.shutdownAt = finalAt
            return (true, finalAt, outputError)
        }
        if let outputError { logger.error("light output failed", ["error": "\(outputError.description)"]) }
        if first {
            logger.info("stopping", ["aspect": "\(output.shutdownAspect)", "clearing_ms": .int(max(0, shutdownAt - clock.now()) / 1_000_000)])
        }
        if first { reportWhileClearing(until: shutdownAt) } else { clock.sleep(until: shutdownAt) }
        output.close()
        if first { sendLastWord() }
        let running = threads.withLock { t in defer { t = [] }; return t }
        for thread in running { thread.join() }
        http.withLock { server in server?.stop(); server = nil }
        watchdog?.closeCleanly()
        events.stop()
    }


    // MARK: Core

    /// What a run of the core leaves to do once the lock is released:
    /// sealing and sending its datagrams, logging its notes, recording its
    /// events. None of it may hold the lock the timing thread takes.
    struct Aftermath {
        var sends: [(AgentSend<SocketAddress>, SocketAddress)] = []
        /// Each note with the error bound at its instant (for the log line).
        var notes: [(note: AgentNote, errorBoundNanos: Int64)] = []
        var events: EventInput?
        var outputError: LightOutputError?
    }

    /// Runs one event through the core and drives the light if its aspect
    /// changed (first: the light is what must be on time); returns the rest
    /// to be done outside the lock (`finish`).
    func handleLocked(_ s: inout Shared, _ event: AgentEvent<SocketAddress>, now reading: LocalInstant) -> Aftermath {
        // The kernel stamp of a datagram can be older than a timer the timing
        // thread has already handled: never let the core's time run back.
        let now = max(reading, s.lastNow)
        s.lastNow = now
        let out = s.core.handle(event, now: now)
        s.wakeAt = out.wakeAt
        var after = Aftermath()
        let changed = out.aspect != s.shown
        if changed {
            if s.shown != nil { s.stats.transitions += 1 }
            s.shown = out.aspect
            after.outputError = show(out.aspect, now: now, in: &s)
        }
        s.flashAt = out.aspect.isFlashing ? nextFlashToggle(after: now, core: s.core) : nil
        after.sends = Self.addresses(for: out.sends, coordinators: s.coordinators)
        if changed || !out.notes.isEmpty {
            after.events = EventInput(timeNanos: s.core.clock.timebase(at: now)?.nanos, ordinal: s.core.configuration.ordinal,
                                      head: s.core.currentHead, aspect: changed ? out.aspect : nil, notes: out.notes)
        }
        if !out.notes.isEmpty {
            let bound = s.core.errorBoundNanos(at: now)
            after.notes = out.notes.map { ($0, bound) }
        }
        return after
    }

    /// The work `handleLocked` left, done without the lock.
    func finish(_ after: Aftermath) {
        if let error = after.outputError {
            logger.error("light output failed", ["error": "\(error.description)"])
        }
        send(after.sends)
        for (note, bound) in after.notes { log(note, errorBoundNanos: bound) }
        if let events = after.events { recordEvents(events) }
    }

    /// Drives the light; flashing aspects pick their half from the timebase
    /// (or the local clock before there is one). Returns a failure for the
    /// caller to log outside the lock.
    func show(_ aspect: Aspect, now: LocalInstant, in s: inout Shared) -> LightOutputError? {
        let time = s.core.clock.timebase(at: now) ?? TimebaseInstant(nanos: now.nanos)
        do { try output.show(aspect, at: time) } catch {
            s.stats.outputErrors += 1
            return error
        }
        return nil
    }

    private func nextFlashToggle(after now: LocalInstant, core: AgentCore<SocketAddress>) -> LocalInstant {
        guard let t = core.clock.timebase(at: now), let at = core.clock.local(at: FlashPhase.nextToggle(after: t)) else {
            return LocalInstant(nanos: FlashPhase.nextToggle(after: TimebaseInstant(nanos: now.nanos)).nanos)
        }
        return max(at, now + 1)
    }

    /// Seals (outside any lock) and sends; a full socket buffer drops the
    /// datagram rather than block (`UDPSocket.send`): a lost report costs
    /// nothing, a blocked timing thread a late light.
    func send(_ sends: [(AgentSend<SocketAddress>, SocketAddress)]) {
        guard !sends.isEmpty else { return }
        var failures: UInt64 = 0
        var sealed: [UInt64: [UInt8]] = [:]
        for (outgoing, address) in sends {
            // One seal per datagram, whatever the number of addresses.
            let key = outgoing.sequenceNumber
            let bytes = sealed[key] ?? outgoing.bytes
            sealed[key] = bytes
            if bytes.isEmpty { failures += 1; continue }
            do { try socket.send(bytes, to: address) } catch { failures += 1 }
        }
        let sent = UInt64(sends.count)
        shared.withLock { s in
            s.stats.datagramsSent += sent - failures
            s.stats.sendErrors += failures
        }
    }

    private func log(_ note: AgentNote, errorBoundNanos: Int64) {
        switch note {
        case let .stateChanged(from, to, reason):
            logger.info("state changed", ["from": "\(from)", "to": "\(to)", "reason": "\(reason)",
                                          "error_bound_ns": .int(errorBoundNanos)])
        case let .sourceChanged(id, term):
            logger.info("source changed", ["coordinator": "\(String(id, radix: 16))", "term": .int(Int64(term))])
        case let .planAccepted(id, name, activation):
            logger.info("plan accepted", ["plan": "\(String(id, radix: 16))", "name": "\(name)", "activation_ns": .int(activation.nanos)])
        case let .planRefused(id, reason):
            logger.warn("plan refused", ["plan": "\(String(id, radix: 16))", "reason": "\(reason)"])
        case let .planMismatch(reason):
            logger.warn("plan mismatch", ["reason": "\(reason)"])
        case let .clockStepped(by):
            logger.warn("clock stepped", ["by_ns": .int(by)])
        case let .lateChangeHeld(from, to, nanos):
            logger.warn("late change held: the shown aspect began late, so the next change waits for its minimum", [
                "from": "\(from)", "to": "\(to)", "held_us": .int(nanos / 1_000)])
        case let .monitorTripped(trip):
            logger.error("signal monitor tripped: head held on its safe path (flashing red)", [
                "violation": "\(trip.violation)", "from": "\(trip.from)", "to": "\(trip.to)",
                "shown_ms": .int(trip.shownNanos / 1_000_000)])
        }
    }

    // MARK: Threads

    /// The timing thread: sleep until the next wake-up or flash toggle (at
    /// most `recheckNanos` at a time), then run the timer and drive the light.
    /// `warmUpNanos` before each wake-up it runs the core once ahead, so the
    /// run that changes the light finds warm caches, and under `--realtime`
    /// waits out the rest (at most `spinNanos`) awake, so no wake-up delays
    /// it (`TimingStep`).
    private func runTiming() {
        RealtimeScheduling.prepareTimingThread(settings.realtime, logger: logger)
        while true {
            let now = clock.now()
            let (step, stopping) = shared.withLock { s in
                (TimingStep.next(now: now, wakeAt: s.wakeAt, flashAt: s.flashAt, warmedUpFor: s.warmedUpFor,
                                 recheckNanos: settings.recheckNanos, warmUpNanos: settings.warmUpNanos,
                                 spinNanos: settings.effectiveSpinNanos), s.stopping)
            }
            if stopping { return }
            switch step {
            case let .warmUp(at):
                clock.sleep(until: at)
                warmUp()
                continue
            case let .sleep(until):
                clock.sleep(until: until)
            case let .spin(until):
                clock.spin(until: until)
            }
            // Under the lock only the core's arithmetic and the lamp write:
            // every datagram was opened before it was taken, and sealing,
            // sending, logging and events wait for `finish`.
            let (after, changeDue) = shared.withLock { s -> (Aftermath, LocalInstant?) in
                guard !s.stopping else { return (Aftermath(), nil) }
                let now = clock.now()
                s.lastLoopAt = now
                if let due = runTimerIfDueLocked(&s, now: now) { return due }
                var after = Aftermath()
                if let flashAt = s.flashAt, now >= flashAt, let shown = s.shown {
                    after.outputError = show(shown, now: now, in: &s)
                    s.flashAt = nextFlashToggle(after: now, core: s.core)
                }
                return (after, nil)
            }
            if let changeDue { recordLateness(since: changeDue) }
            finish(after)
            // Outside the lock: a slow device must not hold up the network thread.
            watchdog?.pet(nowNanos: clock.now().nanos)
            if let testingTrapAt, clock.now() >= testingTrapAt, shared.withLock({ $0.shown == .green && !$0.stopping }) {
                fatalError("--testing-trap-after-seconds: deliberate crash while green")
            }
        }
    }

    /// Runs the core ahead of its wake-up: with nothing due the light stays
    /// as it is, and whatever else the run leaves is done as always.
    private func warmUp() {
        let after = shared.withLock { s -> Aftermath in
            guard !s.stopping else { return Aftermath() }
            let wakeAt = s.wakeAt
            let after = handleLocked(&s, .timer, now: clock.now())
            s.warmedUpFor = wakeAt
            return after
        }
        finish(after)
    }

    /// Runs the core's timer if its wake-up is due at `now` (the timing
    /// thread's wake, or a datagram's handling after a stall); with the
    /// instant the light's change was due, if it changed.
    private func runTimerIfDueLocked(_ s: inout Shared, now: LocalInstant) -> (after: Aftermath, changeDue: LocalInstant?)? {
        guard now >= s.wakeAt else { return nil }
        let (due, before) = (s.wakeAt, s.shown)
        let after = handleLocked(&s, .timer, now: now)
        return (after, s.shown != before ? due : nil)
    }

    /// How late the lamp changed: read after the write, so a preempted
    /// write counts too.
    private func recordLateness(since changeDue: LocalInstant) {
        let late = clock.now() - changeDue
        shared.withLock { $0.stats.transitionLateness.add(late) }
    }

    /// The network thread: receive with a timeout no longer than the next
    /// wake-up (and 50 ms, to notice `stop`), hand each datagram to the core
    /// with its kernel receive time on the agent's clock.
    private func runNetwork() {
        while true {
            let (wakeAt, stopping) = shared.withLock { s in (s.wakeAt, s.stopping) }
            if stopping { return }
            let timeout = min(50_000_000, max(1_000_000, wakeAt - clock.now()))
            let datagram: ReceivedDatagram?
            do { datagram = try socket.receive(timeoutNanos: timeout) } catch {
                logger.error("receive failed", ["error": "\(error.description)"])
                clock.sleep(until: clock.now() + 100_000_000)
                continue
            }
            guard let datagram else { continue }
            let received = ReceiveTime.monotonicNanos(of: datagram, clock: clock.kernel)
            let now = clock.arrival(of: datagram)
            // Opened (size, header, HMAC, body) before the lock is taken.
            let opened = codec.open(datagram.bytes)
            let (due, changeDue, after) = shared.withLock { s -> (Aftermath?, LocalInstant?, Aftermath) in
                guard !s.stopping else { return (nil, nil, Aftermath()) }
                s.stats.record(datagram, monotonicReceiveNanos: received)
                // A change due by now is made now, as the timing thread
                // would make it: handled at the datagram's arrival (earlier,
                // after a stall), the lamp would change now while the core
                // and its monitor dated the change at the arrival, and an
                // aspect begun late would pass for one begun on time.
                let reading = clock.now()
                let due = reading > now ? runTimerIfDueLocked(&s, now: reading) : nil
                return (due?.after, due?.changeDue, handleLocked(&s, .opened(opened, from: datagram.source), now: now))
            }
            if let changeDue { recordLateness(since: changeDue) }
            if let due { finish(due) }
            finish(after)
        }
    }

    /// Resolves the coordinator Service every few seconds and watches the
    /// parent process when asked to.
    private func runHousekeeping() {
        var nextResolve = clock.now() + settings.resolveIntervalNanos
        var slew = SlewWatch()
        while !shared.withLock({ $0.stopping }) {
            clock.sleep(until: clock.now() + 50_000_000)
            if let ppm = slew.measure(clock) {
                shared.withLock { $0.stats.monotonicSlewPPM = ppm }
                if let note = slew.note(ppm) { logger.info(note, ["slew_ppm": .double(ppm)]) }
            }
            if let parent = settings.parentPID, ChildProcess.parentID != parent {
                logger.warn("parent process gone, stopping", ["parent_pid": .int(Int64(parent))])
                onStopRequest()
                return
            }
            if clock.now() >= nextResolve {
                nextResolve = clock.now() + settings.resolveIntervalNanos
                resolveCoordinators()
            }
        }
    }

    /// The coordinator Service's addresses plus the explicit ones. A failed
    /// lookup keeps the previous list (DNS hiccups must not silence Hello).
    func resolveCoordinators() {
        var names: [(String, UInt16)] = []
        if let service = settings.coordinatorService { names.append((service, settings.coordinatorPort)) }
        for entry in settings.coordinators {
            if let (host, port) = SocketAddress.splitHostPort(entry) { names.append((host, port)) }
        }
        var union = AddressUnion()
        var failed = false
        for (host, port) in names {
            do {
                for address in try AddressResolver.resolve(host: host, port: port) where socket.isIPv6 || address.isIPv4 {
                    union.add(address)
                }
            } catch {
                failed = true
                logger.debug("coordinator lookup failed", ["error": "\(error.description)"])
            }
        }
        let found = union.addresses
        let changed = shared.withLock { s -> Bool in
            if failed && found.isEmpty { return false }
            defer { s.coordinators = found }
            return s.coordinators != found
        }
        if changed { logger.info("coordinators resolved", ["addresses": "\(found.map(\.description).joined(separator: ","))"]) }
    }
}
