/// A filtered point of the frequency regression: the raw offset at one local
/// instant, from a handful of consecutive samples.
///
/// Each direction is filtered on its own, as NTP's clock filter does with
/// round trips but sharper: every forward observation is an upper bound of
/// the offset and every backward one a lower bound, each off by that packet's
/// own delay. The tightest upper and the tightest lower bound of the block
/// (carried to the block instant with the frequency estimate) usually come
/// from different packets, and their midpoint is off only by the difference
/// of the two smallest one-way delays. `gapNanos` (upper minus lower) is the
/// point's quality: it shrinks as both minima approach the base delay.
struct OffsetBlock: Sendable, Hashable {
    var localNanos: Int64
    /// The tightest upper and lower bounds of the raw offset at `localNanos`,
    /// kept apart so that a wider envelope can be drawn across many blocks
    /// (`FrequencyEstimator.envelopeLine`).
    var upperNanos: Int64
    var lowerNanos: Int64

    var offsetNanos: Int64 { lowerNanos + (upperNanos - lowerNanos) / 2 }
    var gapNanos: Int64 { upperNanos - lowerNanos }

    /// Filters `samples` (at least one) with the current `frequency`.
    init(samples: [ClockMeasurement], frequency: Double) {
        let first = samples[0].midLocalNanos
        localNanos = first + (samples[samples.count - 1].midLocalNanos - first) / 2
        (upperNanos, lowerNanos) = Self.bounds(of: samples, atLocal: localNanos, frequency: frequency)
    }

    /// The tightest upper and lower bounds `samples` give of the raw offset
    /// at `local`, each observation carried there along `frequency`
    /// (`Int64.max` and `Int64.min` for no samples).
    static func bounds(of samples: [ClockMeasurement], atLocal local: Int64, frequency: Double) -> (upper: Int64, lower: Int64) {
        var upper = Int64.max
        var lower = Int64.min
        for s in samples {
            let towardsForward = Int64((frequency * Double(local - s.sentLocalNanos)).rounded())
            let towardsBackward = Int64((frequency * Double(local - s.receivedLocalNanos)).rounded())
            upper = min(upper, s.forwardNanos + towardsForward)
            lower = max(lower, s.backwardNanos + towardsBackward)
        }
        return (upper, lower)
    }
}
