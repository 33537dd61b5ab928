import JunctionCore
@testable import NodeAgent

/// One simulated agent and coordinator: reports every 100 ms, ticks every
/// 100 ms echoing the newest report received, a lossy jittery network, and a
/// checker that knows true time. Base delay is the same both ways (the part
/// of asymmetry no two-way protocol can see); the jitter may be asymmetric.
struct ClockScenario {
    var seed: UInt64
    var durationNanos: Int64
    var driftPPM: Double = 0
    var wanderAmplitudePPM: Double = 0
    var frequencySteps: [(atTrueNanos: Int64, ppm: Double)] = []
    var forwardJitterNanos: Int64 = 2 * .nanosPerMillisecond
    var backwardJitterNanos: Int64 = 2 * .nanosPerMillisecond
    var lossProbability: Double = 0.2
    /// True-time span with no ticks at all (the coordinator vanished).
    var silence: Range<Int64>?
    /// Check the bound from the first sample on, not only once locked: a
    /// locking agent follows the plan on that bound too.
    var checkBeforeLock = false
    /// Report and tick period: 100 ms as when locked; a locking agent's
    /// reports are answered at once, about 25 ms apart.
    var periodNanos: Int64 = 100 * .nanosPerMillisecond
    var configuration = ClockDiscipline.Configuration()

    static let epochNanos: Int64 = 1_700_000_000 * .nanosPerSecond
}

/// What the checker saw. Errors are |estimated − true timebase| at every
/// tick's arrival once locked (during silence: at every would-be tick).
struct ClockRunResult {
    var seed: UInt64
    var lockAfterNanos: Int64?
    var errorsNanos: [Int64] = []
    var errorTrueNanos: [Int64] = []
    var boundViolations = 0
    /// Largest |error| − bound seen (negative when the bound always held).
    var worstBoundMarginNanos: Int64 = .min
    var decreases = 0
    /// Largest excess of a step between consecutive checks over what the
    /// estimated frequency plus the slew limit allow.
    var worstSlewExcessNanos: Int64 = .min
    var worstInverseMissNanos: Int64 = 0
    var stepsAfterLock = 0
    var accepted = 0
    var rejected = 0

    func percentileNanos(_ p: Double, from start: Int64 = .min) -> Int64 {
        let values = zip(errorTrueNanos, errorsNanos).filter { $0.0 >= start }.map(\.1).sorted()
        guard !values.isEmpty else { return 0 }
        return values[min(values.count - 1, Int(Double(values.count - 1) * p / 100))]
    }

    var summary: String {
        let worst = errorsNanos.indices.max { errorsNanos[$0] < errorsNanos[$1] }
        let worstAt = worst.map { "\(Double(errorTrueNanos[$0]) / 1e9)s" } ?? "-"
        let lock = lockAfterNanos.map { "\(Double($0) / 1e9)s" } ?? "never"
        return "seed=\(seed) lock=\(lock) p50=\(percentileNanos(50) / 1000)us p99=\(percentileNanos(99) / 1000)us "
            + "max=\(percentileNanos(100) / 1000)us@\(worstAt) violations=\(boundViolations) accepted=\(accepted) rejected=\(rejected)"
    }
}

/// Drives a discipline through a scenario and checks it from outside.
struct ClockHarness {
    var scenario: ClockScenario
    var discipline: ClockDiscipline
    private var random: SplitMix64
    private let oscillator: SimulatedOscillator
    private let baseDelayNanos: Int64
    private let reportPhaseNanos: Int64
    private var inFlight: [(sample: (LocalInstant, TimebaseInstant), arrivalTrueNanos: Int64)] = []
    private var newestReceived: (LocalInstant, TimebaseInstant)?
    private var firstSampleTrueNanos: Int64?
    private var previousCheck: (local: Int64, timebase: Int64, frequencyPPM: Double)?
    private(set) var result: ClockRunResult
    private(set) var trueNanos: Int64 = 0

    init(_ scenario: ClockScenario) {
        self.scenario = scenario
        discipline = ClockDiscipline(configuration: scenario.configuration)
        var random = SplitMix64(seed: scenario.seed)
        oscillator = SimulatedOscillator(
            localAtZeroNanos: 1_000 * .nanosPerSecond + random.below(orEqual: 1 << 40),
            driftPPM: scenario.driftPPM, wanderAmplitudePPM: scenario.wanderAmplitudePPM,
            wanderPeriodNanos: random.uniform(600e9...3_600e9), steps: scenario.frequencySteps)
        baseDelayNanos = 100 * .nanosPerMicrosecond + random.below(orEqual: 200 * .nanosPerMicrosecond)
        reportPhaseNanos = random.below(orEqual: scenario.periodNanos * 9 / 10)
        self.random = random
        result = ClockRunResult(seed: scenario.seed)
    }

    /// Runs the whole scenario.
    static func run(_ scenario: ClockScenario) -> ClockRunResult {
        var harness = ClockHarness(scenario)
        harness.advance(untilTrueNanos: scenario.durationNanos)
        return harness.result
    }

    /// Simulates periods until true time reaches `end`.
    mutating func advance(untilTrueNanos end: Int64) {
        while trueNanos < end {
            tick(atTrueNanos: trueNanos)
            report(atTrueNanos: trueNanos + reportPhaseNanos)
            trueNanos += scenario.periodNanos
        }
    }

    func localNanos(atTrue t: Int64) -> Int64 { oscillator.localNanos(atTrue: t) }

    private mutating func report(atTrueNanos t: Int64) {
        guard !random.chance(scenario.lossProbability) else { return }
        let arrival = t + baseDelayNanos + random.below(orEqual: scenario.forwardJitterNanos)
        let sample = (LocalInstant(nanos: localNanos(atTrue: t)),
                      TimebaseInstant(nanos: arrival + ClockScenario.epochNanos))
        inFlight.append((sample, arrival))
    }

    private mutating func tick(atTrueNanos t: Int64) {
        while let first = inFlight.first, first.arrivalTrueNanos <= t {
            newestReceived = first.sample
            inFlight.removeFirst()
        }
        let silent = scenario.silence?.contains(t) ?? false
        let lost = random.chance(scenario.lossProbability)
        let arrival = t + baseDelayNanos + random.below(orEqual: scenario.backwardJitterNanos)
        if !silent, !lost, let echo = newestReceived {
            let sample = ClockSample(t1: echo.0, t2: echo.1, t3: TimebaseInstant(nanos: t + ClockScenario.epochNanos),
                                     t4: LocalInstant(nanos: localNanos(atTrue: arrival)))
            deliver(sample, atTrueNanos: arrival)
        }
        check(atTrueNanos: arrival)
    }

    private mutating func deliver(_ sample: ClockSample, atTrueNanos t: Int64) {
        let wasLocked = discipline.isLocked
        let outcome = discipline.add(sample)
        switch outcome {
        case .accepted: result.accepted += 1
        case .rejected: result.rejected += 1
        case .stepped:
            result.accepted += 1
            if wasLocked { result.stepsAfterLock += 1 }
        }
        if case .rejected = outcome { return }
        if firstSampleTrueNanos == nil { firstSampleTrueNanos = t }
        if result.lockAfterNanos == nil, discipline.isLocked, let first = firstSampleTrueNanos {
            result.lockAfterNanos = t - first
        }
    }

    /// Compares the estimate with true time and checks bound, monotonicity,
    /// slew limit and the inverse mapping.
    private mutating func check(atTrueNanos t: Int64) {
        guard result.lockAfterNanos != nil || (scenario.checkBeforeLock && firstSampleTrueNanos != nil) else { return }
        let local = LocalInstant(nanos: localNanos(atTrue: t))
        guard let estimate = discipline.timebase(at: local) else { return }
        let error = (estimate.nanos - ClockScenario.epochNanos - t).magnitude
        let errorNanos = Int64(error)
        result.errorsNanos.append(errorNanos)
        result.errorTrueNanos.append(t)
        let bound = discipline.errorBoundNanos(at: local)
        if errorNanos > bound { result.boundViolations += 1 }
        result.worstBoundMarginNanos = max(result.worstBoundMarginNanos, errorNanos - bound)
        if let back = discipline.local(at: estimate) {
            let miss = back.nanos &- local.nanos
            result.worstInverseMissNanos = max(result.worstInverseMissNanos, miss < 0 ? -miss : miss)
        }
        checkContinuity(local: local.nanos, timebase: estimate.nanos)
    }

    private mutating func checkContinuity(local: Int64, timebase: Int64) {
        let frequencyPPM = discipline.frequencyPPM
        defer { previousCheck = (local, timebase, frequencyPPM) }
        guard let previous = previousCheck, local > previous.local else { return }
        let elapsed = Double(local - previous.local)
        let advanced = Double(timebase - previous.timebase)
        if advanced < 0 { result.decreases += 1 }
        let nominal = elapsed * (1 + previous.frequencyPPM * 1e-6)
        let allowed = elapsed * (scenario.configuration.maxSlewPPM + (frequencyPPM - previous.frequencyPPM).magnitude) * 1e-6 + 2
        result.worstSlewExcessNanos = max(result.worstSlewExcessNanos, Int64((advanced - nominal).magnitude - allowed))
    }
}
