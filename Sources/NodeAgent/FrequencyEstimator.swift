/// Turns accepted samples into the reference line: filtered points every few
/// samples, a weighted regression over up to `maxBlocks` of them, and a test
/// that shortens the window when the frequency changes (a temperature step).
///
/// A long window averages the one-way delay noise down to a small fraction of
/// a ppm; a crystal that changes its frequency makes the newest points drift
/// off the line in one direction, and then only the newest points are kept,
/// as chrony drops old samples when its residuals stop alternating in sign.
struct FrequencyEstimator: Sendable {
    private(set) var blocks: [OffsetBlock] = []
    private var building: [ClockMeasurement] = []
    private(set) var fit: WeightedLineFit?
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
    }

    /// Replaces the prior (while there is no fit) with a start-up estimate.
    mutating func setPrior(frequency: Double, uncertainty: Double) {
        priorFrequency = frequency
        priorUncertainty = uncertainty
    }

    private mutating func refit(configuration c: ClockDiscipline.Configuration) {
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
