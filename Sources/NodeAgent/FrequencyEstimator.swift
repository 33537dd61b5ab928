/// Turns accepted samples into the reference line: filtered points every few
/// samples, a weighted regression over up to `maxBlocks` of them, and a test
/// that shortens the window when the frequency changes (a temperature step).
///
/// A long window averages the one-way delay noise down to a small fraction of
/// a ppm; a crystal that changes its frequency makes the newest points drift
/// off the line in one direction, and then only the newest points are kept,
/// as chrony drops old samples when its residuals stop alternating in sign.
/// The offset, once the frequency is sharp, comes from the tightest one-way
/// bounds across the newest points (`envelopeLine`), not from their mean.
struct FrequencyEstimator: Sendable {
    private(set) var blocks: [OffsetBlock] = []
    private var building: [ClockMeasurement] = []
    private(set) var fit: WeightedLineFit?
    /// The newest points' tightest bounds (`makeEnvelope`), redrawn on every refit.
    private var envelope: PointEnvelope?
    /// Frequency used until the regression has enough points.
    private(set) var priorFrequency: Double = 0
    /// Uncertainty of `priorFrequency`, a fraction.
    private(set) var priorUncertainty: Double
    /// How many times a frequency change shortened the window.
    private(set) var frequencyChangeCount = 0

    /// Largest believable frequency, a fraction; caps the estimate and its uncertainty.
    private let maxFrequency: Double

    init(maxFrequency: Double) {
        self.maxFrequency = maxFrequency
        priorUncertainty = maxFrequency
    }

    /// Timebase nanoseconds gained per local nanosecond, as a fraction: the
    /// regression, weighted against the prior by inverse variance, so that
    /// a short fit after a change of source does not throw away a frequency
    /// that was known far better.
    var frequency: Double {
        guard let fit else { return priorFrequency }
        let (wFit, wPrior) = weights(fit)
        return (fit.line.frequency * wFit + priorFrequency * wPrior) / (wFit + wPrior)
    }

    /// An honest-leaning bound on |estimated − true frequency|, without wander.
    var frequencyUncertainty: Double {
        guard let fit else { return priorUncertainty }
        let (wFit, wPrior) = weights(fit)
        return min(1 / (wFit + wPrior).squareRoot(), 2 * maxFrequency)
    }

    /// The regression's line turned to the combined frequency about its
    /// anchor (the weighted centre of its points).
    var combinedLine: ReferenceLine? {
        guard var line = fit?.line else { return nil }
        line.frequency = frequency
        return line
    }

    /// The line at `frequency` midway between the tightest upper and the
    /// tightest lower bound of the offset over the recent points (`envelope`)
    /// and the samples not yet in one, carried to `now`; nil without such
    /// points or when the bounds cross.
    func envelopeLine(atLocal now: Int64) -> ReferenceLine? {
        guard let envelope else { return nil }
        let carry = Int64((envelope.frequency * Double(now &- envelope.localNanos)).rounded())
        let recent = OffsetBlock.bounds(of: building, atLocal: now, frequency: envelope.frequency)
        let upper = min(envelope.upperNanos &+ carry, recent.upper)
        let lower = max(envelope.lowerNanos &+ carry, recent.lower)
        guard upper >= lower else { return nil }
        return ReferenceLine(anchorLocalNanos: now, anchorOffsetNanos: lower + (upper - lower) / 2, frequency: envelope.frequency)
    }

    /// The tightest bounds over the newest points, at the frequency of the
    /// last refit, anchored at the newest point; drawn once per refit.
    ///
    /// Why: each regression point is off by the difference of the smallest
    /// one-way delays among its few packets. Under asymmetric jitter (0–10 ms
    /// one way, 0–1 ms back) that is about half a millisecond, and a weighted
    /// mean of the luckiest points stays tens of microseconds off, differently
    /// on every board. The tightest bounds over hundreds of packets are off
    /// only by the smallest delays among all of them (about jitter / packets),
    /// as long as the frequency is right: a frequency off by `u` tilts a
    /// bound by `age · u`, so the envelope reaches back only as far as keeps
    /// that tilt under `envelopeTiltNanos`.
    private func makeEnvelope(configuration c: ClockDiscipline.Configuration) -> PointEnvelope? {
        guard fit != nil, let newest = blocks.last?.localNanos else { return nil }
        let f = frequency
        let reach = min(Double(c.envelopeTiltNanos) / max(frequencyUncertainty, 1e-12), 1e15)
        var upper = Int64.max, lower = Int64.min
        var used = 0
        for block in blocks.reversed() {
            guard Double(newest &- block.localNanos) <= reach else { break }
            let carry = Int64((f * Double(newest &- block.localNanos)).rounded())
            upper = min(upper, block.upperNanos &+ carry)
            lower = max(lower, block.lowerNanos &+ carry)
            used += 1
        }
        guard used >= c.envelopeMinBlocks else { return nil }
        return PointEnvelope(localNanos: newest, upperNanos: upper, lowerNanos: lower, frequency: f)
    }

    private func weights(_ fit: WeightedLineFit) -> (fit: Double, prior: Double) {
        let fitU = max(min(fit.frequencyUncertainty, 2 * maxFrequency), 1e-12)
        let priorU = max(priorUncertainty, 1e-12)
        return (1 / (fitU * fitU), 1 / (priorU * priorU))
    }

    /// Adds a sample; returns true when a block closed (and the line may have moved).
    mutating func add(_ m: ClockMeasurement, configuration c: ClockDiscipline.Configuration) -> Bool {
        building.append(m)
        let target = min(c.samplesPerBlock, 2 + blocks.count / 2)
        guard building.count >= target else { return false }
        blocks.append(OffsetBlock(samples: building, frequency: frequency))
        building.removeAll(keepingCapacity: true)
        if blocks.count > c.maxBlocks { blocks.removeFirst(blocks.count - c.maxBlocks) }
        refit(configuration: c)
        return true
    }

    /// Forgets every point and takes `frequency` as the prior with
    /// `uncertainty`: used when the source changes or the model proved wrong.
    /// The caller names the frequency its uncertainty belongs to (the
    /// reference line's, which may come from the start-up envelope rather
    /// than from this regression).
    mutating func forgetPoints(priorFrequency frequency: Double, priorUncertainty uncertainty: Double) {
        priorFrequency = frequency
        priorUncertainty = uncertainty
        blocks.removeAll()
        building.removeAll()
        fit = nil
        envelope = nil
    }

    /// Replaces the prior (while there is no fit) with a start-up estimate.
    mutating func setPrior(frequency: Double, uncertainty: Double) {
        priorFrequency = frequency
        priorUncertainty = uncertainty
    }

    private mutating func refit(configuration c: ClockDiscipline.Configuration) {
        defer { envelope = makeEnvelope(configuration: c) }
        fit = makeFit(configuration: c)
        guard let current = fit, blocks.count >= 3 * c.changeTestBlocks else { return }
        let z = current.recentMeanResidualSigma(count: c.changeTestBlocks)
        guard z.magnitude > c.changeTestSigma else { return }
        frequencyChangeCount += 1
        blocks.removeFirst(blocks.count - min(c.blocksKeptAfterChange, blocks.count))
        fit = makeFit(configuration: c)
    }

    private func makeFit(configuration c: ClockDiscipline.Configuration) -> WeightedLineFit? {
        guard blocks.count >= c.minBlocksForFrequency,
              var f = WeightedLineFit(blocks: blocks, noiseFloorNanos: c.blockNoiseFloorNanos)
        else { return nil }
        f.line.frequency = min(max(f.line.frequency, -maxFrequency), maxFrequency)
        return f
    }
}

/// The tightest upper and lower bounds of the raw offset over some points,
/// carried to `localNanos` along `frequency`.
struct PointEnvelope: Sendable, Hashable {
    var localNanos: Int64
    var upperNanos: Int64
    var lowerNanos: Int64
    var frequency: Double
}
