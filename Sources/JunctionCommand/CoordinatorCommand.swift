import Coordinator
import JunctionCore
import Posix
import Runtime

/// `junction coordinator`: sends phase ticks and the plan to every agent.
enum CoordinatorCommand {
    static let help = """
    usage: junction coordinator --plan FILE [options]

    Conducts the junction: ticks every agent, distributes the plan, adopts the
    running timebase after a restart. Every option also reads a JUNCTION_*
    environment variable (shown in brackets).

      --plan FILE            the signal plan; re-read when it changes and on SIGHUP (JUNCTION_PLAN_FILE)
      --port N               UDP port for agents' reports (default 7071) (JUNCTION_PORT)
      --listen ADDR          address to bind (default 0.0.0.0)
      --agents-service NAME  the agents' headless Service (default agents) (JUNCTION_AGENTS_SERVICE)
      --agent-port N         the agents' UDP port (default 7070) (JUNCTION_AGENT_PORT)
      --agent HOST:PORT      an explicit agent address; repeatable (JUNCTION_AGENT, comma list)
                             given alone, no Service is looked up
      --tick-rate HZ         ticks per second to each agent (default 10) (JUNCTION_TICK_RATE)
      --wall-clock-offset-seconds S
                             TESTING AID: read this node's wall clock S seconds off at start, as a
                             freshly booted board without NTP would (JUNCTION_WALL_CLOCK_OFFSET_SECONDS)
    \(RuntimeOptions.sharedHelp)
    """

    static func run(_ words: [String]) throws -> Int32 {
        let args = try Arguments(
            words, command: "junction coordinator",
            valueOptions: RuntimeOptions.sharedValues.union(["plan", "port", "listen", "agents-service", "agent-port", "agent", "tick-rate", "wall-clock-offset-seconds"]),
            flagOptions: RuntimeOptions.sharedFlags)
        if args.wantsHelp { FileIO.printOut(help + "\n"); return 0 }
        guard args.positional.isEmpty else { throw UsageError(message: "junction coordinator: unexpected argument '\(args.positional[0])'") }
        guard let planPath = args.value("plan", environment: "JUNCTION_PLAN_FILE") else {
            throw UsageError(message: "junction coordinator: give --plan FILE (or JUNCTION_PLAN)")
        }
        let key = try RuntimeOptions.key(args)
        var settings = CoordinatorSettings(planPath: planPath)
        settings.port = try RuntimeOptions.port(args, "port", environment: "JUNCTION_PORT", default: 7071)
        settings.listenHost = args.string("listen", default: "0.0.0.0")
        settings.agentPort = try RuntimeOptions.port(args, "agent-port", environment: "JUNCTION_AGENT_PORT", default: 7070)
        settings.agents = try RuntimeOptions.addresses(args, "agent", environment: "JUNCTION_AGENT")
        let service = args.value("agents-service", environment: "JUNCTION_AGENTS_SERVICE")
        settings.agentsService = service ?? (settings.agents.isEmpty ? "agents" : nil)
        settings.httpPort = try RuntimeOptions.httpPort(args, default: 8081)
        settings.parentPID = try RuntimeOptions.parentPID(args)
        settings.eventLogPath = try RuntimeOptions.eventLog(args)
        let tickRate = try args.double("tick-rate", environment: "JUNCTION_TICK_RATE", default: 10, range: 1...100)
        let wallOffset = try args.double("wall-clock-offset-seconds", environment: "JUNCTION_WALL_CLOCK_OFFSET_SECONDS",
                                         default: 0, range: -1e9...1e9)
        let logger = try RuntimeOptions.logger(args, fields: ["role": "coordinator"])

        // The plan is checked before anything starts: a bad plan never runs.
        let bytes: [UInt8]
        do { bytes = try FileIO.read(planPath) } catch {
            throw CommandFailure(message: "cannot read --plan \(planPath): \(error.description)")
        }
        let plan: SignalPlan
        do { plan = try SignalPlan.load(bytes, source: planPath) } catch {
            throw CommandFailure(message: error.description.split(separator: "\n").joined(separator: "; "))
        }

        let latch = StopLatch()
        let reload = ReloadBox()
        let signals = SignalWatcher { signal in
            if signal == .hangup { reload.fire() } else { latch.request("\(signal)") }
        }
        defer { signals.cancel() }

        var configuration = CoordinatorConfiguration(id: UInt64.random(in: 1...UInt64.max), key: key)
        configuration.tickIntervalNanos = Int64((1e9 / tickRate).rounded())
        let runtime: CoordinatorRuntime
        do {
            runtime = try CoordinatorRuntime(configuration: configuration, plan: plan, planBytes: bytes, settings: settings,
                                             clock: CoordinatorClock(wallClockOffsetNanos: Int64((wallOffset * 1e9).rounded())),
                                             logger: logger) { latch.request("parent gone") }
        } catch {
            throw CommandFailure(message: RuntimeOptions.socketMessage(error, port: settings.port))
        }
        reload.set { runtime.reloadPlan() }
        if wallOffset != 0 { logger.warn("testing aid: wall clock read \(wallOffset) s off at start", ["offset_s": .double(wallOffset)]) }
        if key == nil { logger.warn("running --insecure: datagrams are not authenticated; anyone on the network can change the lights") }
        do { try runtime.start() } catch {
            runtime.shutdown()
            throw CommandFailure(message: "\(error)")
        }
        logger.info("coordinator started", [
            "port": .int(Int64(runtime.port)), "http_port": .int(Int64(runtime.httpPort ?? 0)), "plan": "\(plan.name)",
            "id": "\(String(configuration.id, radix: 16))", "tick_hz": .double(tickRate),
        ])
        let why = latch.wait()
        runtime.shutdown()
        logger.info("coordinator stopped", ["reason": "\(why)"])
        logger.flush()  // lines are written by the logger's thread; let it finish
        return 0
    }
}
