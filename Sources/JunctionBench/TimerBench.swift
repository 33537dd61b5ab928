import Dispatch
import Posix
import Synchronization

/// Benchmarks of the Timer area: how late a sleeper wakes up.
///
/// The agent shows each aspect at an absolute instant, so what matters is the
/// lateness of a wake-up after an absolute sleep. Two sleepers are compared on
/// the same pseudo-random schedule (200 wake-ups, 5-20 ms apart, ~2.5 s each):
/// - a dedicated thread in `clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)`
///   (`MonotonicClock.sleep(untilNanos:)`), which is what the timing thread uses;
/// - `Task.sleep(until:)` on `ContinuousClock` in the Swift concurrency pool.
enum TimerBench {
    static let wakeUps = 200

    static func run(into table: inout BenchTable) {
        let gaps = schedule(count: wakeUps, seed: 0x5EED)
        let nanosleep = percentiles(lateness: dedicatedThread(gapsNanos: gaps))
        table.add("timer", "clock_nanosleep p50", nanosleep.p50, "us")
        table.add("timer", "clock_nanosleep p99", nanosleep.p99, "us", goal: "< 1000 us", met: nanosleep.p99 < 1000)
        table.add("timer", "clock_nanosleep max", nanosleep.max, "us")
        let task = percentiles(lateness: taskSleep(gapsNanos: gaps))
        table.add("timer", "Task.sleep p50", task.p50, "us")
        table.add("timer", "Task.sleep p99", task.p99, "us")
        table.add("timer", "Task.sleep max", task.max, "us")
    }

    /// Gaps of 5-20 ms from a fixed LCG seed, so runs are comparable.
    static func schedule(count: Int, seed: UInt64) -> [Int64] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return 5_000_000 + Int64((state >> 33) % 15_000_001)
        }
    }

    /// Lateness in nanoseconds of absolute `clock_nanosleep` wake-ups on a
    /// thread that does nothing else (a serial queue's worker, held for the run).
    static func dedicatedThread(gapsNanos: [Int64]) -> [Int64] {
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox()
        DispatchQueue(label: "junction.bench.timer", qos: .userInteractive).async {
            let clock = MonotonicClock()
            var lateness: [Int64] = []
            lateness.reserveCapacity(gapsNanos.count)
            var deadline = clock.nowNanos()
            for gap in gapsNanos {
                deadline += gap
                clock.sleep(untilNanos: deadline)
                lateness.append(clock.nowNanos() - deadline)
            }
            result.set(lateness)
            done.signal()
        }
        done.wait()
        return result.get()
    }

    /// Lateness in nanoseconds of `Task.sleep(until:)` wake-ups on `ContinuousClock`.
    static func taskSleep(gapsNanos: [Int64]) -> [Int64] {
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox()
        Task.detached(priority: .high) {
            let clock = ContinuousClock()
            var lateness: [Int64] = []
            lateness.reserveCapacity(gapsNanos.count)
            var deadline = clock.now
            for gap in gapsNanos {
                deadline += .nanoseconds(gap)
                try? await Task.sleep(until: deadline, tolerance: .zero, clock: clock)
                let late = clock.now - deadline
                lateness.append(late.components.seconds * 1_000_000_000 + late.components.attoseconds / 1_000_000_000)
            }
            result.set(lateness)
            done.signal()
        }
        done.wait()
        return result.get()
    }

    /// p50, p99 and max in microseconds (nearest-rank percentiles).
    static func percentiles(lateness nanos: [Int64]) -> (p50: Double, p99: Double, max: Double) {
        let sorted = nanos.sorted()
        guard !sorted.isEmpty else { return (0, 0, 0) }
        func rank(_ p: Double) -> Double {
            let index = min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))
            return Double(sorted[index]) / 1_000
        }
        return (rank(0.50), rank(0.99), Double(sorted.last!) / 1_000)
    }
}

/// Hands a result from the measuring thread back to the caller, which waits
/// on a semaphore; the lock makes the hand-over explicit to the compiler.
private final class ResultBox: Sendable {
    private let value = Mutex<[Int64]>([])
    func set(_ lateness: [Int64]) { value.withLock { $0 = lateness } }
    func get() -> [Int64] { value.withLock { $0 } }
}
