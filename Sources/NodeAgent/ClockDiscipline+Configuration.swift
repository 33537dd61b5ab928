import JunctionCore

extension ClockDiscipline {
    /// Tuning of the discipline. The defaults suit ~10 Hz ticks on a LAN of
    /// Raspberry Pi boards: crystals within ±200 ppm, one-way delays of a few
    /// hundred microseconds with millisecond jitter.
    public struct Configuration: Sendable, Hashable {
        /// Largest believable frequency difference between the local crystal
        /// and the timebase; also the frequency uncertainty before any estimate.
        public var maxFrequencyPPM: Double = 500
        /// Largest extra rate used to slew out a correction after lock, so
        /// `timebase(at:)` never runs faster or slower than this beyond the
        /// estimated frequency.
        public var maxSlewPPM: Double = 500
        /// How fast the true frequency may wander away from the estimate
        /// (temperature). The error bound grows at least this fast when no
        /// samples arrive, like NTP's 15 ppm tolerance or chrony's maxdrift.
        public var wanderAllowancePPM: Double = 15
        /// Timestamping slack added to every bound (interrupt latency, rounding).
        public var precisionNanos: Int64 = 1 * .nanosPerMicrosecond

        /// Recent samples kept for the error bound and the outlier tests.
        public var maxWindowSamples: Int = 64
        /// Samples per filtered point of the frequency regression, once running;
        /// the first blocks are smaller so that a frequency appears within seconds.
        public var samplesPerBlock: Int = 8
        /// Filtered points in the frequency regression (the longest window).
        public var maxBlocks: Int = 128
        /// Filtered points needed before the regression frequency is trusted.
        public var minBlocksForFrequency: Int = 4
        /// Spread of a filtered point's error when its delay gap is the minimum;
        /// weights are 1 / ((excess gap / 2)² + floor²).
        public var blockNoiseFloorNanos: Int64 = 50 * .nanosPerMicrosecond
        /// The start-up envelope fit runs until the regression's frequency
        /// uncertainty falls under this.
        public var envelopeUntilUncertaintyPPM: Double = 10
        /// Once the regression is sharp, the offset is taken midway between
        /// the tightest one-way bounds of the recent points, reaching back as
        /// far as the frequency uncertainty keeps their tilt under this.
        public var envelopeTiltNanos: Int64 = 80 * .nanosPerMicrosecond
        /// Points that envelope needs within its reach, else the regression's
        /// own offset is used.
        public var envelopeMinBlocks: Int = 8
        /// Most recent points whose mean residual is tested for a frequency change.
        public var changeTestBlocks: Int = 6
        /// Standard deviations of that mean residual that declare a frequency change.
        public var changeTestSigma: Double = 5
        /// Points kept when a frequency change is declared (the window shortens to these).
        public var blocksKeptAfterChange: Int = 12
        /// After a change of source, the held timebase moves only as far as
        /// the new source's samples prove it wrong until the regression has
        /// this many blocks of them (`ClockDiscipline.switchSource`).
        public var blocksHeldAfterSwitch: Int = 16

        /// Accepted samples needed before `isLocked` can become true.
        public var minSamplesToLock: Int = 8
        /// The frequency uncertainty (wander allowance excluded) under which
        /// the discipline may declare lock: a bound that is small only because
        /// the last sample was lucky is not lock yet. The bound itself grows
        /// at the uncertainty, so a looser figure costs holdover, not honesty.
        public var lockFrequencyUncertaintyPPM: Double = 400
        /// The error bound under which the discipline declares lock.
        public var lockBoundNanos: Int64 = 1 * .nanosPerMillisecond
        /// A correction larger than this after lock is stepped, not slewed, and
        /// reported as `.stepped`; lock is lost.
        public var stepThresholdNanos: Int64 = 100 * .nanosPerMillisecond

        /// Longest the coordinator may hold a report before echoing it.
        public var maxHoldNanos: Int64 = 1 * .nanosPerSecond
        /// Largest network round-trip delay (without hold) that is used at all.
        public var maxDelayNanos: Int64 = 50 * .nanosPerMillisecond
        /// A delay this far above the recent minimum is rejected as a queueing outlier.
        public var delayOutlierNanos: Int64 = 20 * .nanosPerMillisecond
        /// An offset further from the model than its own half delay plus this
        /// many error bounds plus `outlierMarginNanos` is rejected.
        public var outlierBoundFactor: Double = 2
        /// Fixed slack of the offset outlier test.
        public var outlierMarginNanos: Int64 = 1 * .nanosPerMillisecond
        /// After this many consecutive offset outliers the model is presumed
        /// wrong (the timebase moved): the window restarts from the new samples.
        public var restartAfterOutliers: Int = 10

        public init() {}
    }
}
