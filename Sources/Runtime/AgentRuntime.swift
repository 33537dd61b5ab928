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
    private let threads = Mutex<[OSThread]>([])
    private let http = Mutex<HTTPServer?>(nil)
    /// Called once when the runtime wants the process to stop (parent gone).
    private let onStopRequest: @Sendable () -> Void

    struct Shared {
        var core: AgentCore<SocketAddress>
        var shown: Aspect?
        var wakeAt: LocalInstant
        var flashAt: LocalInstant?
        var lastNow: LocalInstant
        var coordinators: [SocketAddress] = []
        var stopping = false
        var stats = AgentRuntimeStatistics()
    }

    /// Binds the socket and prepares the core; `start()` starts the threads.
    public init(
        configuration: AgentConfiguration, settings: AgentSettings, output: any LightOutput,
        clock: AgentClock, logger: Logger, onStopRequest: @escaping @Sendable () -> Void = {}
    ) throws(Errno) {
        self.settings = settings
        self.output = output
        self.clock = clock
        self.logger = logger
        self.onStopRequest = onStopRequest
        socket = try RuntimeSocket.open(host: settings.listenHost, port: settings.port)
        let now = clock.now()
        let core = AgentCore<SocketAddress>(configuration: configuration, now: now)
        shared = Mutex(Shared(core: core, shown: nil, wakeAt: now, lastNow: now))
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
            let server = try HTTPServer.start(port: httpPort) { [weak self] path in self?.route(path) }
            http.withLock { $0 = server }
        }
        let timing = try OSThread { [self] in runTiming() }
        let network = try OSThread { [self] in runNetwork() }
        let housekeeping = try OSThread { [self] in runHousekeeping() }
        threads.withLock { $0 = [timing, network, housekeeping] }
    }

    /// Puts the light into its shutdown state at once, then stops every
    /// thread and the HTTP server. Safe to call from a signal callback and
    /// more than once.
    public func stop() {
        output.close()
        let first = shared.withLock { s in defer { s.stopping = true }; return !s.stopping }
        if first { logger.info("stopping", ["aspect": "\(shutdownAspectName)"]) }
        let running = threads.withLock { t in defer { t = [] }; return t }
        for thread in running { thread.join() }
        http.withLock { server in server?.stop(); server = nil }
    }

    private var shutdownAspectName: String {
        (output as? RecordingOutput)?.shutdown.description ?? (output as? GPIOLightOutput)?.shutdown.description ?? "off"
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
        if out.aspect != s.shown {
            if s.shown != nil { s.stats.transitions += 1 }
            s.shown = out.aspect
            show(out.aspect, now: now, in: &s)
        }
        s.flashAt = out.aspect.isFlashing ? nextFlashToggle(after: now, core: s.core) : nil
        for note in out.notes { log(note, core: s.core, now: now) }
        var sends: [([UInt8], SocketAddress)] = []
        for (bytes, destination) in out.sends {
            switch destination {
            case .peer(let address): sends.append((bytes, address))
            case .allCoordinators: for address in s.coordinators { sends.append((bytes, address)) }
            }
        }
        return sends
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
        case let .clockStepped(by):
            logger.warn("clock stepped", ["by_ns": .int(by)])
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
            let received = ReceiveTime.monotonicNanos(of: datagram, clock: MonotonicClock())
            let now = clock.local(fromRaw: received)
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
        while !shared.withLock({ $0.stopping }) {
            clock.sleep(until: clock.now() + 50_000_000)
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
