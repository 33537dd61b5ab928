import JunctionCore
import Posix
import Simulation

/// `junction simulate --virtual`: the whole cluster in virtual time from a
/// seed, with faults as options; exits 1 on any invariant violation and
/// prints how to replay it.
enum VirtualSimulateCommand {
    static let help = """
    usage: junction simulate --virtual [options]

    Runs a coordinator and N agents in virtual time (no sockets, no waiting),
    carrying real encoded datagrams over a simulated lossy network, and checks
    every invariant against true time. The same seed replays the same run.

      --agents N            agents (default 16)
      --hours H             virtual duration in hours (default 1; fractions allowed)
      --seed S              the run's seed (default 1)
      --plan FILE           signal plan (default: the built-in crossroads)
      --loss P              datagram loss probability 0..0.9 (default 0.2)
      --jitter-ms J         uniform extra delay 0..J ms each way (default 2)
      --jitter-back-ms J    ... towards the coordinator, when different (asymmetry)
      --drift-ppm D         agents' crystals within ±D ppm (default 200)
      --floor-wander-us U   the least delay each way wanders over 0..U µs, the two ways out
                            of phase (default 100; 0 for a constant floor)
      --floor-period-s P    ... over this period (default 150)
      --duplicate P         duplication probability (default 0)
      --partition-s S       cut every agent off for S seconds at a third of the run
      --kill-coordinator N  kill the coordinator N times, 5 s down each, replacement clock off by up to 10 s
      --kill-agents N       kill N random agents once each (3 s down)
      --second-coordinator  start a second coordinator at a quarter of the run
      --target-skew-ms M    lockstep invariant (default 1)
      --random              draw every fault from the seed instead (the sweep's scenarios)
      --insecure            no HMAC (faster; the datagrams are still encoded)
      --sweep N             run N --random scenarios from --seed on (default 90 s each; --hours
                            overrides) and print every failing seed with its replay command
      --jobs J              threads for --sweep (default 1)
    """

    static func run(_ words: [String]) throws -> Int32 {
        let args = try Arguments(words, command: "junction simulate --virtual",
                                 valueOptions: ["agents", "hours", "seed", "plan", "loss", "jitter-ms", "jitter-back-ms", "drift-ppm",
                                                "floor-wander-us", "floor-period-s",
                                                "duplicate", "partition-s", "kill-coordinator", "kill-agents", "target-skew-ms", "sweep", "jobs"],
                                 flagOptions: ["virtual", "second-coordinator", "random", "insecure"])
        if args.wantsHelp { FileIO.printOut(help + "\n"); return 0 }
        if let extra = args.positional.first { throw UsageError(message: "junction simulate: unexpected argument '\(extra)'") }
        let planBytes: [UInt8]
        if let path = args.value("plan") {
            _ = try PlanCommand.load(path)
            planBytes = try FileIO.read(path)
        } else {
            planBytes = Array(ExamplePlans.crossroads.utf8)
        }
        let seedText = args.string("seed", default: "1")
        guard let seed = UInt64(seedText) else { throw UsageError(message: "junction simulate: --seed must be a whole number, got \"\(seedText)\"") }
        if args.value("sweep") != nil {
            return try VirtualSweep.run(
                count: try args.integer("sweep", default: 1_000, range: 1...10_000_000), firstSeed: seed,
                jobs: try args.integer("jobs", default: 1, range: 1...256),
                hours: try args.double("hours", default: 0.025, range: 0.001...1000),
                plan: args.value("plan").map { ($0, planBytes) }, insecure: args.flag("insecure"))
        }
        let hours = try args.double("hours", default: 1, range: 0.001...1000)
        let duration = Int64(hours * 3600) * .nanosPerSecond
        var scenario: Scenario
        if args.flag("random") {
            scenario = Scenario.random(seed: seed, durationNanos: duration, planBytes: planBytes)
        } else {
            scenario = Scenario(seed: seed, agentCount: try args.integer("agents", default: 16, range: 1...10_000),
                                durationNanos: duration, planBytes: planBytes)
            try configureFaults(&scenario, args)
        }
        scenario.authenticated = !args.flag("insecure")
        var simulation = try ClusterSimulation(scenario: scenario)
        if FileIO.environment("JUNCTION_SIM_TRACE") != nil { simulation.debugTrace = { FileIO.printError($0 + "\n") } }
        let started = MonotonicClock().nowNanos()
        var report = simulation.run()
        report.wallSeconds = Double(MonotonicClock().nowNanos() - started) / 1e9
        if FileIO.environment("JUNCTION_SIM_TRACE") != nil { report.eventLimit = 2000 }
        FileIO.printOut(report.summary() + "\n")
        return report.passed ? 0 : 1
    }

    private static func configureFaults(_ s: inout Scenario, _ args: Arguments) throws {
        let ms = Double(Int64.nanosPerMillisecond)
        s.network.lossProbability = try args.double("loss", default: 0.2, range: 0...0.9)
        let jitter = try args.double("jitter-ms", default: 2, range: 0...1000)
        s.network.jitterToAgentNanos = Int64(jitter * ms)
        s.network.jitterToCoordinatorNanos = Int64(try args.double("jitter-back-ms", default: jitter, range: 0...1000) * ms)
        s.maxDriftPPM = try args.double("drift-ppm", default: 200, range: 0...1000)
        s.network.floorWander = .init(
            peakToPeakNanos: Int64(try args.double("floor-wander-us", default: 100, range: 0...100_000) * 1_000),
            periodNanos: Int64(try args.double("floor-period-s", default: 150, range: 1...86_400) * 1e9))
        s.network.duplicateProbability = try args.double("duplicate", default: 0, range: 0...0.5)
        s.targetSkewNanos = Int64(try args.double("target-skew-ms", default: 1, range: 0.001...10_000) * ms)
        let third = s.durationNanos / 3
        let partition = try args.double("partition-s", default: 0, range: 0...1_000_000)
        if partition > 0 {
            s.network.partitions.append(.init(startNanos: third, endNanos: third + Int64(partition * 1e9), agents: []))
        }
        let kills = try args.integer("kill-coordinator", default: 0, range: 0...1000)
        var r = SimulationRandom(seed: s.seed, stream: 77)
        for n in 0..<kills {
            let at = s.durationNanos / Int64(kills + 1) * Int64(n + 1)
            s.coordinatorOutages.append(.init(atNanos: at, downNanos: 5 * .nanosPerSecond,
                                              replacementClockOffsetNanos: r.upTo(20 * .nanosPerSecond) - 10 * .nanosPerSecond))
        }
        for n in 0..<(try args.integer("kill-agents", default: 0, range: 0...10_000)) {
            let at = s.durationNanos / 2 + Int64(n) * 7 * .nanosPerSecond
            s.agentKills.append(.init(agent: Int(r.upTo(Int64(s.agentCount - 1))), atNanos: at, downNanos: 3 * .nanosPerSecond))
        }
        if args.flag("second-coordinator") { s.secondCoordinatorAtNanos = s.durationNanos / 4 }
    }
}
