import GPIO
import JunctionCore
import NodeAgent
import Posix
import Runtime

/// `junction agent`: one board's NodeAgent. Follows the coordinator's
/// timebase and drives this board's light in lockstep with the others.
enum AgentCommand {
    static let help = """
    usage: junction agent [options]

    Follows the coordinator's ticks and drives one signal head. Every option
    also reads a JUNCTION_* environment variable (shown in brackets).

      --port N               UDP port for ticks (default 7070) (JUNCTION_PORT)
      --listen ADDR          address to bind (default 0.0.0.0)
      --coordinator-service NAME  coordinator Service to send Hello/reports to (default coordinator)
                             (JUNCTION_COORDINATOR_SERVICE)
      --coordinator-port N   the coordinator's UDP port (default 7071)
      --coordinator HOST:PORT  an explicit coordinator address; repeatable (JUNCTION_COORDINATOR, comma list)
                             given alone, no Service is looked up
      --board NAME           this board (default JUNCTION_BOARD, else NODE_NAME)
      --ordinal N            StatefulSet ordinal (default from HOSTNAME like agents-2, else 0)
      --ordinal-heads        with --output gpio, let the ordinal pick a head when the plan names
                             no head for this board (demos only: the light a pod drives then
                             depends on where it was scheduled) (JUNCTION_ORDINAL_HEADS)
      --output KIND          gpio, record, terminal or none (default terminal) (JUNCTION_OUTPUT)
      --chip CHIP            GPIO chip: auto, gpiochipN, /dev/gpiochipN or a label (JUNCTION_CHIP)
      --pins A,B,C           GPIO lines (default 2,3,4) (JUNCTION_PINS)
      --wiring three|rgb     three LEDs or one RGB module (JUNCTION_WIRING)
      --active-low           lamps light when the line is low (JUNCTION_ACTIVE_LOW)
      --record FILE          with --output record: JSON lines of aspect changes (JUNCTION_RECORD)
      --shutdown-aspect A    off or red: shown on SIGTERM/SIGINT (default red) (JUNCTION_SHUTDOWN_ASPECT)
      --watchdog PATH        pet the hardware watchdog (e.g. /dev/watchdog) from the timing thread:
                             a dead or wedged agent resets its board (see README) (JUNCTION_WATCHDOG)
      --realtime             the timing thread on SCHED_FIFO, memory locked, timer slack 1 ns, the
                             last 300 us before each change waited out awake; needs
                             CAP_SYS_NICE and CAP_IPC_LOCK (JUNCTION_REALTIME)
      --realtime-priority N  its SCHED_FIFO priority, 1-99 (default 50) (JUNCTION_REALTIME_PRIORITY)
      --realtime-cpu N       also pin it to CPU N (JUNCTION_REALTIME_CPU)
      --clock-drift-ppm X    TESTING AID: skew this agent's view of its own clock by X ppm
      --testing-trap-after-seconds S  TESTING AID: after S s, crash (a Swift trap) when the head next shows green
    \(RuntimeOptions.sharedHelp)
    """

    static func run(_ words: [String]) throws -> Int32 {
        let args = try Arguments(
            words, command: "junction agent",
            valueOptions: RuntimeOptions.sharedValues.union([
                "port", "listen", "coordinator-service", "coordinator-port", "coordinator", "board", "ordinal",
                "output", "chip", "pins", "wiring", "record", "shutdown-aspect", "clock-drift-ppm",
                "watchdog", "testing-trap-after-seconds",
                "realtime-priority", "realtime-cpu",
            ]),
            flagOptions: RuntimeOptions.sharedFlags.union(["active-low", "ordinal-heads", "realtime"]))
        if args.wantsHelp { FileIO.printOut(help + "\n"); return 0 }
        guard args.positional.isEmpty else { throw UsageError(message: "junction agent: unexpected argument '\(args.positional[0])'") }

        let key = try RuntimeOptions.key(args)
        let board = args.value("board", environment: "JUNCTION_BOARD") ?? FileIO.environment("NODE_NAME")
        let ordinal = try args.integer("ordinal", default: ordinalFromHostname(), range: 0...1_000_000)
        let shutdownText = args.string("shutdown-aspect", environment: "JUNCTION_SHUTDOWN_ASPECT", default: "red")
        guard let shutdown = ShutdownAspect(name: shutdownText) else {
            throw UsageError(message: "junction agent: --shutdown-aspect must be off or red, got \"\(shutdownText)\"")
        }
        var settings = AgentSettings()
        settings.port = try RuntimeOptions.port(args, "port", environment: "JUNCTION_PORT", default: 7070)
        settings.listenHost = args.string("listen", default: "0.0.0.0")
        settings.coordinatorPort = try RuntimeOptions.port(args, "coordinator-port", environment: "JUNCTION_COORDINATOR_PORT", default: 7071)
        settings.coordinators = try RuntimeOptions.addresses(args, "coordinator", environment: "JUNCTION_COORDINATOR")
        let service = args.value("coordinator-service", environment: "JUNCTION_COORDINATOR_SERVICE")
        settings.coordinatorService = service ?? (settings.coordinators.isEmpty ? "coordinator" : nil)
        settings.httpPort = try RuntimeOptions.httpPort(args, default: 8080)
        settings.parentPID = try RuntimeOptions.parentPID(args)
        settings.eventLogPath = try RuntimeOptions.eventLog(args)
        settings.realtime = try realtimeSettings(args)
        let drift = try args.double("clock-drift-ppm", default: 0, range: -500...500)
        if args.value("testing-trap-after-seconds") != nil {
            let seconds = try args.double("testing-trap-after-seconds", default: 0, range: 0...86_400)
            settings.testingTrapAfterNanos = Int64(seconds * 1e9)
        }
        let head = board ?? "agent-\(ordinal)"
        let logger = try RuntimeOptions.logger(args, fields: ["role": "agent", "ordinal": .int(Int64(ordinal))])

        // A dead stdout reader must not kill the agent with its lamps lit;
        // a fatal signal puts every head into its shutdown aspect first.
        FatalSignals.ignoreBrokenPipe()
        do { try CrashSafeLamps.install() } catch { throw CommandFailure(message: "junction agent: \(error.description)") }
        if let realtime = settings.realtime {
            // Locked before the threads start (their stacks are locked as they
            // are made); the per-thread settings are tried on a probe thread so
            // a missing right stops the agent here, with its name.
            do throws(RealtimeError) {
                try realtime.lockProcessMemory()
                try realtime.probe()
            } catch {
                logger.flush()
                throw CommandFailure(message: error.description)
            }
        }
        // Before any thread starts, so every thread inherits the blocked signals.
        let latch = StopLatch()
        let signals = SignalWatcher([.terminate, .interrupt]) { signal in latch.request("\(signal)") }
        defer { signals.cancel() }

        let watchdog: Watchdog?
        if let path = args.value("watchdog", environment: "JUNCTION_WATCHDOG") {
            do { watchdog = try Watchdog(path: path) } catch {
                throw CommandFailure(message: "junction agent: cannot open the watchdog: \(error.description) (is --watchdog the right device, and may the agent write it?)")
            }
        } else {
            watchdog = nil
        }
        let output = try makeOutput(args, head: head, shutdown: shutdown)
        var configuration = AgentConfiguration(ordinal: ordinal, board: board, instance: UInt64.random(in: 1...UInt64.max), key: key)
        configuration.startupAspect = .red
        let outputKind = args.string("output", environment: "JUNCTION_OUTPUT", default: "terminal")
        configuration.ordinalHeads = outputKind != "gpio" || args.flag("ordinal-heads", environment: "JUNCTION_ORDINAL_HEADS")
        let runtime: AgentRuntime
        do {
            runtime = try AgentRuntime(configuration: configuration, settings: settings, output: output,
                                       clock: AgentClock(driftPPM: drift), logger: logger, watchdog: watchdog) { latch.request("parent gone") }
        } catch {
            output.close()
            throw CommandFailure(message: RuntimeOptions.socketMessage(error, port: settings.port))
        }
        if !configuration.ordinalHeads {
            logger.info("lamps follow only the plan's head for this board; they flash while the plan names none",
                        ["board": "\(board ?? "")"])
            if board == nil { logger.warn("no board name (NODE_NAME or --board): with --output gpio and no --ordinal-heads the light can only flash") }
        }
        if key == nil { logger.warn("running --insecure: datagrams are not authenticated; anyone on the network can change the lights") }
        do { try runtime.start() } catch {
            runtime.stop()
            throw CommandFailure(message: "\(error)")
        }
        logger.info("agent started", [
            "port": .int(Int64(runtime.port)), "http_port": .int(Int64(runtime.httpPort ?? 0)), "board": "\(board ?? "")",
            "instance": "\(String(configuration.instance, radix: 16))", "drift_ppm": .double(drift), "output": "\(args.string("output", environment: "JUNCTION_OUTPUT", default: "terminal"))",
        ])
        let why = latch.wait()
        runtime.stop()
        logger.info("agent stopped", ["reason": "\(why)"])
        logger.flush()
        return 0
    }

    /// `--realtime` and its options; nil when off. Priority and CPU without
    /// `--realtime` are a usage error (they would silently do nothing).
    static func realtimeSettings(_ args: Arguments) throws(UsageError) -> RealtimeScheduling? {
        let on = args.flag("realtime", environment: "JUNCTION_REALTIME")
        let priority = try args.integer("realtime-priority", environment: "JUNCTION_REALTIME_PRIORITY", default: 50,
                                        range: Int(RealtimeScheduling.priorityRange.lowerBound)...Int(RealtimeScheduling.priorityRange.upperBound))
        let cpuText = args.value("realtime-cpu", environment: "JUNCTION_REALTIME_CPU")
        let cpu: Int? = cpuText == nil ? nil : try args.integer("realtime-cpu", environment: "JUNCTION_REALTIME_CPU", default: 0, range: 0...1023)
        guard on else {
            if args.value("realtime-priority") != nil || args.value("realtime-cpu") != nil {
                throw UsageError(message: "junction agent: --realtime-priority and --realtime-cpu need --realtime")
            }
            return nil
        }
        return RealtimeScheduling(priority: Int32(priority), cpu: cpu)
    }

    /// `agents-2` → 2: the StatefulSet pod name carries the ordinal.
    static func ordinalFromHostname() -> Int {
        guard let host = FileIO.environment("HOSTNAME"), let dash = host.lastIndex(of: "-") else { return 0 }
        return Int(host[host.index(after: dash)...]) ?? 0
    }

    static func makeOutput(_ args: Arguments, head: String, shutdown: ShutdownAspect) throws -> any LightOutput {
        let kind = args.string("output", environment: "JUNCTION_OUTPUT", default: "terminal")
        do {
            switch kind {
            case "gpio":
                let wiring = try HeadWiring.parse(
                    wiring: args.value("wiring", environment: "JUNCTION_WIRING"), pins: args.value("pins", environment: "JUNCTION_PINS"),
                    activeLow: args.flag("active-low", environment: "JUNCTION_ACTIVE_LOW"))
                let chip = GPIOChipSelector(parsing: args.string("chip", environment: "JUNCTION_CHIP", default: "auto"))
                return try GPIOLightOutput(chip: chip, wiring: wiring, head: head, shutdown: shutdown)
            case "record":
                guard let path = args.value("record", environment: "JUNCTION_RECORD") else {
                    throw UsageError(message: "junction agent: --output record needs --record FILE")
                }
                return try RecordingOutput(path: path, head: head, shutdown: shutdown)
            case "terminal":
                return TerminalOutput(head: head, shutdown: shutdown)
            case "none":
                return DiscardingOutput(head: head)
            default:
                throw UsageError(message: "junction agent: --output must be gpio, record, terminal or none, got \"\(kind)\"")
            }
        } catch let error as WiringSpecError {
            throw UsageError(message: "junction agent: \(error.description)")
        } catch let error as LightOutputError {
            throw CommandFailure(message: error.description)
        }
    }
}
