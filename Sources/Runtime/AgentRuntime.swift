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
/// so two threads can never apply aspects out of order.
public final class AgentRuntime: Sendable {
    public let settings: AgentSettings
    let output: any LightOutput
    let socket: UDPSocket
    let clock: AgentClock
    let logger: Logger
    let shared: Mutex<Shared>
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
        let now = clock.now()
        testingTrapAt = settings.testingTrapAfterNanos.map { now + $0 }
        // A crashed predecessor's lamp may still be lit: start from it.
        let retained = output.retainedAspect
        let core = AgentCore<SocketAddress>(configuration: configuration, now: now, retained: retained)
        shared = Mutex(Shared(core: core, shown: retained, wakeAt: now, lastNow: now, lastLoopAt: now))
        if let retained {
            logger.info("lamps retained from before start", ["aspect": "\(retained)"])
            // Show the clearance now, not after the first DNS lookup in
            // `start()`: the core counts its amber from this instant.
            _ = shared.withLock { s in handleLocked(&s, .timer, now: now) }
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
        let sends = shared.withLock { s in handleLocked(&s, .timer, now: clock.now()) }
        send(sends)
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
        let (first, shutdownAt) = shared.withLock { s -> (Bool, LocalInstant) in
            if let at = s.shutdownAt { return (false, at) }
            s.stopping = true
            let now = max(clock.now(), s.lastNow)
            let (aspect, finalAt) = s.core.beginShutdown(now: now, finally: output.shutdownAspect)
            if aspect != s.shown {
                s.shown = aspect
                show(aspect, now: now, in: &s)
            }
            s.shutdownAt = finalAt
            return (true, finalAt)
        }
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

    /// Runs one event through the core and carries out what it says, except
    /// the sends, which are returned to be done outside the lock.
    func handleLocked(_ s: inout Shared, _ event: AgentEvent<SocketAddress>, now reading: LocalInstant) -> [([UInt8], SocketAddress)] {
        // The kernel stamp of a datagram can be older than a timer the timing
        // thread has already handled: never let the core's time run back.
        let now = max(reading, s.lastNow)
        s.lastNow = now
        let out = s.core.handle(event, now: now)
        s.wakeAt = out.wakeAt
        recordEvents(out, shown: s.shown, core: s.core, now: now)
        if out.aspect != s.shown {
            if s.shown != nil { s.stats.transitions += 1 }
            s.shown = out.aspect
            show(out.aspect, now: now, in: &s)
        }
        s.flashAt = out.aspect.isFlashing ? nextFlashToggle(after: now, core: s.core) : nil
        for note in out.notes { log(note, core: s.core, now: now) }
        return Self.addresses(for: out.sends, coordinators: s.coordinators)
    }

    /// Drives the light; flashing aspects pick their half from the timebase
    /// (or the local clock before there is one).
    func show(_ aspect: Aspect, now: LocalInstant, in s: inout Shared) {
        let time = s.core.clock.timebase(at: now) ?? TimebaseInstant(nanos: now.nanos)
        do { try output.show(aspect, at: time) } catch {
            s.stats.outputErrors += 1
            logger.error("light output failed", ["error": "\(error.description)"])
        }
    }

    private func nextFlashToggle(after now: LocalInstant, core: AgentCore<SocketAddress>) -> LocalInstant {
        guard let t = core.clock.timebase(at: now), let at = core.clock.local(at: FlashPhase.nextToggle(after: t)) else {
            return LocalInstant(nanos: FlashPhase.nextToggle(after: TimebaseInstant(nanos: now.nanos)).nanos)
        }
        return max(at, now + 1)
    }

    func send(_ sends: [([UInt8], SocketAddress)]) {
        guard !sends.isEmpty else { return }
        var failures: UInt64 = 0
        for (bytes, address) in sends {
            do { try socket.send(bytes, to: address) } catch { failures += 1 }
        }
        let sent = UInt64(sends.count)
        shared.withLock { s in
            s.stats.datagramsSent += sent - failures
            s.stats.sendErrors += failures
        }
    }

    private func log(_ note: AgentNote, core: AgentCore<SocketAddress>, now: LocalInstant) {
        switch note {
        case let .stateChanged(from, to, reason):
            logger.info("state changed", ["from": "\(from)", "to": "\(to)", "reason": "\(reason)",
                                          "error_bound_ns": .int(core.errorBoundNanos(at: now))])
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
        case let .monitorTripped(trip):
            logger.error("signal monitor tripped: head held on its safe path (flashing red)", [
                "violation": "\(trip.violation)", "from": "\(trip.from)", "to": "\(trip.to)",
                "shown_ms": .int(trip.shownNanos / 1_000_000)])
        }
    }

    // MARK: Threads

    /// The timing thread: sleep until the next wake-up or flash toggle (at
    /// most `recheckNanos` at a time), then run the timer and drive the light.
    private func runTiming() {
        RealtimeScheduling.prepareTimingThread(settings.realtime, logger: logger)
        while true {
            let (deadline, stopping) = shared.withLock { s in (min(s.wakeAt, s.flashAt ?? s.wakeAt), s.stopping) }
            if stopping { return }
            clock.sleep(until: min(deadline, clock.now() + settings.recheckNanos))
            let sends = shared.withLock { s -> [([UInt8], SocketAddress)] in
                guard !s.stopping else { return [] }
                let now = clock.now()
                s.lastLoopAt = now
                if now >= s.wakeAt {
                    let late = now - s.wakeAt
                    let before = s.shown
                    let sends = handleLocked(&s, .timer, now: now)
                    if s.shown != before { s.stats.transitionLateness.add(late) }
                    return sends
                }
                if let flashAt = s.flashAt, now >= flashAt, let shown = s.shown {
                    show(shown, now: now, in: &s)
                    s.flashAt = nextFlashToggle(after: now, core: s.core)
                }
                return []
            }
            send(sends)
            // Outside the lock: a slow device must not hold up the network thread.
            watchdog?.pet(nowNanos: clock.now().nanos)
            if let testingTrapAt, clock.now() >= testingTrapAt, shared.withLock({ $0.shown == .green && !$0.stopping }) {
                fatalError("--testing-trap-after-seconds: deliberate crash while green")
            }
        }
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
            let sends = shared.withLock { s -> [([UInt8], SocketAddress)] in
                guard !s.stopping else { return [] }
                s.stats.record(datagram, monotonicReceiveNanos: received)
                return handleLocked(&s, .datagram(datagram.bytes, from: datagram.source), now: now)
            }
            send(sends)
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
        var found: [SocketAddress] = []
        var failed = false
        for (host, port) in names {
            do {
                for address in try AddressResolver.resolve(host: host, port: port)
                where (socket.isIPv6 || address.isIPv4) && !found.contains(address) {
                    found.append(address)
                }
            } catch {
                failed = true
                logger.debug("coordinator lookup failed", ["error": "\(error.description)"])
            }
        }
        let changed = shared.withLock { s -> Bool in
            if failed && found.isEmpty { return false }
            defer { s.coordinators = found }
            return s.coordinators != found
        }
        if changed { logger.info("coordinators resolved", ["addresses": "\(found.map(\.description).joined(separator: ","))"]) }
    }
}
