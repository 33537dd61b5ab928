import Coordinator
import JunctionCore
import Posix
import Protocol
import Synchronization

/// Runs a `CoordinatorCore` on a real socket and clock.
///
/// Its clock is `CoordinatorClock`: `CLOCK_MONOTONIC_RAW` plus the wall
/// clock read once at start, which makes a fresh cluster's timebase
/// wall-clock time while an NTP step or slew on the node later moves or
/// bends nothing; a replacement coordinator adopts whatever the agents run
/// instead. Sleeps are absolute `CLOCK_MONOTONIC` sleeps aimed at the raw
/// deadline (`RawClockSleep`), re-planned at least every 50 ms. The network
/// thread hands reports with their kernel receive stamps (moved to the
/// monotonic clock) to the core; a housekeeping thread resolves the agents'
/// Service and watches the plan file.
public final class CoordinatorRuntime: Sendable {
    public let settings: CoordinatorSettings
    let socket: UDPSocket
    let clock: CoordinatorClock
    let logger: Logger
    let shared: Mutex<Shared>
    let web: CoordinatorWeb
    private let threads = Mutex<[OSThread]>([])
    /// Sends the second half of large rounds (`SendSplit`) while it runs.
    private let helper = Mutex<HelperSender?>(nil)
    private let http = Mutex<HTTPServer?>(nil)
    private let onStopRequest: @Sendable () -> Void

    struct Shared {
        var core: CoordinatorCore<SocketAddress>
        var wakeAt: LocalInstant
        var lastNow: LocalInstant
        var planFile: FileModification?
        var stopping = false
        var stats = CoordinatorRuntimeStatistics()
    }

    /// Binds the socket and starts the core with an already validated plan.
    public init(
        configuration: CoordinatorConfiguration, plan: SignalPlan, planBytes: [UInt8], settings: CoordinatorSettings,
        clock: CoordinatorClock = CoordinatorClock(), logger: Logger, onStopRequest: @escaping @Sendable () -> Void = {}
    ) throws(Errno) {
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.onStopRequest = onStopRequest
        socket = try RuntimeSocket.open(host: settings.listenHost, port: settings.port)
        let now = clock.now()
        // The page's start time: the core's clock reads the wall clock once at start.
        web = try CoordinatorWeb(eventLogPath: settings.eventLogPath, coordinatorID: configuration.id, startedAt: now.nanos)
        let core = CoordinatorCore<SocketAddress>(configuration: configuration, plan: plan, planBytes: planBytes, now: now)
        shared = Mutex(Shared(core: core, wakeAt: now, lastNow: now, planFile: FileIO.modification(settings.planPath)))
    }

    public var port: UInt16 { (try? socket.localAddress().port) ?? settings.port }
    public var httpPort: UInt16? { http.withLock { $0?.port } }

    /// Discovers agents once and starts the HTTP server and the threads.
    public func start() throws {
        discover()
        if let httpPort = settings.httpPort {
            let server = try HTTPServer.serve(port: httpPort) { [weak self] request in self?.serve(request) }
            http.withLock { $0 = server }
        }
        // The helper first: the timer's first round may be a large one.
        let sender = try HelperSender { [socket, clock] run in Self.transmit(run, socket: socket, clock: clock) }
        helper.withLock { $0 = sender }
        let timer = try OSThread(name: "junction-timer") { [self] in runTimer() }
        let network = try OSThread(name: "junction-net") { [self] in runNetwork() }
        let housekeeping = try OSThread(name: "junction-house") { [self] in runHousekeeping() }
        threads.withLock { $0 = [timer, network, housekeeping] }
    }

    /// SIGTERM: says goodbye (so agents switch source at once), then stops
    /// every thread. Idempotent.
    public func shutdown() {
        let sends = shared.withLock { s -> [CoordinatorSend<SocketAddress>] in
            guard !s.stopping else { return [] }
            let out = handleLocked(&s, .shutdown, now: now())
            s.stopping = true
            return out
        }
        send(sends)
        let running = threads.withLock { t in defer { t = [] }; return t }
        for thread in running { thread.join() }
        helper.withLock { h in defer { h = nil }; return h }?.stop()
        http.withLock { server in server?.stop(); server = nil }
        web.events.stop()
    }

    /// SIGHUP: re-reads the plan file now.
    public func reloadPlan() { readPlan(reason: "SIGHUP") }

    func now() -> LocalInstant { clock.now() }

    // MARK: Core

    func handleLocked(_ s: inout Shared, _ event: CoordinatorEvent<SocketAddress>, now reading: LocalInstant) -> [CoordinatorSend<SocketAddress>] {
        // A kernel receive stamp can be older than a timer already handled:
        // the core's time never runs back.
        let now = max(reading, s.lastNow)
        s.lastNow = now
        let out = web.run(event, on: &s.core, now: now)
        s.wakeAt = out.wakeAt
        for note in out.notes { log(note) }
        return out.sends
    }

    /// Seals and sends, outside the lock, each datagram as it leaves: a tick
    /// late in a long round carries the time it left (`CoordinatorSend`). A
    /// large round goes out on two threads (`SendSplit`, `HelperSender`).
    func send(_ sends: [CoordinatorSend<SocketAddress>]) {
        guard !sends.isEmpty else { return }
        let failures = helper.withLock { $0 }?.send(sends) ?? Self.transmit(sends[...], socket: socket, clock: clock)
        let sent = UInt64(sends.count)
        shared.withLock { s in
            s.stats.datagramsSent += sent - failures
            s.stats.sendErrors += failures
        }
    }

    /// Seals each datagram of `run` as it leaves and sends it; returns how
    /// many could not be sealed or sent.
    static func transmit(_ run: ArraySlice<CoordinatorSend<SocketAddress>>, socket: UDPSocket, clock: CoordinatorClock) -> UInt64 {
        var failures: UInt64 = 0
        for datagram in run {
            let bytes = datagram.bytes(leavingAt: clock.now())
            guard !bytes.isEmpty else { failures += 1; continue }
            do { try socket.send(bytes, to: datagram.to) } catch { failures += 1 }
        }
        return failures
    }

    private func log(_ note: CoordinatorNote) {
        switch note {
        case let .adopted(offset, agents, term):
            logger.info("adopted timebase", ["offset_ns": .int(offset), "agents": .int(Int64(agents)), "term": .int(Int64(term))])
        case let .startedOwnTimebase(term):
            logger.info("started own timebase", ["term": .int(Int64(term))])
        case let .agentJoined(instance, ordinal):
            logger.info("agent joined", ["instance": "\(String(instance, radix: 16))", "ordinal": .int(Int64(ordinal))])
        case let .agentForgotten(instance):
            logger.info("agent forgotten", ["instance": "\(String(instance, radix: 16))"])
        case let .planScheduled(id, name, activation):
            logger.info("plan accepted", ["plan": "\(String(id, radix: 16))", "name": "\(name)", "activation_ns": .int(activation.nanos)])
        case let .planRefused(reason):
            logger.warn("plan refused", ["reason": "\(reason)"])
        case let .planLearned(id, name):
            logger.info("plan learned from agents", ["plan": "\(String(id, radix: 16))", "name": "\(name)"])
        case let .plan(event):
            logger.info("plan", ["event": "\(event)"])
        case let .conflict(text):
            logger.error("conflict", ["detail": "\(text)"])
        case let .silentHead(text):
            logger.error("silent head", ["detail": "\(text)"])
        case .goodbyeSent:
            logger.info("goodbye sent")
        }
    }

    // MARK: Threads

    private func runTimer() {
        while true {
            let (wakeAt, stopping) = shared.withLock { s in (s.wakeAt, s.stopping) }
            if stopping { return }
            let wait = min(50_000_000, max(0, wakeAt - now()))
            clock.sleep(until: now() + wait)
            let sends = shared.withLock { s -> [CoordinatorSend<SocketAddress>] in
                let now = now()
                guard !s.stopping, now >= s.wakeAt else { return [] }
                return handleLocked(&s, .timer, now: now)
            }
            send(sends)
        }
    }

    private func runNetwork() {
        while true {
            let stopping = shared.withLock { $0.stopping }
            if stopping { return }
            let datagram: ReceivedDatagram?
            do { datagram = try socket.receive(timeoutNanos: 50_000_000) } catch {
                logger.error("receive failed", ["error": "\(error.description)"])
                clock.sleep(until: now() + 100_000_000)
                continue
            }
            guard let datagram else { continue }
            let at = clock.arrival(of: datagram)
            let sends = shared.withLock { s -> [CoordinatorSend<SocketAddress>] in
                guard !s.stopping else { return [] }
                s.stats.record(datagram)
                return handleLocked(&s, .datagram(datagram.bytes, from: datagram.source), now: at)
            }
            send(sends)
        }
    }

    private func runHousekeeping() {
        var nextDiscovery = now() + settings.discoveryIntervalNanos
        var nextPlanPoll = now() + settings.planPollIntervalNanos
        while !shared.withLock({ $0.stopping }) {
            clock.sleep(until: now() + 50_000_000)
            if let parent = settings.parentPID, ChildProcess.parentID != parent {
                logger.warn("parent process gone, stopping", ["parent_pid": .int(Int64(parent))])
                onStopRequest()
                return
            }
            let t = now()
            if t >= nextDiscovery {
                nextDiscovery = t + settings.discoveryIntervalNanos
                discover()
            }
            if t >= nextPlanPoll {
                nextPlanPoll = t + settings.planPollIntervalNanos
                let current = FileIO.modification(settings.planPath)
                let changed = shared.withLock { s in current != nil && current != s.planFile }
                if changed { readPlan(reason: "file changed") }
            }
        }
    }

    /// Resolves the agents' Service plus the explicit addresses and tells the
    /// core. A failed lookup tells it nothing, so a DNS hiccup does not make
    /// it forget agents.
    func discover() {
        var found = AddressUnion()
        var failed = false
        var names: [(String, UInt16)] = []
        if let service = settings.agentsService { names.append((service, settings.agentPort)) }
        for entry in settings.agents { if let (host, port) = SocketAddress.splitHostPort(entry) { names.append((host, port)) } }
        for (host, port) in names {
            do {
                for address in try AddressResolver.resolve(host: host, port: port) where socket.isIPv6 || address.isIPv4 {
                    found.add(address)
                }
            } catch {
                failed = true
                logger.debug("agent lookup failed", ["error": "\(error.description)"])
            }
        }
        if failed && found.addresses.isEmpty { return }
        let sends = shared.withLock { s -> [CoordinatorSend<SocketAddress>] in
            guard !s.stopping else { return [] }
            return handleLocked(&s, .discovered(found.addresses), now: now())
        }
        send(sends)
    }

    private func readPlan(reason: String) {
        let modification = FileIO.modification(settings.planPath)
        let bytes: [UInt8]
        do { bytes = try FileIO.read(settings.planPath) } catch {
            logger.warn("plan file unreadable, the running plan goes on", ["path": "\(settings.planPath)", "error": "\(error.description)"])
            return
        }
        logger.debug("plan file read", ["path": "\(settings.planPath)", "reason": "\(reason)"])
        let sends = shared.withLock { s -> [CoordinatorSend<SocketAddress>] in
            s.planFile = modification
            guard !s.stopping else { return [] }
            return handleLocked(&s, .planFile(bytes, source: settings.planPath), now: now())
        }
        send(sends)
    }
}
