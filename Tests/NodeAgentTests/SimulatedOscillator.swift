/// A board's crystal seen from true time: a constant offset, a drift, a slow
/// sinusoidal wander and frequency steps, integrated in closed form so any
/// instant is exact and events can be evaluated in any order.
struct SimulatedOscillator {
    var localAtZeroNanos: Int64
    var driftPPM: Double
    var wanderAmplitudePPM: Double = 0
    var wanderPeriodNanos: Double = 1_200e9
    var steps: [(atTrueNanos: Int64, ppm: Double)] = []

    /// The local monotonic reading at true instant `t` (ns since the run began).
    func localNanos(atTrue t: Int64) -> Int64 {
        var extra = driftPPM * 1e-6 * Double(t)
        if wanderAmplitudePPM != 0 {
            let phase = 2 * Double.pi * Double(t) / wanderPeriodNanos
            extra += wanderAmplitudePPM * 1e-6 * wanderPeriodNanos / (2 * Double.pi) * sine(phase)
        }
        for step in steps where t > step.atTrueNanos {
            extra += step.ppm * 1e-6 * Double(t - step.atTrueNanos)
        }
        return localAtZeroNanos + t + Int64(extra.rounded())
    }

    /// sin(x) without Foundation: reduce to [-π, π], then a Taylor series.
    private func sine(_ x: Double) -> Double {
        let twoPi = 2 * Double.pi
        var r = x - (x / twoPi).rounded() * twoPi
        if r > .pi / 2 { r = .pi - r } else if r < -.pi / 2 { r = -.pi - r }
        var term = r, sum = r
        for n in stride(from: 2, through: 18, by: 2) {
            term *= -r * r / Double(n * (n + 1))
            sum += term
        }
        return sum
    }
}
