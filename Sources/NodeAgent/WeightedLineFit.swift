/// Weighted least-squares line through filtered offset points, with the
/// standard error of its slope: the frequency and how far to trust it.
///
/// Points whose delay gap is near the window's smallest get the most weight,
/// since their error is bounded by half their excess gap; a floor keeps a
/// single lucky point from taking all the weight. Coordinates are taken
/// relative to the first point, so the `Double`s stay small (a 200 ppm drift
/// over minutes is milliseconds) and exact far below a nanosecond.
struct WeightedLineFit: Sendable, Hashable {
    var line: ReferenceLine
    /// Standard error of the slope, a fraction (1e-6 is 1 ppm).
    var slopeSigma: Double
    /// Degrees of freedom of the residual scale (points minus two).
    var degreesOfFreedom: Int
    /// Degrees of freedom the weights leave: the effective number of points
    /// minus two (can be under one when one or two points carry the fit).
    var effectiveDegreesOfFreedom: Double
    /// Weighted residuals standardised by the fitted scale, oldest first.
    var standardizedResiduals: [Double]
    var weights: [Double]
    var unitSigma: Double

    init?(blocks: [OffsetBlock], noiseFloorNanos: Int64) {
        guard blocks.count >= 3 else { return nil }
        let x0 = blocks[0].localNanos, y0 = blocks[0].offsetNanos
        let gapMin = blocks.map(\.gapNanos).min() ?? 0
        // The best point is off by up to half its own gap, not by nothing:
        // while that gap is wide (few samples per point, large jitter), the
        // floor widens with it, so that one lucky point does not carry the fit.
        let floor = max(Double(max(noiseFloorNanos, 1)), Double(gapMin) / (2 * 3.0.squareRoot()))
        let w = blocks.map { b -> Double in
            let excess = Double(b.gapNanos - gapMin) / 2
            return 1 / (excess * excess + floor * floor)
        }
        let x = blocks.map { Double($0.localNanos - x0) }
        let y = blocks.map { Double($0.offsetNanos - y0) }
        let sw = w.reduce(0, +)
        let xMean = zip(w, x).reduce(0) { $0 + $1.0 * $1.1 } / sw
        let yMean = zip(w, y).reduce(0) { $0 + $1.0 * $1.1 } / sw
        var sxx = 0.0, sxy = 0.0
        for i in blocks.indices {
            sxx += w[i] * (x[i] - xMean) * (x[i] - xMean)
            sxy += w[i] * (x[i] - xMean) * (y[i] - yMean)
        }
        guard sxx > 0 else { return nil }
        let slope = sxy / sxx
        let residuals = blocks.indices.map { y[$0] - yMean - slope * (x[$0] - xMean) }
        let ssr = blocks.indices.reduce(0.0) { $0 + w[$1] * residuals[$1] * residuals[$1] }
        // Weights this unequal make a few points carry the fit: its residual
        // scale rests on as many points as the weights' effective count
        // (Kish), not on every point, and Student's t must be read there.
        let effective = sw * sw / w.reduce(0) { $0 + $1 * $1 }
        degreesOfFreedom = blocks.count - 2
        effectiveDegreesOfFreedom = effective - 2
        // A unit-weight point has a spread of about the floor; never claim less
        // than half of it, however well three points happen to line up.
        unitSigma = max(ssr / Double(degreesOfFreedom), 0.25).squareRoot()
        slopeSigma = unitSigma / sxx.squareRoot()
        let sigma = unitSigma
        standardizedResiduals = blocks.indices.map { residuals[$0] * w[$0].squareRoot() / sigma }
        weights = w
        let anchorX = xMean.rounded()
        line = ReferenceLine(
            anchorLocalNanos: x0 + Int64(anchorX),
            anchorOffsetNanos: y0 + Int64((yMean + slope * (anchorX - xMean)).rounded()),
            frequency: slope)
    }

    /// A conservative multiple of the slope's standard error: Student's t grows
    /// fast for few degrees of freedom, so few points get a wide margin.
    var frequencyUncertainty: Double {
        guard effectiveDegreesOfFreedom >= 1 else { return .infinity }
        return (3 + 6 / effectiveDegreesOfFreedom) * slopeSigma
    }

    /// Standardised weighted mean residual of the newest `count` points: near
    /// zero unless the frequency changed recently and the line lags behind.
    func recentMeanResidualSigma(count: Int) -> Double {
        let start = max(weights.count - count, 0)
        var sum = 0.0, weightSum = 0.0
        for i in start..<weights.count {
            sum += standardizedResiduals[i] * weights[i].squareRoot()
            weightSum += weights[i]
        }
        return weightSum > 0 ? sum / weightSum.squareRoot() : 0
    }
}
