/// The one-dimensional searches of the envelope fits (`EnvelopeFit`, and
/// `FrequencyEstimator`'s widest-gap slope): the maximum of a concave function
/// of the slope, and the edge of the slopes where it is still non-negative.
/// Concave means no local maxima to be caught in, so a few dozen evaluations
/// pin the slope to far below a nanosecond of tilt over a window.
enum SlopeSearch {
    /// The last interval of a ternary search for the maximum of `f`, concave
    /// on `lo...hi`, after `steps` steps: the maximum lies in it.
    static func maximize(from lo: Double, to hi: Double, steps: Int, _ f: (Double) -> Double) -> (lo: Double, hi: Double) {
        var lo = lo, hi = hi
        for _ in 0..<steps {
            let a = lo + (hi - lo) / 3, c = hi - (hi - lo) / 3
            if f(a) < f(c) { lo = a } else { hi = c }
        }
        return (lo, hi)
    }

    /// The first slope beyond the last one between `inside` (f ≥ 0) and
    /// `limit` where the concave `f` is still ≥ 0, after `steps` bisections;
    /// `limit` itself when f(limit) ≥ 0.
    static func edge(from inside: Double, to limit: Double, steps: Int, _ f: (Double) -> Double) -> Double {
        if f(limit) >= 0 { return limit }
        var good = inside, bad = limit
        for _ in 0..<steps {
            let mid = (good + bad) / 2
            if f(mid) >= 0 { good = mid } else { bad = mid }
        }
        return bad
    }

    /// The middle of the last interval of a golden-section search for the
    /// maximum of `f`, concave on `lo...hi`, after `evaluations` steps (each
    /// evaluates `f` once; the interval shrinks by 0.618 per step).
    static func argmax(from lo: Double, to hi: Double, evaluations: Int, _ f: (Double) -> Double) -> Double {
        let ratio = (5.0.squareRoot() - 1) / 2
        var a = lo, b = hi
        var c = b - ratio * (b - a), d = a + ratio * (b - a)
        var fc = f(c), fd = f(d)
        for _ in 0..<evaluations {
            if fc < fd {
                (a, c, fc) = (c, d, fd)
                d = a + ratio * (b - a)
                fd = f(d)
            } else {
                (b, d, fd) = (d, c, fc)
                c = b - ratio * (b - a)
                fc = f(c)
            }
        }
        return (a + b) / 2
    }
}
