import JunctionCore
import Posix
import Simulation
import Synchronization

/// `junction simulate --virtual --sweep N`: N random scenarios (every fault
/// `Scenario.random` knows, drawn from consecutive seeds), run on `--jobs`
/// threads. Prints each failing seed with the command that replays it, and
/// a one-line tally; exits 1 when any seed failed.
///
/// The same mapping as the test suite's sweep: seed S runs the corridor plan
/// when (S − 1) is a multiple of 3, the crossroads otherwise, unless a plan is
/// given; so a seed that fails here fails there too and vice versa.
enum VirtualSweep {
    struct Failure: Sendable {
        var seed: UInt64
        var replay: String
        var violations: [String]
    }

    static func run(count: Int, firstSeed: UInt64, jobs: Int, hours: Double, plan: (path: String, bytes: [UInt8])?,
                    insecure: Bool) throws -> Int32 {
        let duration = Int64(hours * 3600 * 1e9)
        let next = Atomic<Int>(0)
        let failures = Mutex<[Failure]>([])
        let started = MonotonicClock().nowNanos()
        let body: @Sendable () -> Void = {
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                let seed = firstSeed + UInt64(index)
                if let failure = runOne(seed: seed, duration: duration, hours: hours, plan: plan, insecure: insecure) {
                    FileIO.printOut(failureText(failure))
                    failures.withLock { $0.append(failure) }
                }
            }
        }
        var threads: [OSThread] = []
        for _ in 1..<max(jobs, 1) { threads.append(try OSThread(body)) }
        body()
        for t in threads { t.join() }
        let seconds = Double(MonotonicClock().nowNanos() - started) / 1e9
        let failed = failures.withLock { $0.map(\.seed).sorted() }
        let last = firstSeed + UInt64(count) - 1
        FileIO.printOut("sweep: seeds \(firstSeed)...\(last), \(count - failed.count) passed, \(failed.count) failed"
            + " (\(formatDecimal(seconds)) s wall, \(max(jobs, 1)) jobs)"
            + (failed.isEmpty ? "" : "; failing seeds: \(failed.map(String.init).joined(separator: " "))") + "\n")
        return failed.isEmpty ? 0 : 1
    }

    /// One scenario; nil when every invariant held.
    static func runOne(seed: UInt64, duration: Int64, hours: Double, plan: (path: String, bytes: [UInt8])?,
                       insecure: Bool) -> Failure? {
        let corridor = (seed &- 1) % 3 == 0
        let bytes = plan?.bytes ?? Array((corridor ? ExamplePlans.corridor : ExamplePlans.crossroads).utf8)
        var scenario = Scenario.random(seed: seed, durationNanos: duration, planBytes: bytes)
        scenario.authenticated = !insecure
        var replay = "junction simulate --virtual --random --seed \(seed) --hours \(hours)"
        if let plan { replay += " --plan \(plan.path)" } else if corridor { replay += " --plan plans/corridor.json" }
        if insecure { replay += " --insecure" }
        do {
            var simulation = try ClusterSimulation(scenario: scenario)
            let report = simulation.run()
            guard !report.passed else { return nil }
            return Failure(seed: seed, replay: replay,
                           violations: report.violations.prefix(3).map { "\($0)" })
        } catch {
            return Failure(seed: seed, replay: replay, violations: ["the scenario could not start: \(error)"])
        }
    }

    static func failureText(_ f: Failure) -> String {
        "FAIL seed \(f.seed): \(f.replay)\n" + f.violations.map { "    \($0)\n" }.joined()
    }

    private static func formatDecimal(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return "\(tenths)"
    }
}
