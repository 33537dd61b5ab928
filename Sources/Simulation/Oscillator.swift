/// A board's crystal in virtual time: an offset, a drift in ppm, a slow
/// random-walk wander and occasional frequency steps (temperature).
///
/// It is piecewise linear: the rate changes only at segment boundaries every
/// `segmentNanos` of true time, so local↔true conversions are exact within a
/// segment and the clock is strictly increasing.
struct Oscillator {
    struct Settings {
        var offsetNanos: Int64
        var driftPPM: Double
        /// Standard step of the random walk of the rate, per segment.
        var wanderPPMPerSegment: Double = 0
        /// Bound on how far wander takes the rate from `driftPPM`.
        var wanderLimitPPM: Double = 2
        /// Chance per segment of a frequency step, and its size.
        var stepChance: Double = 0
        var stepPPM: Double = 0
        var segmentNanos: Int64 = 10 * 1_000_000_000
        /// Bursts of extra rate, in true time: an NTP daemon slewing the
        /// clock (chrony slews at up to 83,333 ppm).
        var slews: [(startNanos: Int64, endNanos: Int64, ppm: Double)] = []
    }

    let settings: Settings
    private var random: SimulationRandom
    private var trueStart: Int64
    private var localStart: Int64
    private(set) var ratePPM: Double
    private var wander: Double = 0
    private var steps: Double = 0
    /// The next regular segment boundary (wander and frequency steps).
    private var nextRegular: Int64
    /// Where the current linear piece ends: a regular boundary or a slew edge.
    private var segmentEnd: Int64

    init(settings: Settings, random: SimulationRandom, trueNow: Int64) {
        self.settings = settings
        self.random = random
        trueStart = trueNow
        localStart = trueNow + settings.offsetNanos
        nextRegular = trueNow + settings.segmentNanos
        segmentEnd = nextRegular
        ratePPM = settings.driftPPM
        rebase()
    }

    private func slewPPM(at t: Int64) -> Double {
        settings.slews.reduce(0) { $0 + (t >= $1.startNanos && t < $1.endNanos ? $1.ppm : 0) }
    }

    /// Rate and end of the piece starting at `trueStart`.
    private mutating func rebase() {
        ratePPM = settings.driftPPM + wander + steps + slewPPM(at: trueStart)
        var end = nextRegular
        for slew in settings.slews {
            if slew.startNanos > trueStart { end = min(end, slew.startNanos) }
            if slew.endNanos > trueStart { end = min(end, slew.endNanos) }
        }
        segmentEnd = end
    }

    /// Moves to the segment containing `trueNow` (time only moves forward).
    private mutating func advance(to trueNow: Int64) {
        while trueNow >= segmentEnd {
            let end = segmentEnd
            localStart = local(inSegmentAt: end)
            trueStart = end
            if end == nextRegular {
                nextRegular += settings.segmentNanos
                if settings.wanderPPMPerSegment > 0 {
                    wander += (random.unit() * 2 - 1) * settings.wanderPPMPerSegment
                    wander = min(max(wander, -settings.wanderLimitPPM), settings.wanderLimitPPM)
                }
                if random.chance(settings.stepChance) { steps += random.chance(0.5) ? settings.stepPPM : -settings.stepPPM }
            }
            rebase()
        }
    }

    private func local(inSegmentAt trueTime: Int64) -> Int64 {
        let delta = trueTime - trueStart
        return localStart + delta + Int64((Double(delta) * ratePPM * 1e-6).rounded())
    }

    /// The board's monotonic clock at true time `trueNow`.
    mutating func local(at trueNow: Int64) -> Int64 {
        advance(to: trueNow)
        return local(inSegmentAt: trueNow)
    }

    /// The true time at which the board's clock will read `localTarget`,
    /// assuming the current rate holds (as a real timer would).
    mutating func trueTime(whenLocalReads localTarget: Int64, notBefore trueNow: Int64) -> Int64 {
        advance(to: trueNow)
        let delta = Double(localTarget - localStart) / (1 + ratePPM * 1e-6)
        return max(trueNow, trueStart + Int64(delta.rounded(.up)))
    }
}
