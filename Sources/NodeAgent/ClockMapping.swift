/// The mapping the agent actually uses, local instant to timebase instant.
///
/// It is a line through an anchor at the estimated frequency plus a pending
/// correction that is slewed in at a bounded extra rate, so the mapping is
/// continuous and (at nanosecond resolution) non-decreasing. A new sample
/// re-anchors it at the current value: the past is never rewritten, only the
/// slope ahead changes.
struct ClockMapping: Sendable, Hashable {
    var anchorLocalNanos: Int64
    var anchorTimebaseNanos: Int64
    /// Timebase nanoseconds gained per local nanosecond.
    var frequency: Double
    /// Correction still to apply after the anchor, in timebase nanoseconds.
    var pendingNanos: Int64
    /// Extra rate used to apply `pendingNanos` (a fraction, 500 ppm is 5e-4).
    var slewRate: Double

    func timebaseNanos(atLocal localNanos: Int64) -> Int64 {
        let elapsed = localNanos &- anchorLocalNanos
        let drift = Int64((frequency * Double(elapsed)).rounded())
        return anchorTimebaseNanos &+ elapsed &+ drift &+ slewAppliedNanos(elapsedNanos: elapsed)
    }

    /// Part of the pending correction already applied `elapsedNanos` after the anchor.
    func slewAppliedNanos(elapsedNanos: Int64) -> Int64 {
        guard elapsedNanos > 0, pendingNanos != 0 else { return 0 }
        let reach = slewRate * Double(elapsedNanos)
        let magnitude = pendingNanos.magnitude
        let applied = reach >= Double(magnitude) ? Int64(magnitude) : Int64(reach)
        return pendingNanos < 0 ? -applied : applied
    }

    /// Correction not yet applied at `localNanos`; it counts in the error bound.
    func remainingSlewNanos(atLocal localNanos: Int64) -> Int64 {
        pendingNanos - slewAppliedNanos(elapsedNanos: localNanos &- anchorLocalNanos)
    }

    /// The smallest local instant whose timebase is at least `timebaseNanos`:
    /// the exact inverse up to the nanosecond rounding of the forward map.
    func localNanos(atTimebase timebaseNanos: Int64) -> Int64 {
        let target = Double(timebaseNanos) - Double(anchorTimebaseNanos)
        let sign: Double = pendingNanos < 0 ? -1 : 1
        let slewEnd = Double(pendingNanos.magnitude) / slewRate
        let slewedRate = 1 + frequency + sign * slewRate
        let guess: Double
        if pendingNanos == 0 || target <= slewEnd * slewedRate {
            guess = target / (pendingNanos == 0 ? 1 + frequency : slewedRate)
        } else {
            guess = slewEnd + (target - slewEnd * slewedRate) / (1 + frequency)
        }
        let limit = Double(Int64.max / 4)
        var local = anchorLocalNanos &+ Int64(min(max(guess, -limit), limit))
        for _ in 0..<4 {
            let miss = timebaseNanos &- self.timebaseNanos(atLocal: local)
            if miss == 0 { break }
            local = local &+ miss
        }
        // The slope is within 0.1% of one, so a few unit steps finish the
        // search (at most 64 each way). Each loop stops at its first false
        // test: once a test fails `local` no longer moves, so it would keep
        // failing (a `for ... where` would evaluate it 64 times regardless;
        // this was a tenth of the simulator's time).
        var steps = 0
        while steps < 64, self.timebaseNanos(atLocal: local) < timebaseNanos { local &+= 1; steps += 1 }
        steps = 0
        while steps < 64, self.timebaseNanos(atLocal: local &- 1) >= timebaseNanos { local &-= 1; steps += 1 }
        return local
    }
}
