/// The start-up estimate: the line that fits between the one-way bounds of
/// every recent sample, and the exact range of slopes for which such a line
/// exists.
///
/// Each forward observation says the offset at `t1` is at most `t2 - t1`,
/// each backward one that the offset at `t4` is at least `t3 - t4`, whatever
/// the delays. For a slope `b`, the tightest upper bound minus the tightest
/// lower bound (both carried to one instant along `b`) is the gap; it is a
/// concave function of `b`, and at the true frequency it is at least twice
/// the base delay, never negative. So the slope with the widest gap is a
/// sharp estimate after a few seconds (it uses the smallest delays, not the
/// average ones), and the slopes with a non-negative gap bound the frequency
/// without any statistics, as long as the frequency held still over the window.
struct EnvelopeFit: Sendable {
    var line: ReferenceLine
    /// Largest distance from the estimate to a slope with a non-negative gap.
    var frequencyUncertainty: Double
    /// The slopes with a non-negative gap lie strictly inside these.
    var slowest: Double
    var fastest: Double
    /// Every line that fits between the bounds, whatever its slope, passes
    /// `now` between these raw offsets: the true offset at `now` does too.
    var offsetRangeAtNow: ClosedRange<Int64>
    /// `now` minus the oldest sample's send: how long the frequency must have
    /// held still for the ranges above to hold.
    var spanNanos: Int64

    /// Steps of each search: (2/3)^32 of a 1,000 ppm range is 2e-9, a few
    /// nanoseconds over a window's span (the hull adds that back); 48 steps
    /// cost half as much again in every locking agent's every sample.
    private static let searchSteps = 32

    /// `samples` oldest first (in send order, as the discipline's window is).
    init?(samples: [ClockMeasurement], atLocal now: Int64, maxFrequency: Double) {
        guard samples.count >= 4, let first = samples.first else { return nil }
        let base = first.forwardNanos
        // Relative coordinates keep the Doubles small and exact. One flat
        // buffer (up x, up y, down x, down y per sample) read without bounds
        // checks: the search below evaluates `bounds` about 200 times per fit,
        // and the fit runs on every sample until the regression is sharp.
        let count = samples.count
        var points = [Double](repeating: 0, count: 4 * count)
        for (i, m) in samples.enumerated() {
            points[4 * i] = Double(m.sentLocalNanos &- now)
            points[4 * i + 1] = Double(m.forwardNanos &- base)
            points[4 * i + 2] = Double(m.receivedLocalNanos &- now)
            points[4 * i + 3] = Double(m.backwardNanos &- base)
        }
        func bounds(_ b: Double) -> (upper: Double, lower: Double) {
            points.withUnsafeBufferPointer { p in
                var upper = Double.infinity, lower = -Double.infinity
                for i in 0..<count {
                    upper = min(upper, p[4 * i + 1] - b * p[4 * i])
                    lower = max(lower, p[4 * i + 3] - b * p[4 * i + 2])
                }
                return (upper, lower)
            }
        }
        func gap(_ b: Double) -> Double { let g = bounds(b); return g.upper - g.lower }
        let widest = Self.maximize(from: -maxFrequency, to: maxFrequency, gap)
        let best = (widest.lo + widest.hi) / 2
        guard gap(best) >= 0 else { return nil }
        let slowest = Self.edge(from: best, to: -maxFrequency, gap)
        let fastest = Self.edge(from: best, to: maxFrequency, gap)
        let at = bounds(best)
        line = ReferenceLine(
            anchorLocalNanos: now,
            anchorOffsetNanos: base + Int64(((at.upper + at.lower) / 2).rounded()),
            frequency: best)
        frequencyUncertainty = max(best - slowest, fastest - best)
        self.slowest = slowest
        self.fastest = fastest
        // The upper bound is concave in the slope and the lower one convex:
        // their extremes over the feasible slopes by ternary search. The
        // extreme lies in the search's last interval, and neither bound moves
        // faster with the slope than the samples' span: half that interval
        // times the span (a few ns), plus a nanosecond, covers the tolerance.
        // The window is in send order (the discipline rejects any other).
        let span = now &- first.sentLocalNanos
        let up = Self.maximize(from: slowest, to: fastest) { bounds($0).upper }
        let highest = bounds((up.lo + up.hi) / 2).upper + (up.hi - up.lo) / 2 * Double(span.magnitude)
        let down = Self.maximize(from: slowest, to: fastest) { -bounds($0).lower }
        let lowest = bounds((down.lo + down.hi) / 2).lower - (down.hi - down.lo) / 2 * Double(span.magnitude)
        offsetRangeAtNow = (base + Int64(lowest.rounded(.down)) - 1)...(base + Int64(highest.rounded(.up)) + 1)
        spanNanos = span
    }

    /// A bound on how far `line` is from the true offset: `base` at `now`,
    /// growing at `rate` per nanosecond after it, with no statistics (the
    /// start-up bound, before the regression has enough points to trust its
    /// standard error).
    func errorBound(of line: ReferenceLine) -> (base: Int64, rate: Double) {
        let estimate = line.offsetNanos(atLocal: self.line.anchorLocalNanos)
        let base = max(offsetRangeAtNow.upperBound - estimate, estimate - offsetRangeAtNow.lowerBound, 0)
        return (base, max(fastest - line.frequency, line.frequency - slowest, 0))
    }

    /// The last interval of a ternary search for the maximum of `f`, concave
    /// on `lo...hi`: the maximum lies in it.
    private static func maximize(from lo: Double, to hi: Double, _ f: (Double) -> Double) -> (lo: Double, hi: Double) {
        var lo = lo, hi = hi
        for _ in 0..<searchSteps {
            let a = lo + (hi - lo) / 3, c = hi - (hi - lo) / 3
            if f(a) < f(c) { lo = a } else { hi = c }
        }
        return (lo, hi)
    }

    /// The last slope between `inside` (gap ≥ 0) and `limit` whose gap is still ≥ 0.
    private static func edge(from inside: Double, to limit: Double, _ gap: (Double) -> Double) -> Double {
        if gap(limit) >= 0 { return limit }
        var good = inside, bad = limit
        for _ in 0..<Self.searchSteps {
            let mid = (good + bad) / 2
            if gap(mid) >= 0 { good = mid } else { bad = mid }
        }
        return bad
    }
}
