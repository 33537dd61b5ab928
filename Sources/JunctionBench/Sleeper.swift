import Posix

/// `JunctionBench sleeper START PERIOD COUNT FILE`: the floor of lockstep.
///
/// A bare process that sleeps with `clock_nanosleep(CLOCK_MONOTONIC,
/// TIMER_ABSTIME)` to `START + k * PERIOD` (nanoseconds on CLOCK_MONOTONIC)
/// and writes each instant it woke at, one per line, to FILE. `scripts/bench
/// lockstep` starts N of them beside N agents, all aimed at the same
/// instants: how far apart they wake is what the scheduler alone costs, the
/// floor that the agents' skew is held against.
enum Sleeper {
    static func run(_ arguments: [String]) -> Int32 {
        guard arguments.count == 4, let start = Int64(arguments[0]), let period = Int64(arguments[1]),
              let count = Int(arguments[2]), period > 0, count > 0 else {
            FileIO.printError("usage: JunctionBench sleeper START_NS PERIOD_NS COUNT FILE\n")
            return 2
        }
        let clock = MonotonicClock()
        var woke = [Int64](repeating: 0, count: count)
        for k in 0..<count {
            clock.sleep(untilNanos: start + Int64(k) * period)
            woke[k] = clock.nowNanos()
        }
        let text = woke.map(String.init).joined(separator: "\n") + "\n"
        do {
            try FileIO.write(Array(text.utf8), to: arguments[3])
        } catch {
            FileIO.printError("sleeper: cannot write \(arguments[3]): \(error)\n")
            return 1
        }
        return 0
    }
}
