// ClockDiscipline: how an agent knows the coordinator's timebase.
//
// Every board must change its lights at the same timebase instant, but each
// board only has its own crystal, which runs tens to hundreds of ppm off and
// wanders with temperature, and it hears the coordinator over a network that
// delays, reorders and drops packets. This type turns report/tick exchanges
// into a mapping from the local monotonic clock to the timebase, plus an
// honest bound on how wrong that mapping can be, so the agent can decide
// whether to show its plan, keep going in holdover, or flash.
//
// It is a pure value: every instant is a parameter, nothing is read from a
// clock, and the same samples always give the same answers. Offsets and
// instants are integer nanoseconds; `Double` appears only for the frequency
// ratio and products of it with bounded spans, so days of running stay exact.
import JunctionCore

/// Disciplines the local clock to the coordinator timebase (see the header).
///
/// The first sample steps the mapping; corrections keep stepping until lock,
/// and after lock they are slewed at most `maxSlewPPM`, so `timebase(at:)` is
/// continuous and non-decreasing. Only a correction above
/// `stepThresholdNanos` after lock steps again, and that is reported as
/// `.stepped` with lock lost.
public struct ClockDiscipline: Sendable {
    public let configuration: Configuration

    var mapping: ClockMapping?
    var estimator: FrequencyEstimator
    /// Recent accepted samples, oldest first, with residuals against `reference`.
    var window: [ClockMeasurement] = []
    /// The raw-offset line the mapping is steered to.
    var reference: ReferenceLine?
    /// The error bound is `boundBaseNanos` at `boundLocalNanos` and grows at
    /// `boundRate` either side of it, plus the slew still to apply.
    var boundLocalNanos: Int64 = 0
    var boundBaseNanos: Int64 = .max
    var boundRate: Double = 0
    /// During start-up, a second bound from the envelope of the samples
    /// (`EnvelopeFit`): `base` at `local`, growing at `rate`. The error bound
    /// is the smaller of the two.
    var envelopeBound: (local: Int64, base: Int64, rate: Double)?
    var lastSentLocalNanos: Int64?
    var lastReceivedLocalNanos: Int64?
    var consecutiveOutliers = 0
    /// Frequency uncertainty of the line in `reference`, wander excluded.
    var referenceUncertainty: Double
    /// Set by a change of source while a timebase is held, cleared once the
    /// new source has filled `blocksHeldAfterSwitch` blocks (its regression
    /// is then sharper than the first samples): until then corrections only
    /// keep the held timebase inside what the new samples prove.
    var holdsAcrossSwitch = false

    /// True once enough samples, a regression frequency within
    /// `lockFrequencyUncertaintyPPM` and an error bound under `lockBoundNanos`
    /// were reached together; false again only after a
    /// step or `reset()`. Use `isLocked(at:)` to also require the bound now.
    public internal(set) var isLocked = false
    /// The last accepted sample's offset θ minus the mapping at the sample's
    /// midpoint: what the discipline saw itself off by (like ntpq's offset).
    public internal(set) var offsetNanos: Int64 = 0
    public internal(set) var acceptedSampleCount = 0
    public internal(set) var rejectedSampleCount = 0
    /// Steps after lock (the initial steps before lock are not counted).
    public internal(set) var stepCount = 0
    /// Times a run of outliers made the window restart from new samples.
    public internal(set) var restartCount = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        estimator = FrequencyEstimator(maxFrequency: configuration.maxFrequencyPPM * 1e-6)
        referenceUncertainty = configuration.maxFrequencyPPM * 1e-6
    }

    /// The timebase instant at local instant `local`; nil before the first sample.
    public func timebase(at local: LocalInstant) -> TimebaseInstant? {
        mapping.map { TimebaseInstant(nanos: $0.timebaseNanos(atLocal: local.nanos)) }
    }

    /// The first local instant whose timebase is at least `timebase`: the
    /// inverse of `timebase(at:)` to the nanosecond, for scheduling a change at
    /// an absolute local instant. Nil before the first sample.
    public func local(at timebase: TimebaseInstant) -> LocalInstant? {
        mapping.map { LocalInstant(nanos: $0.localNanos(atTimebase: timebase.nanos)) }
    }

    /// Estimated frequency of the timebase against the local clock in ppm: a
    /// local crystal running 50 ppm fast reads about −50.
    public var frequencyPPM: Double { (reference?.frequency ?? estimator.frequency) * 1e6 }

    /// Bound on the frequency error used by `errorBoundNanos`, wander allowance included.
    public var frequencyUncertaintyPPM: Double { uncertaintyRate * 1e6 }

    /// How many times a frequency change shortened the regression window.
    public var frequencyChangeCount: Int { estimator.frequencyChangeCount }

    /// `isLocked` and, at `local`, an error bound still under `lockBoundNanos`.
    public func isLocked(at local: LocalInstant) -> Bool {
        isLocked && errorBoundNanos(at: local) <= configuration.lockBoundNanos
    }

    /// Forgets everything: the next sample steps as if the agent just started.
    public mutating func reset() {
        self = ClockDiscipline(configuration: configuration)
    }

    /// The coordinator changed (failover) but serves the same timebase. The
    /// mapping, the lock and the frequency carry on untouched, so nothing
    /// steps; the samples of the old source are dropped because their path
    /// delays and asymmetry no longer apply. Until the new source fills the
    /// window, the error bound keeps growing from the old source's last best
    /// sample, and the first new samples move the timebase only as far as
    /// they prove it wrong (slewed; stepped only beyond `stepThresholdNanos`,
    /// as always).
    ///
    /// Why only that far: the held timebase is what every agent of the
    /// cluster holds, to within microseconds, while the new source's first
    /// samples pin it only to their round trip (milliseconds on a jittery
    /// path). Slewing towards their midpoint, as before, moved each agent
    /// its own way: simulating ten failovers on the bench's network, the
    /// agents' error reached 1.3–1.9 ms while the replacements' own
    /// timebases were within 0.35 ms of the old ones.
    public mutating func switchSource() {
        holdsAcrossSwitch = mapping != nil
        // The frequency the mapping runs at, with its own uncertainty: the
        // regression's may differ by far more than that uncertainty when the
        // start-up envelope made the reference (random scenario 22138: 127 ppm).
        estimator.forgetPoints(priorFrequency: frequencyPPM * 1e-6, priorUncertainty: referenceUncertainty)
        window.removeAll()
        lastSentLocalNanos = nil
        lastReceivedLocalNanos = nil
        consecutiveOutliers = 0
    }

    /// Bound on |estimated − true frequency| as a fraction, wander included.
    var uncertaintyRate: Double {
        referenceUncertainty + configuration.wanderAllowancePPM * 1e-6
    }
}
