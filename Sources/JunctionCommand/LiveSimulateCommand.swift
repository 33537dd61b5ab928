import JunctionCore
import Posix
import Synchronization

/// `junction simulate`: the whole junction on this machine, as real
/// processes on loopback, drawn live in the terminal.
enum LiveSimulateCommand {
    static let help = """
    usage: junction simulate [--agents N] [--plan FILE] [--duration SECONDS] [--base-port N]
           junction simulate --virtual ...   (the seeded, simulated-time run)

    Starts one coordinator and N agents (default 4) as child processes on
    127.0.0.1, each agent with its own injected clock drift (±50..200 ppm) and
    a fresh random key, and shows every head live. On a terminal:

      k  kill the coordinator (SIGKILL)     r  restart it
      +  add an agent                       -  remove the newest agent
      q  quit (also Ctrl-C)

    Without a terminal it prints one status line per second. Either way the
    coordinator's web view is at http://127.0.0.1:<base-port + 990>/ (the
    URL is printed), and 'junction status --coordinator' reads the same.

      --agents N        agents to start (1..32, default 4)
      --plan FILE       the plan (default plans/crossroads.json)
      --duration S      stop after S seconds (default: until q or Ctrl-C)
      --base-port N     agents use UDP N+i and HTTP N+1000+i, the coordinator
                        UDP N-10 and HTTP N+990 (default 17070)
    """

    static func run(_ words: [String]) throws -> Int32 {
        let args = try Arguments(words, command: "junction simulate",
                                 valueOptions: ["agents", "plan", "duration", "base-port"], flagOptions: [])
        if args.wantsHelp { FileIO.printOut(help + "\n"); return 0 }
        guard args.positional.isEmpty else { throw UsageError(message: "junction simulate: unexpected argument '\(args.positional[0])'") }
        let count = try args.integer("agents", default: 4, range: 1...32)
        let planPath = args.string("plan", default: "plans/crossroads.json")
        let duration = try args.double("duration", default: 0, range: 0...1e7)
        let basePort = try args.integer("base-port", default: 17070, range: 1024...60000)
        let plan = try PlanCommand.load(planPath)
        guard let executable = ChildProcess.currentExecutablePath() else {
            throw CommandFailure(message: "cannot find this executable (/proc/self/exe); run junction from a Linux filesystem")
        }

        let stop = Atomic<Bool>(false)
        let signals = SignalWatcher([.terminate, .interrupt]) { _ in stop.store(true, ordering: .relaxed) }
        defer { signals.cancel() }

        let cluster = try LiveCluster(executable: executable, planPath: planPath, basePort: UInt16(basePort))
        defer { cluster.stopAll() }
        for _ in 0..<count { try cluster.addAgent() }
        try cluster.startCoordinator()

        let interactive = FileIO.isTerminal(1) && FileIO.isTerminal(0)
        let keys = interactive ? TerminalInput() : nil
        defer { keys?.restore() }
        let colour = TerminalStyle.supportsColour(fd: 1)
        if interactive { FileIO.printOut("\u{1B}[?25l\u{1B}[2J") }
        defer { if interactive { FileIO.printOut("\u{1B}[?25h\n") } }

        let clock = MonotonicClock()
        let start = clock.nowNanos()
        let webView = "http://127.0.0.1:\(cluster.coordinatorHTTPPort)/"
        var message = "web view: \(webView)   logs in \(cluster.directory)"
        if !interactive { FileIO.printOut("web view: \(webView)  (or: junction status --coordinator \(webView))\n") }
        var nextLine = start
        while !stop.load(ordering: .relaxed) {
            let now = clock.nowNanos()
            let elapsed = Double(now - start) / 1e9
            if duration > 0 && elapsed >= duration { break }
            for ended in cluster.reap() { message = "\(ended)" }
            let view = LiveView.fetch(cluster)
            if interactive {
                FileIO.printOut(view.frame(elapsedSeconds: elapsed, planName: plan.name, message: message, colour: colour,
                                           timebase: TimebaseInstant(nanos: clock.realtimeNanos())))
            } else if now >= nextLine {
                nextLine += 1_000_000_000
                FileIO.printOut(view.line(elapsedSeconds: elapsed) + "\n")
            }
            let frameEnd = now + 100_000_000
            if let keys {
                while let key = keys.readKey(timeoutNanos: max(0, frameEnd - clock.nowNanos())) {
                    if key == UInt8(ascii: "q") { stop.store(true, ordering: .relaxed); break }
                    message = try press(key, cluster: cluster)
                }
            }
            clock.sleep(untilNanos: frameEnd)
        }
        return 0
    }

    private static func press(_ key: UInt8, cluster: LiveCluster) throws -> String {
        switch key {
        case UInt8(ascii: "k"):
            cluster.killCoordinator()
            return "coordinator killed (SIGKILL): agents hold over on their learned clocks"
        case UInt8(ascii: "r"):
            guard cluster.coordinator == nil else { return "coordinator already running" }
            try cluster.startCoordinator()
            return "coordinator restarted: it adopts the agents' timebase"
        case UInt8(ascii: "+"):
            guard cluster.agents.count < 32 else { return "32 agents is the limit here" }
            try cluster.addAgent()
            return "agent \(cluster.agents.last!.ordinal) added"
        case UInt8(ascii: "-"):
            cluster.removeAgent()
            return "newest agent removed (SIGTERM)"
        default:
            return ""
        }
    }
}
