import JunctionCore
import NodeAgent
import Posix

/// Benchmarks of the Clock area: the cost of `add` and `timebase(at:)`, and a
/// 24 h single-agent run (10 Hz, 20% loss, 0–2 ms jitter, 87 ppm drift plus a
/// 3 ppm triangular wander) with its error figures.
enum ClockBench {
    static func run(into table: inout BenchTable) {
        let clock = MonotonicClock()
        let start = clock.nowNanos()
        let day = runDay()
        let wallNanos = clock.nowNanos() - start
        table.add("clock", "24h harness run", Double(wallNanos) / 1e9, "s", goal: "< 10 s", met: wallNanos < 10 * .nanosPerSecond)
        table.add("clock", "add", Double(day.addNanos) / Double(max(day.adds, 1)), "ns/op", goal: "< 20 us",
                  met: day.addNanos / Int64(max(day.adds, 1)) < 20_000)
        table.add("clock", "24h |error| p50", Double(day.p50Nanos) / 1e3, "us")
        table.add("clock", "24h |error| p99", Double(day.p99Nanos) / 1e3, "us", goal: "<= 100 us", met: day.p99Nanos <= 100_000)
        table.add("clock", "24h |error| max", Double(day.maxNanos) / 1e3, "us", goal: "<= 500 us", met: day.maxNanos <= 500_000)
        table.add("clock", "24h bound violations", Double(day.violations), "", goal: "0", met: day.violations == 0)
        table.add("clock", "lock after first sample", Double(day.lockNanos) / 1e9, "s", goal: "<= 5 s", met: day.lockNanos <= 5 * .nanosPerSecond)
        table.add("clock", "timebase(at:)", timebaseNanos(clock: clock), "ns/op", goal: "< 100 ns")
    }

    struct DayResult {
        var adds = 0
        var addNanos: Int64 = 0
        var p50Nanos: Int64 = 0
        var p99Nanos: Int64 = 0
        var maxNanos: Int64 = 0
        var violations = 0
        var lockNanos: Int64 = .max
    }

    /// SplitMix64: the bench's only randomness, fixed seed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int64) -> Int64 { Int64(next() % UInt64(n + 1)) }
        mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    }

    /// Local clock at true instant `t`: 87 ppm plus a ±3 ppm triangle-wave
    /// frequency of period 40 min, integrated in closed form.
    static func local(_ t: Int64) -> Int64 {
        let period = 2_400.0e9, half = period / 2, x = Double(t)
        let cycles = (x / period).rounded(.down)
        let phase = x - cycles * period
        // Frequency rises linearly from −1 to +1 over the first half and back;
        // its integral over a whole period is zero.
        let inHalf = phase < half ? phase : phase - half
        let ramp = inHalf * inHalf / half - inHalf
        let integral = phase < half ? ramp : -ramp
        return 7_000 * .nanosPerSecond + t + Int64((87e-6 * x + 3e-6 * integral).rounded())
    }

    static func runDay() -> DayResult {
        let clock = MonotonicClock()
        let epoch: Int64 = 1_700_000_000 * .nanosPerSecond
        let period: Int64 = 100 * .nanosPerMillisecond, base: Int64 = 180_000, jitter: Int64 = 2_000_000
        var random = Random(state: 42)
        var d = ClockDiscipline()
        var result = DayResult()
        var errors: [Int64] = []
        errors.reserveCapacity(900_000)
        var echo: (LocalInstant, TimebaseInstant)?
        var pending: (LocalInstant, TimebaseInstant, Int64)?
        var firstNanos: Int64?
        var t: Int64 = 0
        while t < 86_400 * .nanosPerSecond {
            if let p = pending, p.2 <= t { echo = (p.0, p.1); pending = nil }
            let arrival = t + base + random.below(jitter)
            if !random.chance(0.2), let e = echo {
                let sample = ClockSample(t1: e.0, t2: e.1, t3: TimebaseInstant(nanos: t + epoch), t4: LocalInstant(nanos: local(arrival)))
                let before = clock.nowNanos()
                _ = d.add(sample)
                result.addNanos += clock.nowNanos() - before
                result.adds += 1
                if firstNanos == nil { firstNanos = arrival }
                if d.isLocked, result.lockNanos == .max { result.lockNanos = arrival - (firstNanos ?? arrival) }
            }
            if d.isLocked, let estimate = d.timebase(at: LocalInstant(nanos: local(arrival))) {
                let error = (estimate.nanos - epoch - arrival).magnitude
                errors.append(Int64(error))
                if Int64(error) > d.errorBoundNanos(at: LocalInstant(nanos: local(arrival))) { result.violations += 1 }
            }
            let sent = t + 40 * .nanosPerMillisecond
            if !random.chance(0.2) {
                let received = sent + base + random.below(jitter)
                pending = (LocalInstant(nanos: local(sent)), TimebaseInstant(nanos: received + epoch), received)
            }
            t += period
        }
        errors.sort()
        result.p50Nanos = errors[errors.count / 2]
        result.p99Nanos = errors[errors.count * 99 / 100]
        result.maxNanos = errors.last ?? 0
        return result
    }

    static func timebaseNanos(clock: MonotonicClock) -> Double {
        var d = ClockDiscipline()
        for i in 0..<Int64(200) {
            let t1 = i * 100 * .nanosPerMillisecond
            _ = d.add(ClockSample(t1: LocalInstant(nanos: t1), t2: TimebaseInstant(nanos: t1 + 200_000),
                                  t3: TimebaseInstant(nanos: t1 + 50_200_000), t4: LocalInstant(nanos: t1 + 50_400_000)))
        }
        let n: Int64 = 2_000_000
        var sum: Int64 = 0
        let start = clock.nowNanos()
        for i in 0..<n { sum &+= d.timebase(at: LocalInstant(nanos: 20 * .nanosPerSecond + i * 7))?.nanos ?? 0 }
        let elapsed = clock.nowNanos() - start
        if sum == 42 { print("") }
        return Double(elapsed) / Double(n)
    }
}
